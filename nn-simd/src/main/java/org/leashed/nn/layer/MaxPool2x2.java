package org.leashed.nn.layer;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

import org.leashed.nn.simd.Kernels;

/**
 * Max pooling over 2x2 windows with stride 2; an odd last row or column is dropped (floor), as in
 * the thesis networks. No parameters.
 *
 * <p>Forward ({@link Kernels#maxPool2x2}) records, for every output, the index in {@code x} of the
 * maximum it took (first maximum in row-major window order on ties) in the scratch segment:
 * {@code argmax: (batch, c, h/2, w/2)} ints. Backward routes each {@code dy} to that index and
 * writes 0 everywhere else in {@code dx} (overwrite; windows do not overlap; {@link Kernels#maxPool2x2Backward}).
 *
 * @param input shape of one input example (height and width at least 2)
 */
public record MaxPool2x2(Shape input) implements Layer {

    /**
     * @throws IllegalArgumentException if the input is smaller than 2x2
     */
    public MaxPool2x2 {
        Objects.requireNonNull(input, "input");
        if (input.height() < 2 || input.width() < 2) {
            throw new IllegalArgumentException("2x2 pooling needs an input of at least 2x2, got " + input);
        }
    }

    @Override
    public Shape inputShape() {
        return input;
    }

    @Override
    public Shape outputShape() {
        return new Shape(input.channels(), input.height() / 2, input.width() / 2);
    }

    @Override
    public long parameterCount() {
        return 0;
    }

    @Override
    public long scratchByteSize(int maxBatch) {
        return (long) maxBatch * outputShape().size() * Integer.BYTES;
    }

    @Override
    public void forward(Kernels kernels, MemorySegment params, long paramIndex, MemorySegment x, MemorySegment y, int batch,
                        MemorySegment scratch) {
        final int h = input.height();
        final int w = input.width();
        final int planes = batch * input.channels();
        if ((long) planes * h * w > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("batch " + batch + " of " + input + " does not fit int indices");
        }
        kernels.maxPool2x2(y, 0, scratch, 0, x, 0, planes, h, w);
    }

    @Override
    public void backward(Kernels kernels, MemorySegment params, long paramIndex, MemorySegment grad, MemorySegment x,
                         MemorySegment y, MemorySegment dy, MemorySegment dx, int batch, MemorySegment scratch) {
        if (dx == null) {
            return;
        }
        kernels.maxPool2x2Backward(dx, 0, dy, 0, scratch, 0, batch * input.channels(), input.height(), input.width());
    }

    @Override
    public String describe() {
        return "maxpool2x2";
    }
}
