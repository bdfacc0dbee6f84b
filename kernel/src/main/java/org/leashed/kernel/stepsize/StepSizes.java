package org.leashed.kernel.stepsize;

import org.leashed.kernel.run.StalenessModel;
import org.leashed.kernel.run.StepSizeConfig;

/**
 * Builds {@link StepSizeTable}s for every strategy from the base step size, the worker count m and
 * the staleness histogram observed so far ({@code histogram[tau]} = count).
 *
 * <ul>
 *   <li>NONE: eta.</li>
 *   <li>INVERSE: eta / tau, eta at tau = 0.</li>
 *   <li>FLEET: eta e^(-beta tau) with (tau_thres/2 + 1)^-1 = e^(-beta tau_thres/2), tau_thres = m + 1
 *       (Ch. C, footnote 3).</li>
 *   <li>TAIL: (1 + A (1 - 2 F(tau))) eta (Def. C.4.5). For the discrete observed distribution we use
 *       the mid-point CDF F(tau) = P[t < tau] + P[t = tau]/2, for which E[F(t)] = 1/2 exactly, so the
 *       strategy is exactly mean-preserving; staleness never observed gets F = 1 (factor 1 - A) above
 *       the histogram and F = 0 below it. An empty histogram gives the constant eta.</li>
 *   <li>MINDTHESTEP: raw factor r(tau) from the model — GEOM: C^-tau / p with p = 1/m and
 *       C = (1 - p)/(2 - mu*) (A.9, A.11; mu* is the momentum argument); POISSON and CMP:
 *       lambda^-tau (tau!)^nu with lambda^(1/nu) = m (A.13, A.14) — then scaled by s so that
 *       E_p[min(cap, s r(tau))] = 1 over the observed distribution p (A.26, with the cap of A.6 applied
 *       inside the expectation so that the mean holds after capping); tau above maxStaleness dropped.
 *       Before anything is observed, the model's own pmf is used as p.</li>
 * </ul>
 */
public final class StepSizes {
    private StepSizes() {
    }

    /**
     * @param nu CMP dispersion (1 for POISSON; ignored by GEOM)
     */
    public static StepSizeTable build(StepSizeConfig config, float eta, int m, long[] histogram, double nu, double targetMomentum) {
        float[] t = new float[StepSizeTable.SIZE];
        switch (config.kind()) {
            case NONE -> java.util.Arrays.fill(t, eta);
            case INVERSE -> {
                for (int tau = 0; tau < t.length; tau++) {
                    t[tau] = tau == 0 ? eta : eta / tau;
                }
            }
            case FLEET -> {
                double beta = fleetBeta(m);
                for (int tau = 0; tau < t.length; tau++) {
                    t[tau] = (float) (eta * Math.exp(-beta * tau));
                }
            }
            case TAIL -> {
                double[] f = midpointCdf(histogram);
                for (int tau = 0; tau < t.length; tau++) {
                    double cdf = f == null ? 0.5 : tau < f.length ? f[tau] : 1.0;
                    t[tau] = (float) ((1 + config.tailAmplitude() * (1 - 2 * cdf)) * eta);
                }
            }
            case MINDTHESTEP -> {
                return mindTheStep(config, eta, m, histogram, nu, targetMomentum);
            }
        }
        return new StepSizeTable(t, Integer.MAX_VALUE);
    }

    /** FLeet's beta for tau_thres = m + 1. */
    public static double fleetBeta(int m) {
        double half = (m + 1) / 2.0;
        return Math.log(half + 1) / half;
    }

    /** Mid-point CDF of a histogram, or null if it is empty. */
    static double[] midpointCdf(long[] histogram) {
        long total = 0;
        for (long c : histogram) {
            total += c;
        }
        if (total == 0) {
            return null;
        }
        double[] f = new double[histogram.length];
        long below = 0;
        for (int tau = 0; tau < histogram.length; tau++) {
            f[tau] = (below + histogram[tau] / 2.0) / total;
            below += histogram[tau];
        }
        return f;
    }

    private static StepSizeTable mindTheStep(StepSizeConfig config, float eta, int m, long[] histogram, double nu, double targetMomentum) {
        int n = StepSizeTable.SIZE;
        double[] logR = new double[n];
        double[] modelLogPmf = new double[n];
        if (config.model() == StalenessModel.GEOM) {
            double p = 1.0 / Math.max(1, m);
            double c = (1 - p) / (2 - targetMomentum);
            for (int tau = 0; tau < n; tau++) {
                logR[tau] = c > 0 ? -tau * Math.log(c) - Math.log(p) : (tau == 0 ? 0 : Double.POSITIVE_INFINITY);
                modelLogPmf[tau] = p >= 1 ? (tau == 0 ? 0 : Double.NEGATIVE_INFINITY) : Math.log(p) + tau * Math.log(1 - p);
            }
        } else {
            double v = config.model() == StalenessModel.POISSON ? 1.0 : nu;
            double logLambda = v * Math.log(Math.max(1, m)); // lambda^(1/nu) = m
            double logFactorial = 0;
            for (int tau = 0; tau < n; tau++) {
                if (tau > 0) {
                    logFactorial += Math.log(tau);
                }
                logR[tau] = -tau * logLambda + v * logFactorial;
                modelLogPmf[tau] = tau * logLambda - v * logFactorial; // unnormalised; normalised below
            }
        }
        double[] p = observedOrModel(histogram, modelLogPmf, config.maxStaleness());
        double scale = normalise(logR, p, config.capFactor());
        float[] t = new float[n];
        for (int tau = 0; tau < n; tau++) {
            double r = Math.exp(logR[tau] + Math.log(scale));
            t[tau] = (float) (Math.min(config.capFactor(), r) * eta);
        }
        return new StepSizeTable(t, config.maxStaleness());
    }

    /** Probability of each tau <= maxStaleness: observed if anything was observed, else the model's. */
    private static double[] observedOrModel(long[] histogram, double[] modelLogPmf, int maxStaleness) {
        int n = Math.min(modelLogPmf.length, maxStaleness + 1);
        double[] p = new double[n];
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

    /** The s with sum_tau p(tau) min(cap, s r(tau)) = 1, found by bisection on log s (monotone). */
    static double normalise(double[] logR, double[] p, double cap) {
        double lo = -800;
        double hi = 800;
        for (int it = 0; it < 200; it++) {
            double mid = (lo + hi) / 2;
            if (cappedMean(logR, p, cap, mid) < 1) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return Math.exp((lo + hi) / 2);
    }

    static double cappedMean(double[] logR, double[] p, double cap, double logS) {
        double sum = 0;
        for (int tau = 0; tau < p.length; tau++) {
            if (p[tau] > 0) {
                double x = logR[tau] + logS;
                sum += p[tau] * (x > Math.log(cap) ? cap : Math.exp(x));
            }
        }
        return sum;
    }
}
