package org.leashed.nn.layer;

/**
 * Geometry of the stride-1 square convolutions with zero padding that {@link Conv2d} lowers to
 * {@code Kernels.im2col} + {@code Kernels.gemm} (the column layout is documented on
 * {@code Kernels.im2col}; scalar reference and Vector API implementation live with the other kernels
 * and are tested against each other).
 */
public final class Im2col {
    private Im2col() {
    }

    /** Output side for input side {@code side}, kernel {@code k} and padding {@code pad} (stride 1). */
    public static int outputSide(int side, int k, int pad) {
        return side + 2 * pad - k + 1;
    }
}
