package org.leashed.kernel.elastic;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.leashed.memory.ParameterVector;
import org.leashed.memory.VectorPool;

/**
 * Online measurement of the asynchrony-induced noise (Def. D.4.2) with frozen gradients
 * (Statement D.4.3): the update applied at iteration i was computed on theta_j, j = i - tau_i, so it is
 * the sequentially correct update of iteration j; comparing it with the update delta_j actually applied
 * at iteration j gives {@code xi_j = eta * ||delta_j - grad_w(theta_j)||}. As in Alg. D.4, only the first
 * viewer of theta_j to report measures xi_j; a viewer with tau = 0 is the writer of iteration j itself
 * and measures xi_j = 0 without any copy.
 *
 * <p>Sampling-noise floor (an extension, not in the thesis): the two gradients compared come from
 * different workers' mini-batches, so besides the asynchrony part xi carries the sampling noise of two
 * independent batches, which does not depend on m and at mini-batch sizes can dominate it. When
 * delta_j itself had tau = 0 it was computed on theta_j, like its first other viewer's gradient: their
 * scaled distance {@code phi_j = eta * ||g_B(theta_j) - g_B'(theta_j)||} is that noise alone. Those
 * pairs are measured as well (the tau = 0 writer then copies its gradient when another worker may be
 * active), and {@link #summary()} estimates the asynchrony part of the stale updates' xi as
 * {@code sqrt(max(0, mean(xi^2 | tau > 0) - mean(phi^2)))}: for independent batches E xi^2 is the
 * squared gradient drift plus the two batches' variance, and E phi^2 is that variance when it changes
 * slowly along the trajectory. xi_j itself stays 0 for tau = 0, as Def. D.4.2 has it.
 *
 * <p>Iterations: every report names the iteration i its update was applied as and the iteration j of
 * the state it read (ASYNC: the sequence under the lock; HOG: the total order of the update counter;
 * LSH: the base and view sequence numbers). Reports reach the regulator out of iteration order (per-worker
 * rings), so a slot waits for whichever of delta_j and the first viewer's gradient comes second.
 *
 * <p>Cost and sampling: a worker copies its gradient ({@code d} floats, about the memory traffic of one
 * T_u: one read and one write stream against axpy's two reads and one write) only when the copy can be
 * used: when i is a sampled iteration (its delta_i is frozen for the viewers of theta_i) or j is (it is
 * a viewer), and tau &gt; 0. With sampling period k ({@link ElasticConfig#xiSampleEvery()}) at most about
 * 2/k of the updates copy; the regulator then spends one read of two vectors per measured xi. The
 * default k = 1 follows the thesis.
 *
 * <p>Memory: copies come from a bounded off-heap {@link VectorPool} of dimension d and capacity C. A
 * worker reserves a unit of the budget before it allocates and the regulator returns it after it frees
 * the vector, so at most C copies are ever live; when the budget is exhausted the worker sends no copy
 * and the sample is lost (counted). The regulator keeps C slots indexed by {@code (j / k) mod C}; an
 * entry older than C sampled iterations is evicted (freed) when its slot is needed again, so staleness
 * beyond {@code C * k} goes unmeasured (counted) and nothing can leak; {@link #close()} frees the rest.
 *
 * <h2>Memory ordering</h2>
 * <table>
 *   <tr><th>field</th><th>writer</th><th>reader</th><th>edge</th></tr>
 *   <tr><td>copy data, bySlot[slot]</td><td>plain, by the worker that allocated the vector</td><td>plain,
 *       regulator</td><td>the worker's {@link ReportRing} release of the report that names the slot →
 *       the regulator's acquire.</td></tr>
 *   <tr><td>pool free stack</td><td colspan="2">{@link VectorPool} CASes</td><td>the regulator's reads of
 *       a copy happen-before the next owner's writes (free pushes with a CAS, allocate pops with one).</td></tr>
 *   <tr><td>reserved</td><td>getAndIncrement / getAndDecrement</td><td>same</td><td>a counter only; it
 *       bounds live copies because a unit is taken before allocate and given back after free.</td></tr>
 *   <tr><td>everything else</td><td colspan="3">plain, regulator-confined (then the coordinator after
 *       joining the regulator).</td></tr>
 * </table>
 */
