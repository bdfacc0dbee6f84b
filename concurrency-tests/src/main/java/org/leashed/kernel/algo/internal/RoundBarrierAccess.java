package org.leashed.kernel.algo.internal;

/**
 * jcstress-only bridge to the package-private {@link RoundBarrier}: it lives in the concurrency-tests
 * module but in the barrier's package (a split package on the class path, where the shaded jcstress
 * jar runs), so the kernel needs no visibility change. Each method forwards to the same-named one;
 * nothing here adds ordering. Not part of any API: if the kernel ever becomes a named module, replace
 * this with a test-support export.
 */
public final class RoundBarrierAccess {
    private final RoundBarrier barrier;

    public RoundBarrierAccess(int parties) {
        this.barrier = new RoundBarrier(parties);
    }

    public void register(int index) {
        barrier.register(index);
    }

    public boolean arriveAndAwait() {
        return barrier.arriveAndAwait();
    }

    public void terminate() {
        barrier.terminate();
    }

    /** The production spin budget, so that broken copies in the tests use the same one. */
    public static int spinsBeforePark() {
        return RoundBarrier.SPINS_BEFORE_PARK;
    }
}
