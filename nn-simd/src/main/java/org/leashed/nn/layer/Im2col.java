package org.leashed.nn.layer;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Plain-loop reshaping kernels for stride-1 square convolutions with zero padding: the heavy part of
 * a convolution is then one {@code Kernels.gemm}. No Vector API here: both are loops over
 * contiguous row runs ({@link MemorySegment#copy} for long runs; it measured about 26 ns a call,
 * slower than a loop for runs of 10 floats), linear in the data while the GEMM is not. These loops are the reference and the only
 * implementation; nothing to compare them with, so tests check them through finite differences.
 *
 * <p>Shapes (one example): {@code x: (c, h, w)} CHW; {@code col: (c*k*k, oh*ow)}, leading dimension
 * {@code ld >= oh*ow} (columns {@code [oh*ow, ld)} are written as 0 by {@link #im2col}, so a GEMM
 * may run over {@code ld} columns without a masked tail), with row
 * {@code (ci*k + kh)*k + kw} and column {@code oy*ow + ox}, where {@code oh = h + 2*pad - k + 1},
 * {@code ow = w + 2*pad - k + 1}, and {@code col[(ci,kh,kw), (oy,ox)] = x[ci, oy+kh-pad, ox+kw-pad]}
 * (0 outside the image). Indices and counts are in floats.
 */
public final class Im2col {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;

    /** Runs of at least this many floats are moved with {@link MemorySegment#copy}, shorter ones by a loop. */
    private static final int BULK_RUN = 16;

    private Im2col() {
    }

    /** Output side for input side {@code side}, kernel {@code k} and padding {@code pad} (stride 1). */
    public static int outputSide(int side, int k, int pad) {
        return side + 2 * pad - k + 1;
    }

    /** {@code col (c*k*k, ld) = im2col(x[xIndex ..] (c, h, w))}, zero beyond column {@code oh*ow}; overwrites col. */
    public static void im2col(MemorySegment col, long colIndex, int ld, MemorySegment x, long xIndex, int c, int h, int w, int k, int pad) {
        final int oh = outputSide(h, k, pad);
        final int ow = outputSide(w, k, pad);
        final long p = ld;
        assert ld >= oh * ow;
        for (int ci = 0; ci < c; ci++) {
            for (int kh = 0; kh < k; kh++) {
                for (int kw = 0; kw < k; kw++) {
                    final long row = colIndex + ((long) (ci * k + kh) * k + kw) * p;
                    // columns ox with 0 <= ox + kw - pad < w
                    final int lo = Math.max(0, pad - kw);
                    final int hi = Math.min(ow, w + pad - kw);
                    for (int oy = 0; oy < oh; oy++) {
                        final long dst = row + (long) oy * ow;
                        final int iy = oy + kh - pad;
                        if (iy < 0 || iy >= h || lo >= hi) {
                            zero(col, dst, ow);
                            continue;
                        }
                        zero(col, dst, lo);
                        final long src = xIndex + ((long) ci * h + iy) * w + kw - pad;
                        if (hi - lo >= BULK_RUN) {
                            MemorySegment.copy(x, (src + lo) * Float.BYTES, col, (dst + lo) * Float.BYTES, (long) (hi - lo) * Float.BYTES);
                        } else {
                            for (int ox = lo; ox < hi; ox++) {
                                col.setAtIndex(F, dst + ox, x.getAtIndex(F, src + ox));
                            }
                        }
                        zero(col, dst + hi, ow - hi);
                    }
                    zero(col, row + (long) oh * ow, ld - (long) oh * ow);
                }
            }
        }
    }

    /**
     * {@code dx[dxIndex ..] (c, h, w) += col2im(col (c*k*k, ld))}: the adjoint of {@link #im2col}
     * (accumulates; zero dx first for an overwrite). Columns beyond {@code oh*ow} are ignored.
     */
    public static void col2imAccumulate(MemorySegment dx, long dxIndex, MemorySegment col, long colIndex, int ld, int c, int h, int w, int k,
                                        int pad) {
        final int oh = outputSide(h, k, pad);
        final int ow = outputSide(w, k, pad);
        final long p = ld;
        assert ld >= oh * ow;
        for (int ci = 0; ci < c; ci++) {
            for (int kh = 0; kh < k; kh++) {
                for (int kw = 0; kw < k; kw++) {
                    final long row = colIndex + ((long) (ci * k + kh) * k + kw) * p;
                    final int lo = Math.max(0, pad - kw);
                    final int hi = Math.min(ow, w + pad - kw);
                    for (int oy = 0; oy < oh; oy++) {
                        final int iy = oy + kh - pad;
                        if (iy < 0 || iy >= h) {
                            continue;
                        }
                        final long src = row + (long) oy * ow;
                        final long dst = dxIndex + ((long) ci * h + iy) * w + kw - pad;
                        for (int ox = lo; ox < hi; ox++) {
                            dx.setAtIndex(F, dst + ox, dx.getAtIndex(F, dst + ox) + col.getAtIndex(F, src + ox));
                        }
                    }
                }
            }
        }
    }

    /** {@code s[index .. index + count) = 0}. */
    public static void zero(MemorySegment s, long index, long count) {
        for (long i = 0; i < count; i++) {
            s.setAtIndex(F, index + i, 0f);
        }
    }
}
