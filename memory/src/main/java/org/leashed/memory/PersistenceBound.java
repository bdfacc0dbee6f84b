package org.leashed.memory;

/**
 * The persistence bound {@code T_p} of the LAU-SPC loop (Alg. B.3, B.4.2): how many failed publication
 * CASes an update survives before its candidate is discarded. {@code of(0)} gives load-linked /
 * store-conditional semantics (an update is published only if nothing was published since it read
 * the latest vector), {@link #unbounded()} retries until it succeeds. Immutable.
 */
public final class PersistenceBound {
    private static final PersistenceBound UNBOUNDED = new PersistenceBound(Integer.MAX_VALUE, false);
    private static final PersistenceBound[] SMALL = {new PersistenceBound(0, true), new PersistenceBound(1, true),
            new PersistenceBound(2, true), new PersistenceBound(3, true)};

    private final int maxFailedAttempts;
    private final boolean bounded;

    private PersistenceBound(int maxFailedAttempts, boolean bounded) {
        this.maxFailedAttempts = maxFailedAttempts;
        this.bounded = bounded;
    }

    /**
     * {@code T_p = k}: give up after {@code k + 1} failed attempts ({@code num_tries > T_p}).
     *
     * @throws IllegalArgumentException if {@code k < 0}
     */
    public static PersistenceBound of(int k) {
        if (k < 0) {
            throw new IllegalArgumentException("persistence bound k must be >= 0 (or unbounded()), got " + k);
        }
        return k < SMALL.length ? SMALL[k] : new PersistenceBound(k, true);
    }

    /** {@code T_p = infinity}: retry until the publication succeeds. */
    public static PersistenceBound unbounded() {
        return UNBOUNDED;
    }

    /**
     * Parses the CLI spelling: a non-negative integer, or {@code inf} / {@code infinity} (any case).
     *
     * @throws IllegalArgumentException naming the text and the accepted forms
     */
    public static PersistenceBound parse(String text) {
        String t = text.strip();
        if (t.equalsIgnoreCase("inf") || t.equalsIgnoreCase("infinity")) {
            return UNBOUNDED;
        }
        // Integer.parseInt takes any Unicode digit; only ASCII digits are the CLI spelling.
        if (t.isEmpty() || !t.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException("persistence bound must be an integer >= 0 or 'inf', got '" + text + "'");
        }
        try {
            return of(Integer.parseInt(t));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("persistence bound must be an integer >= 0 or 'inf', got '" + text + "'", e);
        }
    }

    /** Whether another attempt is allowed after {@code failedAttempts} failed CASes of one update. */
    public boolean allows(int failedAttempts) {
        return !bounded || failedAttempts <= maxFailedAttempts;
    }

    /** Whether this is {@link #unbounded()}. */
    public boolean isUnbounded() {
        return !bounded;
    }

    /**
     * The bound {@code k}.
     *
     * @throws IllegalStateException if unbounded
     */
    public int bound() {
        if (!bounded) {
            throw new IllegalStateException("unbounded persistence has no finite bound");
        }
        return maxFailedAttempts;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PersistenceBound p && p.bounded == bounded && p.maxFailedAttempts == maxFailedAttempts;
    }

    @Override
    public int hashCode() {
        return bounded ? maxFailedAttempts : -1;
    }

    /** {@code "0"}, {@code "1"}, ... or {@code "inf"}: the CLI spelling, accepted by {@link #parse}. */
    @Override
    public String toString() {
        return bounded ? Integer.toString(maxFailedAttempts) : "inf";
    }
}