final class XiMeter {
    /** Report field: the worker sent no gradient copy. */
    static final int NO_COPY = -1;
    /** Slot tag of an empty slot (iterations are non-negative). */
    private static final long EMPTY = -1L;
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;
    /** Staleness buckets of {@link #xiByStaleness()}: tau = 1, 2, 3-4, 5-8, ..., 33-64, 65 and above. */
    static final int TAU_BUCKETS = 8;

    private final VectorPool pool;
    private final int capacity;
    private final int sampleEvery;
    private final double eta;
    private final ParameterVector[] bySlot;
    private final AtomicInteger reserved = new AtomicInteger();
    private final AtomicLong budgetMisses = new AtomicLong();
    private final int[] uses;                 // per pool slot, regulator only
    private final long[] tag;                 // per measurement slot: the sampled iteration it holds
    private final int[] frozen;               // pool slot of delta_tag, or NO_COPY
    private final int[] viewer;               // pool slot of the first viewer's gradient, or NO_COPY
    private final boolean[] resolved;         // xi_tag measured or unmeasurable
    private final boolean[] floorPending;     // delta_tag had tau = 0 and is frozen, waiting for a viewer
    private final long[] frozenTau;           // staleness of the frozen delta_tag
    private final double[] tauBucketSum;      // stale xi by staleness bucket (see bucket())
    private final long[] tauBucketCount;
    private final DecimatingSeries series;
    private long count;                       // xi measurements, tau = 0 zeros included
    private long sampledReports;              // reports of a sampled iteration i: each iteration once
    private long sampledTauZero;              // those with tau = 0
    private double staleSum;                  // xi over tau > 0 only
    private double staleSquares;
    private long staleCount;
    private double floorSum;                  // phi: same state, two batches
    private double floorSquares;
    private long floorCount;
    private long horizonMisses;
    private int livePeak;

    XiMeter(int dimension, int capacity, int sampleEvery, double eta, boolean poison, int seriesPoints) {
        if (capacity < 2) {
            throw new IllegalArgumentException("frozen capacity must be >= 2, got " + capacity);
        }
        this.pool = new VectorPool(dimension, capacity, poison);
        this.capacity = capacity;
        this.sampleEvery = sampleEvery;
        this.eta = eta;
        this.bySlot = new ParameterVector[capacity];
        this.uses = new int[capacity];
        this.tag = new long[capacity];
        this.frozen = new int[capacity];
        this.viewer = new int[capacity];
        this.resolved = new boolean[capacity];
        this.floorPending = new boolean[capacity];
        this.frozenTau = new long[capacity];
        this.tauBucketSum = new double[TAU_BUCKETS];
        this.tauBucketCount = new long[TAU_BUCKETS];
        Arrays.fill(tag, EMPTY);
        Arrays.fill(frozen, NO_COPY);
        Arrays.fill(viewer, NO_COPY);
        this.series = new DecimatingSeries(seriesPoints);
    }

    // ------------------------------------------------------------------ worker side

    /**
     * Whether the update applied at iteration {@code i}, computed on theta_{@code j}, should send a copy.
     * {@code othersActive}: another worker may be active, so a tau = 0 gradient can meet a second
     * gradient of the same state (the floor); with one worker nobody else views it and no copy is made.
     * A floor copy is also skipped while half the budget is in use: xi's own copies come first.
     */
    boolean needsCopy(long i, long j, boolean othersActive) {
        final long k = sampleEvery;
        if (i != j) {
            return i % k == 0 || j % k == 0;
        }
        // volatile read of the budget counter: a hint; freeze() still takes its unit atomically
        return othersActive && i % k == 0 && reserved.get() < capacity / 2;
    }

    /**
     * Worker side: copies {@code gradient} into a pooled vector and returns its slot, or {@link #NO_COPY}
     * when the budget is exhausted. Allocates nothing on the heap.
     */
    int freeze(MemorySegment gradient) {
        // atomic RMW: take a unit of the budget before allocating, so that live copies never exceed capacity.
        if (reserved.getAndIncrement() >= capacity) {
            reserved.getAndDecrement(); // atomic RMW: give the unit back
            budgetMisses.getAndIncrement(); // atomic RMW: statistics only
            return NO_COPY;
        }
        ParameterVector v = pool.allocate();
        MemorySegment.copy(gradient, 0, v.data(), 0, v.data().byteSize());
        bySlot[v.slot()] = v; // plain: published by the report ring's release
        return v.slot();
    }

    // ------------------------------------------------------------------ regulator side

