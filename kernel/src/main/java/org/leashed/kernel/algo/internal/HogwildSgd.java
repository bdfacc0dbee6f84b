package org.leashed.kernel.algo.internal;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicLong;

import org.leashed.kernel.Objective;
import org.leashed.kernel.UpdateKernels;
import org.leashed.kernel.algo.WorkerContext;
import org.leashed.kernel.algo.WorkerMetrics;
import org.leashed.kernel.run.AlgorithmKind;
import org.leashed.kernel.stepsize.StepSizeTable;

/**
 * HOGWILD! (B.3.2): Alg. B.2 without the lock. Each worker copies theta into a local vector with
 * racy plain reads, computes the gradient there, and applies it with a racy component-wise axpy on
 * the shared theta: concurrent updates may interleave and overwrite each other per component.
 *
 * <p>Staleness needs a total order of updates (C.3); ours is the order of a shared update counter.
 * A worker reads the counter with getAcquire just before it copies theta ({@code seen}) and takes its
 * position with getAndIncrement just before it applies ({@code ticket}); tau = ticket - seen = the
 * number of updates that took their position after this worker started reading. Updates that had
 * taken a position but not finished writing when the copy ran are counted as published (their
 * writes may or may not be in the copy: that inconsistency is HOGWILD!'s nature). A gradient that
 * the step-size strategy drops (MindTheStep, tau above its limit) has taken a position too and so
 * counts in later updates' staleness; such drops are rare by construction (tau > 150 by default).
 *
 * <h2>Memory ordering</h2>
 * <table>
 *   <tr><th>data</th><th>writer</th><th>reader</th><th>edge</th></tr>
 *   <tr><td>order (AtomicLong)</td><td>getAndIncrement (volatile RMW)</td><td>getAcquire</td>
 *       <td>an update's position is fixed before it writes theta.</td></tr>
 *   <tr><td>theta</td><td>plain, racy (all workers)</td><td>plain, racy (all workers)</td><td>none:
 *       the benign data race of the algorithm; floats are 4-byte aligned, so each component is read
 *       and written whole (no tearing), but components may mix updates. The trainer reads theta
 *       between epochs after the epoch phaser's edge.</td></tr>
 * </table>
 */
public final class HogwildSgd extends SharedThetaAlgorithm {
    private final AtomicLong order = new AtomicLong();

    public HogwildSgd(Objective objective, UpdateKernels kernels, int workers, boolean momentum, long seed, Arena arena) {
        super(objective, kernels, workers, momentum, seed, arena);
    }

    @Override
    public AlgorithmKind kind() {
        return AlgorithmKind.HOG;
    }

    /** Theta plus one local copy per worker: 2m + 1 with the gradient buffers. */
    @Override
    long parameterVectors() {
        return 1 + m;
    }

    @Override
    public WorkerLoop newWorker(WorkerContext context) {
        return new Loop(context, newVector(arena, d));
    }

    private final class Loop implements WorkerLoop {
        private final WorkerContext context;
        private final WorkerMetrics metrics;
        private final MemorySegment local;

        Loop(WorkerContext context, MemorySegment local) {
            this.context = context;
            this.metrics = context.metrics();
            this.local = local;
        }

        @Override
        public void runEpoch() {
            final WorkerContext context = this.context;
            final WorkerMetrics metrics = this.metrics;
            final AtomicLong order = HogwildSgd.this.order;
            final MemorySegment theta = HogwildSgd.this.theta;
            final MemorySegment local = this.local;
            final StepSizeTable table = context.stepSizes();
            final long bytes = (long) d * Float.BYTES;
            while (context.takeTicket()) {
                // acquire: the copy below cannot be reordered before this read of the read point.
                long seen = order.getAcquire();
                MemorySegment.copy(theta, 0, local, 0, bytes); // plain racy reads, by design
                MemorySegment step = context.computeStep(local);
                long t0 = System.nanoTime();
                // volatile RMW: this update's position in the total order, taken before it writes.
                long tau = order.getAndIncrement() - seen;
                boolean drop = table.drops(tau);
                if (!drop) {
                    context.enterUpdate(t0);
                    kernels.axpy(d, -table.eta(tau), step, theta); // plain racy component-wise update
                    context.leaveUpdate();
                }
                metrics.recordTu(System.nanoTime() - t0);
                if (drop) {
                    metrics.recordDropped();
                } else {
                    metrics.recordApplied(tau);
                    context.onApplied(seen + tau, seen);
                }
            }
        }
    }
}
