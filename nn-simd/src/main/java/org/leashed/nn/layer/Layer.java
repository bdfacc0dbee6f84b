package org.leashed.nn.layer;

import java.lang.foreign.MemorySegment;

import org.leashed.nn.simd.Kernels;

/**
 * One layer of a feed-forward network over a flat parameter vector. A layer is an immutable shape
 * description; the network gives it the index of its parameters in the vector, its input and output
 * buffers and a private scratch segment from the worker's workspace, so one layer object serves any
 * number of threads.
 *
 * <p>Buffers are batches of examples, one example per row, each example {@link #inputShape()} or
 * {@link #outputShape()} floats in CHW order, all starting at index 0 of their segments:
 * {@code x: (batch, in)}, {@code y: (batch, out)}, {@code dy: (batch, out)}, {@code dx: (batch, in)}.
 *
 * <p>Gradient convention: {@link #backward} <b>overwrites</b> this layer's slice of {@code grad}
 * (the caller does not zero it) and overwrites {@code dx}. Neither method allocates.
 */
public sealed interface Layer permits Dense, Conv2d, MaxPool2x2 {
    /** Shape of one input example. */
    Shape inputShape();

    /** Shape of one output example. */
    Shape outputShape();

    /** Number of floats this layer owns in the parameter vector. */
    long parameterCount();

    /** Bytes of per-worker scratch this layer needs for batches of up to {@code maxBatch}. */
    long scratchByteSize(int maxBatch);

    /**
     * {@code y (batch, out) = f(x (batch, in); params[paramIndex ..])}; overwrites y.
     */
    void forward(Kernels kernels, MemorySegment params, long paramIndex, MemorySegment x, MemorySegment y, int batch,
                 MemorySegment scratch);

    /**
     * Given {@code dy = dL/dy (batch, out)} (gradient with respect to this layer's output, after its
     * activation) and the {@code x}, {@code y} and {@code scratch} of the last {@link #forward}, on the same batch and
     * as that forward left them (layers keep what backward reuses there):
     * overwrites {@code grad[paramIndex .. + parameterCount())} with {@code dL/dparams} and, unless
     * {@code dx} is null, overwrites {@code dx (batch, in)} with {@code dL/dx}. May modify {@code dy}
     * in place (activation backward).
     */
    void backward(Kernels kernels, MemorySegment params, long paramIndex, MemorySegment grad, MemorySegment x,
                  MemorySegment y, MemorySegment dy, MemorySegment dx, int batch, MemorySegment scratch);

    /** Short description, e.g. {@code conv3x3x4-relu}. */
    String describe();
}
