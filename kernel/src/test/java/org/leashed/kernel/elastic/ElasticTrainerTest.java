package org.leashed.kernel.elastic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.leashed.kernel.UpdateKernels;
import org.leashed.kernel.run.AlgorithmKind;
import org.leashed.kernel.run.Outcome;
import org.leashed.kernel.run.RunResult;
import org.leashed.kernel.run.StepSizeConfig;
import org.leashed.kernel.run.Trainer;
import org.leashed.kernel.run.TrainingConfig;
import org.leashed.kernel.run.TrainingListener;
import org.leashed.memory.PersistenceBound;

/** ELAsyncSGD end to end through {@link Trainer}, on a synthetic least-squares objective. */
@Timeout(60)
class ElasticTrainerTest {
    private static TrainingConfig config(AlgorithmKind a, int threads, int epochs, long updates, float lr, ElasticConfig e) {
        return new TrainingConfig(a, threads, PersistenceBound.unbounded(), epochs, updates, lr, 0f, StepSizeConfig.none(), 11,
                List.of(0.5, 0.01), 0, true).withElastic(e);
    }

    /** An elastic configuration that stays at m0: its first probe window never ends. */
    private static ElasticConfig pinned(int level) {
        return ElasticConfig.defaults().withInitialThreads(level).withProbing(100, ElasticConfig.MAX_MULTIPLIER, 1);
    }

    private static long total(long[] histogram) {
        long s = 0;
        for (long c : histogram) {
            s += c;
        }
        return s;
    }

    @ParameterizedTest
    @EnumSource(value = AlgorithmKind.class, names = {"ASYNC", "HOG", "LSH"})
    void shouldConvergeAndReportWhenRunIsElastic(AlgorithmKind algorithm) {
        LeastSquaresObjective problem = new LeastSquaresObjective(16, 256, 8, 3);
        double[] distance = new double[1];
        ElasticConfig e = ElasticConfig.defaults().withProbing(10, 5, 1).withBaselineThreads(3);
        RunResult r = new Trainer(problem, UpdateKernels.scalar(), config(algorithm, 6, 12, 200, 0.5f, e))
                .run(new TrainingListener() {
                    @Override
                    public void onFinished(MemorySegment finalParams) {
                        distance[0] = problem.distanceToOptimum(finalParams);
                    }
                });
        assertEquals(Outcome.CONVERGED, r.outcome(), () -> "epochs " + r.epochs() + " crash " + r.crashReason());
        assertTrue(distance[0] < 0.2, "distance to optimum " + distance[0]);
        assertEquals(12 * 200, r.appliedUpdates());
        assertEquals(r.appliedUpdates(), total(r.stalenessHistogram()));
        ElasticReport el = r.elastic();
        assertNotNull(el);
        assertEquals(r.appliedUpdates(), el.updatesObserved(), "every applied update reached the regulator once");
        assertTrue(el.probes() >= 2, "probes " + el.probes());
        assertTrue(el.workerSecondsElastic() > 0 && el.workerSecondsElastic() <= 6 * r.trainingWallSeconds() + 1e-9,
                "R^E " + el.workerSecondsElastic() + " wall " + r.trainingWallSeconds());
        assertEquals(3, el.baselineThreads());
        assertEquals(3 * r.trainingWallSeconds(), el.workerSecondsStatic(), 1e-9);
        assertEquals(6 * r.trainingWallSeconds(), el.workerSecondsStaticMax(), 1e-9);
        assertEquals(0, el.frozenLiveAtEnd());
        assertTrue(el.frozenLivePeak() <= el.frozenCapacity());
        assertTrue(el.xiSamples() > 0, "xi samples");
        // the mean is NaN exactly when stale updates were applied and none of them could be measured
        // (at this objective's microsecond updates the regulator lags and their copies are lost)
        String xi = "xi " + el.meanXi() + " " + el.xiParts() + ", lost " + el.xiLost();
        long stale = r.appliedUpdates() - r.stalenessHistogram()[0];
        if (Double.isNaN(el.meanXi())) {
            assertTrue(stale > 0 && el.xiParts().staleSamples() == 0, xi);
        } else {
            assertTrue(el.meanXi() >= 0 && (stale == 0 || el.xiParts().staleSamples() > 0), xi);
        }
        double[] first = el.parallelism().get(0);
        assertEquals(0.0, first[0], 0.0);
        assertEquals(3.0, first[1], 0.0); // m0 = m-hat / 2
        double[] last = el.parallelism().get(el.parallelism().size() - 1);
        assertEquals(r.trainingWallSeconds(), last[0], 1e-9);
        for (double[] p : el.parallelism()) {
            assertTrue(p[1] >= 1 && p[1] <= 6, "level " + p[1]);
        }
        assertTrue(el.parallelism().size() <= ElasticReport.MAX_POINTS && el.xi().size() <= ElasticReport.MAX_POINTS);
        assertTrue(r.workerSeconds() <= 6 * r.trainingWallSeconds() + 0.05, "active worker-seconds " + r.workerSeconds());
    }

