package org.leashed.perf.results;

import org.leashed.kernel.elastic.ElasticReport;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.leashed.kernel.run.EpochStats;
import org.leashed.kernel.run.Outcome;
import org.leashed.kernel.run.Percentiles;
import org.leashed.kernel.run.RunResult;

/**
 * Builds {@link ResultDocument}s: from a finished {@link RunResult}, or from what was measured before a
 * run was interrupted or failed.
 */
public final class ResultAssembler {
    /**
     * What a document needs besides the measurements.
     *
     * @param leashedVersion the build
     * @param startedAt      ISO-8601 start instant
     * @param config         effective flag values (see {@code TrainSettings.toConfigMap})
     * @param machine        the machine
     * @param kernels        SIMD kernels in use
     * @param dimension      parameters d
     * @param epsilons       requested epsilons, in flag order
     */
    public record Context(String leashedVersion, String startedAt, Map<String, Object> config,
                          ResultDocument.Machine machine, ResultDocument.KernelInfo kernels, long dimension,
                          List<Double> epsilons) {
        public Context {
            Objects.requireNonNull(config, "config");
            Objects.requireNonNull(machine, "machine");
            Objects.requireNonNull(kernels, "kernels");
            epsilons = List.copyOf(epsilons);
        }
    }

    private ResultAssembler() {
    }

    /** The document of a run that returned a result; {@code test} is the held-out score (null if none). */
    public static ResultDocument complete(Context context, RunResult result, ResultDocument.TestScore test) {
        final List<ResultDocument.Epoch> epochs = convert(result.epochs());
        final Map<String, Long> staleness = Histograms.toMap(result.stalenessHistogram());
        final Map<String, Long> casTries = Histograms.toMap(result.casTriesHistogram());
        return new ResultDocument(context.leashedVersion(), context.startedAt(), context.config(), context.machine(),
                context.kernels(), context.dimension(), result.outcome().jsonName(), false, result.crashReason(),
                result.initialLoss(), epochs, losses(epochs), times(epochs), orderedTimeToEpsilon(context, result.timeToEpsilon()),
                staleness, staleness, casTries, casTries, latency(result.tcNanos()), latency(result.tuNanos()),
                new ResultDocument.Memory(result.liveVectorsPeak(), result.offHeapBytesPeak()), result.workerSeconds(),
                new ResultDocument.Contention(result.predictedNStar(), result.measuredNMean()), test,
                result.appliedUpdates(), result.droppedUpdates(), result.trainingWallSeconds(), elastic(result.elastic()),
                result.stall() == null ? null : new ResultDocument.Stall(result.stall().worker(), result.stall().seconds(),
                        result.stall().epoch(), result.stall().describe()));
    }

    private static ResultDocument.Elastic elastic(ElasticReport e) {
        if (e == null) {
            return null;
        }
        // baselineThreads is the configured best static level, or m-hat when none was given
        final double breakEven = e.breakEvenSeconds();
        return new ResultDocument.Elastic(e.parallelism(), e.xi(), Double.isFinite(breakEven) ? breakEven : null,
                e.workerSecondsElastic(), e.workerSecondsStatic(), e.baselineThreads(), e.meanXi(), e.probes(),
                new ResultDocument.XiParts(e.xiParts().meanStale(), e.xiParts().staleSamples(), e.xiParts().meanFloor(),
                        e.xiParts().floorSamples(), e.xiParts().asyncRms(), e.xiParts().byStaleness()));
    }

    /**
     * The document of a run cut short (signal) or failed (exception) before the trainer returned: the
     * initial loss and the epochs recorded so far; distributions the trainer reports only at the end are
     * null or empty. The outcome follows SPEC: {@code crashed} if a recorded loss is not finite or
     * {@code failure} is set, {@code converged} if the smallest epsilon was reached, else {@code diverged}.
     *
     * @param initialLoss L(theta_0), NaN if the run ended before it was evaluated
     * @param recorded    epochs recorded so far
     * @param test        held-out score if it was evaluated, else null
     * @param interrupted true for a signal, false for a failure
     * @param reason      what happened, recorded as {@code crash_reason}
     */
    public static ResultDocument partial(Context context, double initialLoss, List<EpochStats> recorded,
                                         ResultDocument.TestScore test, boolean interrupted, String reason) {
        final List<ResultDocument.Epoch> epochs = convert(recorded);
        final Map<String, Double> timeToEpsilon = new LinkedHashMap<>();
        for (double epsilon : context.epsilons()) {
            Double reached = null;
            for (ResultDocument.Epoch e : epochs) {
                if (e.loss() < epsilon * initialLoss) {
                    reached = e.wallS();
                    break;
                }
            }
            timeToEpsilon.put(Double.toString(epsilon), reached);
        }
        final boolean nonFinite = !Double.isFinite(initialLoss) && !recorded.isEmpty()
                || epochs.stream().anyMatch(e -> !Double.isFinite(e.loss()));
        final double smallest = context.epsilons().stream().mapToDouble(Double::doubleValue).min().orElse(0);
        final Outcome outcome;
        if (nonFinite || !interrupted) {
            outcome = Outcome.CRASHED;
        } else if (timeToEpsilon.get(Double.toString(smallest)) != null) {
            outcome = Outcome.CONVERGED;
        } else {
            outcome = Outcome.DIVERGED;
        }
        final double wall = epochs.isEmpty() ? 0 : epochs.getLast().wallS();
        final long updates = epochs.isEmpty() ? 0 : epochs.getLast().updates();
        return new ResultDocument(context.leashedVersion(), context.startedAt(), context.config(), context.machine(),
                context.kernels(), context.dimension(), outcome.jsonName(), interrupted, reason, initialLoss, epochs,
                losses(epochs), times(epochs), timeToEpsilon, Map.of(), Map.of(), Map.of(), Map.of(), null, null, null,
                0.0, null, test, updates, 0, wall, null);
    }

    private static Map<String, Double> orderedTimeToEpsilon(Context context, Map<String, Double> measured) {
        final Map<String, Double> ordered = new LinkedHashMap<>();
        for (double epsilon : context.epsilons()) {
            final String key = Double.toString(epsilon);
            ordered.put(key, measured == null ? null : measured.get(key));
        }
        if (measured != null) {
            measured.forEach(ordered::putIfAbsent);
        }
        return ordered;
    }

    private static List<ResultDocument.Epoch> convert(List<EpochStats> epochs) {
        final List<ResultDocument.Epoch> out = new ArrayList<>(epochs.size());
        for (EpochStats e : epochs) {
            out.add(new ResultDocument.Epoch(e.epoch(), e.loss(), e.wallSeconds(), e.updates()));
        }
        return out;
    }

    private static List<Double> losses(List<ResultDocument.Epoch> epochs) {
        return epochs.stream().map(ResultDocument.Epoch::loss).toList();
    }

    private static List<Double> times(List<ResultDocument.Epoch> epochs) {
        return epochs.stream().map(ResultDocument.Epoch::wallS).toList();
    }

    private static ResultDocument.Latency latency(Percentiles p) {
        return p == null ? null : new ResultDocument.Latency(p.p50(), p.p99(), p.mean(), p.count());
    }
}
