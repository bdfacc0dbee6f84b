package org.leashed.kernel.elastic;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The parallelism-regulation half of the REGULATOR (Alg. D.4) together with PROBESTATE (Alg. D.3):
 * fed one applied update at a time, it decides the level m^E the workers run at.
 *
 * <p>Schedule, counted in applied updates {@code n} as the regulator sees them (the arrival order,
 * which is the thesis' FIFO order):
 * <ul>
 *   <li>a probing phase starts at {@code n = 0} and then at the end of every execution phase; its first
 *       window measures the current level;</li>
 *   <li>a window at level m lasts {@code D_P * m} updates; at its end the measured rate is stored for m
 *       and the next unmeasured level in {@code [c - W_P, c + W_P]} (ascending, clamped to
 *       {@code [1, m-hat]}) is probed, where c is the best level so far in the first phase (a hill climb
 *       that only stops when the best level's neighbourhood is measured, Sec. D.4.4 [a]) and the level
 *       the phase started from in later phases;</li>
 *   <li>when the window is fully measured the phase ends at the level with the best (most negative) rate,
 *       ties to the smaller level, and an execution phase of {@code I_P * m^E} updates follows; the rates
 *       are then forgotten, since m* drifts.</li>
 * </ul>
 * The thesis' equality tests against "next probe start" and "probe finish" are kept: {@code n} grows by
 * exactly one per update, so no boundary is skipped.
 *
 * <p>A window whose rate cannot be estimated (fewer than two distinct report times) counts as measured
 * with rate +infinity, so it is never chosen over a measured level and never probed again in its phase.
 *
 * <p>Confined to the regulator thread. Allocates only when it records a schedule step (at most
 * {@link #MAX_RECORDED_EVENTS} of them), never per update.
 */
final class ProbeController {
    /** Schedule steps kept for the report; later steps are counted, not kept. */
    static final int MAX_RECORDED_EVENTS = 4096;
    /** {@code probeFinishAt} while no window is open (execution phase). */
    private static final long NOT_MEASURING = -1L;

    private final int maxLevel;
    private final long probeInterval;
    private final long probeDuration;
    private final int probeWindow;
    private final double[] rate;       // index = level; NaN = not measured in this phase
    private final SlopeEstimator window = new SlopeEstimator();
    private final List<ProbeEvent> events = new ArrayList<>();

    private int level;
    private boolean firstPhase = true;
    private int phaseStartLevel;
    private long iteration;
    private long nextProbeStart;
    private long probeFinishAt = NOT_MEASURING;
    private long phases;
    private long windows;
    private long eventsDropped;

    ProbeController(int maxLevel, int initialLevel, int probeInterval, int probeDuration, int probeWindow) {
        if (maxLevel < 1) {
            throw new IllegalArgumentException("maxLevel must be >= 1, got " + maxLevel);
        }
        if (initialLevel < 1 || initialLevel > maxLevel) {
            throw new IllegalArgumentException("initialLevel must be in [1, " + maxLevel + "], got " + initialLevel);
        }
        this.maxLevel = maxLevel;
        this.level = initialLevel;
        this.probeInterval = probeInterval;
        this.probeDuration = probeDuration;
        this.probeWindow = probeWindow;
        this.rate = new double[maxLevel + 1];
        Arrays.fill(rate, Double.NaN);
    }

    /** Configuration of {@code elastic} for {@code maxLevel} workers. */
    static ProbeController of(ElasticConfig elastic, int maxLevel) {
        return new ProbeController(maxLevel, elastic.resolvedInitialThreads(maxLevel), elastic.probeInterval(),
                elastic.probeDuration(), elastic.probeWindow());
    }

    /**
     * Takes one applied update, reported at training time {@code nanos} with mini-batch loss
     * {@code loss}, and returns the level to run at from now on.
     */
    int onUpdate(long nanos, double loss) {
        final long n = iteration++;
        if (n == nextProbeStart) {                 // a probing phase begins: measure where we are
            phases++;
            phaseStartLevel = level;
            openWindow(n, nanos, loss, Double.NaN);
        } else if (n == probeFinishAt) {
            window.add(nanos, loss);
            double measured = window.slope();
            rate[level] = Double.isNaN(measured) ? Double.POSITIVE_INFINITY : measured;
            int center = firstPhase ? best() : phaseStartLevel;
            int next = firstUnmeasured(center);
            if (next == 0) {                      // window explored: settle and execute
                firstPhase = false;
                level = best();
                double chosen = rate[level];
                Arrays.fill(rate, Double.NaN);
                probeFinishAt = NOT_MEASURING;
                nextProbeStart = n + probeInterval * level;
                record(n, ProbeEvent.Kind.EXECUTE, chosen);
            } else {
                level = next;
                openWindow(n, nanos, loss, measured);
            }
        } else if (probeFinishAt != NOT_MEASURING) {
            window.add(nanos, loss);
        }
        return level;
    }

    private void openWindow(long n, long nanos, double loss, double previousRate) {
        windows++;
        window.reset();
        window.add(nanos, loss);
        probeFinishAt = n + probeDuration * level;
        record(n, ProbeEvent.Kind.MEASURE, previousRate);
    }

    /** Level with the most negative measured rate, ties to the smaller level; the current level if none. */
    private int best() {
        int arg = 0;
        double min = Double.NaN;
        for (int m = 1; m <= maxLevel; m++) {
            double r = rate[m];
            if (!Double.isNaN(r) && (arg == 0 || r < min)) {
                arg = m;
                min = r;
            }
        }
        return arg == 0 ? level : arg;
    }

    /** First level in {@code [center - W_P, center + W_P]} inside {@code [1, m-hat]} not yet measured, or 0. */
    private int firstUnmeasured(int center) {
        for (int offset = -probeWindow; offset <= probeWindow; offset++) {
            int m = center + offset;
            if (m >= 1 && m <= maxLevel && Double.isNaN(rate[m])) {
                return m;
            }
        }
        return 0;
    }

    private void record(long n, ProbeEvent.Kind kind, double rateBefore) {
        if (events.size() < MAX_RECORDED_EVENTS) {
            events.add(new ProbeEvent(n, level, kind, rateBefore));
        } else {
            eventsDropped++;
        }
    }

    /** Current level m^E. */
    int level() {
        return level;
    }

    /** Updates seen. */
    long iterations() {
        return iteration;
    }

    /** Probing phases begun. */
    long phases() {
        return phases;
    }

    /** Probe windows begun. */
    long windows() {
        return windows;
    }

    /** Whether the first (hill-climbing) phase has ended. */
    boolean settled() {
        return !firstPhase;
    }

    /** The recorded schedule (first {@link #MAX_RECORDED_EVENTS} steps), a copy. */
    List<ProbeEvent> schedule() {
        return List.copyOf(events);
    }

    /** Schedule steps not recorded because the record was full. */
    long eventsDropped() {
        return eventsDropped;
    }
}
