package org.leashed.nn.layer;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Objects;

import org.leashed.nn.simd.Kernels;

/**
 * 2-D convolution, stride 1, square {@code k x k} kernels, zero padding {@code pad} on every side
 * ({@code pad = 0}: "valid"; {@code pad = (k-1)/2} for odd k: "same"), optional ReLU:
 * {@code y[n, co] = relu?(b[co] + sum_ci W[co, ci] * x[n, ci])}.
 *
 * <p>Parameters, in order: {@code W: (outC, inC*k*k)} row-major (row {@code co}, column
 * {@code (ci*k + kh)*k + kw}), then {@code b: (outC)}. Per example, via {@link Im2col}:
 * forward {@code y_n (outC, P) = W (outC, K) . col_n (K, P)}; backward
 * {@code dWᵀ += col_n (K, P) . dy_nᵀ (P, outC)} (transposing dy, outC x P, is cheaper than
 * transposing col, K x P; with fewer than {@link #DOT_WEIGHT_GRADIENT_BELOW} filters as dot products of col's
 * and dy's rows, no transpose) and {@code dcol = Wᵀ (K, outC) . dy_n (outC, P)}, then col2im, with
 * {@code K = inC*k*k} and {@code P = oh*ow}. When the whole batch's column matrices fit
 * {@link #KEEP_COLUMNS_MAX_BYTES} the forward keeps them side by side in the scratch, and backward takes the weight
 * gradient as dot products over all examples at once and dcol in one GEMM; otherwise backward rebuilds each one
 * (CIFAR's would take 600 MB at batch 512) and works per example as above.
 *
 * <p>Scratch: see {@link #scratchByteSize(int, boolean)}. Hot paths build no
 * {@link Shape} objects (C2 does not always scalar-replace them; they showed up as 24 B per call).
 *
 * @param input shape of one input example
 * @param filters output channels {@code outC}
 * @param kernel side {@code k}
 * @param padding zero padding {@code pad} per side
 * @param relu whether ReLU follows
 */
public record Conv2d(Shape input, int filters, int kernel, int padding, boolean relu) implements Layer {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;

    /**
     * @throws IllegalArgumentException if a size is not positive, padding is negative or the output
     *     would be empty
     */
    public Conv2d {
        Objects.requireNonNull(input, "input");
        if (filters < 1 || kernel < 1 || padding < 0) {
            throw new IllegalArgumentException("conv needs filters >= 1, kernel >= 1, padding >= 0; got " + filters + ", "
                    + kernel + ", " + padding);
        }
        if (Im2col.outputSide(input.height(), kernel, padding) < 1 || Im2col.outputSide(input.width(), kernel, padding) < 1) {
            throw new IllegalArgumentException("conv " + kernel + "x" + kernel + " pad " + padding + " does not fit input " + input);
        }
    }

    /** The "same"-padded convolution for an odd kernel. */
    public static Conv2d same(Shape input, int filters, int kernel, boolean relu) {
        if (kernel % 2 == 0) {
            throw new IllegalArgumentException("'same' padding needs an odd kernel, got " + kernel);
        }
        return new Conv2d(input, filters, kernel, kernel / 2, relu);
    }

    @Override
    public Shape inputShape() {
        return input;
    }

    @Override
    public Shape outputShape() {
        return new Shape(filters, Im2col.outputSide(input.height(), kernel, padding), Im2col.outputSide(input.width(), kernel, padding));
    }

    /** Floats a padded GEMM dimension is rounded up to: one 64-byte line, a whole 512-bit vector. */
    static final int PAD = 16;

    private static int padded(int n) {
        return (n + PAD - 1) / PAD * PAD;
    }

    /**
     * Row stride, in floats, of the col and rows matrices: {@code padded(p)}, one line more where that is a
     * multiple of 1,024 floats (4 KiB). With 4 KiB rows every row of a GEMM's B panel and of its C block starts at
     * the same offset within a page, the loads alias the stores and each other: the CIFAR CNN's second conv
     * (32 x 1024 x 288) ran at 131-144 GFLOP/s with 1,024-float rows and 178 with 1,040 (NOTES 20.3). The GEMMs
     * still cover {@code padded(p)} columns; the extra line is never read.
     */
    static int rowStride(int p) {
        final int pp = padded(p);
        return pp % 1024 == 0 ? pp + PAD : pp;
    }

