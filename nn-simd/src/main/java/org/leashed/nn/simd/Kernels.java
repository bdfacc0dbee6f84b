package org.leashed.nn.simd;

import java.lang.foreign.MemorySegment;

/**
 * The dense kernels a network's forward and backward passes need, over native float segments with
 * float-element offsets. Two implementations: {@link ScalarKernels} (plain loops, the test oracle and
 * fallback) and {@code VectorKernels} (Vector API), chosen once by {@link #get()}.
 *
 * <p>Argument order: destination first, except the BLAS-named kernels ({@code gemm}, {@code axpy}),
 * which keep BLAS order. Counts and offsets are in floats.
 */
public interface Kernels {
    /**
     * {@code C (+)= A·B} with a strided A: {@code A(i,p) = a[aOff + i*aRowStride + p*aColStride]},
     * so one kernel serves {@code A·B} (aRowStride = k, aColStride = 1) and {@code Aᵀ·B}
     * (aRowStride = 1, aColStride = m). Shapes: A (m, k), B (k, n) row-major with leading dimension
     * {@code ldb}, C (m, n) with leading dimension {@code ldc}. Overwrites C unless {@code accumulate}.
     */
    void gemm(int m, int n, int k, MemorySegment a, long aOff, int aRowStride, int aColStride,
              MemorySegment b, long bOff, int ldb, MemorySegment c, long cOff, int ldc, boolean accumulate);

    /**
     * {@code C (m, n) = A·Bᵀ} for A (m, k) and B (n, k) row-major with leading dimensions {@code lda} and
     * {@code ldb}, C with {@code ldc}; overwrites C. Each {@code C(i,j)} is the dot product of two contiguous
     * rows, summed in one fixed order that does not depend on the vector width (so every implementation
     * gives the same bits, though not those of {@link #gemm}'s single chain): 16 partial sums,
     * {@code s_l} = the FMA chain from +0 over {@code p = l, l+16, l+32, ...} below {@code k}, and one more
     * {@code fma(0, 0, s_l)} when the last block of 16 is partial and does not reach {@code l}; then the
     * tree {@code p_l = s_l + s_(l+8)}, {@code q_l = p_l + p_(l+4)}, {@code r_l = q_l + q_(l+2)},
     * {@code C(i,j) = r_0 + r_1}; then {@code C + sum} when {@code accumulate}. For small outputs along a
     * long k whose columns would fill few of {@link #gemm}'s lanes: the weight gradient of a convolution with
     * few filters ({@code dWᵀ = col·dyᵀ}, the pixels along k).
     */
    void gemmNT(int m, int n, int k, MemorySegment a, long aOff, int lda, MemorySegment b, long bOff, int ldb,
                MemorySegment c, long cOff, int ldc, boolean accumulate);

    /**
     * Lists the nonzero elements of A (rows, cols), row-major with rows {@code lda} floats apart, row by row: writes
     * {@code rows + 1} row starts at {@code idx[idxOff ..]} (int elements; {@code start[r]} counts the nonzeros of the
     * rows before r, {@code start[rows]} all of them), then each row's column indices in increasing order from
     * {@code idx[idxOff + rows + 1 + start[r]]}. An element is nonzero when {@code a != 0} (so NaN is, and -0.0 is not).
     * Stops and returns -1, with the index unusable, as soon as a row ends with more than {@code maxNonzeros} listed;
     * otherwise returns their count. {@code idx} holds at least {@link #nonzeroIndexInts} ints from {@code idxOff}.
     * The index drives {@link #gemmSparse} and {@link #gemmSparseTransposed}: the MNIST pixels of the MLP's first layer
     * are about 81 % zeros.
     */
    int nonzeroIndex(MemorySegment idx, long idxOff, MemorySegment a, long aOff, int lda, int rows, int cols, long maxNonzeros);

    /** The elements of {@code a[off .. off + count)} that are not 0 ({@code a != 0}: NaN counts, -0.0 does not). */
    long countNonzeros(MemorySegment a, long off, long count);

    /** Ints of {@link #nonzeroIndex}'s index for A (rows, cols): the row starts, every column, and 16 of slack. */
    static long nonzeroIndexInts(int rows, int cols) {
        return rows + 1L + (long) rows * cols + 16;
    }

