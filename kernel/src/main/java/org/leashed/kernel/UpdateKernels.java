package org.leashed.kernel;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The two vector operations the algorithms apply to whole parameter vectors (T_u). Injected so that
 * the kernel module never depends on the SIMD module: {@code perf} passes the Vector API
 * implementation, tests may use {@link #scalar()}.
 */
public interface UpdateKernels {
    /** {@code y[i] += a * x[i]} for {@code i < count} (BLAS argument order). */
    void axpy(long count, float a, MemorySegment x, MemorySegment y);

    /** Fused copy-and-update: {@code dst[i] = src[i] + a * x[i]} for {@code i < count}. */
    void copyAxpy(long count, MemorySegment dst, MemorySegment src, float a, MemorySegment x);

    /** Name recorded in run headers, e.g. "scalar" or "vector(512-bit)". */
    String description();

    /** Plain-loop reference implementation. */
    static UpdateKernels scalar() {
        return ScalarUpdateKernels.INSTANCE;
    }
}

/** Plain loops; the test oracle and the fallback. */
final class ScalarUpdateKernels implements UpdateKernels {
    static final ScalarUpdateKernels INSTANCE = new ScalarUpdateKernels();
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;

    @Override
    public void axpy(long count, float a, MemorySegment x, MemorySegment y) {
        for (long i = 0; i < count; i++) {
            y.setAtIndex(F, i, y.getAtIndex(F, i) + a * x.getAtIndex(F, i));
        }
    }

    @Override
    public void copyAxpy(long count, MemorySegment dst, MemorySegment src, float a, MemorySegment x) {
        for (long i = 0; i < count; i++) {
            dst.setAtIndex(F, i, src.getAtIndex(F, i) + a * x.getAtIndex(F, i));
        }
    }

    @Override
    public String description() {
        return "scalar";
    }
}
