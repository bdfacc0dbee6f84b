package org.leashed.kernel.algo.internal;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.function.Consumer;

import org.leashed.kernel.Objective;
import org.leashed.kernel.UpdateKernels;
import org.leashed.kernel.algo.SgdAlgorithm;

/**
 * Base of the algorithms that keep one shared parameter vector theta updated in place (SEQ, SYNC,
 * ASYNC, HOG). Theta is allocated 64-byte aligned from the run's shared arena (freed when the run
 * ends), written with theta_0 by the coordinating thread before any worker starts (thread start is
 * the happens-before edge), and then accessed as each subclass documents.
 */
abstract class SharedThetaAlgorithm implements SgdAlgorithm {
    /** Alignment of every d-float buffer: one cache line. */
    static final long VECTOR_ALIGNMENT_BYTES = 64;

    final int d;
    final int m;
    final boolean momentum;
    final UpdateKernels kernels;
    final Arena arena;
    final MemorySegment theta;

    SharedThetaAlgorithm(Objective objective, UpdateKernels kernels, int workers, boolean momentum, long seed, Arena arena) {
        this.d = objective.dimension();
        this.m = workers;
        this.momentum = momentum;
        this.kernels = kernels;
        this.arena = arena;
        this.theta = newVector(arena, d);
        objective.initialize(theta, seed);
    }

    static MemorySegment newVector(Arena arena, int d) {
        return arena.allocate((long) d * Float.BYTES, VECTOR_ALIGNMENT_BYTES);
    }

    /** Vectors besides the per-worker gradient buffers and momentum buffers. */
    abstract long parameterVectors();

    @Override
    public final void withLatest(Consumer<MemorySegment> action) {
        action.accept(theta);
    }

    @Override
    public void interrupt() {
        // nothing blocks inside these algorithms except SYNC's barrier (overridden there)
    }

    /** {@link #parameterVectors()} plus m gradient buffers; momentum adds m velocity buffers' bytes. */
    @Override
    public final MemoryFootprint footprint() {
        long vectors = parameterVectors() + m;
        long bytes = vectors * d * Float.BYTES + (momentum ? (long) m * d * Float.BYTES : 0);
        return new MemoryFootprint(vectors, bytes);
    }

    @Override
    public void close() {
        // theta lives in the run's arena, which the trainer closes
    }
}
