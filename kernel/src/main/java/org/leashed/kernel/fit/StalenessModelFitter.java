package org.leashed.kernel.fit;

import java.util.List;
import java.util.function.DoubleUnaryOperator;

/**
 * Fits the four staleness models of Table A.1 (geometric, bounded uniform, Poisson and CMP with
 * lambda^(1/nu) = m) to an observed staleness histogram by minimising the Bhattacharyya distance.
 *
 * <p>Search: every family has a single free parameter. The bounded uniform's integer tauMax is
 * searched exhaustively over 0..max observed tau (a larger tauMax only spreads mass where nothing was
 * observed, so it can never be better). The continuous parameters (geometric p, Poisson lambda, CMP nu)
 * are found by a grid of {@value #GRID_POINTS} points, uniform in log space over the parameter's
 * range, followed by golden-section refinement inside the bracket around the best grid point. The
 * grid makes the search robust to the non-convex distance surface of multi-modal histograms; the
 * refinement gives ~1e-9 relative precision.
 *
 * <p>Stateless and thread-safe.
 */
public final class StalenessModelFitter {
    static final int GRID_POINTS = 240;
    static final int GOLDEN_ITERATIONS = 80;
    /** Smallest geometric p searched; p = 1e-6 already means a mean staleness of 10^6. */
    static final double MIN_P = 1e-6;
    static final double MIN_POISSON_LAMBDA = 1e-6;
    /** CMP nu range; Table A.1 reports 0.39..6.28, the range leaves ample room either side. */
    static final double MIN_NU = 0.01;
    static final double MAX_NU = 100.0;

    private StalenessModelFitter() {
    }

    /**
     * Fits all four families to a histogram of counts.
     *
     * @param histogram counts of staleness tau at index tau; non-negative with a positive total
     * @param workers   number of workers m for the CMP mode assumption, {@code >= 1}
     * @return one fit per family, in {@link StalenessModel.Family} order
     * @throws IllegalArgumentException if the histogram is null, empty, has a negative count or sums to 0,
     *                                  or if {@code workers < 1}
     */
    public static List<ModelFit> fitAll(long[] histogram, int workers) {
        return fitAll(normalise(histogram), workers);
    }

    /**
     * Fits all four families to a probability distribution.
     *
     * @param distribution P[tau = i] at index i; finite, non-negative, positive total (normalised here)
     * @param workers      number of workers m for the CMP mode assumption, {@code >= 1}
     * @return one fit per family, in {@link StalenessModel.Family} order
     * @throws IllegalArgumentException on an invalid distribution or {@code workers < 1}
     */
    public static List<ModelFit> fitAll(double[] distribution, int workers) {
        final double[] observed = normalise(distribution);
        if (workers < 1) {
            throw new IllegalArgumentException("workers must be >= 1, was " + workers);
        }
        return List.of(fitGeometric(observed), fitBoundedUniform(observed), fitPoisson(observed),
                fitConwayMaxwellPoisson(observed, workers));
    }

    /** The fit with the smallest distance (the first one on ties). */
    public static ModelFit best(List<ModelFit> fits) {
        if (fits.isEmpty()) {
            throw new IllegalArgumentException("fits must not be empty");
        }
        ModelFit best = fits.getFirst();
        for (ModelFit fit : fits) {
            if (fit.distance() < best.distance()) {
                best = fit;
            }
        }
        return best;
    }

    /** Geometric p minimising D_B, searched over [{@value #MIN_P}, 1]. */
    public static ModelFit fitGeometric(double[] observed) {
        final double[] sqrtObserved = BhattacharyyaDistance.sqrtOf(observed);
        final int maxTau = observed.length - 1;
        final double p = minimiseInLogSpace(
                logP -> BhattacharyyaDistance.fromLogPmf(sqrtObserved,
                        new StalenessModel.Geometric(Math.exp(logP)).logPmf(maxTau)),
                Math.log(MIN_P), 0.0);
        final StalenessModel model = new StalenessModel.Geometric(Math.min(1.0, p));
        return new ModelFit(model, BhattacharyyaDistance.fromLogPmf(sqrtObserved, model.logPmf(maxTau)));
    }

    /** Bounded-uniform tauMax minimising D_B, searched exhaustively over 0..max observed tau. */
    public static ModelFit fitBoundedUniform(double[] observed) {
        // D_B(tauMax) = -ln( S(tauMax) / sqrt(tauMax + 1) ), S = prefix sum of sqrt(observed).
        double prefix = 0.0;
        double bestCoefficient = -1.0;
        int bestTauMax = 0;
        for (int tauMax = 0; tauMax < observed.length; tauMax++) {
            prefix += Math.sqrt(observed[tauMax]);
            final double coefficient = prefix / Math.sqrt(tauMax + 1.0);
            if (coefficient > bestCoefficient) {
                bestCoefficient = coefficient;
                bestTauMax = tauMax;
            }
        }
        final StalenessModel model = new StalenessModel.BoundedUniform(bestTauMax);
        return new ModelFit(model, BhattacharyyaDistance.between(observed, model));
    }

