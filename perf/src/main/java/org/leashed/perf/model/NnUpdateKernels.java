package org.leashed.perf.model;

import java.lang.foreign.MemorySegment;
import java.util.Objects;
import org.leashed.kernel.UpdateKernels;
import org.leashed.nn.simd.Kernels;

/**
 * The kernel's {@link UpdateKernels} (T_u: axpy and fused copy-and-update over whole parameter vectors)
 * backed by the {@code nn-simd} {@link Kernels}, so updates run on the same Vector API implementation as
 * the network. This is the only bridge between the two modules' kernel interfaces.
 */
public final class NnUpdateKernels implements UpdateKernels {
    private final Kernels kernels;

    public NnUpdateKernels(Kernels kernels) {
        this.kernels = Objects.requireNonNull(kernels, "kernels");
    }

    @Override
    public void axpy(long count, float a, MemorySegment x, MemorySegment y) {
        kernels.axpy(count, a, x, 0, y, 0);
    }

    @Override
    public void copyAxpy(long count, MemorySegment dst, MemorySegment src, float a, MemorySegment x) {
        kernels.copyAxpy(count, dst, 0, src, 0, a, x, 0);
    }

    @Override
    public String description() {
        return kernels.description();
    }
}
