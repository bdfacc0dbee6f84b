package org.leashed.kernel.elastic;

import java.util.List;

/**
 * The xi measurements of a run taken apart (see {@code XiMeter}): the stale updates' xi, the
 * sampling-noise floor measured on pairs of gradients of one state, and the asynchrony part estimated
 * from the two. NaN where a part has no sample.
 *
 * @param meanStale     mean xi over the updates with tau &gt; 0 (the run's mean xi also counts the
 *                      tau = 0 updates, whose xi is 0)
 * @param staleSamples  xi samples with tau &gt; 0
 * @param meanFloor     mean of {@code eta * ||g_B(theta) - g_B'(theta)||} over pairs of workers'
 *                      gradients of the same state: the part of xi that two independent mini-batches
 *                      contribute whatever m is (0 for deterministic gradients)
 * @param floorSamples  floor samples
 * @param asyncRms      {@code sqrt(max(0, mean(xi^2 | tau > 0) - mean(floor^2)))}: the root mean square
 *                      of the stale updates' xi with the sampling noise taken out
 * @param byStaleness   rows {@code [lowest tau, mean xi, samples]} of the stale updates' xi by the
 *                      staleness of the applied update, in buckets 1, 2, 3-4, 5-8, ... (the last open)
 */
public record XiSummary(double meanStale, long staleSamples, double meanFloor, long floorSamples, double asyncRms,
                        List<double[]> byStaleness) {
    /** No measurement (xi metering off). */
    public static final XiSummary NONE = new XiSummary(Double.NaN, 0, Double.NaN, 0, Double.NaN, List.of());

    public XiSummary {
        if (staleSamples < 0 || floorSamples < 0) {
            throw new IllegalArgumentException("sample counts must be >= 0, got " + staleSamples + " and " + floorSamples);
        }
        byStaleness = List.copyOf(byStaleness);
    }
}
