package org.leashed.kernel.run;

/**
 * The contention model of B.4 evaluated from a run's measurements.
 *
 * <ul>
 *   <li>{@code nStar = m T_u / (T_u + T_c)} (B.4): expected number of threads inside the update
 *       section, from the measured mean T_c (gradient) and T_u (update; for LSH the whole LAU-SPC loop,
 *       failed attempts included).</li>
 *   <li>{@code gamma}: the persistence bound raises the departure rate from the LAU-SPC loop to
 *       {@code n/T_u (1 + gamma)} (B.6). Departures are publications plus give-ups, and publications
 *       leave at {@code n/T_u}, so gamma is estimated as give-ups per published update (0 when
 *       nothing gives up, e.g. T_p = inf or the lock-based algorithms).</li>
 *   <li>{@code nStarGamma = m / ((T_c/T_u)(1 + gamma) + 1)} (B.7); equals nStar when gamma = 0.</li>
 *   <li>{@code measuredMean}: time average of the number of threads inside the update section =
 *       (sum over workers of time spent in it) / training wall time.</li>
 * </ul>
 */
record Contention(double nStar, double gamma, double nStarGamma, double measuredMean) {
    static Contention of(int m, double tcMeanNanos, double tuMeanNanos, long published, long gaveUp,
                         double secondsInUpdate, double wallSeconds) {
        final boolean timed = tuMeanNanos > 0 && tcMeanNanos + tuMeanNanos > 0;
        final double nStar = timed ? m * tuMeanNanos / (tuMeanNanos + tcMeanNanos) : 0;
        final double gamma = published > 0 ? (double) gaveUp / published : 0;
        final double nStarGamma = timed ? m / (tcMeanNanos / tuMeanNanos * (1 + gamma) + 1) : 0;
        final double measured = wallSeconds > 0 ? secondsInUpdate / wallSeconds : 0;
        return new Contention(nStar, gamma, nStarGamma, measured);
    }
}
