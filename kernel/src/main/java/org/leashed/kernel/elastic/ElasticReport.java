package org.leashed.kernel.elastic;

import java.util.List;
import java.util.Objects;

/**
 * What an elastic (ELAsyncSGD) run measured. Times are training seconds (loss evaluation between
 * epochs excluded), the same axis as the epoch records.
 *
 * @param parallelism            [t, m^E] points: the exact step function (a point at each change and at
 *                               the end) when it fits in {@link #MAX_POINTS}, else time-weighted bin means
 * @param xi                     [t, xi] points, each the mean of a bucket of consecutive measurements,
 *                               at most about {@link #MAX_POINTS}
 * @param workerSecondsElastic   R^E at the end of training, the integral of m^E over time (D.10)
 * @param breakEvenSeconds       break-even time against R^S of {@code baselineThreads} (D.11); NaN if R^E
 *                               is not below R^S at the end
 * @param meanXi                 mean xi over the sampled updates: tau = 0 ones count 0, stale ones their
 *                               measured mean, weighted by how many of each were applied (not the plain
 *                               mean of the measurements, which lost copies bias towards 0); NaN if
 *                               stale updates were applied but none was measured
 * @param probes                 probing phases begun (the first, hill-climbing one included)
 * @param baselineThreads        m^S used for {@code breakEvenSeconds}: the best static level when one
 *                               was configured, else m-hat
 * @param workerSecondsStatic    R^S = t * baselineThreads at the end
 * @param workerSecondsStaticMax t * m-hat at the end (the static run at the maximum)
 * @param breakEvenSecondsVsMax  break-even time against t * m-hat; NaN if never
 * @param probeWindows           probe windows measured or begun
 * @param xiSamples              xi measurements taken
 * @param xiLost                 xi measurements lost: copy budget exhausted plus staleness beyond the horizon
 * @param updatesObserved        applied updates the regulator processed (equals the run's applied updates)
 * @param frozenCapacity         frozen-gradient copies allowed at once
 * @param frozenLivePeak         most copies live at once (at most {@code frozenCapacity})
 * @param frozenLiveAtEnd        copies live after the run (0 unless something leaked)
 * @param schedule               the probe schedule (first steps, see {@code ProbeController})
 * @param xiParts                xi taken apart: stale updates, sampling-noise floor, asynchrony part
 */
public record ElasticReport(List<double[]> parallelism, List<double[]> xi, double workerSecondsElastic,
                            double breakEvenSeconds, double meanXi, long probes, int baselineThreads,
                            double workerSecondsStatic, double workerSecondsStaticMax, double breakEvenSecondsVsMax,
                            long probeWindows, long xiSamples, long xiLost, long updatesObserved, int frozenCapacity,
                            long frozenLivePeak, long frozenLiveAtEnd, List<ProbeEvent> schedule, XiSummary xiParts) {
    /** Plotting budget of each series. */
    public static final int MAX_POINTS = 2000;

    public ElasticReport {
        parallelism = List.copyOf(parallelism);
        xi = List.copyOf(xi);
        schedule = List.copyOf(schedule);
        Objects.requireNonNull(xiParts, "xiParts");
    }
}
