package org.leashed.nn.simd;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** Plain loops, no tricks: the oracle every vector kernel is tested against, and the fallback. */
public final class ScalarKernels implements Kernels {
    static final ScalarKernels INSTANCE = new ScalarKernels("scalar");
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final ValueLayout.OfInt I = ValueLayout.JAVA_INT_UNALIGNED;

    private final String description;

    ScalarKernels(String description) {
        this.description = description;
    }

    static float get(MemorySegment s, long index) {
        return s.getAtIndex(F, index);
    }

    static void set(MemorySegment s, long index, float value) {
        s.setAtIndex(F, index, value);
    }

    @Override
    public void gemm(int m, int n, int k, MemorySegment a, long aOff, int aRowStride, int aColStride,
                     MemorySegment b, long bOff, int ldb, MemorySegment c, long cOff, int ldc, boolean accumulate) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                float sum = 0f;
                for (int p = 0; p < k; p++) {
                    sum = Math.fma(get(a, aOff + (long) i * aRowStride + (long) p * aColStride), get(b, bOff + (long) p * ldb + j), sum);
                }
                long ci = cOff + (long) i * ldc + j;
                set(c, ci, accumulate ? get(c, ci) + sum : sum);
            }
        }
    }

    @Override
    public int nonzeroIndex(MemorySegment idx, long idxOff, MemorySegment a, long aOff, int lda, int rows, int cols, long maxNonzeros) {
        final long list = idxOff + rows + 1;
        int count = 0;
        for (int r = 0; r < rows; r++) {
            idx.setAtIndex(I, idxOff + r, count);
            final long row = aOff + (long) r * lda;
            for (int p = 0; p < cols; p++) {
                if (get(a, row + p) != 0f) {
                    idx.setAtIndex(I, list + count++, p);
                }
            }
            if (count > maxNonzeros) {
                return -1;
            }
        }
        idx.setAtIndex(I, idxOff + rows, count);
        return count;
    }

    @Override
    public long countNonzeros(MemorySegment a, long off, long count) {
        long nonzeros = 0;
        for (long i = 0; i < count; i++) {
            nonzeros += get(a, off + i) != 0f ? 1 : 0;
        }
        return nonzeros;
    }

    @Override
    public void gemmSparse(int m, int n, MemorySegment a, long aOff, int lda, MemorySegment idx, long idxOff, MemorySegment b, long bOff,
                           int ldb, MemorySegment c, long cOff, int ldc) {
        final long list = idxOff + m + 1;
        for (int i = 0; i < m; i++) {
            final int from = idx.getAtIndex(I, idxOff + i), to = idx.getAtIndex(I, idxOff + i + 1);
            for (int j = 0; j < n; j++) {
                float sum = 0f;
                for (int e = from; e < to; e++) {
                    final int p = idx.getAtIndex(I, list + e);
                    sum = Math.fma(get(a, aOff + (long) i * lda + p), get(b, bOff + (long) p * ldb + j), sum);
                }
                set(c, cOff + (long) i * ldc + j, sum);
            }
        }
    }

    @Override
    public void gemmSparseTransposed(int k, int n, int m, MemorySegment a, long aOff, int lda, MemorySegment idx, long idxOff,
                                     MemorySegment b, long bOff, int ldb, MemorySegment c, long cOff, int ldc) {
        for (int p = 0; p < k; p++) {
            for (int j = 0; j < n; j++) {
                set(c, cOff + (long) p * ldc + j, 0f);
            }
        }
        final long list = idxOff + m + 1;
        for (int i = 0; i < m; i++) {
            final int from = idx.getAtIndex(I, idxOff + i), to = idx.getAtIndex(I, idxOff + i + 1);
            for (int e = from; e < to; e++) {
                final int p = idx.getAtIndex(I, list + e);
                final float x = get(a, aOff + (long) i * lda + p);
                for (int j = 0; j < n; j++) {
                    final long ci = cOff + (long) p * ldc + j;
                    set(c, ci, Math.fma(x, get(b, bOff + (long) i * ldb + j), get(c, ci)));
                }
            }
        }
    }

    @Override
    public void gemmNT(int m, int n, int k, MemorySegment a, long aOff, int lda, MemorySegment b, long bOff, int ldb,
                       MemorySegment c, long cOff, int ldc, boolean accumulate) {
        for (int i = 0; i < m; i++) {
            final long aRow = aOff + (long) i * lda;
            for (int j = 0; j < n; j++) {
                final long bRow = bOff + (long) j * ldb;
                // the tree of Kernels.gemmNT, written out: (((s0+s8)+(s4+s12)) + ((s2+s10)+(s6+s14))) + (odd lanes)
                final float q0 = (partial(a, aRow, b, bRow, k, 0) + partial(a, aRow, b, bRow, k, 8))
                        + (partial(a, aRow, b, bRow, k, 4) + partial(a, aRow, b, bRow, k, 12));
                final float q1 = (partial(a, aRow, b, bRow, k, 1) + partial(a, aRow, b, bRow, k, 9))
                        + (partial(a, aRow, b, bRow, k, 5) + partial(a, aRow, b, bRow, k, 13));
                final float q2 = (partial(a, aRow, b, bRow, k, 2) + partial(a, aRow, b, bRow, k, 10))
                        + (partial(a, aRow, b, bRow, k, 6) + partial(a, aRow, b, bRow, k, 14));
                final float q3 = (partial(a, aRow, b, bRow, k, 3) + partial(a, aRow, b, bRow, k, 11))
                        + (partial(a, aRow, b, bRow, k, 7) + partial(a, aRow, b, bRow, k, 15));
                final long ci = cOff + (long) i * ldc + j;
                final float sum = (q0 + q2) + (q1 + q3);
                set(c, ci, accumulate ? get(c, ci) + sum : sum);
            }
        }
    }

    /** {@code s_l} of {@link Kernels#gemmNT}: the FMA chain over p = l, l+16, ... below k, padded to the last block of 16. */
    private static float partial(MemorySegment a, long aRow, MemorySegment b, long bRow, int k, int l) {
        float s = 0f;
        for (int p = l; p < k; p += 16) {
            s = Math.fma(get(a, aRow + p), get(b, bRow + p), s);
        }
        if (k % 16 != 0 && l >= k % 16) { // the partial last block's missing lane: a zero product, as a vector would add it
            s = Math.fma(0f, 0f, s);
        }
        return s;
    }

    @Override
    public void transpose(MemorySegment dst, long dstOff, MemorySegment src, long srcOff, int rows, int cols) {
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                set(dst, dstOff + (long) c * rows + r, get(src, srcOff + (long) r * cols + c));
            }
        }
    }

    @Override
    public void transposePadded(MemorySegment dst, long dstOff, int ldd, MemorySegment src, long srcOff, int rows, int cols) {
        if (ldd < rows) {
            throw new IllegalArgumentException("ldd " + ldd + " is below rows " + rows);
        }
        for (int c = 0; c < cols; c++) {
            for (int r = 0; r < rows; r++) { // two loops: a conditional read in one would let C2 hoist its range check
                set(dst, dstOff + (long) c * ldd + r, get(src, srcOff + (long) r * cols + c));
            }
            for (int r = rows; r < ldd; r++) {
                set(dst, dstOff + (long) c * ldd + r, 0f);
            }
        }
    }

    @Override
    public void biasActivation(MemorySegment y, long yOff, MemorySegment bias, long biasOff, int rows, int cols, boolean relu) {
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                long i = yOff + (long) r * cols + c;
                float v = get(y, i) + get(bias, biasOff + c);
                set(y, i, relu ? Math.max(v, 0f) : v);
            }
        }
    }

    @Override
    public void reluBackward(MemorySegment dy, long dyOff, MemorySegment activation, long activationOff, long count) {
        for (long i = 0; i < count; i++) {
            if (!(get(activation, activationOff + i) > 0f)) {
                set(dy, dyOff + i, 0f);
            }
        }
    }

    @Override
    public void columnSums(MemorySegment db, long dbOff, MemorySegment dy, long dyOff, int rows, int cols) {
        for (int c = 0; c < cols; c++) {
            float sum = 0f;
            for (int r = 0; r < rows; r++) {
                sum += get(dy, dyOff + (long) r * cols + c);
            }
            set(db, dbOff + c, sum);
        }
    }

    @Override
    public void axpy(long count, float a, MemorySegment x, long xOff, MemorySegment y, long yOff) {
        for (long i = 0; i < count; i++) {
            set(y, yOff + i, get(y, yOff + i) + a * get(x, xOff + i));
        }
    }

    @Override
    public void copyAxpy(long count, MemorySegment dst, long dstOff, MemorySegment src, long srcOff, float a, MemorySegment x, long xOff) {
        for (long i = 0; i < count; i++) {
            set(dst, dstOff + i, get(src, srcOff + i) + a * get(x, xOff + i));
        }
    }

    /** im2col's sizes: {@code oh*ow <= width <= ld} (IllegalArgumentException naming the values otherwise). */
    static void checkIm2colWidth(int ld, int width, int oh, int ow) {
        if (oh < 1 || ow < 1 || width < (long) oh * ow || width > ld) {
            throw new IllegalArgumentException("im2col needs oh*ow <= width <= ld, got oh " + oh + ", ow " + ow + ", width " + width
                    + ", ld " + ld);
        }
    }

    @Override
    public void im2col(MemorySegment col, long colOff, int ld, int width, MemorySegment x, long xOff, int c, int h, int w, int k, int pad) {
        final int oh = h + 2 * pad - k + 1;
        final int ow = w + 2 * pad - k + 1;
        checkIm2colWidth(ld, width, oh, ow);
        for (int ci = 0; ci < c; ci++) {
            for (int kh = 0; kh < k; kh++) {
                for (int kw = 0; kw < k; kw++) {
                    final long row = colOff + ((long) (ci * k + kh) * k + kw) * ld;
                    for (int oy = 0; oy < oh; oy++) {
                        final int iy = oy + kh - pad;
                        for (int ox = 0; ox < ow; ox++) {
                            final int ix = ox + kw - pad;
                            final boolean inside = iy >= 0 && iy < h && ix >= 0 && ix < w;
                            set(col, row + (long) oy * ow + ox, inside ? get(x, xOff + ((long) ci * h + iy) * w + ix) : 0f);
                        }
                    }
                    for (long t = (long) oh * ow; t < width; t++) {
                        set(col, row + t, 0f);
                    }
                }
            }
        }
    }

    @Override
    public void convolve(int outC, MemorySegment wt, long wOff, MemorySegment x, long xOff, int c, int h, int w, int k, int pad,
                         MemorySegment rows, long rowsOff, int ld, int width) {
        final int oh = h + 2 * pad - k + 1;
        final int ow = w + 2 * pad - k + 1;
        checkIm2colWidth(ld, width, oh, ow);
        final int kk = c * k * k;
        for (int co = 0; co < outC; co++) {
            final long row = rowsOff + (long) co * ld;
            final long wRow = wOff + (long) co * kk;
            for (int oy = 0; oy < oh; oy++) {
                for (int ox = 0; ox < ow; ox++) {
                    float sum = 0f;
                    for (int ci = 0; ci < c; ci++) {
                        for (int kh = 0; kh < k; kh++) {
                            for (int kw = 0; kw < k; kw++) {
                                final int iy = oy + kh - pad;
                                final int ix = ox + kw - pad;
                                final boolean inside = iy >= 0 && iy < h && ix >= 0 && ix < w;
                                final float xv = inside ? get(x, xOff + ((long) ci * h + iy) * w + ix) : 0f;
                                sum = Math.fma(get(wt, wRow + (ci * k + kh) * k + kw), xv, sum);
                            }
                        }
                    }
                    set(rows, row + (long) oy * ow + ox, sum);
                }
            }
            for (long t = (long) oh * ow; t < width; t++) {
                set(rows, row + t, 0f); // a zero column's chain: fma(w, 0, +0) steps from +0 stay +0
            }
        }
    }

    @Override
    public void convolveWeightGradient(int outC, MemorySegment dys, long dysOff, int ldd, int count, int ld, MemorySegment x, long xOff,
                                       long xStride, int c, int h, int w, int k, int pad, MemorySegment dWT, long dWTOff, int ldc,
                                       boolean accumulate) {
        final int oh = h + 2 * pad - k + 1;
        final int ow = w + 2 * pad - k + 1;
        checkIm2colWidth(ld, ld, oh, ow);
        final ConvColumns cols = new ConvColumns(x, xOff, xStride, c, h, w, k, pad, ld, oh, ow);
        for (int q = 0; q < c * k * k; q++) {
            for (int co = 0; co < outC; co++) {
                final long dyRow = dysOff + (long) co * ldd;
                // gemmNT's tree over its 16 partial sums, as in gemmNT above
                final float q0 = (cols.partial(q, dys, dyRow, count, 0) + cols.partial(q, dys, dyRow, count, 8))
                        + (cols.partial(q, dys, dyRow, count, 4) + cols.partial(q, dys, dyRow, count, 12));
                final float q1 = (cols.partial(q, dys, dyRow, count, 1) + cols.partial(q, dys, dyRow, count, 9))
                        + (cols.partial(q, dys, dyRow, count, 5) + cols.partial(q, dys, dyRow, count, 13));
                final float q2 = (cols.partial(q, dys, dyRow, count, 2) + cols.partial(q, dys, dyRow, count, 10))
                        + (cols.partial(q, dys, dyRow, count, 6) + cols.partial(q, dys, dyRow, count, 14));
                final float q3 = (cols.partial(q, dys, dyRow, count, 3) + cols.partial(q, dys, dyRow, count, 11))
                        + (cols.partial(q, dys, dyRow, count, 7) + cols.partial(q, dys, dyRow, count, 15));
                final float sum = (q0 + q2) + (q1 + q3);
                final long at = dWTOff + (long) q * ldc + co;
                set(dWT, at, accumulate ? get(dWT, at) + sum : sum);
            }
        }
    }

    /** The column matrices convolveWeightGradient reads without writing them: entry (q, p) from x. */
    private record ConvColumns(MemorySegment x, long xOff, long xStride, int c, int h, int w, int k, int pad, int ld, int oh, int ow) {
        /** im2col's entry at row q, column p of the examples' matrices side by side, ld columns each. */
        float at(int q, long p) {
            final long e = p / ld;
            final int pos = (int) (p % ld);
            if (pos >= oh * ow) {
                return 0f;
            }
            final int iy = pos / ow + q / k % k - pad, ix = pos % ow + q % k - pad;
            return iy >= 0 && iy < h && ix >= 0 && ix < w ? get(x, xOff + e * xStride + ((long) (q / (k * k)) * h + iy) * w + ix) : 0f;
        }

        /** {@link #partial}'s s_l for col row q against a dy row over count * ld columns. */
        float partial(int q, MemorySegment dys, long dyRow, int count, int l) {
            final long wide = (long) count * ld;
            float s = 0f;
            for (long p = l; p < wide; p += 16) {
                s = Math.fma(at(q, p), get(dys, dyRow + p), s);
            }
            if (wide % 16 != 0 && l >= wide % 16) {
                s = Math.fma(0f, 0f, s);
            }
            return s;
        }
    }

    @Override
    public void col2imAccumulate(MemorySegment dx, long dxOff, MemorySegment col, long colOff, int ld, int c, int h, int w, int k,
                                 int pad) {
        final int oh = h + 2 * pad - k + 1;
        final int ow = w + 2 * pad - k + 1;
        for (int ci = 0; ci < c; ci++) {
            for (int kh = 0; kh < k; kh++) {
                for (int kw = 0; kw < k; kw++) {
                    final long row = colOff + ((long) (ci * k + kh) * k + kw) * ld;
                    for (int oy = 0; oy < oh; oy++) {
                        final int iy = oy + kh - pad;
                        for (int ox = 0; ox < ow; ox++) {
                            final int ix = ox + kw - pad;
                            if (iy >= 0 && iy < h && ix >= 0 && ix < w) {
                                final long d = dxOff + ((long) ci * h + iy) * w + ix;
                                set(dx, d, get(dx, d) + get(col, row + (long) oy * ow + ox));
                            }
                        }
                    }
                }
            }
        }
    }

    @Override
    public void zero(MemorySegment s, long off, long count) {
        for (long i = 0; i < count; i++) {
            set(s, off + i, 0f);
        }
    }

    @Override
    public void rowBiasActivation(MemorySegment y, long yOff, MemorySegment src, long srcOff, int lds, MemorySegment bias, long biasOff,
                                  int rows, int cols, boolean relu) {
        for (int r = 0; r < rows; r++) {
            final float b = get(bias, biasOff + r);
            for (int c = 0; c < cols; c++) {
                float v = get(src, srcOff + (long) r * lds + c) + b;
                set(y, yOff + (long) r * cols + c, relu ? Math.max(v, 0f) : v);
            }
        }
    }

    @Override
    public void maxPool2x2(MemorySegment y, long yOff, MemorySegment argmax, long argOff, MemorySegment x, long xOff, int planes, int h,
                           int w) {
        final int oh = h / 2;
        final int ow = w / 2;
        for (int plane = 0; plane < planes; plane++) {
            final long base = xOff + (long) plane * h * w;
            final long outBase = (long) plane * oh * ow;
            for (int py = 0; py < oh; py++) {
                final long top = base + 2L * py * w;
                final long out = outBase + (long) py * ow;
                for (int px = 0; px < ow; px++) {
                    final long origin = top + 2L * px;
                    final float a = get(x, origin);
                    final float b = get(x, origin + 1);
                    final float c = get(x, origin + w);
                    final float d = get(x, origin + w + 1);
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
                    set(y, yOff + out + px, max);
                    argmax.setAtIndex(I, argOff + out + px, (int) best);
                }
            }
        }
    }

    @Override
    public void maxPool2x2Backward(MemorySegment dx, long dxOff, MemorySegment dy, long dyOff, MemorySegment argmax, long argOff, int planes,
                                   int h, int w) {
        zero(dx, dxOff, (long) planes * h * w);
        scatterPooled(dx, dy, dyOff, argmax, argOff, (long) planes * (h / 2) * (w / 2));
    }

    /** {@code dx[argmax[o]] = dy[o]} for the first {@code outputs} outputs: the max pool's backward after dx is zeroed. */
    static void scatterPooled(MemorySegment dx, MemorySegment dy, long dyOff, MemorySegment argmax, long argOff, long outputs) {
        for (long o = 0; o < outputs; o++) {
            set(dx, argmax.getAtIndex(I, argOff + o), get(dy, dyOff + o));
        }
    }

    @Override
    public void unsignedBytesToFloats(MemorySegment dst, long dstOff, MemorySegment src, long srcOff, long count, float scale) {
        for (long i = 0; i < count; i++) {
            set(dst, dstOff + i, (src.get(ValueLayout.JAVA_BYTE, srcOff + i) & 0xFF) * scale);
        }
    }

    /*
     * exp for softmax, the same bits in scalar and vector code: only IEEE float operations whose results the
     * Vector API and Java define identically (add, mul, fma, min/max), and an exact power of two. x is clamped to
     * [EXP_MIN, 0]: softmax's x = z - max is <= 0, and e^-87 (a normal float) is nothing next to the norm's e^0 = 1.
     * x = k ln 2 + r with k = round(x / ln 2) (adding and subtracting 1.5 * 2^23 rounds to nearest, and leaves k in
     * the sum's low mantissa bits) and |r| <= ln 2 / 2 from a two-part ln 2 (k ln2Hi is exact); e^r by Cephes'
     * expf polynomial (relative error about 1e-7), then times 2^k, here from exponent bits (the vector code
     * multiplies powers of two instead: the same value). Within 2 ulps of Math.exp on [EXP_MIN, 0]
     * (SoftmaxKernelTest).
     */
    static final float EXP_MIN = -87f;
    static final float EXP_MAX = 0f;
    static final float EXP_LOG2E = 1.44269504088896341f;
    static final float EXP_ROUND = 12582912f; // 1.5 * 2^23
    static final int EXP_ROUND_BITS = 0x4B400000;
    static final float EXP_LN2_HI = 0.693359375f;
    static final float EXP_LN2_LO = -2.12194440e-4f;
    static final float EXP_P5 = 1.9875691500e-4f;
    static final float EXP_P4 = 1.3981999507e-3f;
    static final float EXP_P3 = 8.3334519073e-3f;
    static final float EXP_P2 = 4.1665795894e-2f;
    static final float EXP_P1 = 1.6666665459e-1f;
    static final float EXP_P0 = 5.0000001201e-1f;

    /** e^x in float for x in [EXP_MIN, 0], clamped to that range; NaN stays NaN. */
    static float exp(float x) {
        final float c = Math.min(Math.max(x, EXP_MIN), EXP_MAX);
        final float t = c * EXP_LOG2E + EXP_ROUND;
        final float kf = t - EXP_ROUND;
        final int k = Float.floatToRawIntBits(t) - EXP_ROUND_BITS;
        float r = Math.fma(kf, -EXP_LN2_HI, c);
        r = Math.fma(kf, -EXP_LN2_LO, r);
        float p = Math.fma(EXP_P5, r, EXP_P4);
        p = Math.fma(p, r, EXP_P3);
        p = Math.fma(p, r, EXP_P2);
        p = Math.fma(p, r, EXP_P1);
        p = Math.fma(p, r, EXP_P0);
        final float y = Math.fma(p, r * r, r) + 1f;
        return y * Float.intBitsToFloat((k + 127) << 23);
    }

    /**
     * Where the vector softmax keeps each row's max, norm and label logit in its scratch (three rows of n floats):
     * after the classes x n transposed logits, rounded up to 16 floats (64 bytes).
     */
    static long softmaxStatsOffset(int n, int classes) {
        return ((long) classes * n + 15) / 16 * 16;
    }

    /** {@link Kernels#softmaxCrossEntropy}'s checks, shared by both implementations. */
    static void checkSoftmax(int n, int classes, int[] labels, MemorySegment scratch) {
        if (n < 0 || classes < 1) {
            throw new IllegalArgumentException("softmax needs n >= 0 rows and classes >= 1, got n=" + n + ", classes=" + classes);
        }
        if (labels.length < n) {
            throw new IllegalArgumentException("softmax of " + n + " rows got " + labels.length + " labels");
        }
        final long need = Kernels.softmaxScratchFloats(n, classes) * Float.BYTES;
        if (scratch.byteSize() < need) {
            throw new IllegalArgumentException("softmax scratch holds " + scratch.byteSize() + " bytes, " + n + " rows of "
                    + classes + " need " + need);
        }
    }

    /**
     * One row of {@link Kernels#softmaxCrossEntropy}: returns its loss term, writes its delta row when {@code delta}
     * is not null, and adds 1 to {@code correct[0]} (when given) if its argmax is the label.
     */
    static double softmaxRow(MemorySegment logits, long row, int classes, int label, MemorySegment delta, long deltaRow,
                             float gradScale, long[] correct) {
        float max = Float.NEGATIVE_INFINITY;
        int argmax = 0;
        for (int c = 0; c < classes; c++) {
            final float z = get(logits, row + c);
            if (z > max) {
                max = z;
                argmax = c;
            }
        }
        float norm = 0f;
        for (int c = 0; c < classes; c++) {
            norm += exp(get(logits, row + c) - max);
        }
        if (delta != null) {
            for (int c = 0; c < classes; c++) {
                final float p = exp(get(logits, row + c) - max) / norm;
                set(delta, deltaRow + c, (p - (c == label ? 1f : 0f)) * gradScale);
            }
        }
        if (correct != null && argmax == label) {
            correct[0]++;
        }
        return lossTerm(norm, max, get(logits, row + label));
    }

    /** A row's loss, {@code log(norm) + max - z_label}, in double: the one expression both implementations sum. */
    static double lossTerm(float norm, float max, float zLabel) {
        return Math.log(norm) + max - zLabel;
    }

    @Override
    public double softmaxCrossEntropy(MemorySegment logits, long logitsOff, int n, int classes, int[] labels, MemorySegment delta,
                                      long deltaOff, float gradScale, long[] correct, MemorySegment scratch) {
        checkSoftmax(n, classes, labels, scratch);
        double loss = 0;
        for (int r = 0; r < n; r++) {
            loss += softmaxRow(logits, logitsOff + (long) r * classes, classes, labels[r], delta, deltaOff + (long) r * classes,
                    gradScale, correct);
        }
        return loss;
    }

    @Override
    public String description() {
        return description;
    }
}