    /** Poisson lambda minimising D_B, searched over [{@value #MIN_POISSON_LAMBDA}, 4 (maxTau + 1) + 10]. */
    public static ModelFit fitPoisson(double[] observed) {
        final double[] sqrtObserved = BhattacharyyaDistance.sqrtOf(observed);
        final int maxTau = observed.length - 1;
        final double lambda = minimiseInLogSpace(
                logLambda -> BhattacharyyaDistance.fromLogPmf(sqrtObserved,
                        new StalenessModel.Poisson(Math.exp(logLambda)).logPmf(maxTau)),
                Math.log(MIN_POISSON_LAMBDA), Math.log(4.0 * (maxTau + 1) + 10.0));
        final StalenessModel model = new StalenessModel.Poisson(lambda);
        return new ModelFit(model, BhattacharyyaDistance.fromLogPmf(sqrtObserved, model.logPmf(maxTau)));
    }

    /**
     * CMP nu minimising D_B with lambda = m^nu (A.13), a 1-D search over nu in
     * [{@value #MIN_NU}, {@value #MAX_NU}].
     */
    public static ModelFit fitConwayMaxwellPoisson(double[] observed, int workers) {
        if (workers < 1) {
            throw new IllegalArgumentException("workers must be >= 1, was " + workers);
        }
        final double[] sqrtObserved = BhattacharyyaDistance.sqrtOf(observed);
        final int maxTau = observed.length - 1;
        final double nu = minimiseInLogSpace(
                logNu -> BhattacharyyaDistance.fromLogPmf(sqrtObserved,
                        new StalenessModel.ConwayMaxwellPoisson(workers, Math.exp(logNu)).logPmf(maxTau)),
                Math.log(MIN_NU), Math.log(MAX_NU));
        final StalenessModel model = new StalenessModel.ConwayMaxwellPoisson(workers, nu);
        return new ModelFit(model, BhattacharyyaDistance.fromLogPmf(sqrtObserved, model.logPmf(maxTau)));
    }

    /**
     * Grid search then golden-section refinement of {@code f} over {@code [lo, hi]} (log of the
     * parameter); returns exp of the minimiser.
     */
    static double minimiseInLogSpace(DoubleUnaryOperator f, double lo, double hi) {
        final double step = (hi - lo) / (GRID_POINTS - 1);
        int bestIndex = 0;
        double bestValue = Double.POSITIVE_INFINITY;
        for (int i = 0; i < GRID_POINTS; i++) {
            final double value = f.applyAsDouble(lo + i * step);
            if (value < bestValue) {
                bestValue = value;
                bestIndex = i;
            }
        }
        double a = lo + Math.max(0, bestIndex - 1) * step;
        double b = lo + Math.min(GRID_POINTS - 1, bestIndex + 1) * step;
        final double invPhi = (Math.sqrt(5.0) - 1.0) / 2.0;
        double c = b - invPhi * (b - a);
        double d = a + invPhi * (b - a);
        double fc = f.applyAsDouble(c);
        double fd = f.applyAsDouble(d);
        for (int iteration = 0; iteration < GOLDEN_ITERATIONS; iteration++) {
            if (fc <= fd) {
                b = d;
                d = c;
                fd = fc;
                c = b - invPhi * (b - a);
                fc = f.applyAsDouble(c);
            } else {
                a = c;
                c = d;
                fc = fd;
                d = a + invPhi * (b - a);
                fd = f.applyAsDouble(d);
            }
        }
        final double refined = 0.5 * (a + b);
        // Keep the grid point if refinement wandered onto a worse plateau (flat or -Infinity regions).
        return Math.exp(f.applyAsDouble(refined) <= bestValue ? refined : lo + bestIndex * step);
    }

    /**
     * Normalises histogram counts to probabilities.
     *
     * @throws IllegalArgumentException if null, empty, any count negative, or the total is 0
     */
    public static double[] normalise(long[] histogram) {
        if (histogram == null || histogram.length == 0) {
            throw new IllegalArgumentException("staleness histogram must have at least one bin");
        }
        double total = 0.0;
        for (int tau = 0; tau < histogram.length; tau++) {
            if (histogram[tau] < 0) {
                throw new IllegalArgumentException(
                        "staleness histogram count at tau=" + tau + " must be >= 0, was " + histogram[tau]);
            }
            total += histogram[tau];
        }
        if (total <= 0.0) {
            throw new IllegalArgumentException("staleness histogram must have a positive total count, was 0");
        }
        final double[] out = new double[trimmedLength(histogram)];
        for (int tau = 0; tau < out.length; tau++) {
            out[tau] = histogram[tau] / total;
        }
        return out;
    }

    /**
     * Normalises a distribution (copies it), checking that entries are finite and non-negative.
     *
     * @throws IllegalArgumentException if null, empty, any entry negative/NaN/infinite, or the total is 0
     */
    public static double[] normalise(double[] distribution) {
        if (distribution == null || distribution.length == 0) {
            throw new IllegalArgumentException("staleness distribution must have at least one bin");
        }
        double total = 0.0;
        int length = 0;
        for (int tau = 0; tau < distribution.length; tau++) {
            final double mass = distribution[tau];
            if (!(mass >= 0.0 && Double.isFinite(mass))) {
                throw new IllegalArgumentException(
                        "staleness probability at tau=" + tau + " must be finite and >= 0, was " + mass);
            }
            total += mass;
            if (mass > 0.0) {
                length = tau + 1;
            }
        }
        if (total <= 0.0) {
            throw new IllegalArgumentException("staleness distribution must have a positive total, was 0");
        }
        final double[] out = new double[length];
        for (int tau = 0; tau < length; tau++) {
            out[tau] = distribution[tau] / total;
        }
        return out;
    }

    private static int trimmedLength(long[] histogram) {
        int length = histogram.length;
        while (histogram[length - 1] == 0) {
            length--;
        }
        return length;
    }
}
