package org.leashed.kernel.run;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.leashed.kernel.UpdateKernels;

/**
 * Test-only: scalar update kernels that stall (sleep) or throw inside the update section of one
 * worker thread on its k-th call, i.e. while ASYNC holds its lock, while a Leashed-SGD candidate is
 * being written, inside HOG's racy axpy or between SYNC's barriers. Counts the update-section calls
 * other threads complete during the stall. Without momentum, copyAxpy is only called by LSH's update
 * and axpy only by the others' updates, so every counted call is an update.
 */
final class StallingKernels implements UpdateKernels {
    private final UpdateKernels scalar = UpdateKernels.scalar();
    private final String thread;
    private final long at;
    private final long stallMillis;
    private final boolean throwInstead;
    private final ThreadLocal<long[]> calls = ThreadLocal.withInitial(() -> new long[1]);
    /** Set while the stall lasts (volatile: read by the other workers). */
    final AtomicBoolean stalling = new AtomicBoolean();
    final AtomicBoolean stalled = new AtomicBoolean();
    final AtomicLong othersDuringStall = new AtomicLong();

    /** @param thread name of the worker thread that stalls, e.g. "leashed-worker-0" */
    StallingKernels(String thread, long at, long stallMillis, boolean throwInstead) {
        this.thread = thread;
        this.at = at;
        this.stallMillis = stallMillis;
        this.throwInstead = throwInstead;
    }

    private void enter() {
        if (Thread.currentThread().getName().equals(thread)) {
            if (++calls.get()[0] == at) {
                if (throwInstead) {
                    throw new IllegalStateException("injected fault inside the update section of " + thread);
                }
                stalling.set(true); // volatile store: others count from here
                try {
                    Thread.sleep(stallMillis);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    stalling.set(false);
                    stalled.set(true);
                }
            }
        }
    }

    private void leave() {
        if (stalling.get() && !Thread.currentThread().getName().equals(thread)) { // volatile load
            othersDuringStall.incrementAndGet(); // atomic RMW: a tally
        }
    }

    @Override
    public void axpy(long count, float a, MemorySegment x, MemorySegment y) {
        enter();
        scalar.axpy(count, a, x, y);
        leave();
    }

    @Override
    public void copyAxpy(long count, MemorySegment dst, MemorySegment src, float a, MemorySegment x) {
        enter();
        scalar.copyAxpy(count, dst, src, a, x);
        leave();
    }

    @Override
    public String description() {
        return "scalar (stalling " + thread + " at call " + at + ")";
    }
}
