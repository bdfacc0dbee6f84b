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
 * {@code (ci*k + kh)*k + kw}), then {@code b: (outC)}. With {@code K = inC*k*k} and {@code P = oh*ow}, via
 * {@link Im2col}: forward {@code y_n (outC, P) = W (outC, K) . col_n (K, P)} per example; backward over a chunk of
 * examples whose column matrices sit side by side in the scratch, {@code dWᵀ (+)= cols (K, chunk*P) . dysᵀ} (dot
 * products along all the chunk's pixels; one GEMM on the chunk's dy transposed for 16 filters, see
 * {@link #chunkGemmWeightGradient}; per example on a transposed dy for wide filter banks, see
 * {@link #dotWeightGradient}) and {@code dcols = Wᵀ (K, outC) . dys (outC, chunk*P)}, then
 * col2im per example. A chunk is as many examples as fit {@link #KEEP_COLUMNS_MAX_BYTES}: a batch that fits is one
 * chunk whose column matrices forward keeps; a larger one is rebuilt in backward chunk by chunk (CIFAR's would
 * take 600 MB at batch 512), and its forward then convolves directly where the kernels say that is faster
 * ({@link Kernels#convolve}: the same bits, no column matrix).
 *
 * <p>Scratch: see {@link #scratchByteSizeKeeping}. Hot paths build no
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
     * Scratch layout, in floats (P = oh*ow, Pp = padded(P), Cp = padded(outC), K = inC*k*k, c = the examples it holds):
     *   col   (K, Pp)   forward's im2col of one example when the batch is more than c; rows ld = rowStride(P) apart
     *                   (Pp, or Pp + 16 at 4 KiB)
     *   rows  (outC, Pp) rows ld apart; forward: W . col before the bias; backward: the per-position sums for db
     *   dyT   (Pp, Cp)  dy_nᵀ, zero outside (P, outC), where the weight gradient is not dot products
     *   dWT   (K, Cp)   dWᵀ accumulated over the batch
     *   cols  (K, c*ld) the column matrices of a chunk side by side, example e's from column e*ld (im2col of width ld
     *                   into rows keptStride(c) apart): kept by forward for a batch of at most c, else rebuilt by
     *                   backward; then overwritten by dcol
     *   dys   (outC, c*ld) dy of the chunk in the same layout
     *   dysT  (c*ld, Cp) dys transposed, zero outside (P, outC) in each example's ld rows: only where the weight
     *                   gradient is one GEMM on dyᵀ over the chunk (chunkGemmWeightGradient)
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

    /** After dWT: cols, then dys (see the layout above). */
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

    /**
     * Floats kept for a batch: the column matrices and the dy rows, {@code (K + outC) x keptStride}, then, where the
     * weight gradient is one GEMM on dyᵀ over the chunk ({@link #chunkGemmWeightGradient}), dy transposed,
     * {@code (batch x ld, Cp)}.
     */
    private long keptFloats(int batch) {
        return (patch() + filters) * keptStride(batch) + dysTFloatsPerExample() * batch;
    }

    /** Floats of one example's block of dysT ({@code ld} rows of {@code Cp}), or 0 where there is no dysT. */
    private long dysTFloatsPerExample() {
        return chunkGemmWeightGradient() ? (long) rowStride(outputPositions()) * padded(filters) : 0;
    }

    /**
     * Largest size, in bytes, of the column matrices (and dy rows) of the examples a layer works on at once in
     * backward: the batch's when they fit, kept from forward (no second im2col: 7.5 % of the thesis CNN's gradient at
     * batch 16), else chunks of as many examples as fit, rebuilt. About an L2's worth: kept at 8 MiB, CIFAR's first and
     * third convs (3.9 and 5.8 MB at batch 16) made its gradient 1-4 % slower than rebuilding them (NOTES 25). The
     * CNN keeps up to 58 and 93 examples per layer, LeNet 21 and 25 (its second conv also keeps dyᵀ, see
     * {@link #chunkGemmWeightGradient}).
     */
    public static final long KEEP_COLUMNS_MAX_BYTES = 2L << 20;

    /** Floats one example takes among the kept matrices, {@code (K + outC) x ld}. */
    private long keptFloatsPerExample() {
        return (long) (patch() + filters) * rowStride(outputPositions()) + dysTFloatsPerExample();
    }

    /** The most examples, at least 1, whose column matrices and dy rows fit {@link #KEEP_COLUMNS_MAX_BYTES}. */
    public int chunkExamples() {
        return Math.max(1, examplesFitting(KEEP_COLUMNS_MAX_BYTES / Float.BYTES));
    }

    /** The most examples (0 if none) whose kept matrices fit {@code floats}: {@code keptFloats(c) <= floats}. */
    private int examplesFitting(long floats) {
        int c = (int) Math.max(0, Math.min(1 << 20, floats / keptFloatsPerExample()));
        while (c > 0 && keptFloats(c) > floats) { // keptStride's extra line
            c--;
        }
        return c;
    }

    /** Whether {@link #scratchByteSize(int)} keeps the column matrices of batches of up to maxBatch from forward. */
    public boolean keepsColumns(int maxBatch) {
        return maxBatch <= chunkExamples();
    }

    @Override
    public long scratchByteSize(int maxBatch) {
        return scratchByteSizeKeeping(Math.max(1, Math.min(maxBatch, chunkExamples())));
    }

    /**
     * Scratch with room for the column matrices and dy rows of {@code examples} examples. forward keeps a batch's
     * matrices when the scratch it is given has room for them all, and backward reads them; otherwise backward
     * rebuilds them in chunks of as many as it has room for. y and dx have the same bits either way; the weight
     * gradient has one chain per weight and chunk, the chunks' sums added, so it depends on the chunk size to rounding
     * (the layer test compares them), not on the machine.
     *
     * @throws IllegalArgumentException if {@code examples < 1}
     */
    public long scratchByteSizeKeeping(int examples) {
        if (examples < 1) {
            throw new IllegalArgumentException("a conv scratch holds at least 1 example, got " + examples);
        }
        return (keptIndex() + keptFloats(examples)) * Float.BYTES;
    }

    /** The examples whose matrices this scratch holds: the largest c with scratchByteSizeKeeping(c) <= its size. */
    private int capacity(MemorySegment scratch) {
        final int c = examplesFitting(scratch.byteSize() / Float.BYTES - keptIndex());
        if (c < 1) {
            throw new IllegalArgumentException("conv scratch of " + scratch.byteSize() + " bytes holds no example's column matrix; "
                    + describe() + " needs " + scratchByteSizeKeeping(1));
        }
        return c;
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
        final boolean kept = batch <= capacity(scratch);
        final int colStride = kept ? (int) keptStride(batch) : ld;
        // a batch backward rebuilds anyway: no column matrix in forward where the kernels convolve directly (the same
        // bits as im2col + gemm, see Kernels#convolve)
        final boolean direct = !kept && kernels.convolvesDirectly(outC, in.channels(), in.height(), in.width(), kernel, padding);
        for (int n = 0; n < batch; n++) {
            if (direct) {
                kernels.convolve(outC, params, paramIndex, x, n * inSize, in.channels(), in.height(), in.width(), kernel, padding, scratch,
                        rows, ld, pp);
            } else {
                final long col = kept ? keptIndex() + (long) n * ld : colIndex();
                kernels.im2col(scratch, col, colStride, ld, x, n * inSize, in.channels(), in.height(), in.width(), kernel, padding);
                // rows (outC, Pp) = W (outC, K) . col (K, Pp), whole vectors on 64-byte lines; then y_n (outC, P) =
                // rows' first P columns + b per channel, ReLU. Written straight into y (n = P, rows P floats apart) the
                // GEMM took its column tail through the packed panel and split every store across lines: 1.6x the time
                // for the CNN's two convs (NOTES 19.1). Same FMA chains, same bits; the Pp - P extra columns are dropped.
                kernels.gemm(outC, pp, kk, params, paramIndex, kk, 1, scratch, col, colStride, scratch, rows, ld, false);
            }
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
        final int chunk = capacity(scratch);
        if (relu) {
            kernels.reluBackward(dy, 0, y, 0, batch * outSize);
        }
        if (!dotWeightGradient() && !chunkGemmWeightGradient()) {
            // dyT's rows P..Pp stay zero: transposePadded writes only its first P rows
            final long dyT = dyTIndex();
            kernels.zero(scratch, dyT, dWT - dyT);
        }
        // the batch's matrices, kept by forward when it fits one chunk; else rebuilt chunk by chunk
        for (int n0 = 0; n0 < batch; n0 += chunk) {
            backwardChunk(kernels, params, paramIndex, x, dy, dx, n0, Math.min(chunk, batch - n0), batch > chunk, scratch);
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
     * Backward for examples {@code [n0, n0 + count)}: their column matrices side by side ({@code wide = count * ld}
     * columns in rows {@code keptStride(count)} apart), kept by forward or rebuilt here; dy is copied into rows of the
     * same layout once; then the weight gradient is one dot-product GEMM over all their pixels (the padding adding
     * zeros; see {@link #dotWeightGradient} for when per example instead) and dcol one GEMM over them, written
     * over the column matrices, and col2im per example. Per example the weight gradient's GEMM ran at 36 x 16 x 128
     * and 150 x 16 x 112 (the 8- and 16-filter convs, half of the 16 lanes padding for 8), with an accumulating call
     * per example (NOTES 25).
     */
    private void backwardChunk(Kernels kernels, MemorySegment params, long paramIndex, MemorySegment x, MemorySegment dy, MemorySegment dx,
                               int n0, int count, boolean rebuild, MemorySegment scratch) {
        final Shape in = input;
        final int outC = filters;
        final int kk = patch();
        final int p = outputPositions();
        final int ld = rowStride(p);
        final int wide = count * ld; // columns used
        final int stride = (int) keptStride(count);
        final long inSize = in.size();
        final long outSize = (long) outC * p;
        final long cols = keptIndex();
        final long dys = cols + (long) kk * stride; // dy (outC, wide): example e's P values from column e * ld, then zeros
        // a rebuilt chunk's weight gradient by dot products may be taken from the image itself (the same bits, see
        // Kernels#convolveWeightGradient); then nothing reads the column matrices, and dcol below only writes them
        final boolean direct = rebuild && dotWeightGradient()
                && kernels.convolvesWeightGradientDirectly(outC, in.channels(), in.height(), in.width(), kernel, padding, ld);
        for (int e = 0; e < count; e++) {
            final int n = n0 + e;
            if (rebuild && !direct) {
                kernels.im2col(scratch, cols + (long) e * ld, stride, ld, x, n * inSize, in.channels(), in.height(), in.width(), kernel,
                        padding);
            }
            for (int co = 0; co < outC; co++) {
                final long at = dys + (long) co * stride + (long) e * ld;
                MemorySegment.copy(dy, (n * outSize + (long) co * p) * Float.BYTES, scratch, at * Float.BYTES, (long) p * Float.BYTES);
                kernels.zero(scratch, at + p, ld - p);
            }
        }
        final long dWT = dWTIndex();
        final int cp = padded(outC);
        if (dotWeightGradient()) {
            // dWᵀ (K, outC) (+)= cols (K, wide) . dysᵀ (wide, outC); the first chunk overwrites
            if (direct) {
                kernels.convolveWeightGradient(outC, scratch, dys, stride, count, ld, x, n0 * inSize, inSize, in.channels(), in.height(),
                        in.width(), kernel, padding, scratch, dWT, cp, n0 > 0);
            } else {
                kernels.gemmNT(kk, outC, wide, scratch, cols, stride, scratch, dys, stride, scratch, dWT, cp, n0 > 0);
            }
        } else if (chunkGemmWeightGradient()) {
            // dysT (wide, Cp): example e's dyᵀ in rows e*ld .. e*ld+P, zeros in its rows P..ld (where the column
            // matrices' padding columns are: zeros meet zeros, never stale floats); then dWᵀ (K, Cp) (+)= cols (K, wide)
            // . dysT, one GEMM over all the chunk's pixels, each weight one FMA chain along them; the first chunk
            // overwrites
            final long dysT = dys + (long) outC * stride;
            for (int e = 0; e < count; e++) {
                final long block = dysT + (long) e * ld * cp;
                kernels.transposePadded(scratch, block, cp, dy, (n0 + e) * outSize, outC, p);
                kernels.zero(scratch, block + (long) p * cp, (long) (ld - p) * cp);
            }
            kernels.gemm(kk, cp, wide, scratch, cols, stride, 1, scratch, dysT, cp, scratch, dWT, cp, n0 > 0);
        } else {
            // per example: dyT (Pp, Cp) = dy_nᵀ (rows P..Pp zeroed in backward), dWᵀ (+)= col_n . dyT; the first example
            // overwrites
            final long dyT = dyTIndex();
            for (int e = 0; e < count; e++) {
                kernels.transposePadded(scratch, dyT, cp, dy, (n0 + e) * outSize, outC, p);
                kernels.gemm(kk, cp, padded(p), scratch, cols + (long) e * ld, stride, 1, scratch, dyT, cp, scratch, dWT, cp, n0 + e > 0);
            }
        }
        if (dx != null) {
            // dcol (K, wide) = Wᵀ (K, outC) . dys (outC, wide), over the column matrices; then col2im per example
            kernels.gemm(kk, wide, outC, params, paramIndex, 1, kk, scratch, dys, stride, scratch, cols, stride, false);
            for (int e = 0; e < count; e++) {
                final long dxIndex = (n0 + e) * inSize;
                kernels.zero(dx, dxIndex, inSize);
                kernels.col2imAccumulate(dx, dxIndex, scratch, cols + (long) e * ld, stride, in.channels(), in.height(), in.width(), kernel,
                        padding);
            }
        }
    }

    /**
     * The weight gradient is taken as dot products ({@link Kernels#gemmNT} over a chunk's pixels) for layers with at
     * most this many filters, or with a patch below {@link #DOT_WEIGHT_GRADIENT_PATCH_BELOW}: there {@code gemm}'s
     * output, dWᵀ (K, Cp), is one or two padded vectors wide or a few rows deep (the CNN's 4- and 8-filter convs,
     * LeNet's 6 and 16, CIFAR's first, 27 x 32: 1.2-3x faster as dot products). Otherwise per example by {@code gemm}
     * on dyᵀ (CIFAR's 288- and 576-row patches with 32 and 64 filters: 1.2-2x faster so; NOTES 25). Fixed numbers,
     * not the vector width, so every machine computes the same bits.
     */
    public static final int DOT_WEIGHT_GRADIENT_MAX_FILTERS = 16;

    /** See {@link #DOT_WEIGHT_GRADIENT_MAX_FILTERS}. */
    public static final int DOT_WEIGHT_GRADIENT_PATCH_BELOW = 64;

    /** Whether the weight gradient takes dot products: see {@link #DOT_WEIGHT_GRADIENT_MAX_FILTERS}. */
    public boolean dotWeightGradient() {
        return !chunkGemmWeightGradient() && (filters <= DOT_WEIGHT_GRADIENT_MAX_FILTERS || patch() < DOT_WEIGHT_GRADIENT_PATCH_BELOW);
    }

    /**
     * Whether the weight gradient is one {@code gemm} over the chunk's pixels on dy transposed, {@code dWᵀ (K, 16)
     * (+)= cols (K, wide) . dysT (wide, 16)}: a layer of exactly 16 filters, whose dWᵀ rows are one whole vector of
     * 16 floats, and a patch of at least {@link #DOT_WEIGHT_GRADIENT_PATCH_BELOW} (LeNet's second conv, 150 x 16).
     * The dot products' 4x4 blocks load a vector of the column matrices for every 4 FMAs, and on Zen 5, at two
     * 512-bit FMAs a cycle, L2 and L3 cannot stream them that fast (NOTES 29.3); here one 4-byte broadcast feeds
     * an FMA of all 16 filters. LeNet's gradient: 0.984x at batch 16 (7 of 8 JVMs faster), within the spread at
     * batch 512; the same form for CIFAR's 32- and 64-filter convs made its gradient slower (1.11x), so they keep
     * theirs (NOTES 30.3). A fixed rule, not the vector width: the same bits on every machine.
     */
    public boolean chunkGemmWeightGradient() {
        return filters == PAD && patch() >= DOT_WEIGHT_GRADIENT_PATCH_BELOW;
    }

    @Override
    public String describe() {
        return "conv" + kernel + "x" + kernel + "x" + filters + (padding > 0 ? "-pad" + padding : "") + (relu ? "-relu" : "");
    }
}