    @Test
    void shouldMeasureZeroXiWhenOneWorkerRuns() {
        LeastSquaresObjective problem = new LeastSquaresObjective(16, 64, 64, 5);
        RunResult r = new Trainer(problem, UpdateKernels.scalar(),
                config(AlgorithmKind.ASYNC, 1, 3, 200, 0.5f, ElasticConfig.defaults())).run(TrainingListener.NONE);
        ElasticReport el = r.elastic();
        assertEquals(600, r.appliedUpdates());
        assertEquals(600, el.xiSamples(), "every iteration is its own first viewer");
        assertEquals(0.0, el.meanXi(), 0.0);
        assertEquals(0, el.frozenLivePeak(), "tau = 0 needs no copy");
        for (double[] p : el.xi()) {
            assertEquals(0.0, p[1], 0.0);
        }
        assertTrue(Double.isNaN(el.breakEvenSeconds()), "m-hat = 1: never below the static run");
    }

    @ParameterizedTest
    @EnumSource(value = AlgorithmKind.class, names = {"ASYNC", "HOG", "LSH"})
    void shouldMeasureLargerXiWhenMoreWorkersRun(AlgorithmKind algorithm) {
        // full-batch gradients: no mini-batch noise, so xi is the staleness effect alone
        // and a parked 200 us per gradient, so that m workers overlap even on two cores (tau ~ m - 1)
        LeastSquaresObjective problem = new LeastSquaresObjective(32, 48, 48, 7, 200_000);
        double[] mean = new double[3];
        int[] levels = {1, 2, 8};
        for (int k = 0; k < levels.length; k++) {
            RunResult r = new Trainer(problem, UpdateKernels.scalar(),
                    config(algorithm, levels[k], 1, 800, 0.05f, pinned(levels[k]))).run(TrainingListener.NONE);
            assertEquals(800, r.appliedUpdates());
            ElasticReport el = r.elastic();
            assertEquals(levels[k], (int) el.parallelism().get(el.parallelism().size() - 1)[1]);
            assertEquals(0, el.frozenLiveAtEnd());
            mean[k] = el.meanXi();
        }
        final String got = "mean xi at m = 1, 2, 8: " + mean[0] + ", " + mean[1] + ", " + mean[2];
        assertEquals(0.0, mean[0], 0.0, got);
        assertTrue(mean[1] > 0, got);
        assertTrue(mean[2] > mean[1], got);
    }

    @ParameterizedTest
    @EnumSource(value = AlgorithmKind.class, names = {"ASYNC", "HOG", "LSH"})
    void shouldApplyEveryTicketOnceWithoutDeadlockWhenLevelsChangeConstantly(AlgorithmKind algorithm) {
        LeastSquaresObjective problem = new LeastSquaresObjective(8, 64, 4, 9);
        // I_P = D_P = 1: a level change every few updates; a small copy budget to exercise budget misses
        ElasticConfig e = ElasticConfig.defaults().withProbing(1, 1, 1).withFrozenCapacity(8);
        RunResult r = new Trainer(problem, UpdateKernels.scalar(), config(algorithm, 32, 6, 2000, 0.05f, e))
                .run(TrainingListener.NONE);
        assertNull(r.crashReason());
        assertEquals(6 * 2000, r.appliedUpdates());
        assertEquals(6, r.epochs().size());
        ElasticReport el = r.elastic();
        assertEquals(r.appliedUpdates(), el.updatesObserved());
        assertTrue(el.probes() > 20, "probes " + el.probes());
        assertTrue(el.parallelism().size() > 20, "level changes " + el.parallelism().size());
        assertEquals(0, el.frozenLiveAtEnd());
        assertTrue(el.frozenLivePeak() <= 8, "peak " + el.frozenLivePeak());
        assertTrue(r.workerSeconds() <= 32 * r.trainingWallSeconds() + 0.5);
    }

    @Test
    void shouldLeaveStaticRunsUnchangedWhenElasticIsOff() {
        LeastSquaresObjective problem = new LeastSquaresObjective(8, 64, 4, 9);
        RunResult r = new Trainer(problem, UpdateKernels.scalar(), config(AlgorithmKind.HOG, 3, 2, 100, 0.1f, null))
                .run(TrainingListener.NONE);
        assertNull(r.elastic());
        assertEquals(200, r.appliedUpdates());
    }
}
