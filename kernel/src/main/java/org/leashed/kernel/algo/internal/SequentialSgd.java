package org.leashed.kernel.algo.internal;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import org.leashed.kernel.Objective;
import org.leashed.kernel.UpdateKernels;
import org.leashed.kernel.algo.WorkerContext;
import org.leashed.kernel.algo.WorkerMetrics;
import org.leashed.kernel.run.AlgorithmKind;
import org.leashed.kernel.stepsize.StepSizeTable;

/**
 * Sequential SGD (Alg. B.1 run by one worker): gradient at theta, then theta -= eta * g in place.
 * Staleness is always 0. Theta is touched by the single worker only (the trainer reads it between
 * epochs, after the epoch phaser's happens-before edge).
 */
public final class SequentialSgd extends SharedThetaAlgorithm {
    public SequentialSgd(Objective objective, UpdateKernels kernels, boolean momentum, long seed, Arena arena) {
        super(objective, kernels, 1, momentum, seed, arena);
    }

    @Override
    public AlgorithmKind kind() {
        return AlgorithmKind.SEQ;
    }

    @Override
    long parameterVectors() {
        return 1;
    }

    @Override
    public WorkerLoop newWorker(WorkerContext context) {
        return new Loop(context);
    }

    private final class Loop implements WorkerLoop {
        private final WorkerContext context;
        private final WorkerMetrics metrics;

        Loop(WorkerContext context) {
            this.context = context;
            this.metrics = context.metrics();
        }

        @Override
        public void runEpoch() {
            final WorkerContext context = this.context;
            final WorkerMetrics metrics = this.metrics;
            final MemorySegment theta = SequentialSgd.this.theta;
            final float eta = context.stepSizes().eta(0);
            while (context.takeTicket()) {
                MemorySegment step = context.computeStep(theta);
                long t0 = System.nanoTime();
                context.enterUpdate(t0);
                kernels.axpy(d, -eta, step, theta);
                context.leaveUpdate();
                metrics.recordTu(System.nanoTime() - t0);
                metrics.recordApplied(0);
            }
        }
    }
}
