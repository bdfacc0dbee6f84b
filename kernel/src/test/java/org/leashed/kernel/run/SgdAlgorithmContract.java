package org.leashed.kernel.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.util.List;

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
        assertTrue(r.epochs().size() < 50, "stopped promptly, after " + r.epochs().size() + " epochs");
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
    }
}
