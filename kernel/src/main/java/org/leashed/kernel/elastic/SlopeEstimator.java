package org.leashed.kernel.elastic;

/**
 * Least-squares slope of loss against time over one probe window: the convergence-rate estimate
 * dL/dt of (D.4), from the mini-batch losses the workers report with their updates (free: the
 * gradient computation returns them).
 *
 * <p>Why a regression slope and not the difference of two smoothed losses (Alg. D.3 takes
 * end loss minus start loss over elapsed time): single mini-batch losses are too noisy for a
 * two-point difference, and an exponential moving average lags by about 1/alpha reports, which for a
 * window of only {@code D_P * m} updates would carry the previous level's trajectory into this
 * level's estimate. The slope weighs every report of the window once and nothing from outside it,
 * and costs four running sums. Times and losses are taken relative to the window's first report so
 * that the sums stay well-conditioned (the slope does not change under a shift of either).
 *
 * <p>Confined to the regulator thread; allocates nothing.
 */
final class SlopeEstimator {
    private long originNanos;
    private double originLoss;
    private long count;
    private double sumT;
    private double sumL;
    private double sumTT;
    private double sumTL;

    /** Forgets every sample; the next one becomes the time origin. */
    void reset() {
        count = 0;
        sumT = 0;
        sumL = 0;
        sumTT = 0;
        sumTL = 0;
    }

    /** Adds the loss reported at training time {@code nanos}. */
    void add(long nanos, double loss) {
        if (count == 0) {
            originNanos = nanos;
            originLoss = loss;
        }
        double t = (nanos - originNanos) * 1e-9;
        double l = loss - originLoss;
        count++;
        sumT += t;
        sumL += l;
        sumTT += t * t;
        sumTL += t * l;
    }

    /** Samples in the window. */
    long count() {
        return count;
    }

    /** dL/dt in loss per second; NaN with fewer than two samples or no spread in time. */
    double slope() {
        if (count < 2) {
            return Double.NaN;
        }
        double n = count;
        double varT = n * sumTT - sumT * sumT;
        if (!(varT > 0)) {
            return Double.NaN;
        }
        return (n * sumTL - sumT * sumL) / varT;
    }
}
