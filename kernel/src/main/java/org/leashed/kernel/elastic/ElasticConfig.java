package org.leashed.kernel.elastic;

/**
 * Settings of ELAsyncSGD (thesis Ch. D): elastic parallelism between 1 and the run's thread count
 * (m-hat), probing of adjacent levels, and the online measurement of the asynchrony-induced noise xi.
 * Immutable, validated once; values that depend on m-hat are resolved by the {@code resolved...}
 * methods.
 *
 * @param initialThreads  m_0^E, the level the run starts at, or {@link #AUTO} for m-hat / 2 (at least 1)
 * @param probeInterval   I_P as a multiple of the current level: an execution phase lasts
 *                        {@code probeInterval * m^E} applied updates (thesis D.6: 100)
 * @param probeDuration   D_P as a multiple of the probed level: each probe window lasts
 *                        {@code probeDuration * m} applied updates (thesis D.6: 10)
 * @param probeWindow     W_P, how far a probing phase looks from the previous best level (thesis D.6: 1)
 * @param xiSampleEvery   k: xi is measured for the iterations that are multiples of k (1 = every
 *                        iteration, as in the thesis); larger k divides the gradient-copy cost by k
 * @param frozenCapacity  most frozen gradient copies alive at once (off-heap, {@code d} floats each), or
 *                        {@link #AUTO} for {@code 4 * m-hat + 4}; it also bounds the staleness xi can be
 *                        measured for, to {@code frozenCapacity * xiSampleEvery} iterations
 * @param baselineThreads m^S, the best static level to compare worker-seconds against (D.11), or
 *                        {@link #NO_BASELINE} to compare against m-hat only
 */
public record ElasticConfig(int initialThreads, int probeInterval, int probeDuration, int probeWindow,
                            int xiSampleEvery, int frozenCapacity, int baselineThreads) {
    /** {@code initialThreads} / {@code frozenCapacity}: derive the value from m-hat. */
    public static final int AUTO = 0;
    /** {@code baselineThreads}: no best static level was given; compare against m-hat only. */
    public static final int NO_BASELINE = 0;
    /** Thesis D.6: I_P = 100 m. */
    public static final int DEFAULT_PROBE_INTERVAL = 100;
    /** Thesis D.6: D_P = 10 m. */
    public static final int DEFAULT_PROBE_DURATION = 10;
    /** Thesis D.6: W_P = 1. */
    public static final int DEFAULT_PROBE_WINDOW = 1;
    /** Measure xi on every iteration, as the thesis does. */
    public static final int DEFAULT_XI_SAMPLE_EVERY = 1;
    /** Largest accepted multiplier, so that {@code multiplier * m-hat} stays far from overflow. */
    public static final int MAX_MULTIPLIER = 1 << 20;

    /**
     * @throws IllegalArgumentException naming the parameter, its value and the accepted range
     */
    public ElasticConfig {
        if (initialThreads < 0) {
            throw new IllegalArgumentException("initialThreads must be >= 1, or AUTO (0) for m-hat/2, got " + initialThreads);
        }
        checkMultiplier("probeInterval", probeInterval);
        checkMultiplier("probeDuration", probeDuration);
        if (probeWindow < 1 || probeWindow > MAX_MULTIPLIER) {
            throw new IllegalArgumentException("probeWindow must be in [1, " + MAX_MULTIPLIER + "], got " + probeWindow);
        }
        checkMultiplier("xiSampleEvery", xiSampleEvery);
        if (frozenCapacity < 0 || frozenCapacity == 1) {
            throw new IllegalArgumentException("frozenCapacity must be >= 2, or AUTO (0) for 4 * m-hat + 4, got " + frozenCapacity);
        }
        if (baselineThreads < 0) {
            throw new IllegalArgumentException("baselineThreads must be >= 1, or NO_BASELINE (0), got " + baselineThreads);
        }
    }

    private static void checkMultiplier(String name, int value) {
        if (value < 1 || value > MAX_MULTIPLIER) {
            throw new IllegalArgumentException(name + " must be in [1, " + MAX_MULTIPLIER + "], got " + value);
        }
    }

    /** The thesis' evaluation settings (D.6): m_0 = m-hat / 2, I_P = 100 m, D_P = 10 m, W_P = 1; xi on every iteration. */
    public static ElasticConfig defaults() {
        return new ElasticConfig(AUTO, DEFAULT_PROBE_INTERVAL, DEFAULT_PROBE_DURATION, DEFAULT_PROBE_WINDOW,
                DEFAULT_XI_SAMPLE_EVERY, AUTO, NO_BASELINE);
    }

    /** Same settings with other I_P, D_P, W_P. */
    public ElasticConfig withProbing(int interval, int duration, int window) {
        return new ElasticConfig(initialThreads, interval, duration, window, xiSampleEvery, frozenCapacity, baselineThreads);
    }

    /** Same settings with another m_0 ({@link #AUTO} for m-hat / 2). */
    public ElasticConfig withInitialThreads(int threads) {
        return new ElasticConfig(threads, probeInterval, probeDuration, probeWindow, xiSampleEvery, frozenCapacity, baselineThreads);
    }

    /** Same settings with another xi sampling period k. */
    public ElasticConfig withXiSampleEvery(int every) {
        return new ElasticConfig(initialThreads, probeInterval, probeDuration, probeWindow, every, frozenCapacity, baselineThreads);
    }

    /** Same settings with another frozen-gradient capacity ({@link #AUTO} for 4 m-hat + 4). */
    public ElasticConfig withFrozenCapacity(int capacity) {
        return new ElasticConfig(initialThreads, probeInterval, probeDuration, probeWindow, xiSampleEvery, capacity, baselineThreads);
    }

    /** Same settings with a best static level m^S to compare against ({@link #NO_BASELINE} for none). */
    public ElasticConfig withBaselineThreads(int threads) {
        return new ElasticConfig(initialThreads, probeInterval, probeDuration, probeWindow, xiSampleEvery, frozenCapacity, threads);
    }

    /**
     * Checks the settings against m-hat.
     *
     * @throws IllegalArgumentException if {@code initialThreads} exceeds {@code maxThreads}
     */
    public void validateAgainst(int maxThreads) {
        if (initialThreads > maxThreads) {
            throw new IllegalArgumentException("elastic initialThreads must be <= threads (m-hat = " + maxThreads
                    + "), got " + initialThreads);
        }
    }

    /** m_0^E for a run with at most {@code maxThreads} workers. */
    public int resolvedInitialThreads(int maxThreads) {
        return initialThreads == AUTO ? Math.max(1, maxThreads / 2) : initialThreads;
    }

    /** Frozen-gradient capacity for a run with at most {@code maxThreads} workers. */
    public int resolvedFrozenCapacity(int maxThreads) {
        return frozenCapacity == AUTO ? 4 * maxThreads + 4 : frozenCapacity;
    }

    /** The static level R^S is reported against: m^S when given, else m-hat. */
    public int resolvedBaselineThreads(int maxThreads) {
        return baselineThreads == NO_BASELINE ? maxThreads : baselineThreads;
    }
}