    /**
     * Regulator side: one applied update, at iteration {@code i} from a view of iteration {@code j}, with
     * gradient copy {@code copy} (or {@link #NO_COPY}), reported at {@code seconds} of training time.
     */
    void onReport(long i, long j, int copy, double seconds) {
        final long k = sampleEvery;
        if (copy != NO_COPY) {
            uses[copy] = 1; // the report's own reference, dropped at the end
            livePeak = Math.max(livePeak, (int) pool.liveVectors()); // volatile read inside: statistics only
        }
        if (i % k == 0) {                                   // delta_i, for the viewers of theta_i
            sampledReports++;
            if (i == j) {
                sampledTauZero++;
            }
            int s = claim(i);
            if (s >= 0 && !resolved[s]) {
                if (i == j) {
                    // tau = 0: the writer is the first viewer, xi_i = 0; its gradient, if copied, and the
                    // first other viewer's are two batches at theta_i: a floor sample, now or later
                    if (copy != NO_COPY && viewer[s] != NO_COPY) {
                        floor(eta * distance(copy, viewer[s]));
                    } else if (copy != NO_COPY) {
                        frozen[s] = copy;
                        uses[copy]++;
                        floorPending[s] = true;
                    }
                    resolve(s, 0.0, false, seconds);
                } else if (copy == NO_COPY) {
                    resolve(s, Double.NaN, true, seconds);  // no frozen delta_i: unmeasurable
                } else if (viewer[s] != NO_COPY) {
                    byStaleness(i - j, resolve(s, eta * distance(copy, viewer[s]), true, seconds));
                } else {
                    frozen[s] = copy;
                    frozenTau[s] = i - j;
                    uses[copy]++;
                }
            }
        }
        if (i != j && j % k == 0) {                         // a viewer of theta_j
            int s = claim(j);
            if (s < 0) {
                horizonMisses++;                            // tau beyond the frozen horizon
            } else if (copy != NO_COPY) {
                if (floorPending[s]) {                      // delta_j had tau = 0: same state, two batches
                    floor(eta * distance(frozen[s], copy));
                    floorPending[s] = false;
                    release(frozen[s]);
                    frozen[s] = NO_COPY;
                } else if (resolved[s]) {
                    // measured already; nothing to keep
                } else if (frozen[s] != NO_COPY) {
                    byStaleness(frozenTau[s], resolve(s, eta * distance(frozen[s], copy), true, seconds));
                } else if (viewer[s] == NO_COPY) {
                    viewer[s] = copy;                       // first viewer to report; waits for delta_j
                    uses[copy]++;
                }
            }
        }
        if (copy != NO_COPY) {
            release(copy);
        }
    }

    /** The slot for sampled iteration {@code x}, evicting an older entry; -1 if a newer entry holds it. */
    private int claim(long x) {
        int s = (int) ((x / sampleEvery) % capacity);
        long held = tag[s];
        if (held == x) {
            return s;
        }
        if (held > x) {
            return -1;
        }
        clear(s);
        tag[s] = x;
        return s;
    }

    /** Records xi of slot {@code s} ({@code stale}: tau > 0) and frees its copies, but a floor-pending delta. */
    private double resolve(int s, double xi, boolean stale, double seconds) {
        resolved[s] = true;
        if (!Double.isNaN(xi)) {
            count++;
            series.add(seconds, xi);
            if (stale) {
                staleSum += xi;
                staleSquares += xi * xi;
                staleCount++;
            }
        }
        if (frozen[s] != NO_COPY && !floorPending[s]) {
            release(frozen[s]);
            frozen[s] = NO_COPY;
        }
        if (viewer[s] != NO_COPY) {
            release(viewer[s]);
            viewer[s] = NO_COPY;
        }
        return xi;
    }

    /** Files the stale xi {@code xi} of a delta with staleness {@code tau} (&gt;= 1) in its bucket. */
    private void byStaleness(long tau, double xi) {
        final int b = bucket(tau);
        tauBucketSum[b] += xi;
        tauBucketCount[b]++;
    }

    /** 0 for tau = 1, 1 for 2, 2 for 3-4, 3 for 5-8, ...; the last bucket takes everything above. */
    static int bucket(long tau) {
        final int b = 64 - Long.numberOfLeadingZeros(tau - 1); // ceil(log2(tau)) for tau >= 1
        return Math.min(b, TAU_BUCKETS - 1);
    }

