package org.leashed.kernel.run;

import java.util.List;
import java.util.Map;

import org.leashed.kernel.elastic.ElasticReport;

/**
 * What a run measured. Histograms are indexed by value (staleness tau; CAS attempts per published
 * update, 1 = first try) and trimmed after the last non-zero bin; the last bin of an untrimmed
 * histogram is an overflow bin (tau >= 4095, attempts >= 255).
 *
 * @param timeToEpsilon       key = epsilon as {@code Double.toString} ("0.5"), value = training wall
 *                            seconds at the end of the first epoch whose loss was below
 *                            epsilon * initialLoss, or null
 * @param liveVectorsPeak     peak number of d-float vectors (LSH: pool peak + m gradient buffers;
 *                            others computed: SEQ 2, SYNC m + 1, ASYNC and HOG 2m + 1)
 * @param workerSeconds       sum over workers of their active wall time in epochs
 * @param predictedNStar      n* = m T_u / (T_u + T_c) (B.4) from measured means
 * @param measuredNMean       time average of the number of threads inside the update section
 * @param droppedUpdates      gradients computed but not applied (LSH give-ups plus MindTheStep drops)
 * @param persistenceGamma    estimated gamma of B.6: LSH give-ups per published update
 * @param predictedNStarGamma n*_gamma of B.7 with that gamma
 * @param elastic             ELAsyncSGD report (parallelism and xi over time, R^E, break-even), or null
 *                            for a static run
 * @param stall               the longest stall the trainer's watchdog saw (no ticket taken for its threshold),
 *                            or null if none
 * @param checkpointsWritten  checkpoints written by this invocation (0 without {@code Trainer.checkpointTo})
 */
public record RunResult(TrainingConfig config, Outcome outcome, double initialLoss, List<EpochStats> epochs,
                        Map<String, Double> timeToEpsilon, long[] stalenessHistogram, long[] casTriesHistogram,
                        Percentiles tcNanos, Percentiles tuNanos, long liveVectorsPeak, long offHeapBytesPeak,
                        double workerSeconds, double predictedNStar, double measuredNMean, long appliedUpdates,
                        long droppedUpdates, String updateKernels, double trainingWallSeconds, String crashReason,
                        double persistenceGamma, double predictedNStarGamma, ElasticReport elastic, StallReport stall,
                        int checkpointsWritten) {

    /** A result without stall or checkpoints ({@code stall = null, checkpointsWritten = 0}). */
    public RunResult(TrainingConfig config, Outcome outcome, double initialLoss, List<EpochStats> epochs,
                     Map<String, Double> timeToEpsilon, long[] stalenessHistogram, long[] casTriesHistogram,
                     Percentiles tcNanos, Percentiles tuNanos, long liveVectorsPeak, long offHeapBytesPeak,
                     double workerSeconds, double predictedNStar, double measuredNMean, long appliedUpdates,
                     long droppedUpdates, String updateKernels, double trainingWallSeconds, String crashReason,
                     double persistenceGamma, double predictedNStarGamma, ElasticReport elastic) {
        this(config, outcome, initialLoss, epochs, timeToEpsilon, stalenessHistogram, casTriesHistogram, tcNanos, tuNanos,
                liveVectorsPeak, offHeapBytesPeak, workerSeconds, predictedNStar, measuredNMean, appliedUpdates,
                droppedUpdates, updateKernels, trainingWallSeconds, crashReason, persistenceGamma, predictedNStarGamma, elastic,
                null, 0);
    }

    /** A static run's result with the persistence model: {@code elastic = null}. */
    public RunResult(TrainingConfig config, Outcome outcome, double initialLoss, List<EpochStats> epochs,
                     Map<String, Double> timeToEpsilon, long[] stalenessHistogram, long[] casTriesHistogram,
                     Percentiles tcNanos, Percentiles tuNanos, long liveVectorsPeak, long offHeapBytesPeak,
                     double workerSeconds, double predictedNStar, double measuredNMean, long appliedUpdates,
                     long droppedUpdates, String updateKernels, double trainingWallSeconds, String crashReason,
                     double persistenceGamma, double predictedNStarGamma) {
        this(config, outcome, initialLoss, epochs, timeToEpsilon, stalenessHistogram, casTriesHistogram, tcNanos, tuNanos,
                liveVectorsPeak, offHeapBytesPeak, workerSeconds, predictedNStar, measuredNMean, appliedUpdates,
                droppedUpdates, updateKernels, trainingWallSeconds, crashReason, persistenceGamma, predictedNStarGamma, null);
    }

    /** Without the persistence model (gamma 0, n*_gamma = n*), for callers that predate it. */
    public RunResult(TrainingConfig config, Outcome outcome, double initialLoss, List<EpochStats> epochs,
                     Map<String, Double> timeToEpsilon, long[] stalenessHistogram, long[] casTriesHistogram,
                     Percentiles tcNanos, Percentiles tuNanos, long liveVectorsPeak, long offHeapBytesPeak,
                     double workerSeconds, double predictedNStar, double measuredNMean, long appliedUpdates,
                     long droppedUpdates, String updateKernels, double trainingWallSeconds, String crashReason) {
        this(config, outcome, initialLoss, epochs, timeToEpsilon, stalenessHistogram, casTriesHistogram, tcNanos, tuNanos,
                liveVectorsPeak, offHeapBytesPeak, workerSeconds, predictedNStar, measuredNMean, appliedUpdates,
                droppedUpdates, updateKernels, trainingWallSeconds, crashReason, 0, predictedNStar);
    }

    /** Mean of the staleness histogram (0 if empty). */
    public double stalenessMean() {
        long n = 0;
        double sum = 0;
        for (int tau = 0; tau < stalenessHistogram.length; tau++) {
            n += stalenessHistogram[tau];
            sum += (double) tau * stalenessHistogram[tau];
        }
        return n == 0 ? 0 : sum / n;
    }
}
