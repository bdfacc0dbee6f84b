package org.leashed.kernel.algo.internal;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import org.leashed.kernel.Objective;
import org.leashed.kernel.UpdateKernels;
import org.leashed.kernel.algo.WorkerContext;
import org.leashed.kernel.algo.WorkerMetrics;
import org.leashed.kernel.run.AlgorithmKind;

/**
 * Synchronous parallel SGD (Sec. 1.3.1, Thm A.3.1): in each round all m workers compute a gradient at
 * the same theta with their own samplers; after a barrier every worker applies the average of the m
 * gradients to its own 1/m slice of theta; a second barrier ends the round. One round is one update,
 * of staleness 0. With batch b it equals SEQ with batch m*b in expectation, while the m gradients
 * are computed in parallel.
 *
 * <p>Worker 0 takes one ticket per round so that the trainer's progress counter moves; the round
 * count per epoch is fixed ({@link WorkerContext#updatesPerEpoch()}) so that all workers leave the
 * same round. A stop request terminates the barrier ({@link #interrupt()}), which releases every
 * worker at once.
 *
 * <h2>Memory ordering</h2>
 * <table>
 *   <tr><th>data</th><th>writer</th><th>reader</th><th>edge</th></tr>
 *   <tr><td>steps[w] (reference)</td><td>plain, worker w in {@link #newWorker}</td><td>plain, all
 *       workers in rounds</td><td>the trainer's epoch phaser, which every worker passes between
 *       newWorker and its first round.</td></tr>
 *   <tr><td>gradient buffer contents</td><td>plain, worker w before the first barrier</td><td>plain,
 *       all workers after it</td><td>{@link RoundBarrier}: every arrival happens-before every return of the round.</td></tr>
 *   <tr><td>theta slice s</td><td>plain, worker s between the barriers</td><td>plain, all workers
 *       after the second barrier</td><td>same.</td></tr>
 * </table>
 */
public final class SynchronousSgd extends SharedThetaAlgorithm {
    private final RoundBarrier barrier;
    private final MemorySegment[] steps;

    public SynchronousSgd(Objective objective, UpdateKernels kernels, int workers, boolean momentum, long seed, Arena arena) {
        super(objective, kernels, workers, momentum, seed, arena);
        this.barrier = new RoundBarrier(workers);
        this.steps = new MemorySegment[workers];
    }

    @Override
    public AlgorithmKind kind() {
        return AlgorithmKind.SYNC;
    }

    @Override
    long parameterVectors() {
        return 1;
    }

    @Override
    public void interrupt() {
        barrier.terminate();
    }

    @Override
    public WorkerLoop newWorker(WorkerContext context) {
        steps[context.workerId()] = context.stepBuffer();
        barrier.register(context.workerId());
        return new Loop(context);
    }

    private final class Loop implements WorkerLoop {
        private final WorkerContext context;
        private final WorkerMetrics metrics;
        private final long sliceStart;
        private final long sliceCount;
        private final MemorySegment mine;
        /** My slice of every worker's step buffer; built at the first epoch, when all buffers are known. */
        private MemorySegment[] stepSlices;

        Loop(WorkerContext context) {
            this.context = context;
            this.metrics = context.metrics();
            int id = context.workerId();
            this.sliceStart = (long) d * id / m;
            this.sliceCount = (long) d * (id + 1) / m - sliceStart;
            this.mine = theta.asSlice(sliceStart * Float.BYTES, sliceCount * Float.BYTES);
        }

        @Override
        public void runEpoch() {
            final WorkerContext context = this.context;
            final WorkerMetrics metrics = this.metrics;
            final RoundBarrier barrier = SynchronousSgd.this.barrier;
            final MemorySegment theta = SynchronousSgd.this.theta;
            final MemorySegment mine = this.mine;
            final long count = sliceCount;
            if (stepSlices == null) {
                stepSlices = new MemorySegment[m];
                for (int w = 0; w < m; w++) {
                    stepSlices[w] = steps[w].asSlice(sliceStart * Float.BYTES, count * Float.BYTES);
                }
            }
            final MemorySegment[] slices = stepSlices;
            final boolean accountant = context.workerId() == 0;
            final float a = -context.stepSizes().eta(0) / m;
            final long rounds = context.updatesPerEpoch();
            for (long r = 0; r < rounds; r++) {
                if (accountant) {
                    context.takeTicket(); // progress counter only; the round count is fixed
                }
                context.computeStep(theta);
                if (!barrier.arriveAndAwait()) {
                    return; // terminated by a stop request
                }
                long t0 = System.nanoTime();
                context.enterUpdate(t0);
                for (int w = 0; w < slices.length; w++) { // the average of the m steps, on my slice
                    kernels.axpy(count, a, slices[w], mine);
                }
                context.leaveUpdate();
                metrics.recordTu(System.nanoTime() - t0);
                if (!barrier.arriveAndAwait()) {
                    return;
                }
                if (accountant) {
                    metrics.recordApplied(0);
                }
            }
        }
    }
}
