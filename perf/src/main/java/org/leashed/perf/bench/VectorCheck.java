package org.leashed.perf.bench;

import org.leashed.nn.simd.Kernels;

/** The benchmarks' guard that they measure the Vector API kernels, not the scalar fallback, and their shape parser. */
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

    /** {@code ROWSxCOLS} as {rows, cols}, or an exception that names the parameter's value and the form expected. */
    static int[] rowsByCols(String shape) {
        String[] size = shape.split("x");
        try {
            if (size.length == 2) {
                int rows = Integer.parseInt(size[0]);
                int cols = Integer.parseInt(size[1]);
                if (rows > 0 && cols > 0) {
                    return new int[] {rows, cols};
                }
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("shape must be ROWSxCOLS with both > 0, got '" + shape + "'");
    }
}