    private int patch() {
        return input.channels() * kernel * kernel;
    }

    @Override
    public long parameterCount() {
        return (long) filters * patch() + filters;
    }

    /*
     * Scratch layout, in floats (P = oh*ow, Pp = padded(P), Cp = padded(outC), K = inC*k*k):
     *   col   (K, Pp)   im2col, then dcol; rows ld = rowStride(P) apart (Pp, or Pp + 16 at 4 KiB)
     *   rows  (outC, Pp) rows ld apart; forward: W . col before the bias; backward: the padded copy of dy_n, then the
     *                    per-position sums for db
     *   dyT   (Pp, Cp)  dy_nᵀ, zero outside (P, outC)
     *   dWT   (K, Cp)   dWᵀ accumulated over the batch
     *   kept  when the scratch has room for the batch's (b examples): cols (K, b*ld), the column matrices side by
     *                    side, example n's from column n*ld (im2col of width ld into rows keptStride(b) apart), read
     *                    again by backward and then overwritten by dcol; dys (outC, b*ld), dy in the same layout. col
     *                    and rows' backward use are then unused, dyT too up to 32 filters
     * Every GEMM runs on whole 16-float column blocks (the padding columns hold zeros).
     */
    private long colIndex() {
        return 0;
    }

    private long rowsIndex() {
        return (long) patch() * rowStride(outputPositions());
    }

    private long dyTIndex() {
        return rowsIndex() + (long) filters * rowStride(outputPositions());
    }

    private long dWTIndex() {
        return dyTIndex() + (long) padded(outputPositions()) * padded(filters);
    }

    private int outputPositions() {
        return Im2col.outputSide(input.height(), kernel, padding) * Im2col.outputSide(input.width(), kernel, padding);
    }

    /** After dWT: the forward's column matrices, one {@code (K, ld)} block per example, when they are kept. */
    private long keptIndex() {
        return dWTIndex() + (long) patch() * padded(filters);
    }

    /**
     * Row stride of the kept matrices for a batch: {@code batch * ld}, one line more where that is a multiple of 1,024
     * floats (the 4 KiB aliasing of {@link #rowStride}: CIFAR's 16 x 256-column convs would have rows 16 KiB apart).
     * Only the first {@code batch * ld} columns are used.
     */
    private long keptStride(int batch) {
        final long wide = (long) batch * rowStride(outputPositions());
        return wide % 1024 == 0 ? wide + PAD : wide;
    }

    /** Floats kept for a batch: the column matrices and the dy rows, {@code (K + outC) x keptStride}. */
    private long keptFloats(int batch) {
        return (patch() + filters) * keptStride(batch);
    }

    /**
     * Largest size, in bytes, of the column matrices (and dy rows) of a batch that a layer keeps from forward for
     * backward. Within it backward does not run im2col again (7.5 % of the thesis CNN's gradient at batch 16) and
     * computes the weight gradient and dcol in one GEMM each over the batch (NOTES 25). The CNN at batch 16 keeps
     * 0.6 and 0.4 MB, LeNet 1.6 and 1.2 MB; the CNN at batch 512 (19 and 12 MB per worker) and all of CIFAR's convs
     * rebuild per example. About an L2's worth: with 8 MiB CIFAR's first and third convs (3.9 and 5.8 MB) kept theirs,
     * and its gradient was 1-4 % slower than rebuilding them.
     */
    public static final long KEEP_COLUMNS_MAX_BYTES = 2L << 20;

    /** Whether {@link #scratchByteSize(int)} includes the kept column matrices for batches of up to maxBatch. */
    public boolean keepsColumns(int maxBatch) {
        return keptFloats(maxBatch) * Float.BYTES <= KEEP_COLUMNS_MAX_BYTES;
    }

