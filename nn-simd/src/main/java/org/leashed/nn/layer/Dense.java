package org.leashed.nn.layer;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

import org.leashed.nn.simd.Kernels;

/**
 * Fully connected layer {@code y = relu?(x W + b)} over the flattened input. Parameters, in order: the
 * weights, then {@code b: (out)}. The weights are stored {@code W: (in, out)} row-major (the layout of
 * the thesis MLP) when {@code out >= }{@link #OUT_MAJOR_BELOW}, and out-major, {@code Wᵀ: (out, in)}
 * row-major, for a narrower layer (the 10-class output layer): there every GEMM of the layer is one
 * whose output is at least a vector wide, since a GEMM can fill only {@code out} lanes of an
 * {@code out}-wide output row.
 * A narrow layer's forward pass runs feature-major, {@code yᵀ (out, b) = Wᵀ·xᵀ}, between two transposes:
 * its GEMM is then {@code b} columns wide instead of {@code out} (10 of 16 lanes caps {@code x·W} below
 * 150 GFLOP/s on a 230 GFLOP/s core), and each output is the same FMA chain over the inputs as in
 * {@code x·W}, so the bits do not change (NOTES 16.15).
 * Scratch: {@code Wᵀ} for the input gradient of a wide layer; {@code xᵀ} and {@code yᵀ} for the forward
 * pass of a narrow one.
 *
 * @param input shape of one input example (flattened to {@code in = input.size()})
 * @param outputs units {@code out}
 * @param relu whether ReLU follows the affine map
 */
public record Dense(Shape input, int outputs, boolean relu) implements Layer {
    /**
     * Layers with fewer outputs store their weights out-major. A fixed number, not the vector width, so that
     * the parameter layout, and with it every result, is the same on every machine.
     */
    public static final int OUT_MAJOR_BELOW = 16;

    /**
     * @throws IllegalArgumentException if {@code outputs < 1}
     */
    public Dense {
        Objects.requireNonNull(input, "input");
        if (outputs < 1) {
            throw new IllegalArgumentException("outputs must be >= 1, got " + outputs);
        }
    }

    @Override
    public Shape inputShape() {
        return input;
    }

    @Override
    public Shape outputShape() {
        return Shape.flat(outputs);
    }

    @Override
    public long parameterCount() {
        return (long) input.size() * outputs + outputs;
    }

    @Override
    public long scratchByteSize(int maxBatch) {
        if (outMajor()) {
            return (transposedOutputOffset(maxBatch) + (long) outputs * maxBatch) * Float.BYTES;
        }
        return (long) input.size() * outputs * Float.BYTES;
    }

    /** Where a narrow layer's forward keeps {@code yᵀ} in its scratch: after {@code xᵀ}, 64-byte aligned. */
    private long transposedOutputOffset(int batch) {
        final long floatsPerLine = 16;
        return ((long) input.size() * batch + floatsPerLine - 1) / floatsPerLine * floatsPerLine;
    }

    /** Whether the weights are stored out-major, {@code (out, in)}: see {@link #OUT_MAJOR_BELOW}. */
    public boolean outMajor() {
        return outputs < OUT_MAJOR_BELOW;
    }

    @Override
    public void forward(Kernels kernels, MemorySegment params, long paramIndex, MemorySegment x, MemorySegment y, int batch,
                        MemorySegment scratch) {
        final int in = input.size();
        final int out = outputs;
        // y (b, out) = x (b, in) . W (in, out) ; then + b, ReLU
        if (outMajor()) {
            // yᵀ (out, b) = Wᵀ (out, in, as stored) . xᵀ (in, b), then y = (yᵀ)ᵀ
            final long yt = transposedOutputOffset(batch);
            kernels.transpose(scratch, 0, x, 0, batch, in);
            kernels.gemm(out, batch, in, params, paramIndex, in, 1, scratch, 0, batch, scratch, yt, batch, false);
            // the bias while the outputs are rows: one broadcast per row of yᵀ (biasActivation on y's rows of
            // out < 16 floats ran mostly in its scalar tail, 8-12 us at batch 512); same bits, then moved
            kernels.rowBiasActivation(scratch, yt, scratch, yt, batch, params, paramIndex + (long) in * out, out, batch, relu);
            kernels.transpose(y, 0, scratch, yt, out, batch);
        } else {
            kernels.gemm(batch, out, in, x, 0, in, 1, params, paramIndex, out, y, 0, out, false);
            kernels.biasActivation(y, 0, params, paramIndex + (long) in * out, batch, out, relu);
        }
    }

    @Override
    public void backward(Kernels kernels, MemorySegment params, long paramIndex, MemorySegment grad, MemorySegment x,
                         MemorySegment y, MemorySegment dy, MemorySegment dx, int batch, MemorySegment scratch) {
        final int in = input.size();
        final int out = outputs;
        if (relu) {
            kernels.reluBackward(dy, 0, y, 0, (long) batch * out);
        }
        if (outMajor()) {
            // dWᵀ (out, in) = dyᵀ (out, b) . x (b, in)   (overwrite; per element the same FMA chain as xᵀ.dy)
            kernels.gemm(out, in, batch, dy, 0, 1, out, x, 0, in, grad, paramIndex, in, false);
        } else {
            // dW (in, out) = xᵀ (in, b) . dy (b, out)   (overwrite)
            kernels.gemm(in, out, batch, x, 0, 1, in, dy, 0, out, grad, paramIndex, out, false);
        }
        // db (out) = column sums of dy               (overwrite)
        kernels.columnSums(grad, paramIndex + (long) in * out, dy, 0, batch, out);
        if (dx != null && outMajor()) {
            // dx (b, in) = dy (b, out) . Wᵀ (out, in), Wᵀ as stored
            kernels.gemm(batch, in, out, dy, 0, out, 1, params, paramIndex, in, dx, 0, in, false);
        } else if (dx != null) {
            // dx (b, in) = dy (b, out) . Wᵀ (out, in)
            kernels.transpose(scratch, 0, params, paramIndex, in, out);
            kernels.gemm(batch, in, out, dy, 0, out, 1, scratch, 0, in, dx, 0, in, false);
        }
    }

    @Override
    public String describe() {
        return "dense" + outputs + (relu ? "-relu" : "");
    }
}
