package org.leashed.kernel.run;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicLong;

import org.leashed.kernel.Objective;

/**
 * Test-only fault injection around an objective: worker {@code w}'s sampler misbehaves on its k-th
 * gradient (1-based, counted over the whole run): throws, writes NaN into the gradient while
 * returning a finite loss, or sleeps. Also counts gradients per worker so that a test can see who
 * made progress while another one stalled.
 */
final class FaultyObjective implements Objective {
    private final Objective base;
    private int throwWorker = -1;
    private long throwAt;
    private int nanWorker = -1;
    private long nanAt;
    private int nanIndex = -1; // -1: every component
    private volatile boolean injected;
    /** Armed: the next gradient any worker computes gets the NaN (once). */
    private final java.util.concurrent.atomic.AtomicBoolean armed = new java.util.concurrent.atomic.AtomicBoolean();
    /** Gradients computed per worker (atomic: read by the test thread while workers run). */
    final AtomicLong[] gradients = new AtomicLong[64];

    FaultyObjective(Objective base) {
        this.base = base;
        for (int w = 0; w < gradients.length; w++) {
            gradients[w] = new AtomicLong();
        }
    }

    FaultyObjective throwAt(int worker, long call) {
        this.throwWorker = worker;
        this.throwAt = call;
        return this;
    }

    FaultyObjective nanGradientAt(int worker, long call) {
        this.nanWorker = worker;
        this.nanAt = call;
        return this;
    }

    /** The next gradient computed by any worker, from now on, gets the NaN (thread-safe). */
    void arm() {
        armed.set(true); // volatile store: seen by the next worker's getAndSet
    }

    /** Only component {@code index} of the faulty gradient becomes NaN. */
    FaultyObjective nanComponent(int index) {
        this.nanIndex = index;
        return this;
    }

    /** Whether the NaN gradient was handed out (volatile: set by a worker, read by the coordinator). */
    boolean injected() {
        return injected;
    }

    /** Gradients computed so far by workers other than {@code worker}. */
    long gradientsOtherThan(int worker) {
        long sum = 0;
        for (int w = 0; w < gradients.length; w++) {
            if (w != worker) {
                sum += gradients[w].get(); // volatile: a tally, read while workers run
            }
        }
        return sum;
    }

    @Override
    public int dimension() {
        return base.dimension();
    }

    @Override
    public void initialize(MemorySegment params, long seed) {
        base.initialize(params, seed);
    }

    @Override
    public double loss(MemorySegment params) {
        return base.loss(params);
    }

    @Override
    public Sampler newSampler(int workerId, long seed) {
        final Sampler inner = base.newSampler(workerId, seed);
        final AtomicLong count = gradients[workerId];
        return new Sampler() {
            long calls;

            @Override
            public void reseed(long seed) {
                inner.reseed(seed);
            }

            @Override
            public float sampleGradient(MemorySegment params, MemorySegment grad) {
                calls++;
                if (workerId == throwWorker && calls == throwAt) {
                    throw new IllegalStateException("injected fault in worker " + workerId + " at gradient " + calls);
                }
                float loss = inner.sampleGradient(params, grad);
                // armed.getAndSet: atomic RMW, exactly one worker takes the armed fault
                if ((workerId == nanWorker && calls == nanAt) || (armed.get() && armed.getAndSet(false))) {
                    long d = dimension();
                    for (long j = 0; j < d; j++) {
                        if (nanIndex < 0 || j == nanIndex) {
                            grad.setAtIndex(LeastSquares.F, j, Float.NaN);
                        }
                    }
                    injected = true; // volatile store: before this worker's update and its end-of-epoch arrival
                }
                count.incrementAndGet(); // atomic RMW: a tally the test reads concurrently
                return loss;
            }

            @Override
            public void close() {
                inner.close();
            }
        };
    }
}
