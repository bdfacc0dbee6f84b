package org.leashed.kernel.run;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.leashed.kernel.UpdateKernels;

/**
 * Test-only: scalar update kernels that stall (sleep) or throw inside the update section on the k-th
 * update-kernel call of the run, counted over all workers (so that no scheduling can keep it from
 * happening), i.e. while ASYNC holds its lock, while a Leashed-SGD candidate is being written, inside
 * HOG's racy axpy or between SYNC's barriers. Remembers which thread it hit and counts the
 * update-section calls other threads complete during the stall. Without momentum, copyAxpy is only
 * called by LSH's update and axpy only by the others' updates, so every counted call is an update.
 */
final class StallingKernels implements UpdateKernels {
    private final UpdateKernels scalar = UpdateKernels.scalar();
    private final long at;
    private final long stallMillis;
    private final boolean throwInstead;
    private final AtomicLong calls = new AtomicLong();
    /** The thread the fault hit (set once, before the stall starts). */
    final AtomicReference<String> hitThread = new AtomicReference<>();
    /** Set while the stall lasts (volatile: read by the other workers). */
    final AtomicBoolean stalling = new AtomicBoolean();
    final AtomicBoolean stalled = new AtomicBoolean();
    final AtomicLong othersDuringStall = new AtomicLong();

    StallingKernels(long at, long stallMillis, boolean throwInstead) {
        this.at = at;
        this.stallMillis = stallMillis;
        this.throwInstead = throwInstead;
    }

    /** Worker index of the thread the fault hit ("leashed-worker-3" gives 3), or -1 before it happened. */
    int hitWorker() {
        String name = hitThread.get(); // volatile load
        return name == null ? -1 : Integer.parseInt(name.substring(name.lastIndexOf('-') + 1));
    }

    private void enter() {
        if (calls.incrementAndGet() != at) { // atomic RMW: exactly one call is the k-th
            return;
        }
        hitThread.set(Thread.currentThread().getName()); // volatile store: before the stall or the throw
        if (throwInstead) {
            throw new IllegalStateException("injected fault inside the update section of " + hitThread.get());
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

    private void leave() {
        // volatile loads: counting only while the stall lasts, by threads other than the stalled one
        if (stalling.get() && !Thread.currentThread().getName().equals(hitThread.get())) {
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
        return "scalar (fault at update-kernel call " + at + ")";
    }
}
