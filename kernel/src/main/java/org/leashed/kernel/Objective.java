package org.leashed.kernel;

import java.lang.foreign.MemorySegment;

/**
 * What the SGD algorithms optimise: a function of a flat float parameter vector whose stochastic
 * gradients can be sampled. The kernel knows nothing else about the model; {@code perf} adapts the
 * {@code nn-simd} networks to this interface.
 *
 * <p>Thread safety: {@link #dimension()}, {@link #initialize}, {@link #loss} and {@link #newSampler}
 * may be called from any thread, but {@link #loss} is called only while no worker runs (off the clock).
 * A {@link Sampler} is confined to the worker thread that uses it.
 */
public interface Objective {
    /** Number of parameters d. */
    int dimension();

    /** Writes the seeded initial parameters theta_0 into {@code params} ({@code dimension} floats). */
    void initialize(MemorySegment params, long seed);

    /** Full objective (e.g. mean training loss over the whole data set) at {@code params}. */
    double loss(MemorySegment params);

    /**
     * A per-worker gradient sampler with its own preallocated scratch memory and its own random
     * stream, seeded from {@code seed} (every run is reproducible given the seeds and the schedule).
     */
    Sampler newSampler(int workerId, long seed);

    /** Per-worker stochastic gradient oracle. Confined to one thread; allocates nothing per call. */
    interface Sampler extends AutoCloseable {
        /**
         * Draws a mini-batch and writes its mean gradient at {@code params} into {@code grad}
         * (overwriting it). Returns the mini-batch loss. {@code params} is only read.
         */
        float sampleGradient(MemorySegment params, MemorySegment grad);

        /**
         * Restarts the random stream: afterwards the mini-batches drawn depend only on {@code seed}, as if
         * the sampler had just been created with it (any shuffled order or position is reset too). The
         * trainer calls it at the start of every epoch with a seed derived from (run seed, worker,
         * epoch), which is what makes a run resumable from an epoch boundary with the same samples.
         * Called between epochs, on the sampler's thread; may allocate.
         */
        void reseed(long seed);

        /** Releases scratch memory. */
        @Override
        void close();
    }
}
