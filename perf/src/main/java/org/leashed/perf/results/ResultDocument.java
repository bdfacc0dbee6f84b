package org.leashed.perf.results;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;
import java.util.Map;

/**
 * One training run's result file (SPEC "Output" and "Interface"). Serialised by {@link ResultJson} with
 * snake_case names derived from the component names ({@code tcNs} becomes {@code tc_ns}; names the
 * naming strategy would split wrongly carry an explicit {@code @JsonProperty}); the names
 * SPEC fixes are checked by a test, so renaming a component breaks the build, not users' scripts.
 *
 * <p>The reference implementation's names are written as plain duplicates: {@code epoch_loss} and
 * {@code epoch_time} (lists parallel to {@code epochs}), {@code staleness_dist} (= {@code staleness_hist})
 * and {@code numtriesdist} (= {@code cas_tries_hist}).
 *
 * <p>Non-finite numbers (the loss of a crashed run) are written as the strings {@code "NaN"},
 * {@code "Infinity"}, {@code "-Infinity"}.
 *
 * @param leashedVersion  version of the leashed jar that wrote the file
 * @param startedAt       ISO-8601 instant the run started
 * @param config          every train flag's effective value, keyed by the long flag name in snake_case
 * @param machine         where it ran
 * @param kernels         SIMD kernel choices
 * @param dimension       number of parameters d
 * @param outcome         {@code converged}, {@code diverged} or {@code crashed}
 * @param interrupted     true when the run was cut short by a signal (SIGINT/SIGTERM) and this file holds
 *                        what was measured until then
 * @param crashReason     why a run crashed or was interrupted; null otherwise
 * @param initialLoss     L(theta_0), full training loss before the first update
 * @param epochs          per-epoch records
 * @param epochLoss       alias: {@code epochs[i].loss}
 * @param epochTime       alias: {@code epochs[i].wall_s}
 * @param timeToEpsilon   epsilon (as written in {@code --epsilon}) to training seconds, null when not reached
 * @param stalenessHist   tau to count
 * @param stalenessDist   alias of {@code staleness_hist}
 * @param casTriesHist    CAS attempts per published update (1 = first try) to count; empty except for LSH
 * @param numtriesdist    alias of {@code cas_tries_hist}
 * @param tcNs            gradient computation time T_c, nanoseconds
 * @param tuNs            update application time T_u, nanoseconds
 * @param memory          peak live parameter vectors and off-heap bytes
 * @param workerSeconds   sum over workers of their active wall seconds
 * @param contention      predicted and measured contention
 * @param test            held-out evaluation of the final parameters; null if the run ended before it
 * @param appliedUpdates  updates applied in total
 * @param droppedUpdates  gradients dropped (staleness above the step-size strategy's bound, LAU-SPC give-ups)
 * @param trainingWallS   training wall time, loss evaluations excluded
 * @param elastic         ELAsyncSGD results; absent for a static run
 * @param stall           the longest stall the trainer's watchdog reported (no update ticket taken for its
 *                        threshold); absent when there was none
 */
@JsonPropertyOrder({"leashed_version", "started_at", "config", "machine", "kernels", "dimension", "outcome", "interrupted",
    "crash_reason", "initial_loss", "epochs", "epoch_loss", "epoch_time", "time_to_epsilon", "staleness_hist",
    "staleness_dist", "cas_tries_hist", "numtriesdist", "tc_ns", "tu_ns", "memory", "worker_seconds", "contention",
    "test", "applied_updates", "dropped_updates", "training_wall_s"})
