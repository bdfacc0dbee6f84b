package org.leashed.kernel.fit;

/**
 * Bhattacharyya distance D_B(P, Q) = -ln sum_tau sqrt(P(tau) Q(tau)) between an observed staleness
 * distribution and a model (the criterion behind Table A.1 of the thesis). 0 means identical
 * distributions, +Infinity means disjoint support.
 *
 * <p>Only the observed support matters: a tau with zero observed mass contributes nothing to the
 * Bhattacharyya coefficient, so summing over 0..maxObservedTau is exact for models with unbounded
 * support.
 */
public final class BhattacharyyaDistance {
    private BhattacharyyaDistance() {
    }

    /**
     * Distance between a normalised observed distribution and a model.
     *
     * @param observed P[tau = i] for i = 0..n-1, non-negative and summing to 1 (see
     *                 {@link StalenessModelFitter#normalise(long[])}); not checked here
     * @param model    the model
     * @return D_B in [0, +Infinity]
     */
    public static double between(double[] observed, StalenessModel model) {
        return fromLogPmf(sqrtOf(observed), model.logPmf(observed.length - 1));
    }

    static double[] sqrtOf(double[] observed) {
        final double[] sqrt = new double[observed.length];
        for (int tau = 0; tau < observed.length; tau++) {
            sqrt[tau] = Math.sqrt(observed[tau]);
        }
        return sqrt;
    }

    /** D_B from precomputed sqrt(observed) and the model's log pmf over the same range. */
    static double fromLogPmf(double[] sqrtObserved, double[] logPmf) {
        assert sqrtObserved.length == logPmf.length;
        double coefficient = 0.0;
        for (int tau = 0; tau < sqrtObserved.length; tau++) {
            if (sqrtObserved[tau] > 0.0) {
                // sqrt(Q) = exp(ln Q / 2); exp(-Infinity) is 0 for tau outside the model's support.
                coefficient += sqrtObserved[tau] * Math.exp(0.5 * logPmf[tau]);
            }
        }
        if (coefficient <= 0.0) {
            return Double.POSITIVE_INFINITY;
        }
        // Rounding can push the coefficient of identical distributions a few ulps above 1.
        return Math.max(0.0, -Math.log(coefficient));
    }
}
