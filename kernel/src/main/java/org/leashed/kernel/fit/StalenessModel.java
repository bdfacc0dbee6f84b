package org.leashed.kernel.fit;

import java.util.Map;

/**
 * A parametric distribution over staleness values tau in {0, 1, 2, ...} (Ch. A, section A.4 and
 * Table A.1 of the thesis). Implementations are immutable and safe to share between threads.
 *
 * <p>Probabilities are produced in log space ({@link #logPmf(int)}) so that the tail of a fast-decaying
 * model (large tau, large nu) underflows to {@code -Infinity} in a controlled way instead of
 * producing NaN from {@code 0 * Infinity}.
 */
public sealed interface StalenessModel
        permits StalenessModel.Geometric, StalenessModel.BoundedUniform, StalenessModel.Poisson,
                StalenessModel.ConwayMaxwellPoisson {

    /** The model family. */
    Family family();

    /**
     * Natural logarithms of P[tau = 0], ..., P[tau = maxTau].
     *
     * @param maxTau the largest staleness value wanted, {@code >= 0}
     * @return an array of length {@code maxTau + 1}; entries may be {@code -Infinity} (probability 0)
     * @throws IllegalArgumentException if {@code maxTau < 0}
     */
    double[] logPmf(int maxTau);

    /** The fitted parameters by their conventional names (e.g. {@code p}, {@code lambda}, {@code nu}). */
    Map<String, Double> parameters();

    /** P[tau = 0..maxTau] in linear space (convenience for plotting and sampling). */
    default double[] pmf(int maxTau) {
        final double[] logPmf = logPmf(maxTau);
        final double[] pmf = new double[logPmf.length];
        for (int tau = 0; tau < pmf.length; tau++) {
            pmf[tau] = Math.exp(logPmf[tau]);
        }
        return pmf;
    }

    /** The four families compared in Table A.1. */
    enum Family {
        /** P[tau = i] = p (1 - p)^i, the model of Mitliagkas et al. used by MindTheStep (A.9). */
        GEOM,
        /** P[tau = i] = 1 / (tauMax + 1) for i in 0..tauMax. */
        UNIFORM,
        /** P[tau = i] = e^-lambda lambda^i / i!. */
        POISSON,
        /** P[tau = i] = lambda^i / ((i!)^nu Z(lambda, nu)) with lambda^(1/nu) = m (A.12, A.13). */
        CMP
    }

    private static void checkMaxTau(int maxTau) {
        if (maxTau < 0) {
            throw new IllegalArgumentException("maxTau must be >= 0, was " + maxTau);
        }
    }

    /**
     * Geometric staleness: P[tau = i] = p (1 - p)^i.
     *
     * @param p probability of zero staleness, in (0, 1]
     */
    record Geometric(double p) implements StalenessModel {
        /** @throws IllegalArgumentException if {@code p} is not in (0, 1] */
        public Geometric {
            if (!(p > 0.0 && p <= 1.0)) {
                throw new IllegalArgumentException("geometric p must be in (0, 1], was " + p);
            }
        }

        @Override
        public Family family() {
            return Family.GEOM;
        }

        @Override
        public double[] logPmf(int maxTau) {
            checkMaxTau(maxTau);
            final double logP = Math.log(p);
            // log1p keeps precision for small p; p == 1 gives -Infinity, i.e. all mass at tau = 0.
            final double logQ = Math.log1p(-p);
            final double[] out = new double[maxTau + 1];
            out[0] = logP;
            for (int tau = 1; tau <= maxTau; tau++) {
                out[tau] = logP + tau * logQ;
            }
            return out;
        }

        @Override
        public Map<String, Double> parameters() {
            return Map.of("p", p);
        }
    }

    /**
     * Bounded uniform staleness on {0, ..., tauMax}.
     *
     * @param tauMax largest staleness with non-zero probability, {@code >= 0}
     */
    record BoundedUniform(int tauMax) implements StalenessModel {
        /** @throws IllegalArgumentException if {@code tauMax < 0} */
        public BoundedUniform {
            if (tauMax < 0) {
                throw new IllegalArgumentException("uniform tauMax must be >= 0, was " + tauMax);
            }
        }

        @Override
        public Family family() {
            return Family.UNIFORM;
        }

        @Override
        public double[] logPmf(int maxTau) {
            checkMaxTau(maxTau);
            final double logMass = -Math.log(tauMax + 1.0);
            final double[] out = new double[maxTau + 1];
            for (int tau = 0; tau <= maxTau; tau++) {
                out[tau] = tau <= tauMax ? logMass : Double.NEGATIVE_INFINITY;
            }
            return out;
        }

        @Override
        public Map<String, Double> parameters() {
            return Map.of("tau_max", (double) tauMax);
        }
    }

    /**
     * Poisson staleness with rate {@code lambda}.
     *
     * @param lambda mean staleness, {@code > 0}
     */
    record Poisson(double lambda) implements StalenessModel {
        /** @throws IllegalArgumentException if {@code lambda} is not finite and positive */
        public Poisson {
            if (!(lambda > 0.0 && Double.isFinite(lambda))) {
                throw new IllegalArgumentException("poisson lambda must be finite and > 0, was " + lambda);
            }
        }

        @Override
        public Family family() {
            return Family.POISSON;
        }

        @Override
        public double[] logPmf(int maxTau) {
            checkMaxTau(maxTau);
            final double logLambda = Math.log(lambda);
            final double[] out = new double[maxTau + 1];
            double logFactorial = 0.0;
            for (int tau = 0; tau <= maxTau; tau++) {
                if (tau > 0) {
                    logFactorial += Math.log(tau);
                }
                out[tau] = -lambda + tau * logLambda - logFactorial;
            }
            return out;
        }

        @Override
        public Map<String, Double> parameters() {
            return Map.of("lambda", lambda);
        }
    }

    /**
     * Conway-Maxwell-Poisson staleness CMP(lambda, nu) (A.12) under the thesis' mode assumption
     * lambda^(1/nu) = m (A.13), so that {@code lambda = m^nu}. The normalising constant
     * Z(lambda, nu) is summed in log space (log-sum-exp over terms i ln(lambda) - nu ln(i!)) until the
     * terms past the mode fall {@value #LOG_TERM_CUTOFF} nats below the largest one.
     */
    final class ConwayMaxwellPoisson implements StalenessModel {
        /** Terms this many nats below the largest contribute less than e^-60 (~1e-26) relative mass. */
        static final double LOG_TERM_CUTOFF = 60.0;
        /** Hard cap on summed terms; reached only for nu close to 0, where the model is nearly flat. */
        static final int MAX_TERMS = 10_000_000;

        private final int workers;
        private final double nu;
        private final double logLambda;
        private final double logNormaliser;

        /**
         * @param workers the number of workers m, {@code >= 1}; lambda = m^nu
         * @param nu the decay parameter, finite and {@code > 0}
         * @throws IllegalArgumentException if an argument is out of range
         */
        public ConwayMaxwellPoisson(int workers, double nu) {
            if (workers < 1) {
                throw new IllegalArgumentException("CMP workers m must be >= 1, was " + workers);
            }
            if (!(nu > 0.0 && Double.isFinite(nu))) {
                throw new IllegalArgumentException("CMP nu must be finite and > 0, was " + nu);
            }
            this.workers = workers;
            this.nu = nu;
            this.logLambda = nu * Math.log(workers);
            this.logNormaliser = logNormaliser(logLambda, nu, workers);
        }

        private static double logNormaliser(double logLambda, double nu, int mode) {
            // Two passes would need the terms stored; instead keep a running log-sum-exp that
            // rescales whenever a larger term appears (terms increase up to the mode, then decrease).
            double maxTerm = 0.0; // term for i = 0 is 0 (lambda^0 / 0!^nu = 1)
            double scaledSum = 1.0; // sum of exp(term - maxTerm)
            double logFactorial = 0.0;
            for (int i = 1; i < MAX_TERMS; i++) {
                logFactorial += Math.log(i);
                final double term = i * logLambda - nu * logFactorial;
                if (term > maxTerm) {
                    scaledSum = scaledSum * Math.exp(maxTerm - term) + 1.0;
                    maxTerm = term;
                } else {
                    scaledSum += Math.exp(term - maxTerm);
                    if (i > mode && term < maxTerm - LOG_TERM_CUTOFF) {
                        break;
                    }
                }
            }
            return maxTerm + Math.log(scaledSum);
        }

        /** Number of workers m the model was built for. */
        public int workers() {
            return workers;
        }

        /** Decay parameter nu. */
        public double nu() {
            return nu;
        }

        /** Rate parameter lambda = m^nu. */
        public double lambda() {
            return Math.exp(logLambda);
        }

        /** ln Z(lambda, nu). */
        public double logNormaliser() {
            return logNormaliser;
        }

        @Override
        public Family family() {
            return Family.CMP;
        }

        @Override
        public double[] logPmf(int maxTau) {
            checkMaxTau(maxTau);
            final double[] out = new double[maxTau + 1];
            double logFactorial = 0.0;
            for (int tau = 0; tau <= maxTau; tau++) {
                if (tau > 0) {
                    logFactorial += Math.log(tau);
                }
                out[tau] = tau * logLambda - nu * logFactorial - logNormaliser;
            }
            return out;
        }

        @Override
        public Map<String, Double> parameters() {
            return Map.of("nu", nu, "lambda", lambda(), "m", (double) workers);
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof ConwayMaxwellPoisson that && workers == that.workers
                    && Double.compare(nu, that.nu) == 0;
        }

        @Override
        public int hashCode() {
            return 31 * Integer.hashCode(workers) + Double.hashCode(nu);
        }

        @Override
        public String toString() {
            return "ConwayMaxwellPoisson[m=" + workers + ", nu=" + nu + ", lambda=" + lambda() + "]";
        }
    }
}
