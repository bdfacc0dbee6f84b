package org.leashed.kernel.algo;

/**
 * One worker's measurements: staleness histogram (with an overflow bin), CAS-attempt histogram, T_c
 * and T_u samples in fixed rings (the last {@value #SAMPLES} of each; sums and counts cover all),
 * counters. Preallocated; recording allocates nothing and takes no lock.
 *
 * <h2>Memory ordering</h2>
 * <table>
 *   <tr><th>field</th><th>writer</th><th>reader</th><th>edge</th></tr>
 *   <tr><td>all</td><td>plain, by the owning worker only</td><td>plain, by the coordinator</td>
 *       <td>the coordinator reads only after the epoch phaser advanced (or after joining the
 *       worker): the worker's arrive happens-before the coordinator's await that returns.</td></tr>
 * </table>
 * Padded at both ends so that two workers' hot counters never share a cache line.
 */
public final class WorkerMetrics {
    /** Staleness values with their own bin; larger ones land in the last (overflow) bin. */
    public static final int STALENESS_BINS = 4096;
    /** CAS-attempt counts with their own bin; larger ones land in the last bin. */
    public static final int TRIES_BINS = 256;
    /** Ring size for T_c and T_u samples per worker. */
    public static final int SAMPLES = 8192;

    @SuppressWarnings("unused")
    private long p0, p1, p2, p3, p4, p5, p6, p7, p8, p9, p10, p11, p12, p13, p14, p15;
    private final long[] staleness = new long[STALENESS_BINS];
    private final long[] casTries = new long[TRIES_BINS];
    private final long[] tcSamples = new long[SAMPLES];
    private final long[] tuSamples = new long[SAMPLES];
    private long tcCount;
    private long tuCount;
    private long tcSum;
    private long tuSum;
    private long applied;
    private long dropped;
    private long gaveUp;
    private long busyNanos;
    @SuppressWarnings("unused")
    private long q0, q1, q2, q3, q4, q5, q6, q7, q8, q9, q10, q11, q12, q13, q14, q15;

    /** One applied update of staleness {@code tau >= 0}. */
    public void recordApplied(long tau) {
        assert tau >= 0 : tau;
        staleness[(int) Math.min(tau, STALENESS_BINS - 1)]++;
        applied++;
    }

    /** A computed gradient discarded because its staleness exceeds the step-size strategy's limit. */
    public void recordDropped() {
        dropped++;
    }

    /** A Leashed-SGD update abandoned after exceeding the persistence bound. */
    public void recordGaveUp() {
        gaveUp++;
    }

    /** CAS attempts (1 = first try) of one published Leashed-SGD update. */
    public void recordTries(int attempts) {
        casTries[Math.min(attempts, TRIES_BINS - 1)]++;
    }

    /** One gradient computation's duration. */
    public void recordTc(long nanos) {
        tcSamples[(int) (tcCount % SAMPLES)] = nanos;
        tcCount++;
        tcSum += nanos;
    }

    /** One update application's duration (for LSH the whole LAU-SPC loop). */
    public void recordTu(long nanos) {
        tuSamples[(int) (tuCount % SAMPLES)] = nanos;
        tuCount++;
        tuSum += nanos;
    }

    /** Active wall time of one epoch. */
    public void recordBusy(long nanos) {
        busyNanos += nanos;
    }

    public long applied() {
        return applied;
    }

    public long dropped() {
        return dropped;
    }

    public long gaveUp() {
        return gaveUp;
    }

    public long busyNanos() {
        return busyNanos;
    }

    public long tcCount() {
        return tcCount;
    }

    public long tuCount() {
        return tuCount;
    }

    public long tcSumNanos() {
        return tcSum;
    }

    public long tuSumNanos() {
        return tuSum;
    }

    /** Adds this worker's staleness histogram into {@code into} (length {@link #STALENESS_BINS}). */
    public void addStalenessTo(long[] into) {
        for (int i = 0; i < STALENESS_BINS; i++) {
            into[i] += staleness[i];
        }
    }

    /** Adds this worker's CAS-attempt histogram into {@code into} (length {@link #TRIES_BINS}). */
    public void addTriesTo(long[] into) {
        for (int i = 0; i < TRIES_BINS; i++) {
            into[i] += casTries[i];
        }
    }

    /** Copies the retained T_c (or T_u) samples to {@code into} at {@code at}; returns how many. */
    public int copySamples(boolean tc, long[] into, int at) {
        int n = retainedSamples(tc);
        System.arraycopy(tc ? tcSamples : tuSamples, 0, into, at, n);
        return n;
    }

    /** Number of retained T_c (or T_u) samples. */
    public int retainedSamples(boolean tc) {
        return (int) Math.min(tc ? tcCount : tuCount, SAMPLES);
    }
}
