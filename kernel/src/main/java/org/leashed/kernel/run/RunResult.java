package org.leashed.kernel.run;

import java.util.List;
import java.util.Map;

/**
 * What a run measured. Histograms are indexed by value (staleness tau; CAS attempts per published
 * update, 1 = first try) and trimmed after the last non-zero bin.
 */
public record RunResult(TrainingConfig config, Outcome outcome, double initialLoss, List<EpochStats> epochs,
                        Map<String, Double> timeToEpsilon, long[] stalenessHistogram, long[] casTriesHistogram,
                        Percentiles tcNanos, Percentiles tuNanos, long liveVectorsPeak, long offHeapBytesPeak,
                        double workerSeconds, double predictedNStar, double measuredNMean, long appliedUpdates,
                        long droppedUpdates, String updateKernels, double trainingWallSeconds, String crashReason) {
}
