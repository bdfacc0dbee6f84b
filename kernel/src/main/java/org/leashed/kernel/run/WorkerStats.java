package org.leashed.kernel.run;

/**
 * One worker's measurements. Written only by its worker with plain stores; read by the coordinator
 * only after the epoch phaser advanced (the phaser's arrive/await is the happens-before edge), so no
 * field needs an ordered access. Padded at both ends so that two workers' objects never share a
 * cache line with each other's hot counters.
 */
final class WorkerStats {
    static final int STALENESS_BINS = 4096;
    static final int TRIES_BINS = 256;
    static final int SAMPLES = 8192;

    @SuppressWarnings("unused")
    private long p0, p1, p2, p3, p4, p5, p6, p7, p8, p9, p10, p11, p12, p13, p14, p15;
    final long[] staleness = new long[STALENESS_BINS];
    final long[] casTries = new long[TRIES_BINS];
    final long[] tcSamples = new long[SAMPLES];
    final long[] tuSamples = new long[SAMPLES];
    long tcCount;
    long tuCount;
    long tcSum;
    long tuSum;
    long applied;
    long dropped;
    long busyNanos;
    @SuppressWarnings("unused")
    private long q0, q1, q2, q3, q4, q5, q6, q7, q8, q9, q10, q11, q12, q13, q14, q15;

    void recordStaleness(long tau) {
        staleness[(int) Math.min(tau, STALENESS_BINS - 1)]++;
    }

    void recordTries(int attempts) {
        casTries[Math.min(attempts, TRIES_BINS - 1)]++;
    }

    void recordTc(long nanos) {
        tcSamples[(int) (tcCount % SAMPLES)] = nanos;
        tcCount++;
        tcSum += nanos;
    }

    void recordTu(long nanos) {
        tuSamples[(int) (tuCount % SAMPLES)] = nanos;
        tuCount++;
        tuSum += nanos;
    }
}
