package org.leashed.kernel.elastic;

/**
 * Worker-seconds of the elastic run, R^E(t) = integral of m^E (D.10), against a static baseline
 * R^S(t) = t * m^S (D.11), and the break-even time
 * {@code min { t : R^E(t') < R^S(t') for every t' > t }}: the difference R^E - R^S is piecewise linear
 * (slope m^E - m^S), so it is enough to remember the last time it was non-negative, or where it crossed
 * zero downwards. Kept online, exact, O(1) per level change.
 *
 * <p>Confined to one thread at a time (the regulator while it runs, then the coordinator after joining it).
 */
final class ResourceLedger {
    private final double baseline;
    private int level;
    private double lastSeconds;
    private double integral;
    private double difference;          // R^E - R^S at lastSeconds
    private double lastNonNegative;     // latest t with R^E(t) - R^S(t) >= 0

    ResourceLedger(double baseline, int initialLevel) {
        this.baseline = baseline;
        this.level = initialLevel;
    }

    /** Extends the trajectory to {@code seconds} at the current level (earlier times are ignored). */
    void advance(double seconds) {
        double dt = seconds - lastSeconds;
        if (!(dt > 0)) {
            return;
        }
        double slope = level - baseline;
        double next = difference + slope * dt;
        if (next >= 0) {
            lastNonNegative = seconds;
        } else if (difference >= 0) {
            lastNonNegative = lastSeconds + difference / -slope; // the downward zero crossing
        }
        integral += level * dt;
        difference = next;
        lastSeconds = seconds;
    }

    /** The level changes to {@code newLevel} at {@code seconds}. */
    void setLevel(double seconds, int newLevel) {
        advance(seconds);
        level = newLevel;
    }

    /** R^E up to the last advance. */
    double elasticWorkerSeconds() {
        return integral;
    }

    /** R^S up to the last advance. */
    double staticWorkerSeconds() {
        return baseline * lastSeconds;
    }

    /** Break-even time in seconds, NaN if R^E is not below R^S at the end. */
    double breakEvenSeconds() {
        return difference < 0 ? lastNonNegative : Double.NaN;
    }

    double baseline() {
        return baseline;
    }
}
