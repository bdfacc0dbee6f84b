package org.leashed.kernel.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.leashed.kernel.Objective;
import org.leashed.kernel.UpdateKernels;
import org.leashed.kernel.checkpoint.Checkpoint;
import org.leashed.kernel.checkpoint.CheckpointException;
import org.leashed.kernel.checkpoint.CheckpointFile;
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
        // the first worker to reach its 30th gradient fails (not a fixed id: under load a given worker
        // may be starved and never get there while the others finish every epoch)
        AtomicInteger failing = new AtomicInteger(-1);
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
                    public void reseed(long seed) {
                        inner.reseed(seed);
                    }

                    @Override
                    public float sampleGradient(MemorySegment params, MemorySegment grad) {
                        if (++calls == 30 && failing.compareAndSet(-1, workerId)) {
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
        int id = failing.get();
        assertTrue(r.crashReason().contains("worker " + id + " (leashed-worker-" + id + ")"),
                "names the failing worker " + id + ": " + r.crashReason());
        // a worker fails on its 30th gradient: the failing epoch is not recorded and no further epoch runs.
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

    /** Whether a run is a deterministic function of its seeds (no thread interleaving in the result). */
    boolean deterministic() {
        return algorithm() == AlgorithmKind.SEQ || algorithm() == AlgorithmKind.SYNC;
    }

    private static final Map<String, String> MODEL = Map.of("model", "least-squares d=16 n=256 b=8");

    private TrainingConfig resumable(int epochs, float momentum) {
        return new TrainingConfig(algorithm(), threads(2), PersistenceBound.unbounded(), epochs, 100, 0.2f, momentum,
                StepSizeConfig.of(StepSizeKind.TAIL), 11, List.of(0.5, 0.01), 0, false);
    }

    private static RunResult runCapturing(Trainer trainer, float[] finalParams) {
        RunResult r = trainer.run(new TrainingListener() {
            @Override
            public void onFinished(MemorySegment p) {
                MemorySegment.copy(p, LeastSquares.F, 0, finalParams, 0, finalParams.length);
            }

            @Override
            public void onWarning(String message) {
                throw new AssertionError("unexpected warning: " + message); // e.g. restored loss != recorded loss
            }
        });
        assertTrue(r.outcome() != Outcome.CRASHED, r.crashReason());
        return r;
    }

    /**
     * 4 epochs straight versus 2, checkpoint, resume for 2 more: the resumed run continues the epoch
     * numbering, update count and wall axis; SEQ and SYNC (deterministic given the seeds) reproduce the
     * uninterrupted trajectory bit for bit, momentum state included; the asynchronous ones stay close.
     */
    @ParameterizedTest
    @ValueSource(floats = {0f, 0.5f})
    void shouldContinueTrajectoryWhenResumedFromCheckpoint(float momentum, @TempDir Path dir) throws Exception {
        LeastSquares problem = new LeastSquares(16, 256, 8, 3);
        float[] straightParams = new float[16];
        RunResult straight = runCapturing(new Trainer(problem, UpdateKernels.scalar(), resumable(4, momentum)), straightParams);

        Path file = dir.resolve("run.ckpt");
        RunResult first = new Trainer(problem, UpdateKernels.scalar(), resumable(2, momentum))
                .checkpointTo(file, Double.POSITIVE_INFINITY, MODEL).run(TrainingListener.NONE);
        assertEquals(1, first.checkpointsWritten(), "only at the end");
        Checkpoint c = CheckpointFile.read(file);
        assertEquals(2, c.completedEpochs());
        assertEquals(2 * 100, c.appliedUpdates());
        assertEquals(momentum > 0 ? threads(2) : 0, c.velocities().size());

        float[] resumedParams = new float[16];
        RunResult resumed = runCapturing(new Trainer(problem, UpdateKernels.scalar(), resumable(4, momentum))
                .resumeFrom(c, MODEL, file.toString()), resumedParams);
        assertEquals(List.of(1, 2, 3, 4), resumed.epochs().stream().map(EpochStats::epoch).toList());
        assertEquals(List.of(100L, 200L, 300L, 400L), resumed.epochs().stream().map(EpochStats::updates).toList());
        assertEquals(4 * 100, resumed.appliedUpdates());
        assertEquals(first.initialLoss(), resumed.initialLoss());
        assertEquals(first.epochs(), resumed.epochs().subList(0, 2), "the checkpoint's history is kept as it was");
        assertTrue(resumed.epochs().get(2).wallSeconds() >= resumed.epochs().get(1).wallSeconds(), "wall axis continues");
        long histogramTotal = 0;
        for (long h : resumed.stalenessHistogram()) {
            histogramTotal += h;
        }
        assertEquals(400, histogramTotal, "the staleness histogram continues from the checkpoint's");
        if (deterministic()) {
            for (int e = 0; e < 4; e++) {
                assertEquals(straight.epochs().get(e).loss(), resumed.epochs().get(e).loss(), "loss after epoch " + (e + 1));
            }
            assertArrayEquals(straightParams, resumedParams, "final parameters");
            assertArrayEquals(straight.stalenessHistogram(), resumed.stalenessHistogram());
        } else {
            // interleavings differ run to run: close on the scale of the initial loss, both well below it
            double a = straight.epochs().get(3).loss();
            double b = resumed.epochs().get(3).loss();
            assertTrue(b < 0.5 * straight.initialLoss() && Math.abs(a - b) <= 0.05 * straight.initialLoss(),
                    "resumed loss " + b + " vs straight " + a + " (initial " + straight.initialLoss() + ")");
        }
        assertNoWorkerThreadsAlive();
    }

    @Test
    void shouldNameFieldAndBothValuesWhenResumedWithOtherConfiguration(@TempDir Path dir) throws Exception {
        LeastSquares problem = new LeastSquares(16, 256, 8, 3);
        Path file = dir.resolve("run.ckpt");
        new Trainer(problem, UpdateKernels.scalar(), resumable(1, 0f)).checkpointTo(file, 1, MODEL).run(TrainingListener.NONE);
        Checkpoint c = CheckpointFile.read(file);
        TrainingConfig other = new TrainingConfig(algorithm(), threads(2), PersistenceBound.unbounded(), 3, 100, 0.3f, 0f,
                StepSizeConfig.of(StepSizeKind.TAIL), 11, List.of(0.5), 0, false);
        CheckpointException e = assertThrows(CheckpointException.class,
                () -> new Trainer(problem, UpdateKernels.scalar(), other).resumeFrom(c, MODEL, file.toString()));
        assertTrue(e.getMessage().contains("learning_rate: checkpoint 0.2, this run 0.3"), e.getMessage());
        assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
        CheckpointException model = assertThrows(CheckpointException.class,
                () -> new Trainer(problem, UpdateKernels.scalar(), resumable(3, 0f)).resumeFrom(c, Map.of("model", "other"), "f"));
        assertTrue(model.getMessage().contains("model: checkpoint least-squares d=16 n=256 b=8, this run other"), model.getMessage());
        CheckpointException done = assertThrows(CheckpointException.class,
                () -> new Trainer(problem, UpdateKernels.scalar(), resumable(1, 0f)).resumeFrom(c, MODEL, "f"));
        assertTrue(done.getMessage().contains("already completed 1 epoch"), done.getMessage());
    }

    /**
     * A NaN that reaches the parameters in epoch 4 ends the run in that epoch, CRASHED; the checkpoint
     * written after epoch 3 (checkpoints every epoch) is left as it was, not replaced by the bad state.
     * The fault is armed when that checkpoint is reported, so the first gradient of epoch 4 carries it.
     */
    @Test
    void shouldKeepLastGoodCheckpointWhenParametersBecomeNaN(@TempDir Path dir) throws Exception {
        LeastSquares base = new LeastSquares(16, 256, 8, 3);
        FaultyObjective faulty = new FaultyObjective(base);
        Path file = dir.resolve("run.ckpt");
        RunResult r = new Trainer(faulty, UpdateKernels.scalar(), resumable(10, 0f)).checkpointTo(file, 1e-9, MODEL)
                .run(new TrainingListener() {
                    @Override
                    public void onCheckpoint(Path f, int epoch) {
                        if (epoch == 3) {
                            faulty.arm(); // workers are parked: the next gradient is epoch 4's first
                        }
                    }
                });
        assertTrue(faulty.injected(), "the fault was injected");
        assertEquals(Outcome.CRASHED, r.outcome());
        assertTrue(r.crashReason().contains("NaN") || r.crashReason().contains("Infinity"), r.crashReason());
        assertTrue(r.epochs().size() <= 4, "crashed in epoch 4: " + r.epochs().size() + " epochs recorded");
        assertEquals(3, r.checkpointsWritten());
        Checkpoint c = CheckpointFile.read(file);
        assertEquals(3, c.completedEpochs(), "the last good checkpoint, not the crashed epoch's state");
        for (float x : c.parameters()) {
            assertTrue(Float.isFinite(x), "checkpointed parameter " + x);
        }
        try (var files = Files.list(dir)) {
            assertEquals(List.of(file), files.toList(), "no temporary files left behind");
        }
        assertNoWorkerThreadsAlive();
    }
}