    private void floor(double phi) {
        floorSum += phi;
        floorSquares += phi * phi;
        floorCount++;
    }

    private void clear(int s) {
        floorPending[s] = false;
        if (frozen[s] != NO_COPY) {
            release(frozen[s]);
            frozen[s] = NO_COPY;
        }
        if (viewer[s] != NO_COPY) {
            release(viewer[s]);
            viewer[s] = NO_COPY;
        }
        resolved[s] = false;
        tag[s] = EMPTY;
    }

    private void release(int slot) {
        if (--uses[slot] == 0) {
            pool.free(bySlot[slot]);
            reserved.getAndDecrement(); // atomic RMW: the unit goes back only after the vector is free
        }
    }

    private double distance(int a, int b) {
        final MemorySegment x = bySlot[a].data();
        final MemorySegment y = bySlot[b].data();
        final long n = x.byteSize() / Float.BYTES;
        double s0 = 0;
        double s1 = 0;
        long q = 0;
        for (; q + 1 < n; q += 2) {
            double e0 = x.getAtIndex(F, q) - y.getAtIndex(F, q);
            double e1 = x.getAtIndex(F, q + 1) - y.getAtIndex(F, q + 1);
            s0 += e0 * e0;
            s1 += e1 * e1;
        }
        for (; q < n; q++) { // scalar tail
            double e = x.getAtIndex(F, q) - y.getAtIndex(F, q);
            s0 += e * e;
        }
        return Math.sqrt(s0 + s1);
    }

    /** Regulator (or coordinator after joining it): frees every copy still held. */
    void evictAll() {
        for (int s = 0; s < capacity; s++) {
            clear(s);
        }
    }

    /** Frees the pool's memory; call after {@link #evictAll()} and after every worker stopped. */
    void close() {
        pool.close();
    }

    /**
     * Mean xi over the sampled iterations: 0 for the tau = 0 ones, the measured mean for the stale ones,
     * weighted by how many of each were applied. Not the plain mean of the measurements: those are
     * biased towards 0, since a tau = 0 xi is known without a copy while a stale one needs two copies
     * and is lost when the budget runs out (at batch 64 on 2 cores the plain mean was an eighth of this).
     * 0 if every sampled update had tau = 0; NaN if none was sampled, or stale ones were but none measured.
     */
    double meanXi() {
        final long stale = sampledReports - sampledTauZero;
        if (sampledReports == 0 || stale > 0 && staleCount == 0) {
            return Double.NaN;
        }
        return stale == 0 ? 0.0 : (double) stale / sampledReports * (staleSum / staleCount);
    }

    long samples() {
        return count;
    }

    /**
     * Mean stale xi by staleness of the applied update: rows {@code [lowest tau, mean xi, samples]} for
     * the buckets with samples; a bucket reaches up to the next bucket's lowest tau minus 1
     * (1, 2, 3-4, 5-8, ..., the last one open).
     */
    List<double[]> xiByStaleness() {
        ArrayList<double[]> rows = new ArrayList<>();
        for (int b = 0; b < TAU_BUCKETS; b++) {
            if (tauBucketCount[b] > 0) {
                double lowest = b == 0 ? 1 : (1L << (b - 1)) + 1;
                rows.add(new double[] {lowest, tauBucketSum[b] / tauBucketCount[b], tauBucketCount[b]});
            }
        }
        return rows;
    }

    /** xi split into the stale updates' part, the sampling-noise floor and the estimated asynchrony part. */
    XiSummary summary() {
        double staleMean = staleCount == 0 ? Double.NaN : staleSum / staleCount;
        double floorMean = floorCount == 0 ? Double.NaN : floorSum / floorCount;
        double async = staleCount == 0 || floorCount == 0 ? Double.NaN
                : Math.sqrt(Math.max(0, staleSquares / staleCount - floorSquares / floorCount));
        return new XiSummary(staleMean, staleCount, floorMean, floorCount, async, xiByStaleness());
    }

    List<double[]> points() {
        return series.points();
    }

    long liveCopies() {
        return pool.liveVectors();
    }

    long livePeak() {
        return Math.max(livePeak, pool.liveVectorsPeak());
    }

    int capacity() {
        return capacity;
    }

    long budgetMisses() {
        return budgetMisses.get(); // volatile: statistics
    }

    long horizonMisses() {
        return horizonMisses;
    }
}
