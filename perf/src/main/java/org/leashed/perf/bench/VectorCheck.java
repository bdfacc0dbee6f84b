package org.leashed.perf.bench;

import org.leashed.nn.simd.Kernels;

/** The benchmarks' guard that they measure the Vector API kernels, not the scalar fallback. */
final class VectorCheck {
    private VectorCheck() {
    }

    /** {@code kernels}, or an exception naming what is active when it is not the vector implementation. */
    static Kernels requireVector(Kernels kernels) {
        if (!kernels.description().startsWith("vector")) {
            throw new IllegalStateException("vector kernels are not active in the benchmark JVM: " + kernels.description());
        }
        return kernels;
    }
}
