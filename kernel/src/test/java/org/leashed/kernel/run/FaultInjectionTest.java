package org.leashed.kernel.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.leashed.kernel.Objective;
import org.leashed.kernel.UpdateKernels;
import org.leashed.memory.PersistenceBound;

/**
 * Faults injected through test-only hooks ({@link FaultyObjective}, {@link StallingKernels}): a worker
 * that throws inside its update section, a worker stalled inside it (lock-free Leashed-SGD and HOG keep
 * publishing; ASYNC's stall is detected and reported), a NaN that reaches the parameters without
 * showing in any loss. Every test is bounded by a timeout: a hung run fails it.
 */
@Timeout(60)
class FaultInjectionTest {
    private static TrainingConfig config(AlgorithmKind algorithm, int threads, int epochs, long updatesPerEpoch) {
        return new TrainingConfig(algorithm, algorithm == AlgorithmKind.SEQ ? 1 : threads, PersistenceBound.unbounded(), epochs,
                updatesPerEpoch, 0.2f, 0f, StepSizeConfig.none(), 5, List.of(0.5), 0, false);
    }

    /** Records warnings the trainer gives. */
    private static final class Warnings implements TrainingListener {
        final List<String> lines = new CopyOnWriteArrayList<>();

        @Override
        public void onWarning(String message) {
            lines.add(message);
        }
    }

    /** A worker throwing between SYNC's barriers, under ASYNC's lock, or mid-LSH-update: CRASHED naming it, no hang. */
    @ParameterizedTest
    @EnumSource(AlgorithmKind.class)
    void shouldEndCrashedNamingWorkerWhenItThrowsInsideUpdateSection(AlgorithmKind algorithm) {
        StallingKernels kernels = new StallingKernels(40, 0, true);
        RunResult r = new Trainer(new LeastSquares(16, 128, 4, 2), kernels, config(algorithm, 3, 20, 100)).run(TrainingListener.NONE);
        assertEquals(Outcome.CRASHED, r.outcome());
        int worker = kernels.hitWorker();
        assertTrue(worker >= 0, "the fault was injected");
        assertTrue(r.crashReason().contains("worker " + worker + " (leashed-worker-" + worker + ") failed"), r.crashReason());
        assertTrue(r.crashReason().contains("injected fault inside the update section"), r.crashReason());
        assertTrue(r.epochs().size() < 20, "ended early");
        assertNoWorkerThreadsAlive();
    }

    /**
     * Lock-freedom (LSH) and no locking (HOG): one worker sleeps 1.5 s inside its update; the others keep
     * completing updates meanwhile, the epoch's tickets keep moving, so the watchdog reports no stall.
     */
    @ParameterizedTest
    @EnumSource(value = AlgorithmKind.class, names = {"LSH", "HOG"})
    void shouldKeepPublishingWhenOneWorkerStallsInsideItsUpdate(AlgorithmKind algorithm) {
        StallingKernels kernels = new StallingKernels(20, 1500, false);
        FaultyObjective objective = new FaultyObjective(new LeastSquares(16, 128, 4, 2));
        TrainingConfig c = new TrainingConfig(algorithm, 4, PersistenceBound.unbounded(), 1, 100_000_000, 0.2f, 0f,
                StepSizeConfig.none(), 5, List.of(0.5), 3.0, false); // ends at the 3 s time limit
        RunResult r = new Trainer(objective, kernels, c).stallWarningAfter(1.0).run(TrainingListener.NONE);
        assertTrue(kernels.stalled.get(), "the stall happened");
        assertTrue(kernels.othersDuringStall.get() >= 10,
                "others completed " + kernels.othersDuringStall.get() + " updates during the 1.5 s stall");
        assertNull(r.stall(), "no stall: tickets kept moving");
        assertTrue(r.outcome() != Outcome.CRASHED, r.crashReason());
    }

