package org.leashed.kernel.stepsize;

import java.util.Arrays;

/**
 * Step size per staleness, precomputed: {@code eta(tau)} is one array load on the hot path, no
 * allocation, no dispatch. Immutable: a new table is built off the clock whenever the observed
 * staleness distribution is re-read, and handed to the workers at an epoch boundary (the epoch
 * phaser is the happens-before edge; the array is never written after construction).
 */
public final class StepSizeTable {
    /** Staleness values with their own entry; larger ones use the last entry. */
    public static final int SIZE = 1024;
    /** {@link #dropAbove()} of a table that applies every staleness. */
    public static final int NO_DROP = Integer.MAX_VALUE;

    private final float[] eta;
    private final int dropAbove;

    StepSizeTable(float[] eta, int dropAbove) {
        if (eta.length != SIZE) {
            throw new IllegalArgumentException("table must have " + SIZE + " entries, got " + eta.length);
        }
        if (dropAbove < 0) {
            throw new IllegalArgumentException("dropAbove must be >= 0 or NO_DROP, got " + dropAbove);
        }
        for (int tau = 0; tau < SIZE; tau++) {
            if (!(eta[tau] >= 0) || Float.isInfinite(eta[tau])) {
                throw new IllegalArgumentException("eta(" + tau + ") must be finite and >= 0, got " + eta[tau]);
            }
        }
        this.eta = eta;
        this.dropAbove = dropAbove;
    }

    /** Constant {@code eta}, nothing dropped. */
    public static StepSizeTable constant(float eta) {
        float[] t = new float[SIZE];
        Arrays.fill(t, eta);
        return new StepSizeTable(t, NO_DROP);
    }

    /** Step size for staleness {@code tau >= 0}. */
    public float eta(long tau) {
        assert tau >= 0 : tau;
        return eta[(int) Math.min(tau, SIZE - 1)];
    }

    /** Whether a gradient of staleness {@code tau} is discarded instead of applied. */
    public boolean drops(long tau) {
        return tau > dropAbove;
    }

    /** Whether any staleness is dropped (MindTheStep's limit). */
    public boolean dropsAny() {
        return dropAbove != NO_DROP;
    }

    /** Largest applied staleness, or {@link #NO_DROP}. */
    public int dropAbove() {
        return dropAbove;
    }

    /** Copy of the first {@code n} entries (for reports and tests). */
    public float[] head(int n) {
        return Arrays.copyOf(eta, Math.min(n, SIZE));
    }
}
