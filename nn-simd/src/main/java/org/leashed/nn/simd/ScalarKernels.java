package org.leashed.nn.simd;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** Plain loops, no tricks: the oracle every vector kernel is tested against, and the fallback. */
public final class ScalarKernels implements Kernels {
    static final ScalarKernels INSTANCE = new ScalarKernels("scalar");
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;

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
    public void transpose(MemorySegment dst, long dstOff, MemorySegment src, long srcOff, int rows, int cols) {
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                set(dst, dstOff + (long) c * rows + r, get(src, srcOff + (long) r * cols + c));
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

    @Override
    public String description() {
        return description;
    }
}
