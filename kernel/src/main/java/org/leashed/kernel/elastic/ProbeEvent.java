package org.leashed.kernel.elastic;

/**
 * One step of the probe schedule: from applied update {@code iteration} (0-based count of updates the
 * regulator has seen) the workers run at {@code level}.
 *
 * @param iteration  regulator's count of applied updates when the step began
 * @param level      parallelism m^E from then on
 * @param kind       {@link Kind#MEASURE}: a probe window at {@code level} begins; {@link Kind#EXECUTE}: a
 *                   probing phase ended and an execution phase at the chosen level begins
 * @param rateBefore for EXECUTE, the estimated convergence rate (loss per second) of the chosen level;
 *                   for MEASURE, the rate just measured for the previous window, NaN at a phase's first window
 */
public record ProbeEvent(long iteration, int level, Kind kind, double rateBefore) {
    /** What begins at {@link #iteration()}. */
    public enum Kind { MEASURE, EXECUTE }
}
