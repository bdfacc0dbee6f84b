package org.leashed.nn.layer;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
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
 * A wide layer whose input batch is mostly zeros (MNIST's pixels: 19 % nonzero) multiplies only the nonzeros, in
 * its forward GEMM and in its weight gradient, when at most {@link #SPARSE_MAX_DENSITY} of the batch's inputs are
 * nonzero: the same bits as the dense GEMMs (the chains lose only steps that add {@code fma(0, w, s) = s}), so the
 * choice changes the time and nothing else ({@link Kernels#gemmSparse}).
 * Scratch: {@code Wᵀ} for the input gradient of a wide layer, then the forward's nonzero index of x (and a flag
 * saying whether it was built for the batch that backward gets); {@code xᵀ} and {@code yᵀ} for the forward pass of a
 * narrow one.
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
     * The largest fraction of nonzero inputs for which a wide layer takes the sparse GEMMs; 0 turns them off. Property
     * {@code leashed.sparse.maxDensity}, default 0.25. On a Zen 4 at the MLP's first layer (784 x 128, batch 512) the
     * sparse forward (index included) and weight gradient took 0.58 of the dense GEMMs' time at MNIST's density 0.19
     * and 0.95 at 0.3, where the two meet; at 0.5 1.47 ({@code SparseGemmBenchmark}, NOTES 26).
     */
    public static final double SPARSE_MAX_DENSITY = densityProperty(System.getProperty("leashed.sparse.maxDensity"), 0.25);

    /**
     * Rows of the batch whose nonzeros the forward counts ({@link Kernels#countNonzeros}) before it builds the index:
     * only when they hold at most {@link #PROBE_SLACK} times {@link #SPARSE_MAX_DENSITY} nonzeros does it build one
     * (and may still give up). The index scan that gives up costs 1-2 % of the MLP's gradient on dense inputs (its
     * hidden layers' ReLU outputs are about half nonzero); and a vector kernel called only now and then stays in C1's
     * code, which boxes its vectors (a per-worker countdown that looked every 64th call allocated 2 B per CNN
     * gradient). The probe counted in a scalar loop first: 2 % of the MLP's gradient at batch 16 on dense data.
     */
    static final int PROBE_ROWS = 4;

    /** MNIST's images hold 19 % nonzeros on average: 4 of them together rarely pass 1.25 x 0.25 = 0.3125. */
    static final double PROBE_SLACK = 1.25;

    /** {@code value} as a fraction in [0, 1], or {@code fallback} when unset. */
    static double densityProperty(String value, double fallback) {
        if (value == null) {
            return fallback;
        }
        final double d;
        try {
            d = Double.parseDouble(value.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("leashed.sparse.maxDensity: expected a fraction in [0, 1], got '" + value + "'", e);
        }
        if (!(d >= 0 && d <= 1)) {
            throw new IllegalArgumentException("leashed.sparse.maxDensity: expected a fraction in [0, 1], got '" + value + "'");
        }
        return d;
    }

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
        return indexFlagByte() + 64 + Kernels.nonzeroIndexInts(maxBatch, input.size()) * Integer.BYTES;
    }

    /**
     * Where a wide layer's scratch holds, after {@code Wᵀ} and 64-byte aligned, the batch size the nonzero index was
     * built for by the last forward (0: that forward ran dense); the index itself starts 64 bytes further.
     */
    private long indexFlagByte() {
        return ((long) input.size() * outputs * Float.BYTES + 63) / 64 * 64;
    }

    /** The index's first int in the scratch. */
    private long indexOffset() {
        return (indexFlagByte() + 64) / Integer.BYTES;
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
            final int nonzeros = mayBeSparse(kernels, x, batch, in)
                    ? kernels.nonzeroIndex(scratch, indexOffset(), x, 0, in, batch, in, (long) (SPARSE_MAX_DENSITY * batch * in))
                    : -1;
            // read by backward on the same batch, from this worker's own scratch: a plain access suffices
            scratch.set(ValueLayout.JAVA_INT, indexFlagByte(), nonzeros >= 0 ? batch : 0);
            if (nonzeros >= 0) {
                kernels.gemmSparse(batch, out, x, 0, in, scratch, indexOffset(), params, paramIndex, out, y, 0, out);
            } else {
                kernels.gemm(batch, out, in, x, 0, in, 1, params, paramIndex, out, y, 0, out, false);
            }
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
        } else if (lastForwardSparse(scratch, batch)) {
            // dW (in, out) = xᵀ (in, b) . dy (b, out) over the nonzeros of x that forward listed   (overwrite)
            kernels.gemmSparseTransposed(in, out, batch, x, 0, in, scratch, indexOffset(), dy, 0, out, grad, paramIndex, out);
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

    /** Whether the first {@link #PROBE_ROWS} rows of x are sparse enough to try the index. */
    private static boolean mayBeSparse(Kernels kernels, MemorySegment x, int batch, int in) {
        if (SPARSE_MAX_DENSITY == 0) {
            return false;
        }
        final long n = (long) Math.min(batch, PROBE_ROWS) * in;
        return kernels.countNonzeros(x, 0, n) <= PROBE_SLACK * SPARSE_MAX_DENSITY * n;
    }

    /** Whether the last forward in {@code scratch} multiplied the nonzeros only, for this batch size (backward's choice). */
    boolean lastForwardSparse(MemorySegment scratch, int batch) {
        return !outMajor() && scratch.get(ValueLayout.JAVA_INT, indexFlagByte()) == batch;
    }

    @Override
    public String describe() {
        return "dense" + outputs + (relu ? "-relu" : "");
    }
}
