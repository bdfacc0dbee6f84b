package org.leashed.kernel.algo.internal;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.locks.ReentrantLock;

import org.leashed.kernel.Objective;
import org.leashed.kernel.UpdateKernels;
import org.leashed.kernel.algo.WorkerContext;
import org.leashed.kernel.algo.WorkerMetrics;
import org.leashed.kernel.run.AlgorithmKind;
import org.leashed.kernel.stepsize.StepSizeTable;

/**
 * Lock-based AsyncSGD (Alg. B.2): lock, copy theta into a worker-local vector, unlock; compute the
 * gradient on the copy; lock, theta -= eta(tau) * g, unlock. Staleness tau = number of updates
 * applied between the copy and the update, read from a counter guarded by the same lock.
 *
 * <h2>Memory ordering</h2>
 * <table>
 *   <tr><th>data</th><th>writer</th><th>reader</th><th>edge</th></tr>
 *   <tr><td>theta, sequence</td><td>plain, under the lock</td><td>plain, under the lock</td>
 *       <td>unlock happens-before the next lock of the same lock.</td></tr>
 *   <tr><td>local copy</td><td colspan="3">confined to its worker.</td></tr>
 * </table>
 */
public final class LockedAsyncSgd extends SharedThetaAlgorithm {
    private final ReentrantLock lock = new ReentrantLock();
    /** Updates applied so far; guarded by {@link #lock}. */
    private long sequence;

    public LockedAsyncSgd(Objective objective, UpdateKernels kernels, int workers, boolean momentum, long seed, Arena arena) {
        super(objective, kernels, workers, momentum, seed, arena);
    }

    @Override
    public AlgorithmKind kind() {
        return AlgorithmKind.ASYNC;
    }

    /** Theta plus one local copy per worker: 2m + 1 with the gradient buffers, as the thesis counts. */
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
            final ReentrantLock lock = LockedAsyncSgd.this.lock;
            final MemorySegment theta = LockedAsyncSgd.this.theta;
            final MemorySegment local = this.local;
            final StepSizeTable table = context.stepSizes();
            final long bytes = (long) d * Float.BYTES;
            while (context.takeTicket()) {
                long seen;
                lock.lock();
                try {
                    MemorySegment.copy(theta, 0, local, 0, bytes); // plain: under the lock
                    seen = sequence;
                } finally {
                    lock.unlock();
                }
                MemorySegment step = context.computeStep(local);
                long t0 = System.nanoTime();
                long tau;
                boolean drop;
                lock.lock();
                try {
                    tau = sequence - seen;
                    drop = table.drops(tau);
                    if (!drop) {
                        context.enterUpdate(System.nanoTime()); // inside the lock: a stall here blocks everyone
                        kernels.axpy(d, -table.eta(tau), step, theta); // plain: under the lock
                        sequence++;
                        context.leaveUpdate();
                    }
                } finally {
                    lock.unlock();
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
