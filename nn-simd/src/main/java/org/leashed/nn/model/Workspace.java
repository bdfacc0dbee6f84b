package org.leashed.nn.model;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Per-worker scratch memory for one {@link Network}: the gathered input batch, every layer's
 * activations, two delta buffers and a transposed-weight buffer, sized once for {@code maxBatch}.
 *
 * <p>Ownership: allocated from its own {@link Arena#ofShared()} by the thread that creates it (so a
 * trainer may create it and hand it to a worker thread); used by one thread at a time; freed by
 * {@link #close()}.
 */
public final class Workspace implements AutoCloseable {
    final Network network;
    final int maxBatch;
    final MemorySegment input;
    final MemorySegment[] activations;
    final MemorySegment deltaA;
    final MemorySegment deltaB;
    final MemorySegment transposed;
    final int[] sequential;
    private final Arena arena;

    Workspace(Network network, int maxBatch) {
        if (maxBatch < 1) {
            throw new IllegalArgumentException("maxBatch must be >= 1, got " + maxBatch);
        }
        this.network = network;
        this.maxBatch = maxBatch;
        this.arena = Arena.ofShared();
        int[] widths = network.widths;
        this.input = floats((long) maxBatch * widths[0]);
        this.activations = new MemorySegment[widths.length];
        this.activations[0] = input;
        int maxWidth = 0;
        long maxWeights = 0;
        for (int l = 1; l < widths.length; l++) {
            activations[l] = floats((long) maxBatch * widths[l]);
            maxWidth = Math.max(maxWidth, Math.max(widths[l], widths[l - 1]));
            maxWeights = Math.max(maxWeights, (long) widths[l - 1] * widths[l]);
        }
        this.deltaA = floats((long) maxBatch * maxWidth);
        this.deltaB = floats((long) maxBatch * maxWidth);
        this.transposed = floats(maxWeights);
        this.sequential = new int[maxBatch];
    }

    private MemorySegment floats(long n) {
        return arena.allocate(n * Float.BYTES, 64);
    }

    /** Largest batch this workspace holds. */
    public int maxBatch() {
        return maxBatch;
    }

    @Override
    public void close() {
        arena.close();
    }
}