    /**
     * ASYNC: the worker making the run's 30th update sleeps 1.5 s holding the lock; nobody else can update
     * meanwhile, no ticket is taken, and the watchdog (threshold 0.3 s) reports the stall naming that
     * worker and its duration.
     */
    @Test
    void shouldReportStallNamingLockHolderWhenAsyncWorkerStallsInsideLock() {
        StallingKernels kernels = new StallingKernels(30, 1500, false);
        Warnings warnings = new Warnings();
        RunResult r = new Trainer(new LeastSquares(16, 128, 4, 2), kernels, config(AlgorithmKind.ASYNC, 3, 2, 500))
                .stallWarningAfter(0.3).run(warnings);
        assertTrue(kernels.stalled.get(), "the stall happened");
        assertEquals(0, kernels.othersDuringStall.get(), "the lock holder blocks every other update");
        assertNotNull(r.stall(), "stall detected");
        int holder = kernels.hitWorker();
        assertEquals(holder, r.stall().worker(), "names the lock holder: " + r.stall());
        assertTrue(r.stall().seconds() >= 0.3 && r.stall().seconds() <= 60, "duration " + r.stall().seconds());
        assertEquals(1, r.stall().epoch());
        assertEquals(1, warnings.lines.size(), "one warning per stall: " + warnings.lines);
        assertTrue(warnings.lines.get(0).contains("worker " + holder) && warnings.lines.get(0).contains("lock"),
                warnings.lines.get(0));
        assertTrue(r.outcome() != Outcome.CRASHED, "a stall is reported, not a crash: " + r.crashReason());
        assertEquals(2 * 500, r.appliedUpdates(), "the run goes on after the stall");
    }

    /**
     * Objective whose loss and regular gradient ignore the last component, so a NaN injected there shows
     * in no mini-batch or epoch loss: only the trainer's parameter check at the epoch boundary can see it.
     */
    private static final class BlindSpot implements Objective {
        static final int D = 8;

        @Override
        public int dimension() {
            return D;
        }

        @Override
        public void initialize(MemorySegment params, long seed) {
            for (int j = 0; j < D; j++) {
                params.setAtIndex(LeastSquares.F, j, 0f);
            }
        }

        @Override
        public double loss(MemorySegment params) {
            double s = 0;
            for (int j = 0; j < D - 1; j++) {
                double e = params.getAtIndex(LeastSquares.F, j) - 1;
                s += 0.5 * e * e;
            }
            return s;
        }

        @Override
        public Sampler newSampler(int workerId, long seed) {
            return new Sampler() {
                SplittableRandom r = new SplittableRandom(seed);

                @Override
                public void reseed(long seed) {
                    r = new SplittableRandom(seed);
                }

                @Override
                public float sampleGradient(MemorySegment params, MemorySegment grad) {
                    double loss = 0;
                    for (int j = 0; j < D - 1; j++) {
                        float e = params.getAtIndex(LeastSquares.F, j) - 1;
                        loss += 0.5 * e * e;
                        grad.setAtIndex(LeastSquares.F, j, e + (float) (0.01 * r.nextGaussian()));
                    }
                    grad.setAtIndex(LeastSquares.F, D - 1, 0f);
                    return (float) loss;
                }

                @Override
                public void close() {
                }
            };
        }
    }

    @ParameterizedTest
    @EnumSource(AlgorithmKind.class)
    void shouldCrashWithinOneEpochWhenNaNReachesParametersUnseenByLoss(AlgorithmKind algorithm) {
        // worker 0's 150th gradient: in epoch 2 for SEQ (100 updates per epoch), later for m = 2
        FaultyObjective objective = new FaultyObjective(new BlindSpot()).nanGradientAt(0, 150).nanComponent(BlindSpot.D - 1);
        int[] injectedBy = {0};
        RunResult r = new Trainer(objective, UpdateKernels.scalar(), config(algorithm, 2, 200, 100)).run(new TrainingListener() {
            @Override
            public void onEpoch(EpochStats e) {
                if (injectedBy[0] == 0 && objective.injected()) { // the NaN was applied during this epoch
                    injectedBy[0] = e.epoch();
                }
            }
        });
        assertEquals(Outcome.CRASHED, r.outcome());
        assertTrue(r.crashReason().contains("parameter " + (BlindSpot.D - 1) + " became NaN after epoch " + r.epochs().size()),
                r.crashReason());
        for (EpochStats e : r.epochs()) {
            assertTrue(Double.isFinite(e.loss()), "the loss never showed it: " + r.epochs());
        }
        assertTrue(injectedBy[0] > 0, "the fault was injected");
        assertEquals(injectedBy[0], r.epochs().size(), "caught at the end of the epoch it happened in");
        assertNoWorkerThreadsAlive();
    }

    private static void assertNoWorkerThreadsAlive() {
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            assertTrue(!t.getName().startsWith("leashed-worker-") || !t.isAlive(), "worker thread still alive: " + t);
        }
    }
}