    @Override
    public long scratchByteSize(int maxBatch) {
        return scratchByteSize(maxBatch, keepsColumns(maxBatch));
    }

    /**
     * Scratch for batches of up to {@code maxBatch}, with or without room to keep the column matrices. forward and
     * backward keep them exactly when the scratch they are given has that room for their batch: a smaller scratch
     * (as for a batch over {@link #KEEP_COLUMNS_MAX_BYTES}) makes backward rebuild them per example. y and dx have
     * the same bits either way; the weight gradient does not: kept, each weight's sum is one chain over all
     * examples, rebuilt it is the sum of per-example chains (equal to rounding; the test compares them).
     */
    public long scratchByteSize(int maxBatch, boolean keepColumns) {
        return (keptIndex() + (keepColumns ? keptFloats(maxBatch) : 0)) * Float.BYTES;
    }

    /** Whether this scratch holds the column matrices of a batch of this size (then forward keeps them for backward). */
    private boolean keeps(MemorySegment scratch, int batch) {
        return scratch.byteSize() >= scratchByteSize(batch, true);
    }

    @Override
    public void forward(Kernels kernels, MemorySegment params, long paramIndex, MemorySegment x, MemorySegment y, int batch,
                        MemorySegment scratch) {
        final Shape in = input;
        final int outC = filters;
        final int kk = patch();
        final int p = outputPositions();
        final int pp = padded(p);
        final int ld = rowStride(p);
        final long inSize = in.size();
        final long outSize = (long) outC * p;
        final long biasIndex = paramIndex + (long) outC * kk;
        final long rows = rowsIndex();
        // kept: the batch's column matrices side by side in rows of keptStride, example n's from column n * ld
        final boolean kept = keeps(scratch, batch);
        final int colStride = kept ? (int) keptStride(batch) : ld;
        for (int n = 0; n < batch; n++) {
            final long col = kept ? keptIndex() + (long) n * ld : colIndex();
            kernels.im2col(scratch, col, colStride, ld, x, n * inSize, in.channels(), in.height(), in.width(), kernel, padding);
            // rows (outC, Pp) = W (outC, K) . col (K, Pp), whole vectors on 64-byte lines; then y_n (outC, P) =
            // rows' first P columns + b per channel, ReLU. Written straight into y (n = P, rows P floats apart) the
            // GEMM took its column tail through the packed panel and split every store across lines: 1.6x the time
            // for the CNN's two convs (NOTES 19.1). Same FMA chains, same bits; the Pp - P extra columns are dropped.
            kernels.gemm(outC, pp, kk, params, paramIndex, kk, 1, scratch, col, colStride, scratch, rows, ld, false);
            kernels.rowBiasActivation(y, n * outSize, scratch, rows, ld, params, biasIndex, outC, p, relu);
        }
    }

    @Override
    public void backward(Kernels kernels, MemorySegment params, long paramIndex, MemorySegment grad, MemorySegment x,
                         MemorySegment y, MemorySegment dy, MemorySegment dx, int batch, MemorySegment scratch) {
        final int outC = filters;
        final int kk = patch();
        final int p = outputPositions();
        final int cp = padded(outC);
        final long outSize = (long) outC * p;
        final long rows = rowsIndex();
        final long dWT = dWTIndex();
        final boolean kept = keeps(scratch, batch);
        if (relu) {
            kernels.reluBackward(dy, 0, y, 0, batch * outSize);
        }
        if (kept) {
            backwardFromKeptColumns(kernels, params, paramIndex, dy, dx, batch, scratch);
        } else {
            backwardRebuildingColumns(kernels, params, paramIndex, x, dy, dx, batch, scratch);
        }
        // dW (outC, K) = (dWᵀ)ᵀ (overwrite)
        for (int co = 0; co < outC; co++) {
            for (int j = 0; j < kk; j++) {
                grad.setAtIndex(F, paramIndex + (long) co * kk + j, scratch.getAtIndex(F, dWT + (long) j * cp + co));
            }
        }
        // db (outC) = sum over examples and positions of dy (overwrite): first the per-position sums
        // over the batch (column sums of dy viewed as (batch, outC*P), vectorised), into the free rows area
        final long biasIndex = paramIndex + (long) outC * kk;
        kernels.columnSums(scratch, rows, dy, 0, batch, (int) outSize);
        for (int co = 0; co < outC; co++) {
            float sum = 0f;
            final long row = rows + (long) co * p;
            for (int i = 0; i < p; i++) {
                sum += scratch.getAtIndex(F, row + i);
            }
            grad.setAtIndex(F, biasIndex + co, sum);
        }
    }