public record ResultDocument(
        String leashedVersion,
        String startedAt,
        Map<String, Object> config,
        Machine machine,
        KernelInfo kernels,
        long dimension,
        String outcome,
        boolean interrupted,
        String crashReason,
        double initialLoss,
        List<Epoch> epochs,
        List<Double> epochLoss,
        List<Double> epochTime,
        Map<String, Double> timeToEpsilon,
        Map<String, Long> stalenessHist,
        Map<String, Long> stalenessDist,
        Map<String, Long> casTriesHist,
        Map<String, Long> numtriesdist,
        Latency tcNs,
        Latency tuNs,
        Memory memory,
        double workerSeconds,
        Contention contention,
        TestScore test,
        long appliedUpdates,
        long droppedUpdates,
        double trainingWallS,
        @JsonInclude(JsonInclude.Include.NON_NULL) Elastic elastic,
        @JsonInclude(JsonInclude.Include.NON_NULL) Stall stall) {

    /** A document without a stall ({@code stall = null}). */
    public ResultDocument(String leashedVersion, String startedAt, Map<String, Object> config, Machine machine,
                          KernelInfo kernels, long dimension, String outcome, boolean interrupted, String crashReason,
                          double initialLoss, List<Epoch> epochs, List<Double> epochLoss, List<Double> epochTime,
                          Map<String, Double> timeToEpsilon, Map<String, Long> stalenessHist, Map<String, Long> stalenessDist,
                          Map<String, Long> casTriesHist, Map<String, Long> numtriesdist, Latency tcNs, Latency tuNs,
                          Memory memory, double workerSeconds, Contention contention, TestScore test, long appliedUpdates,
                          long droppedUpdates, double trainingWallS, Elastic elastic) {
        this(leashedVersion, startedAt, config, machine, kernels, dimension, outcome, interrupted, crashReason, initialLoss,
                epochs, epochLoss, epochTime, timeToEpsilon, stalenessHist, stalenessDist, casTriesHist, numtriesdist, tcNs,
                tuNs, memory, workerSeconds, contention, test, appliedUpdates, droppedUpdates, trainingWallS, elastic, null);
    }

    /**
     * A stall the watchdog saw.
     *
     * @param worker  the worker longest inside its update section (ASYNC: the lock holder), -1 if none was
     * @param seconds how long, when last observed
     * @param epoch   the epoch it happened in
     * @param message the warning line printed during the run
     */
    public record Stall(int worker, double seconds, int epoch, String message) {
    }

    /**
     * ELAsyncSGD results (elastic runs only; absent otherwise). Times are training seconds.
     *
     * @param parallelism           [[t, m^E]] steps of the parallelism level
     * @param xi                    [[t, ||xi||]] asynchrony-induced noise samples
     * @param breakEvenS            break-even time against the static baseline, null if never reached
     * @param workerSecondsElastic  R^E at the end (D.10)
     * @param workerSecondsStatic   R^S at the end (D.11) for the baseline level
     * @param baselineThreads       static level R^S refers to (m-hat unless given)
     * @param meanXi                mean of the xi samples
     * @param probes                probing phases completed
     * @param xiParts               xi taken apart into the stale updates' mean, the sampling-noise floor and
     *                              the asynchrony part
     */
    public record Elastic(List<double[]> parallelism, List<double[]> xi, Double breakEvenS, double workerSecondsElastic,
                          double workerSecondsStatic, int baselineThreads, double meanXi, long probes, XiParts xiParts) {
    }

    /**
     * xi taken apart (kernel {@code XiSummary}); a mean with no sample is "NaN".
     *
     * @param meanStale    mean xi over the updates with staleness &gt; 0
     * @param staleSamples how many
     * @param meanFloor    mean scaled distance between two workers' gradients of the same state: the
     *                     sampling noise of two mini-batches, whatever m is
     * @param floorSamples how many
     * @param asyncRms     root mean square of the stale updates' xi with the floor taken out
     * @param byStaleness  [[lowest tau, mean xi, samples]] of the stale updates by staleness bucket
     *                     (1, 2, 3-4, 5-8, ..., the last open)
     */
    public record XiParts(double meanStale, long staleSamples, double meanFloor, long floorSamples, double asyncRms,
                          List<double[]> byStaleness) {
    }

    /** Outcome spellings SPEC fixes. */
    public static final List<String> OUTCOMES = List.of("converged", "diverged", "crashed");

    /**
     * One epoch.
     *
     * @param epoch   1-based epoch number
     * @param loss    full training loss after the epoch, off the clock
     * @param wallS   cumulative training seconds at the end of the epoch
     * @param updates cumulative applied updates
     */
    public record Epoch(int epoch, double loss, double wallS, long updates) {
    }

    /** Duration summary in nanoseconds; {@code count} is the number of samples. */
    public record Latency(double p50, double p99, double mean, long count) {
    }

    /** Peaks over the run. */
    public record Memory(long liveVectorsPeak, long offheapBytesPeak) {
    }

    /**
     * Contention (thesis B.4).
     *
     * @param predictedNStar n* = m T_u / (T_u + T_c) from the measured means
     * @param measuredNMean  mean number of workers found inside the update section
     */
    public record Contention(@JsonProperty("predicted_n_star") double predictedNStar,
                             @JsonProperty("measured_n_mean") double measuredNMean) {
    }

    /** Held-out loss and accuracy (0..1) and how many examples they cover. */
    public record TestScore(double loss, double accuracy, int count) {
    }

    /**
     * The machine.
     *
     * @param cores       processors the JVM may use
     * @param topology    CPUs, physical cores, packages and NUMA nodes as read from sysfs
     * @param jdk         {@code java.runtime.version}
     * @param vm          JVM name
     * @param os          OS name, version and architecture
     * @param maxHeapBytes {@code Runtime.maxMemory()}
     * @param pinning     worker pinning policy ({@code none} unless {@code --pin})
     */
    public record Machine(int cores, Topology topology, String jdk, String vm, String os, long maxHeapBytes,
                          String pinning) {
    }

    /** Topology basics; {@code description} is a one-line human summary. */
    public record Topology(int cpus, int physicalCores, int packages, int numaNodes, String description) {
    }

    /**
     * SIMD kernel choices.
     *
     * @param update  the update kernels (T_u): axpy and fused copy-and-update
     * @param network the network kernels (T_c): GEMM, activations, softmax
     */
    public record KernelInfo(String update, String network) {
    }
}
