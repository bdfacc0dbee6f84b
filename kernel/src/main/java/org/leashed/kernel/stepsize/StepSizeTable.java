package org.leashed.kernel.stepsize;

/**
 * Step size per staleness, precomputed: {@code eta(tau)} is a table lookup on the hot path. Immutable;
 * a new table is built (off the hot path) whenever the observed staleness distribution is re-read,
 * and handed to workers at an epoch boundary.
 */
public final class StepSizeTable {
    /** Staleness values with their own entry; larger ones use the last entry. */
    public static final int SIZE = 1024;

    private final float[] eta;
    private final int dropAbove;

    StepSizeTable(float[] eta, int dropAbove) {
        if (eta.length != SIZE) {
            throw new IllegalArgumentException("table must have " + SIZE + " entries, got " + eta.length);
        }
        this.eta = eta;
        this.dropAbove = dropAbove;
    }

    /** Constant {@code eta}, nothing dropped. */
    public static StepSizeTable constant(float eta) {
        float[] t = new float[SIZE];
        java.util.Arrays.fill(t, eta);
        return new StepSizeTable(t, Integer.MAX_VALUE);
    }

    /** Step size for staleness {@code tau >= 0}. */
    public float eta(long tau) {
        return eta[(int) Math.min(tau, SIZE - 1)];
    }

    /** Whether a gradient of staleness {@code tau} is discarded instead of applied. */
    public boolean drops(long tau) {
        return tau > dropAbove;
    }

    /** Copy of the first {@code n} entries (for reports and tests). */
    public float[] head(int n) {
        return java.util.Arrays.copyOf(eta, Math.min(n, SIZE));
    }
}
