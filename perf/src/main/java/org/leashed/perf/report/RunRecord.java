package org.leashed.perf.report;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * One training run's result file as the report and the sweep summary need it: the validated subset of
 * the fields documented in SPEC "Output". Extra fields in the file are ignored. Immutable.
 *
 * @param source         the file it was read from
 * @param runId          the file name without {@code .json}
 * @param config         {@code config} with keys normalised to snake_case and values as text
 * @param machine        {@code machine} as found (empty object when absent), shown as metadata only
 * @param outcome        {@code outcome}
 * @param initialLoss    {@code initial_loss}, L(theta_0)
 * @param epochs         {@code epochs} (or rebuilt from {@code epoch_loss}/{@code epoch_time})
 * @param timeToEpsilon  {@code time_to_epsilon} in file order; a null value means "not reached"
 * @param stalenessHist  {@code staleness_hist} (alias {@code staleness_dist}) as counts by tau; may be empty
 * @param casTriesHist   {@code cas_tries_hist} (alias {@code numtriesdist}); may be empty
 * @param tcNs           {@code tc_ns}
 * @param tuNs           {@code tu_ns}
 * @param memory         {@code memory}
 * @param workerSeconds  {@code worker_seconds}
 * @param test           {@code test}
 * @param elastic        {@code elastic}, present for ELAsyncSGD runs only
 */
public record RunRecord(
        Path source,
        String runId,
        Map<String, String> config,
        JsonNode machine,
        Outcome outcome,
        double initialLoss,
        List<Epoch> epochs,
        Map<String, Double> timeToEpsilon,
        long[] stalenessHist,
        long[] casTriesHist,
        Optional<Latency> tcNs,
        Optional<Latency> tuNs,
        Optional<Memory> memory,
        OptionalDouble workerSeconds,
        Optional<TestScore> test,
        Optional<Elastic> elastic) {

    /** Run outcome as defined in SPEC "Output". */
    public enum Outcome {
        CONVERGED, DIVERGED, CRASHED;

        /** The JSON spelling. */
        public String jsonName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** One entry of {@code epochs}. Loss may be NaN/Infinity for crashed runs. */
    public record Epoch(int epoch, double loss, double wallS, long updates) {
    }

    /** {@code tc_ns}/{@code tu_ns}: nanoseconds. */
    public record Latency(double p50, double p99, double mean) {
    }

    /** {@code memory}. */
    public record Memory(long liveVectorsPeak, long offheapBytesPeak) {
    }

    /** {@code test}: held-out loss and accuracy (0..1). */
    public record TestScore(double loss, double accuracy) {
    }

    /** A (time in seconds, value) pair of an elastic time series. */
    public record TimePoint(double t, double value) {
    }

    /** {@code elastic}. */
    public record Elastic(List<TimePoint> parallelism, List<TimePoint> xi, OptionalDouble breakEvenS) {
    }

    /** Config value by snake_case key, if present. */
    public Optional<String> configValue(String key) {
        return Optional.ofNullable(config.get(key));
    }

    /** The last epoch's loss, or NaN when there are no epochs. */
    public double finalLoss() {
        return epochs.isEmpty() ? Double.NaN : epochs.getLast().loss();
    }

    /** Mean wall seconds per epoch over the recorded epochs (wall_s of the last / its epoch number). */
    public double secondsPerEpoch() {
        if (epochs.isEmpty()) {
            return Double.NaN;
        }
        final Epoch last = epochs.getLast();
        return last.epoch() > 0 ? last.wallS() / last.epoch() : Double.NaN;
    }

    /** Mean staleness from the histogram, NaN when empty. */
    public double stalenessMean() {
        long total = 0;
        double weighted = 0.0;
        for (int tau = 0; tau < stalenessHist.length; tau++) {
            total += stalenessHist[tau];
            weighted += (double) tau * stalenessHist[tau];
        }
        return total == 0 ? Double.NaN : weighted / total;
    }

    /** Smallest tau with P[staleness <= tau] >= q, NaN when the histogram is empty. */
    public double stalenessQuantile(double q) {
        long total = 0;
        for (long count : stalenessHist) {
            total += count;
        }
        if (total == 0) {
            return Double.NaN;
        }
        final double target = q * total;
        long cumulative = 0;
        for (int tau = 0; tau < stalenessHist.length; tau++) {
            cumulative += stalenessHist[tau];
            if (cumulative >= target) {
                return tau;
            }
        }
        return stalenessHist.length - 1;
    }
}
