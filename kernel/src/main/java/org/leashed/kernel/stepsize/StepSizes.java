package org.leashed.kernel.stepsize;

import java.util.Arrays;

import org.leashed.kernel.fit.StalenessModelFitter;
import org.leashed.kernel.run.StalenessModel;
import org.leashed.kernel.run.StepSizeConfig;
import org.leashed.kernel.run.TailShape;

/**
 * Builds {@link StepSizeTable}s for every strategy from the base step size eta, the worker count m,
 * the staleness histogram observed so far ({@code histogram[tau]} = count) and the momentum. Runs off
 * the clock (between epochs); may allocate.
 *
 * <ul>
 *   <li>NONE: eta.</li>
 *   <li>INVERSE: eta / tau, eta at tau = 0.</li>
 *   <li>FLEET: eta e^(-beta tau) with (tau_thres/2 + 1)^-1 = e^(-beta tau_thres/2), tau_thres = m + 1
 *       (Ch. C, footnote 3).</li>
 *   <li>TAIL: (1 + A (1 - 2 phi(F(tau)))) eta (Def. C.4.5, Thm C.4.8). The observed distribution is
 *       discrete; as in the proof of Thm C.4.8 it is spread uniformly over unit intervals, so the value
 *       at tau is the mean of phi over [P[t < tau], P[t <= tau]]. Then E[phi] = integral of phi over
 *       [0, 1] = 1/2 exactly: mean-preserving on any histogram, and non-decreasing in tau
 *       (priority-preserving). For the linear phi this is the mid-point CDF. Staleness never observed
 *       gets factor 1 + A below the smallest observed value and 1 - A above the largest. An empty
 *       histogram gives the constant eta.</li>
 *   <li>MINDTHESTEP: raw factor r(tau) from the staleness model, then scaled by s so that
 *       E_p[min(cap, s r(tau))] = 1 over the observed distribution p of tau &lt;= maxStaleness (A.26,
 *       with the cap of A.6 inside the expectation so that the mean holds after capping); larger tau
 *       are dropped. Before anything was observed, the model's own pmf is p.
 *       <ul>
 *         <li>GEOM: r = C^-tau / p, p = 1/m, C = (1 - p)/(2 - mu*) (A.9, A.11), mu* = the run's momentum
 *             (0: the implicit momentum is cancelled).</li>
 *         <li>POISSON: lambda = m; r = c(tau) lambda^-tau tau! with c(tau) = 1 - K Q(tau, lambda), Q the
 *             regularised upper incomplete gamma Gamma(tau, lambda)/Gamma(tau) (A.18; c = 1 when K = 0,
 *             which is A.14).</li>
 *         <li>CMP: nu fitted to the observed histogram by Bhattacharyya distance with lambda = m^nu (A.13;
 *             nu = 1 before anything was observed); r = c(tau) lambda^-tau (tau!)^nu with
 *             c(tau) = 1 - K P_CMP[t &lt; tau] (A.16, A.17, normalised by Z(lambda, nu) where the thesis
 *             writes e^lambda, which is Z only for nu = 1).</li>
 *       </ul>
 *       K is the target implicit momentum as a fraction of the step, taken from the run's momentum
 *       (thesis A.17 writes K / eta; with K in [0, 1) the factor c stays in (0, 1]).</li>
 * </ul>
 */
public final class StepSizes {
    /** Quadrature panels for the antiderivative of a non-linear phi (Simpson, per unit of x). */
    static final int PHI_PANELS = 2048;

    private StepSizes() {
    }

    /**
     * @param histogram observed staleness counts by tau (any length, may be empty)
     * @param momentum  the run's momentum in [0, 1): MindTheStep's target implicit momentum
     */
    public static StepSizeTable build(StepSizeConfig config, float eta, int m, long[] histogram, double momentum) {
        final float[] t = new float[StepSizeTable.SIZE];
        switch (config.kind()) {
            case NONE -> Arrays.fill(t, eta);
            case INVERSE -> {
                for (int tau = 0; tau < t.length; tau++) {
                    t[tau] = tau == 0 ? eta : eta / tau;
                }
            }
            case FLEET -> {
                final double beta = fleetBeta(m);
                for (int tau = 0; tau < t.length; tau++) {
                    t[tau] = (float) (eta * Math.exp(-beta * tau));
                }
            }
            case TAIL -> {
                final double[] scale = tailFactors(histogram, config.tailAmplitude(), config.tailShape());
                for (int tau = 0; tau < t.length; tau++) {
                    t[tau] = (float) (scale[tau] * eta);
                }
            }
            case MINDTHESTEP -> {
                return mindTheStep(config, eta, m, histogram, momentum);
            }
        }
        return new StepSizeTable(t, StepSizeTable.NO_DROP);
    }

    /** FLeet's beta for tau_thres = m + 1. */
    public static double fleetBeta(int m) {
        final double half = (m + 1) / 2.0;
        return Math.log(half + 1) / half;
    }

