package org.leashed.kernel.run;

/**
 * The phi of the generalised TAIL-tau scaling factor C(tau) = 1 + A (1 - 2 phi(F(tau))) (Thm C.4.8):
 * the symmetric family {@code phi_k(x) = x^k / (x^k + (1 - x)^k)}, {@code k > 0}. Every member is
 * non-decreasing with phi(0) = 0, phi(1) = 1 and, being point-symmetric about (1/2, 1/2), integral 1/2
 * over [0, 1] (C.8), so the step size stays mean- and priority-preserving. {@code k = 1} is the
 * linear phi of plain TAIL-tau (C.7); {@code k > 1} is S-shaped (staleness near the median barely
 * changes the step, the tails get the full +-A); {@code k < 1} reacts most around the median.
 *
 * @param sharpness k, finite and {@code > 0}
 */
public record TailShape(double sharpness) {
    /** phi(x) = x: TAIL-tau as in Def. C.4.5. */
    public static final TailShape LINEAR = new TailShape(1.0);

    /**
     * @throws IllegalArgumentException if {@code sharpness} is not finite and positive
     */
    public TailShape {
        if (!(sharpness > 0) || Double.isInfinite(sharpness)) {
            throw new IllegalArgumentException("tail shape sharpness k must be finite and > 0, got " + sharpness);
        }
    }

    /** phi(x) for x in [0, 1]. */
    public double phi(double x) {
        if (sharpness == 1.0) {
            return x;
        }
        if (x <= 0) {
            return 0;
        }
        if (x >= 1) {
            return 1;
        }
        double a = Math.pow(x, sharpness);
        double b = Math.pow(1 - x, sharpness);
        return a / (a + b);
    }
}
