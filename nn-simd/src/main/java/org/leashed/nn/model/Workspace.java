package org.leashed.nn.model;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import org.leashed.nn.layer.Layer;
import org.leashed.nn.simd.Kernels;

/**
 * Per-worker scratch memory for one {@link Network}, sized once for {@code maxBatch}: the gathered
 * input batch, every layer's output (kept for backward), two gradient buffers as large as the
 * largest layer boundary, and each layer's own scratch (transposed weights, im2col matrices, pooling
 * argmax indices).
 *
 * <p>Ownership: allocated from its own {@link Arena#ofShared()} by the thread that creates it (so a
 * trainer may create it and hand it to a worker thread); used by one thread at a time; freed by
 * {@link #close()}.
 */
public final class Workspace implements AutoCloseable {
    final Network network;
    final int maxBatch;
    /** activations[0] is the input batch, activations[l + 1] the output of layer l. */
    final MemorySegment[] activations;
    final MemorySegment deltaA;
    final MemorySegment deltaB;
    final MemorySegment[] scratch;
    final int[] sequential;
    /** A batch's labels and the softmax's scratch ({@link Kernels#softmaxCrossEntropy}). */
    final int[] labels;
    final MemorySegment softmaxScratch;
    private final Arena arena;
    private final long byteSize;

    Workspace(Network network, int maxBatch) {
        if (maxBatch < 1) {
            throw new IllegalArgumentException("maxBatch must be >= 1, got " + maxBatch);
        }
        this.network = network;
        this.maxBatch = maxBatch;
        this.arena = Arena.ofShared();
        final Layer[] layers = network.layers;
        long bytes = 0;
        this.activations = new MemorySegment[layers.length + 1];
        this.scratch = new MemorySegment[layers.length];
        long maxSize = network.input.size();
        activations[0] = floats((long) maxBatch * network.input.size());
        bytes += activations[0].byteSize();
        for (int l = 0; l < layers.length; l++) {
            long size = layers[l].outputShape().size();
            maxSize = Math.max(maxSize, size);
            activations[l + 1] = floats(maxBatch * size);
            scratch[l] = arena.allocate(Math.max(Float.BYTES, layers[l].scratchByteSize(maxBatch)), 64);
            bytes += activations[l + 1].byteSize() + scratch[l].byteSize();
        }
        this.deltaA = floats(maxBatch * maxSize);
        this.deltaB = floats(maxBatch * maxSize);
        this.softmaxScratch = floats(Kernels.softmaxScratchFloats(maxBatch, network.classes()));
        this.byteSize = bytes + deltaA.byteSize() + deltaB.byteSize() + softmaxScratch.byteSize();
        this.sequential = new int[maxBatch];
        this.labels = new int[maxBatch];
    }

    private MemorySegment floats(long n) {
        return arena.allocate(n * Float.BYTES, 64);
    }

    /** Largest batch this workspace holds. */
    public int maxBatch() {
        return maxBatch;
    }

    /** Off-heap bytes this workspace holds. */
    public long byteSize() {
        return byteSize;
    }

    @Override
    public void close() {
        arena.close();
    }
}