    /** TAIL-tau scaling factors C(tau) for tau < {@link StepSizeTable#SIZE}; all 1 for an empty histogram. */
    static double[] tailFactors(long[] histogram, double amplitude, TailShape shape) {
        final double[] c = new double[StepSizeTable.SIZE];
        long total = 0;
        for (long count : histogram) {
            total += count;
        }
        if (total == 0) {
            Arrays.fill(c, 1.0);
            return c;
        }
        long below = 0;
        for (int tau = 0; tau < c.length; tau++) {
            final long here = tau < histogram.length ? histogram[tau] : 0;
            final double lo = (double) below / total;
            below += here;
            final double hi = (double) below / total;
            c[tau] = 1 + amplitude * (1 - 2 * phiMean(shape, lo, hi));
        }
        return c;
    }

    /** Mean of phi over [lo, hi]; phi(lo) on an empty interval. */
    static double phiMean(TailShape shape, double lo, double hi) {
        if (shape.sharpness() == 1.0) {
            return (lo + hi) / 2;
        }
        if (hi - lo <= 0) {
            return shape.phi(lo);
        }
        return (phiIntegral(shape, hi) - phiIntegral(shape, lo)) / (hi - lo);
    }

    /**
     * Integral of phi over [0, x] by composite Simpson; ascending and descending halves are summed so
     * that the symmetric phi integrates to exactly 1/2 over [0, 1] up to rounding.
     */
    static double phiIntegral(TailShape shape, double x) {
        if (x <= 0) {
            return 0;
        }
        final int n = 2 * Math.max(1, (int) Math.ceil(x * PHI_PANELS / 2));
        final double h = x / n;
        double sum = shape.phi(0) + shape.phi(x);
        for (int i = 1; i < n; i++) {
            sum += (i % 2 == 1 ? 4 : 2) * shape.phi(i * h);
        }
        return sum * h / 3;
    }

    private static StepSizeTable mindTheStep(StepSizeConfig config, float eta, int m, long[] histogram, double momentum) {
        final int n = StepSizeTable.SIZE;
        final double[] logR = new double[n];
        final double[] modelLogPmf = new double[n];
        final int workers = Math.max(1, m);
        switch (config.model()) {
            case GEOM -> geometric(workers, momentum, logR, modelLogPmf);
            case POISSON -> poisson(workers, momentum, logR, modelLogPmf);
            case CMP -> conwayMaxwellPoisson(workers, cmpNu(histogram, workers, config.maxStaleness()), momentum, logR, modelLogPmf);
        }
        final double[] p = observedOrModel(histogram, modelLogPmf, config.maxStaleness());
        final double logScale = logNormaliser(logR, p, config.capFactor());
        final float[] t = new float[n];
        for (int tau = 0; tau < n; tau++) {
            final double r = Math.exp(logR[tau] + logScale);
            t[tau] = (float) (Math.min(config.capFactor(), r) * eta);
        }
        return new StepSizeTable(t, config.maxStaleness());
    }

    /** A.9 with C from A.11: log r = -tau log C - log p; model pmf p (1 - p)^tau. */
    static void geometric(int m, double targetMomentum, double[] logR, double[] modelLogPmf) {
        final double p = 1.0 / m;
        final double c = (1 - p) / (2 - targetMomentum);
        for (int tau = 0; tau < logR.length; tau++) {
            logR[tau] = c > 0 ? -tau * Math.log(c) - Math.log(p) : (tau == 0 ? 0 : Double.POSITIVE_INFINITY);
            modelLogPmf[tau] = p >= 1 ? (tau == 0 ? 0 : Double.NEGATIVE_INFINITY) : Math.log(p) + tau * Math.log(1 - p);
        }
    }

    /** A.18 (A.14 when K = 0) with lambda = m. */
    static void poisson(int m, double k, double[] logR, double[] modelLogPmf) {
        final double lambda = m;
        final double logLambda = Math.log(lambda);
        double logFactorial = 0;
        for (int tau = 0; tau < logR.length; tau++) {
            if (tau > 0) {
                logFactorial += Math.log(tau);
            }
            final double c = tau == 0 || k == 0 ? 1 : 1 - k * regularizedGammaQ(tau, lambda);
            logR[tau] = Math.log(c) - tau * logLambda + logFactorial;
            modelLogPmf[tau] = tau * logLambda - lambda - logFactorial;
        }
    }

    /** A.16-A.17 with lambda = m^nu (A.13); the cumulative sum is of the normalised CMP pmf. */
    static void conwayMaxwellPoisson(int m, double nu, double k, double[] logR, double[] modelLogPmf) {
        final double logLambda = nu * Math.log(m);
        double logFactorial = 0;
        double max = Double.NEGATIVE_INFINITY;
        for (int tau = 0; tau < logR.length; tau++) {
            if (tau > 0) {
                logFactorial += Math.log(tau);
            }
            logR[tau] = -tau * logLambda + nu * logFactorial;
            modelLogPmf[tau] = tau * logLambda - nu * logFactorial;
            max = Math.max(max, modelLogPmf[tau]);
        }
        double z = 0;
        for (double lp : modelLogPmf) {
            z += Math.exp(lp - max);
        }
        final double logZ = max + Math.log(z);
        double below = 0; // P[t < tau]
        for (int tau = 0; tau < logR.length; tau++) {
            modelLogPmf[tau] -= logZ;
            if (k > 0) {
                logR[tau] += Math.log(1 - k * Math.min(1, below));
            }
            below += Math.exp(modelLogPmf[tau]);
        }
    }