    /**
     * {@code C (m, n) = A·B} (overwrite) for A (m, k) row-major with rows {@code lda} floats apart, over only the
     * nonzeros that {@code idx} lists for it ({@link #nonzeroIndex} of A's m rows), B (k, n) and C as in
     * {@link #gemm}. Each {@code C(i,j)} is the FMA chain from +0 over row i's listed p in increasing order: the
     * same bits as {@code gemm(m, n, k, a, aOff, lda, 1, b, bOff, ldb, c, cOff, ldc, false)} wherever B is finite
     * (a skipped step is {@code fma(±0, b, s)}, which is s, and the chain never holds -0).
     */
    void gemmSparse(int m, int n, MemorySegment a, long aOff, int lda, MemorySegment idx, long idxOff, MemorySegment b, long bOff,
                    int ldb, MemorySegment c, long cOff, int ldc);

    /**
     * {@code C (k, n) = Aᵀ·B} (overwrite) for A (m, k) row-major with rows {@code lda} floats apart and indexed by
     * {@code idx} as for {@link #gemmSparse}, B (m, n) with leading dimension {@code ldb}, C (k, n) with {@code ldc}:
     * each {@code C(p,j)} is the FMA chain from +0 over the rows i that list p, in increasing order (+0 when none
     * does). The same bits as {@code gemm(k, n, m, a, aOff, 1, lda, b, bOff, ldb, c, cOff, ldc, false)} wherever
     * B is finite. A layer's weight gradient {@code dW = xᵀ·dy} for a sparse input x.
     */
    void gemmSparseTransposed(int k, int n, int m, MemorySegment a, long aOff, int lda, MemorySegment idx, long idxOff,
                              MemorySegment b, long bOff, int ldb, MemorySegment c, long cOff, int ldc);

    /** {@code dst (cols, rows) = srcᵀ} for src (rows, cols), both dense row-major. */
    void transpose(MemorySegment dst, long dstOff, MemorySegment src, long srcOff, int rows, int cols);

    /**
     * {@code dst (cols, ldd)}: row c is column c of {@code src (rows, cols)} (dense row-major), zero-padded
     * to {@code ldd} floats: {@code dst[c*ldd + r] = r < rows ? src[r*cols + c] : 0} for {@code r < ldd}.
     * Requires {@code ldd >= rows}. (The conv backward's padded dyᵀ for its dW GEMM.)
     */
    void transposePadded(MemorySegment dst, long dstOff, int ldd, MemorySegment src, long srcOff, int rows, int cols);

    /** {@code y(rows, cols) = y + bias} per row, then ReLU if {@code relu}. */
    void biasActivation(MemorySegment y, long yOff, MemorySegment bias, long biasOff, int rows, int cols, boolean relu);

    /** {@code dy[i] = activation[i] > 0 ? dy[i] : 0} for {@code i < count} (ReLU backward, in place). */
    void reluBackward(MemorySegment dy, long dyOff, MemorySegment activation, long activationOff, long count);

    /** {@code db(cols) = column sums of dy(rows, cols)} (overwrites). */
    void columnSums(MemorySegment db, long dbOff, MemorySegment dy, long dyOff, int rows, int cols);

    /** {@code y[i] += a * x[i]} for {@code i < count}. */
    void axpy(long count, float a, MemorySegment x, long xOff, MemorySegment y, long yOff);

    /** Fused copy-and-update {@code dst[i] = src[i] + a * x[i]}; bit-identical across implementations. */
    void copyAxpy(long count, MemorySegment dst, long dstOff, MemorySegment src, long srcOff, float a, MemorySegment x, long xOff);

    /**
     * {@code col (c*k*k, width) = im2col(x[xOff ..] (c, h, w))} for a stride-1 convolution with a square
     * {@code k x k} kernel and zero padding {@code pad}: row {@code (ci*k + kh)*k + kw} (rows {@code ld} floats
     * apart), column {@code oy*ow + ox}, {@code col[(ci,kh,kw), (oy,ox)] = x[ci, oy+kh-pad, ox+kw-pad]} (0 outside
     * the image), with {@code oh = h + 2*pad - k + 1}, {@code ow = w + 2*pad - k + 1} and
     * {@code oh*ow <= width <= ld}. Columns {@code [oh*ow, width)} are written as 0, so a GEMM may run over all
     * {@code width} columns. Writes only the first {@code width} floats of each of the {@code c*k*k} rows at
     * {@code colOff} and overwrites them: with {@code width < ld} the matrices of several examples sit side by
     * side in rows of {@code ld}.
     *
     * @throws IllegalArgumentException if not {@code oh*ow <= width <= ld}
     */
    void im2col(MemorySegment col, long colOff, int ld, int width, MemorySegment x, long xOff, int c, int h, int w, int k, int pad);