    /**
     * Backward from the column matrices forward kept, side by side ({@code wide = batch * ld} columns): dy is copied
     * into rows of the same layout once, and then the weight gradient is one dot-product GEMM over all examples'
     * pixels (one chain per weight, the padding adding zeros; above {@link #KEPT_DOT_WEIGHT_GRADIENT_MAX} filters per
     * example as when rebuilding) and dcol one GEMM over all examples, written over the
     * column matrices; col2im per example. Per example the weight gradient's GEMM ran at 36 x 16 x 128 and 150 x 16
     * x 112 (the 8- and 16-filter convs, half of the 16 lanes padding for 8), with an accumulating call per example
     * (NOTES 25).
     */
    private void backwardFromKeptColumns(Kernels kernels, MemorySegment params, long paramIndex, MemorySegment dy, MemorySegment dx,
                                         int batch, MemorySegment scratch) {
        final Shape in = input;
        final int outC = filters;
        final int kk = patch();
        final int p = outputPositions();
        final int ld = rowStride(p);
        final int wide = batch * ld; // columns used
        final int stride = (int) keptStride(batch);
        final long inSize = in.size();
        final long outSize = (long) outC * p;
        final long cols = keptIndex();
        final long dys = cols + (long) kk * stride; // dy (outC, wide): example n's P values from column n * ld, then zeros
        for (int n = 0; n < batch; n++) {
            for (int co = 0; co < outC; co++) {
                final long at = dys + (long) co * stride + (long) n * ld;
                MemorySegment.copy(dy, (n * outSize + (long) co * p) * Float.BYTES, scratch, at * Float.BYTES, (long) p * Float.BYTES);
                kernels.zero(scratch, at + p, ld - p);
            }
        }
        final long dWT = dWTIndex();
        final int cp = padded(outC);
        if (outC <= KEPT_DOT_WEIGHT_GRADIENT_MAX) {
            // dWᵀ (K, outC) = cols (K, wide) . dysᵀ (wide, outC)
            kernels.gemmNT(kk, outC, wide, scratch, cols, stride, scratch, dys, stride, scratch, dWT, cp, false);
        } else {
            // per example as when rebuilding, on the kept matrices: dyT (Pp, Cp) = dy_nᵀ (rows P..Pp zero), dWᵀ (+)= col . dyT
            final long dyT = dyTIndex();
            kernels.zero(scratch, dyT, dWT - dyT);
            for (int n = 0; n < batch; n++) {
                kernels.transposePadded(scratch, dyT, cp, dy, n * outSize, outC, p);
                kernels.gemm(kk, cp, padded(p), scratch, cols + (long) n * ld, stride, 1, scratch, dyT, cp, scratch, dWT, cp, n > 0);
            }
        }
        if (dx != null) {
            // dcol (K, wide) = Wᵀ (K, outC) . dys (outC, wide), over the column matrices; then col2im per example
            kernels.gemm(kk, wide, outC, params, paramIndex, 1, kk, scratch, dys, stride, scratch, cols, stride, false);
            for (int n = 0; n < batch; n++) {
                kernels.zero(dx, n * inSize, inSize);
                kernels.col2imAccumulate(dx, n * inSize, scratch, cols + (long) n * ld, stride, in.channels(), in.height(), in.width(), kernel,
                        padding);
            }
        }
    }

