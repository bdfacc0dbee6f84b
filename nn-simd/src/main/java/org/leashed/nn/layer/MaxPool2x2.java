package org.leashed.nn.layer;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Objects;

import org.leashed.nn.simd.Kernels;

/**
 * Max pooling over 2x2 windows with stride 2; an odd last row or column is dropped (floor), as in
 * the thesis networks. No parameters.
 *
 * <p>Forward records, for every output, the index in {@code x} of the maximum it took (first maximum
 * in row-major window order on ties) in the scratch segment: {@code argmax: (batch, c, h/2, w/2)}
 * ints. Backward routes each {@code dy} to that index and writes 0 everywhere else in {@code dx}
 * (overwrite; windows do not overlap).
 *
 * @param input shape of one input example (height and width at least 2)
 */
public record MaxPool2x2(Shape input) implements Layer {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final ValueLayout.OfInt I = ValueLayout.JAVA_INT_UNALIGNED;

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
        final int oh = h / 2;
        final int ow = w / 2;
        final int planes = batch * input.channels();
        if ((long) planes * h * w > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("batch " + batch + " of " + input + " does not fit int indices");
        }
        // Indices affine in the innermost loop variable (no separate running output index).
        for (int plane = 0; plane < planes; plane++) {
            final long base = (long) plane * h * w;
            final long outBase = (long) plane * oh * ow;
            for (int py = 0; py < oh; py++) {
                final long top = base + 2L * py * w;
                final long out = outBase + (long) py * ow;
                for (int px = 0; px < ow; px++) {
                    final long origin = top + 2L * px;
                    final float a = x.getAtIndex(F, origin);
                    final float b = x.getAtIndex(F, origin + 1);
                    final float c = x.getAtIndex(F, origin + w);
                    final float d = x.getAtIndex(F, origin + w + 1);
                    // window order (0,0), (0,1), (1,0), (1,1); strict > keeps the first maximum
                    float max = a;
                    long best = origin;
                    if (b > max) {
                        max = b;
                        best = origin + 1;
                    }
                    if (c > max) {
                        max = c;
                        best = origin + w;
                    }
                    if (d > max) {
                        max = d;
                        best = origin + w + 1;
                    }
                    y.setAtIndex(F, out + px, max);
                    scratch.setAtIndex(I, out + px, (int) best);
                }
            }
        }
    }

    @Override
    public void backward(Kernels kernels, MemorySegment params, long paramIndex, MemorySegment grad, MemorySegment x,
                         MemorySegment y, MemorySegment dy, MemorySegment dx, int batch, MemorySegment scratch) {
        if (dx == null) {
            return;
        }
        kernels.zero(dx, 0, (long) batch * input.size());
        final long outputs = (long) batch * input.channels() * (input.height() / 2) * (input.width() / 2);
        for (long o = 0; o < outputs; o++) {
            dx.setAtIndex(F, scratch.getAtIndex(I, o), dy.getAtIndex(F, o));
        }
    }

    @Override
    public String describe() {
        return "maxpool2x2";
    }
}