    /** CMP nu fitted to the observed histogram (tau &lt;= maxStaleness), or 1 if nothing was observed. */
    public static double cmpNu(long[] histogram, int m, int maxStaleness) {
        final long[] kept = Arrays.copyOf(histogram, Math.min(histogram.length, maxStaleness + 1));
        long total = 0;
        for (long c : kept) {
            total += c;
        }
        if (total == 0) {
            return 1.0;
        }
        final var fit = StalenessModelFitter.fitConwayMaxwellPoisson(StalenessModelFitter.normalise(kept), m);
        return ((org.leashed.kernel.fit.StalenessModel.ConwayMaxwellPoisson) fit.model()).nu();
    }

    /** Probability of each tau &lt;= maxStaleness: observed if anything was observed, else the model's. */
    private static double[] observedOrModel(long[] histogram, double[] modelLogPmf, int maxStaleness) {
        final int n = (int) Math.min(modelLogPmf.length, (long) maxStaleness + 1);
        final double[] p = new double[n];
        double total = 0;
        for (int tau = 0; tau < n && tau < histogram.length; tau++) {
            p[tau] = histogram[tau];
            total += p[tau];
        }
        if (total == 0) {
            double max = Double.NEGATIVE_INFINITY;
            for (int tau = 0; tau < n; tau++) {
                max = Math.max(max, modelLogPmf[tau]);
            }
            for (int tau = 0; tau < n; tau++) {
                p[tau] = Math.exp(modelLogPmf[tau] - max);
                total += p[tau];
            }
        }
        for (int tau = 0; tau < n; tau++) {
            p[tau] /= total;
        }
        return p;
    }

    /** log s with sum_tau p(tau) min(cap, s r(tau)) = 1, by bisection on log s (the mean is monotone in s). */
    static double logNormaliser(double[] logR, double[] p, double cap) {
        double lo = -800;
        double hi = 800;
        for (int it = 0; it < 200; it++) {
            final double mid = (lo + hi) / 2;
            if (cappedMean(logR, p, cap, mid) < 1) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return (lo + hi) / 2;
    }

    static double cappedMean(double[] logR, double[] p, double cap, double logS) {
        final double logCap = Math.log(cap);
        double sum = 0;
        for (int tau = 0; tau < p.length; tau++) {
            if (p[tau] > 0) {
                final double x = logR[tau] + logS;
                sum += p[tau] * (x > logCap ? cap : Math.exp(x));
            }
        }
        return sum;
    }

    /**
     * Regularised upper incomplete gamma Q(a, x) = Gamma(a, x) / Gamma(a) for a &gt; 0, x &gt;= 0: series
     * for x &lt; a + 1, Lentz continued fraction otherwise (relative accuracy ~1e-14). For integer a it
     * is P[Poisson(x) &lt;= a - 1].
     *
     * @throws IllegalArgumentException if a &lt;= 0 or x &lt; 0
     */
    public static double regularizedGammaQ(double a, double x) {
        if (!(a > 0) || !(x >= 0)) {
            throw new IllegalArgumentException("Q(a, x) needs a > 0 and x >= 0, got a = " + a + ", x = " + x);
        }
        if (x == 0) {
            return 1;
        }
        final double logPrefix = a * Math.log(x) - x - logGamma(a);
        if (x < a + 1) { // series for P(a, x)
            double term = 1 / a;
            double sum = term;
            for (int n = 1; n < 10_000; n++) {
                term *= x / (a + n);
                sum += term;
                if (Math.abs(term) < Math.abs(sum) * 1e-16) {
                    break;
                }
            }
            return Math.max(0, 1 - sum * Math.exp(logPrefix));
        }
        final double tiny = 1e-300; // continued fraction for Q(a, x) (modified Lentz)
        double b = x + 1 - a;
        double c = 1 / tiny;
        double d = 1 / b;
        double h = d;
        for (int i = 1; i < 10_000; i++) {
            final double an = -i * (i - a);
            b += 2;
            d = an * d + b;
            if (Math.abs(d) < tiny) {
                d = tiny;
            }
            c = b + an / c;
            if (Math.abs(c) < tiny) {
                c = tiny;
            }
            d = 1 / d;
            final double delta = d * c;
            h *= delta;
            if (Math.abs(delta - 1) < 1e-16) {
                break;
            }
        }
        return Math.exp(logPrefix) * h;
    }

    /** log Gamma(a) for a &gt; 0 (Lanczos, g = 7, n = 9; ~1e-15 relative). */
    static double logGamma(double a) {
        if (a < 0.5) { // reflection
            return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * a))) - logGamma(1 - a);
        }
        final double[] g = {0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
                -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6,
                1.5056327351493116e-7};
        final double x = a - 1;
        double sum = g[0];
        for (int i = 1; i < g.length; i++) {
            sum += g[i] / (x + i);
        }
        final double t = x + 7.5;
        return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(sum);
    }
}
