package org.leashed.kernel.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.leashed.kernel.Objective;
import org.leashed.kernel.UpdateKernels;
import org.leashed.memory.PersistenceBound;

/** The contract every algorithm meets; one subclass per algorithm. */
@Timeout(60)
abstract class SgdAlgorithmContract {
    abstract AlgorithmKind algorithm();

    int threads(int requested) {
        return algorithm() == AlgorithmKind.SEQ ? 1 : requested;
    }

    TrainingConfig config(int threads, StepSizeKind step, int epochs, float lr) {
        return new TrainingConfig(algorithm(), threads(threads), PersistenceBound.unbounded(), epochs, 200, lr, 0f,
                StepSizeConfig.of(step), 7, List.of(0.5, 0.01), 0, true);
    }

    static void assertNoWorkerThreadsAlive() {
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            assertTrue(!t.getName().startsWith("leashed-worker-") || !t.isAlive(), "worker thread still alive: " + t);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 8})
    void shouldConvergeToKnownOptimumWhenProblemIsLeastSquares(int threads) {
        LeastSquares problem = new LeastSquares(16, 256, 8, 3);
        double[] distance = new double[1];
        RunResult r = new Trainer(problem, UpdateKernels.scalar(), config(threads, StepSizeKind.NONE, 12, 0.5f))
                .run(new TrainingListener() {
                    @Override
                    public void onFinished(MemorySegment finalParams) {
                        distance[0] = problem.distanceToOptimum(finalParams);
                    }
                });
        assertEquals(Outcome.CONVERGED, r.outcome(), () -> "epochs " + r.epochs());
        assertTrue(distance[0] < 0.1, "distance to optimum " + distance[0]);
        assertEquals(12 * 200, r.appliedUpdates());
        assertEquals(12, r.epochs().size());
        long histogramTotal = 0;
        for (long c : r.stalenessHistogram()) {
            histogramTotal += c;
        }
        assertEquals(r.appliedUpdates(), histogramTotal);
        assertTrue(r.tcNanos().count() > 0 && r.tuNanos().count() > 0);
    }

    @ParameterizedTest
    @EnumSource(StepSizeKind.class)
    void shouldConvergeWhenAnyStepSizeStrategyIsUsed(StepSizeKind step) {
        LeastSquares problem = new LeastSquares(8, 128, 8, 5);
        RunResult r = new Trainer(problem, UpdateKernels.scalar(), config(4, step, 15, 0.3f)).run(TrainingListener.NONE);
        assertEquals(Outcome.CONVERGED, r.outcome(), () -> step + ": " + r.epochs());
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 4})
    void shouldReportCrashWhenGradientBecomesNaN(int threads) {
        LeastSquares problem = new LeastSquares(8, 64, 4, 9);
        problem.poisonAfterCalls = 50;
        RunResult r = new Trainer(problem, UpdateKernels.scalar(), config(threads, StepSizeKind.NONE, 50, 0.1f)).run(TrainingListener.NONE);
        assertEquals(Outcome.CRASHED, r.outcome());
        assertNotNull(r.crashReason());
        assertTrue(r.crashReason().contains("NaN"), r.crashReason());
        // each sampler turns NaN on its 51st call; the epoch has 200 updates: the run must end in epoch 1,
        // within one update per worker of the first NaN.
        assertTrue(r.epochs().size() <= 1, "stopped promptly, after " + r.epochs().size() + " epochs");
        assertTrue(r.appliedUpdates() <= 51L * threads(threads), "applied " + r.appliedUpdates());
        assertNoWorkerThreadsAlive();
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3})
    void shouldEndCleanlyWhenWorkerThrows(int threads) {
        LeastSquares base = new LeastSquares(8, 64, 4, 9);
        Objective throwing = new Objective() {
            @Override
            public int dimension() {
                return base.dimension();
            }

            @Override
            public void initialize(MemorySegment params, long seed) {
                base.initialize(params, seed);
            }

            @Override
            public double loss(MemorySegment params) {
                return base.loss(params);
            }

            @Override
            public Sampler newSampler(int workerId, long seed) {
                Sampler inner = base.newSampler(workerId, seed);
                return new Sampler() {
                    int calls;

                    @Override
                    public float sampleGradient(MemorySegment params, MemorySegment grad) {
                        if (++calls == 30 && workerId == 0) {
                            throw new IllegalStateException("injected fault");
                        }
                        return inner.sampleGradient(params, grad);
                    }

                    @Override
                    public void close() {
                    }
                };
            }
        };
        RunResult r = new Trainer(throwing, UpdateKernels.scalar(), config(threads, StepSizeKind.NONE, 20, 0.1f)).run(TrainingListener.NONE);
        assertEquals(Outcome.CRASHED, r.outcome());
        assertTrue(r.crashReason().contains("injected fault"), r.crashReason());
        assertTrue(r.crashReason().contains("IllegalStateException"), r.crashReason());
        // worker 0 fails on its 30th gradient: the failing epoch is not recorded and no further epoch runs.
        int recorded = r.epochs().size();
        assertTrue(recorded < 20, "ended early, after " + recorded + " epochs");
        assertTrue(r.appliedUpdates() < (recorded + 1) * 200L, "applied " + r.appliedUpdates() + " after " + recorded + " epochs");
        assertNoWorkerThreadsAlive();
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3})
    void shouldConvergeWhenMomentumIsUsed(int threads) {
        LeastSquares problem = new LeastSquares(16, 256, 8, 3);
        TrainingConfig c = new TrainingConfig(algorithm(), threads(threads), PersistenceBound.unbounded(), 12, 200, 0.2f, 0.5f,
                StepSizeConfig.none(), 11, List.of(0.5, 0.01), 0, true);
        double[] distance = new double[1];
        RunResult r = new Trainer(problem, UpdateKernels.scalar(), c).run(new TrainingListener() {
            @Override
            public void onFinished(MemorySegment finalParams) {
                distance[0] = problem.distanceToOptimum(finalParams);
            }
        });
        assertEquals(Outcome.CONVERGED, r.outcome(), () -> "epochs " + r.epochs());
        assertTrue(distance[0] < 0.1, "distance to optimum " + distance[0]);
        long d = problem.dimension();
        assertTrue(r.offHeapBytesPeak() >= r.liveVectorsPeak() * d * Float.BYTES + threads(threads) * d * Float.BYTES,
                "momentum buffers are counted: " + r.offHeapBytesPeak());
    }

    @Test
    void shouldStopAtTimeLimitWhenEpochsWouldTakeLonger() {
        LeastSquares problem = new LeastSquares(64, 512, 32, 4);
        TrainingConfig c = new TrainingConfig(algorithm(), threads(2), PersistenceBound.unbounded(), 100_000, 50, 0.1f, 0f,
                StepSizeConfig.none(), 5, List.of(0.5), 0.3, false);
        long start = System.nanoTime();
        RunResult r = new Trainer(problem, UpdateKernels.scalar(), c).run(TrainingListener.NONE);
        double seconds = (System.nanoTime() - start) / 1e9;
        assertTrue(r.outcome() != Outcome.CRASHED, r.crashReason());
        assertTrue(r.epochs().size() < 100_000, "epochs " + r.epochs().size());
        assertTrue(r.trainingWallSeconds() >= 0.3 && r.trainingWallSeconds() < 2.0, "wall " + r.trainingWallSeconds());
        assertTrue(seconds < 20, "returned after " + seconds + " s");
        assertNoWorkerThreadsAlive();
    }

    @Test
    void shouldReportConsistentMetricsWhenRunCompletes() {
        LeastSquares problem = new LeastSquares(16, 256, 8, 3);
        int m = threads(2);
        RunResult r = new Trainer(problem, UpdateKernels.scalar(), config(m, StepSizeKind.NONE, 3, 0.3f)).run(TrainingListener.NONE);
        assertEquals(3 * 200, r.appliedUpdates());
        assertEquals(List.of(200L, 400L, 600L), r.epochs().stream().map(EpochStats::updates).toList());
        for (int i = 1; i < r.epochs().size(); i++) {
            assertTrue(r.epochs().get(i).wallSeconds() >= r.epochs().get(i - 1).wallSeconds(), "cumulative wall time");
        }
        assertTrue(r.tcNanos().p50() <= r.tcNanos().p99() && r.tcNanos().mean() > 0);
        assertTrue(r.workerSeconds() > 0 && r.workerSeconds() <= m * r.trainingWallSeconds() * 1.05 + 0.05,
                "worker-seconds " + r.workerSeconds() + " vs wall " + r.trainingWallSeconds());
        assertTrue(r.predictedNStar() > 0 && r.predictedNStar() <= m, "n* " + r.predictedNStar());
        assertTrue(r.measuredNMean() >= 0 && r.measuredNMean() <= m, "measured n " + r.measuredNMean());
        assertEquals(0.0, r.persistenceGamma(), "no give-ups with T_p = inf");
        assertEquals(r.predictedNStar(), r.predictedNStarGamma(), 1e-12);
        assertEquals(UpdateKernels.scalar().description(), r.updateKernels());
        assertTrue(r.timeToEpsilon().containsKey("0.5") && r.timeToEpsilon().containsKey("0.01"));
    }
}