    /**
     * A direct convolution: {@code rows (outC, width) = W (outC, c*k*k) . col}, W's rows {@code c*k*k} floats apart
     * from {@code wOff}, rows {@code ld} apart from {@code rowsOff}, where col is what {@link #im2col} would write for
     * {@code x} with {@code width} columns, but without writing it. The same bits as that im2col followed by
     * {@code gemm(outC, width, c*k*k, W, .., col, .., rows, ld, false)}: per output the FMA chain over
     * {@code (ci, kh, kw)} in order from zero, with the zeros of the padding taking part, and columns
     * {@code [oh*ow, width)} +0. Writes only the first {@code width} floats of each of the outC rows.
     *
     * @throws IllegalArgumentException if not {@code oh*ow <= width <= ld}
     */
    void convolve(int outC, MemorySegment wt, long wOff, MemorySegment x, long xOff, int c, int h, int w, int k, int pad,
                  MemorySegment rows, long rowsOff, int ld, int width);

    /**
     * Whether {@link #convolve} is the faster way to this layer shape's forward than {@link #im2col} and {@code gemm}
     * when the column matrix is not needed afterwards. The scalar reference says no: it is the reference for both.
     */
    default boolean convolvesDirectly(int outC, int c, int h, int w, int k, int pad) {
        return false;
    }

    /**
     * A convolution's weight gradient as dot products without the column matrices: {@code dWᵀ (c*k*k, outC) (+)=
     * cols . dysᵀ}, rows {@code ldc} apart from {@code dWTOff}, where cols {@code (c*k*k, count*ld)} holds, from
     * column {@code e*ld}, what {@link #im2col} would write with width {@code ld} for example e of x ({@code c x h x w}
     * at {@code xOff + e*xStride}), and dys {@code (outC, count*ld)} has rows {@code ldd} apart from {@code dysOff}. The
     * same bits as those im2col calls followed by {@code gemmNT(c*k*k, outC, count*ld, cols, .., dys, dysOff, ldd,
     * dWT, dWTOff, ldc, accumulate)} where x is finite and each example's dys columns {@code [oh*ow, ld)} are +0 (as
     * a layer's backward writes them): an implementation may read those columns of cols from elsewhere in x, whose
     * products with +0 leave a partial sum's bits as im2col's zeros do.
     *
     * @throws IllegalArgumentException if {@code ld < oh*ow}
     */
    void convolveWeightGradient(int outC, MemorySegment dys, long dysOff, int ldd, int count, int ld, MemorySegment x, long xOff,
                                long xStride, int c, int h, int w, int k, int pad, MemorySegment dWT, long dWTOff, int ldc,
                                boolean accumulate);

    /**
     * Whether {@link #convolveWeightGradient} is the faster way to this layer shape's weight gradient by dot products
     * than im2col and {@code gemmNT}, for examples {@code ld} columns apart. The scalar reference says no.
     */
    default boolean convolvesWeightGradientDirectly(int outC, int c, int h, int w, int k, int pad, int ld) {
        return false;
    }

    /**
     * {@code dx[dxOff ..] (c, h, w) += col2im(col (c*k*k, ld))}: the adjoint of {@link #im2col}
     * (accumulates; zero dx first for an overwrite). Columns beyond {@code oh*ow} are ignored. Per
     * element of dx the contributions are added in the same order by every implementation.
     */
    void col2imAccumulate(MemorySegment dx, long dxOff, MemorySegment col, long colOff, int ld, int c, int h, int w, int k, int pad);

    /** {@code s[off .. off + count) = 0}. */
    void zero(MemorySegment s, long off, long count);

    /**
     * {@code y(rows, cols) = src(rows, cols) + bias[row]} (one bias per row, a convolution's per-channel bias),
     * then ReLU if {@code relu}: y in dense rows of {@code cols} floats, src in rows {@code lds >= cols} floats
     * apart (a GEMM's output padded to whole vectors). In place when src is y at the same offset with
     * {@code lds == cols}; any other overlap of the two is undefined.
     */
    void rowBiasActivation(MemorySegment y, long yOff, MemorySegment src, long srcOff, int lds, MemorySegment bias, long biasOff,
                           int rows, int cols, boolean relu);