    /**
     * With the column matrices kept, layers with at most this many filters take the weight gradient as one
     * dot-product GEMM over the batch; wider ones per example by {@code gemm} on dyᵀ (CIFAR's 64-filter convs: 1.2x
     * faster so, at 32 filters and below the dot products are 1.3-3x faster; NOTES 25). A fixed number, not the vector
     * width, so every machine computes the same bits.
     */
    public static final int KEPT_DOT_WEIGHT_GRADIENT_MAX = 32;

    /** Backward per example, each column matrix rebuilt by im2col (the scratch has no room to keep the batch's). */
    private void backwardRebuildingColumns(Kernels kernels, MemorySegment params, long paramIndex, MemorySegment x, MemorySegment dy,
                                           MemorySegment dx, int batch, MemorySegment scratch) {
        final Shape in = input;
        final int outC = filters;
        final int kk = patch();
        final int p = outputPositions();
        final int pp = padded(p);
        final int ld = rowStride(p);
        final int cp = padded(outC);
        final long inSize = in.size();
        final long outSize = (long) outC * p;
        final long rows = rowsIndex();
        final long dyT = dyTIndex();
        final long dWT = dWTIndex();
        // padding of the dy copies stays zero: only the first P rows of dyT and columns < P of rows are written below
        kernels.zero(scratch, rows, dWT - rows);
        for (int n = 0; n < batch; n++) {
            final long dyIndex = n * outSize;
            final long col = colIndex();
            kernels.im2col(scratch, col, ld, ld, x, n * inSize, in.channels(), in.height(), in.width(), kernel, padding);
            if (dotWeightGradient()) {
                // dWᵀ (K, outC) (+)= col (K, P) . dy_nᵀ: dot products of contiguous rows along the pixels
                kernels.gemmNT(kk, outC, p, scratch, col, ld, dy, dyIndex, p, scratch, dWT, cp, n > 0);
            } else {
                // dyT (P, Cp) = dy_nᵀ, its columns outC..Cp written as zeros
                kernels.transposePadded(scratch, dyT, cp, dy, dyIndex, outC, p);
                // dWᵀ (K, Cp) (+)= col (K, Pp) . dy_nᵀ (Pp, Cp); the first example overwrites
                kernels.gemm(kk, cp, pp, scratch, col, ld, 1, scratch, dyT, cp, scratch, dWT, cp, n > 0);
            }
            if (dx != null) {
                for (int co = 0; co < outC; co++) {
                    MemorySegment.copy(dy, (dyIndex + (long) co * p) * Float.BYTES, scratch, (rows + (long) co * ld) * Float.BYTES,
                            (long) p * Float.BYTES);
                }
                // dcol (K, Pp) = Wᵀ (K, outC) . dy_n (outC, Pp), into col; then col2im
                kernels.gemm(kk, pp, outC, params, paramIndex, 1, kk, scratch, rows, ld, scratch, colIndex(), ld, false);
                kernels.zero(dx, n * inSize, inSize);
                kernels.col2imAccumulate(dx, n * inSize, scratch, colIndex(), ld, in.channels(), in.height(), in.width(), kernel, padding);
            }
        }
    }

    /**
     * Where the column matrices are rebuilt per example, layers with fewer filters compute their weight gradient by
     * {@link Kernels#gemmNT} (dot products along the
     * pixels) instead of {@code gemm} on a padded dyᵀ: with under 8 filters most of {@code gemm}'s one output
     * vector is padding (4 of 16 lanes for the thesis CNN's first conv), and the transposed copy is skipped.
     * The two sum in different orders; the rule is a fixed number, not the vector width, so every machine
     * computes the same bits.
     */
    public static final int DOT_WEIGHT_GRADIENT_BELOW = 8;

    /** Whether the weight gradient takes dot products: see {@link #DOT_WEIGHT_GRADIENT_BELOW}. */
    public boolean dotWeightGradient() {
        return filters < DOT_WEIGHT_GRADIENT_BELOW;
    }

    @Override
    public String describe() {
        return "conv" + kernel + "x" + kernel + "x" + filters + (padding > 0 ? "-pad" + padding : "") + (relu ? "-relu" : "");
    }
}