    /**
     * 2x2 max pooling with stride 2 over {@code planes} dense planes (an odd last row or column is
     * dropped): {@code y (planes, h/2, w/2)} at {@code yOff} and {@code argmax (planes, h/2, w/2)} at
     * {@code argOff} (int elements) from {@code x (planes, h, w)} at {@code xOff}. Each output is the
     * first maximum of its window in the order (0,0), (0,1), (1,0), (1,1) (strict {@code >}, so ties and
     * -0.0/+0.0 keep the earlier element), and {@code argmax} holds that element's float index in
     * {@code x} (absolute: {@code xOff} included; the caller makes sure it fits an int). Overwrites the
     * {@code planes*(h/2)*(w/2)} outputs of y and argmax and writes nothing else. Bit-identical across
     * implementations.
     */
    void maxPool2x2(MemorySegment y, long yOff, MemorySegment argmax, long argOff, MemorySegment x, long xOff, int planes, int h, int w);

    /**
     * {@link #maxPool2x2}'s backward: {@code dx (planes, h, w)} at {@code dxOff} gets each {@code dy} output (at
     * {@code dyOff}) at the index its {@code argmax} entry (at {@code argOff}) holds, as recorded by a forward over an
     * input at {@code dxOff} (the windows do not overlap), and +0 everywhere else, the odd last row or column
     * included. Overwrites the {@code planes*h*w} floats of dx; they need no zeroing first. Bit-identical across
     * implementations (copies and zeros).
     */
    void maxPool2x2Backward(MemorySegment dx, long dxOff, MemorySegment dy, long dyOff, MemorySegment argmax, long argOff, int planes, int h,
                            int w);

    /**
     * {@code dst[dstOff + i] = u(src byte at srcOff + i) * scale} for {@code i < count}, where u reads
     * the byte unsigned (0..255): a data set's stored pixels to a batch's floats. {@code dstOff} counts
     * floats and {@code srcOff} bytes. Bit-identical across implementations (an exact int-to-float
     * conversion, then one float multiply).
     */
    void unsignedBytesToFloats(MemorySegment dst, long dstOff, MemorySegment src, long srcOff, long count, float scale);

    /**
     * Softmax cross-entropy of {@code n} rows of {@code classes} logits, row r at {@code logits[logitsOff + r *
     * classes]}, against {@code labels[r]} (each in {@code [0, classes)}). Per row, with {@code max} the first
     * largest logit (strict {@code >} from -infinity), {@code e_c = }{@link ScalarKernels#exp}{@code (z_c - max)} and
     * {@code norm} the float sum of the {@code e_c} in class order: returns the sum over rows, in row order and in
     * double, of {@code log(norm) + max - z_label}; when {@code delta} is not null writes {@code (e_c / norm - [c ==
     * label]) * gradScale} to it in the logits' layout from {@code deltaOff}; when {@code correct} is not null adds to
     * {@code correct[0]} the rows whose first largest logit is the label's. {@code scratch} (64-byte aligned) holds
     * at least {@link #softmaxScratchFloats} floats. Bit-identical across implementations.
     */
    double softmaxCrossEntropy(MemorySegment logits, long logitsOff, int n, int classes, int[] labels, MemorySegment delta,
                               long deltaOff, float gradScale, long[] correct, MemorySegment scratch);

    /** Floats of {@link #softmaxCrossEntropy}'s scratch for {@code n} rows of {@code classes}. */
    static long softmaxScratchFloats(int n, int classes) {
        return ScalarKernels.softmaxStatsOffset(n, classes) + 3L * n;
    }

    /** Human-readable name recorded in run headers and results. */
    String description();

    /**
     * The implementation chosen for this JVM: Vector API when usable, else scalar (reason logged). A malformed
     * {@code leashed.gemm.*} system property is no reason to fall back: every call then throws an
     * IllegalArgumentException that names the property, its value and what it must be.
     */
    static Kernels get() {
        return KernelProvider.get();
    }

    /** The scalar reference implementation. */
    static Kernels scalar() {
        return ScalarKernels.INSTANCE;
    }
}
