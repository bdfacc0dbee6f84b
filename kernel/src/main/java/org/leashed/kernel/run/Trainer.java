package org.leashed.kernel.run;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Phaser;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntConsumer;

import org.leashed.kernel.Objective;
import org.leashed.kernel.UpdateKernels;
import org.leashed.kernel.algo.SgdAlgorithm;
import org.leashed.kernel.algo.SgdAlgorithms;
import org.leashed.kernel.algo.WorkerContext;
import org.leashed.kernel.algo.WorkerMetrics;
import org.leashed.kernel.checkpoint.Checkpoint;
import org.leashed.kernel.checkpoint.CheckpointException;
import org.leashed.kernel.checkpoint.CheckpointFile;
import org.leashed.kernel.elastic.ElasticReport;
import org.leashed.kernel.elastic.ElasticRuntime;
import org.leashed.kernel.stepsize.StepSizeTable;
import org.leashed.kernel.stepsize.StepSizes;

/**
 * Runs one training: m platform worker threads execute the configured {@link SgdAlgorithm}; between
 * epochs they wait parked on a phaser while this (the coordinating) thread evaluates the full loss
 * off the clock and rebuilds the staleness-adaptive step sizes from the histogram observed so far.
 * Single use: {@link #run} may be called once.
 *
 * <p>Epochs: a shared ticket counter hands out exactly {@code updatesPerEpoch} update tickets per
 * epoch; a worker takes one before computing a gradient and keeps it until an update of its is
 * applied (a Leashed-SGD give-up or a MindTheStep drop computes a fresh gradient under the same
 * ticket), so every completed epoch applies exactly {@code updatesPerEpoch} updates. SYNC runs that
 * many rounds.
 *
 * <p>Ending: after {@code epochs} epochs; at the end of the epoch in which the time limit passed (the
 * workers leave within one update); or on a crash: a non-finite mini-batch loss (detected in the
 * gradient that produced it, so a NaN in theta is caught by the next gradient computed on it) or a
 * non-finite epoch loss, or a worker exception (which is recorded as the crash reason, named with
 * its type and message). In every case all workers are joined before {@link #run} returns. Outcome:
 * CONVERGED if the smallest requested epsilon was reached at some epoch end (or none was requested
 * and the run did not crash), DIVERGED otherwise, CRASHED as above.
 *
 * <h2>Memory ordering</h2>
 * <table>
 *   <tr><th>field</th><th>writer</th><th>reader</th><th>edge</th></tr>
 *   <tr><td>epochTarget, stepTable, worker metrics</td><td>plain, by the coordinator (metrics: by
 *       their worker)</td><td>plain</td><td>the epoch phaser: arrive happens-before the await that
 *       returns after it, in both directions.</td></tr>
 *   <tr><td>tickets</td><td>getAndIncrement; set (volatile) by the coordinator between
 *       epochs</td><td>get (progress)</td><td>atomic counter; each ticket is handed out once.</td></tr>
 *   <tr><td>stop</td><td>volatile store</td><td>volatile load once per ticket</td><td>a worker sees a
 *       stop request within one update.</td></tr>
 *   <tr><td>failure, crashReason</td><td>compareAndSet (first one wins)</td><td>get, after the
 *       workers are joined (join is the edge)</td><td></td></tr>
 *   <tr><td>elastic</td><td>plain, coordinator, before any thread starts</td><td>plain</td><td>Thread.start.</td></tr>
 *   <tr><td>epochNumber, contexts[w], velocity contents</td><td>plain (epochNumber: coordinator before the
 *       release; contexts[w]: worker w before its first arrival; velocity: worker w in epochs)</td>
 *       <td>plain (workers after the release; coordinator at an epoch boundary)</td><td>the epoch phaser,
 *       as above: the coordinator snapshots only while every worker is parked on it.</td></tr>
 *   <tr><td>stopAtBoundary</td><td>volatile store (signal hook, any thread)</td><td>volatile load by the
 *       coordinator at each epoch boundary</td><td>the request is seen at the next boundary.</td></tr>
 *   <tr><td>Worker.sectionEnteredNanos</td><td>setOpaque by its worker (entering / leaving the update
 *       section)</td><td>getOpaque by the coordinator's watchdog</td><td>none needed: a monitoring value;
 *       opaque only rules out tearing and keeps the store from being hoisted out of the loop.</td></tr>
 *   <tr><td>finished</td><td>countDown at the end of {@link #run}</td><td>await (signal hook)</td>
 *       <td>CountDownLatch: countDown happens-before a successful await.</td></tr>
 * </table>
 *
 * <h2>Checkpoints and resume</h2>
 * With {@link #checkpointTo} the coordinator writes a {@link Checkpoint} at an epoch boundary (all
 * workers parked, off the clock) when {@code everySeconds} of real time have passed since the last one,
 * after the last epoch (also when the time limit ended the run), and at the boundary following
 * {@link #requestCheckpointAndStop()} (a signal). Never after a crash: a non-finite loss or parameter
 * ends the run before the write, so the last good checkpoint stays on disk. {@link #resumeFrom}
 * continues a checkpointed run: parameters, momentum state, epoch numbering, history, staleness
 * histogram and step sizes come from the checkpoint; each worker's sampler is restarted at every epoch
 * from {@link Checkpoint#epochSeed}(seed, worker, epoch), so a resumed run samples exactly what an
 * uninterrupted one would. The time limit counts the whole run's training wall, resumed part included.
 *
 * <h2>Stall watchdog</h2>
 * While waiting for an epoch to end the coordinator polls every 100 ms. If no update ticket was taken
 * for {@link #stallWarningAfter} seconds (default {@value #DEFAULT_STALL_SECONDS}) it reports a stall:
 * the worker that has been inside its update section (as the algorithm brackets it with
 * {@link WorkerContext#enterUpdate} / {@link WorkerContext#leaveUpdate}; for ASYNC inside the lock, so
 * that is the lock holder the others are queued behind) the longest, and for how long. A
 * stall is reported once through {@link TrainingListener#onWarning} and the longest one goes into
 * {@link RunResult#stall()}; the run goes on (a stall is not a crash). Lock-free Leashed-SGD does not
 * stall as a whole when one worker does: the others keep taking tickets.
 *
 * <p>Elastic runs ({@code config.elastic() != null}, ELAsyncSGD): {@code threads} workers are started
 * (m-hat) but only those with {@code id < m^E} take tickets; the others park in
 * {@link ElasticRuntime#awaitActive} until the regulator raises m^E or the epoch's tickets run out (the
 * worker that draws the first ticket past the target wakes them all, so that they can leave the epoch).
 * Each applied update is reported to the regulator through {@link WorkerContext#onApplied}. Worker-seconds
 * then count active time only (parked time is subtracted).
 */
public final class Trainer {
    /** Default seconds without a ticket taken before a stall is reported. */
    public static final double DEFAULT_STALL_SECONDS = 10;

    private final Objective objective;
    private final UpdateKernels kernels;
    private final TrainingConfig config;
    private final int d;
    private final int m;

    private final AtomicLong tickets = new AtomicLong();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final AtomicReference<String> crashReason = new AtomicReference<>();
    private final AtomicBoolean used = new AtomicBoolean();
    private volatile boolean stop;
    private long epochTarget;
    private StepSizeTable stepTable;
    private final WorkerMetrics[] metrics;
    private IntConsumer workerStart = id -> { };
    private SgdAlgorithm algorithm;
    private ElasticRuntime elastic;           // null unless the run is elastic
    private final AtomicReference<WorkerFailure> failedWorker = new AtomicReference<>();
    private int epochNumber;                  // the epoch the workers are released into; phaser edge
    private final Worker[] contexts;          // set by each worker before its first arrival; phaser edge
    private Path checkpointFile;              // null: no checkpoints
    private double checkpointEverySeconds;
    private Map<String, String> modelFields = Map.of();
    private Checkpoint resume;                // null: a fresh run
    private long[] priorStaleness = new long[0];
    private long priorApplied;
    private long priorDropped;
    private volatile boolean stopAtBoundary;
    private final CountDownLatch finished = new CountDownLatch(1);
    private long stallNanos = (long) (DEFAULT_STALL_SECONDS * 1e9);
    private StallReport longestStall;         // coordinator only
    private int checkpointsWritten;           // coordinator only

    /** Which worker failed first (-1: the elastic regulator) and why. */
    private record WorkerFailure(int worker, String thread, Throwable cause) {
    }

    /**
     * @throws NullPointerException     if an argument is null
     * @throws IllegalArgumentException if the objective's dimension is not positive
     */
    public Trainer(Objective objective, UpdateKernels kernels, TrainingConfig config) {
        this.objective = Objects.requireNonNull(objective, "objective");
        this.kernels = Objects.requireNonNull(kernels, "kernels");
        this.config = Objects.requireNonNull(config, "config");
        this.d = objective.dimension();
        if (d < 1) {
            throw new IllegalArgumentException("objective dimension must be >= 1, got " + d);
        }
        this.m = config.threads();
        this.metrics = new WorkerMetrics[m];
        this.contexts = new Worker[m];
        for (int w = 0; w < m; w++) {
            metrics[w] = new WorkerMetrics();
        }
    }

    /**
     * Sets a hook each worker thread calls with its index before it touches any memory, e.g. to pin
     * itself to a CPU (first-touch placement then follows the pinning). A hook that throws fails the
     * run like any worker failure.
     *
     * @return this trainer
     */
    public Trainer onWorkerStart(IntConsumer hook) {
        this.workerStart = Objects.requireNonNull(hook, "hook");
        return this;
    }

    /**
     * Writes checkpoints to {@code file} (see the class comment).
     *
     * @param everySeconds real seconds between checkpoints (at the next epoch boundary after they
     *                     passed); {@code Double.POSITIVE_INFINITY}: only at the end and on a signal
     * @param modelFields  the model's identity (architecture, data, batch...), stored in the checkpoint's
     *                     fingerprint so that a resume with another model is refused
     * @return this trainer
     * @throws IllegalArgumentException if everySeconds is not positive, or the run is elastic (the
     *                                  regulator's state is not checkpointed)
     */
    public Trainer checkpointTo(Path file, double everySeconds, Map<String, String> modelFields) {
        Objects.requireNonNull(file, "file");
        if (!(everySeconds > 0)) {
            throw new IllegalArgumentException("checkpoint period must be > 0 seconds, got " + everySeconds);
        }
        if (config.elastic() != null) {
            throw new IllegalArgumentException("checkpoints of elastic runs are not supported (the regulator's state is not saved)");
        }
        this.checkpointFile = file;
        this.checkpointEverySeconds = everySeconds;
        this.modelFields = Map.copyOf(modelFields);
        return this;
    }

    /**
     * Continues the run a checkpoint was taken from (see the class comment).
     *
     * @param modelFields the model's identity, compared with the checkpoint's (as {@link #checkpointTo})
     * @param source      names the checkpoint in messages (its file)
     * @return this trainer
     * @throws CheckpointException if the checkpoint does not fit this run: a configuration or model field
     *                             differs (named, with both values), it has already run {@code epochs}
     *                             epochs, or the step sizes or sampler seeds this build derives from it
     *                             differ from the stored ones
     */
    public Trainer resumeFrom(Checkpoint checkpoint, Map<String, String> modelFields, String source) throws CheckpointException {
        Objects.requireNonNull(checkpoint, "checkpoint");
        if (config.elastic() != null) {
            throw new CheckpointException(source + ": resuming an elastic run is not supported (the regulator's state is not saved)");
        }
        checkpoint.requireCompatible(Checkpoint.fingerprintOf(config, d, modelFields), source);
        if (checkpoint.completedEpochs() < 1) {
            throw new CheckpointException(source + ": checkpoint field completed epochs is 0, expected >= 1 (checkpoints are "
                    + "taken after an epoch)");
        }
        if (checkpoint.completedEpochs() >= config.epochs()) {
            throw new CheckpointException(source + ": the checkpoint has already completed " + checkpoint.completedEpochs()
                    + " epoch(s); epochs for the resumed run must be larger than that, got " + config.epochs());
        }
        for (int w = 0; w < m; w++) {
            long derived = Checkpoint.epochSeed(config.seed(), w, checkpoint.completedEpochs() + 1);
            if (checkpoint.workerSeeds()[w] != derived) {
                throw new CheckpointException(source + ": sampler seed of worker " + w + " is " + checkpoint.workerSeeds()[w]
                        + " in the checkpoint but " + derived + " in this build; it was written by an incompatible version");
            }
        }
        if (!checkpoint.velocities().isEmpty() != config.momentum() > 0) {
            throw new CheckpointException(source + ": momentum state " + (checkpoint.velocities().isEmpty() ? "absent" : "present")
                    + " in the checkpoint, but momentum is " + config.momentum() + " in this run");
        }
        final long[] histogram = Arrays.copyOf(checkpoint.stalenessHistogram(), WorkerMetrics.STALENESS_BINS);
        final StepSizeTable table = StepSizes.build(config.stepSize(), config.learningRate(), m, histogram, config.momentum());
        if (!Arrays.equals(table.head(StepSizeTable.SIZE), checkpoint.stepSizes()) || table.dropAbove() != checkpoint.stepDropAbove()) {
            throw new CheckpointException(source + ": the step sizes rebuilt from the checkpoint's staleness histogram differ "
                    + "from the stored ones; it was written by an incompatible version");
        }
        this.resume = checkpoint;
        this.priorStaleness = histogram;
        this.priorApplied = checkpoint.appliedUpdates();
        this.priorDropped = checkpoint.droppedUpdates();
        return this;
    }

    /**
     * Reports a stall when no update ticket was taken for this long (see the class comment).
     *
     * @return this trainer
     * @throws IllegalArgumentException if seconds is not positive
     */
    public Trainer stallWarningAfter(double seconds) {
        if (!(seconds > 0)) {
            throw new IllegalArgumentException("stall threshold must be > 0 seconds, got " + seconds);
        }
        this.stallNanos = (long) Math.min(seconds * 1e9, Long.MAX_VALUE / 2);
        return this;
    }

    /**
     * Asks the run to stop at the next epoch boundary, writing a checkpoint there if checkpoints are on
     * (the workers finish the current epoch first, so the checkpoint is an epoch boundary's). Safe from any
     * thread, e.g. a shutdown hook; returns at once (see {@link #awaitFinished}).
     */
    public void requestCheckpointAndStop() {
        stopAtBoundary = true; // volatile store: the coordinator loads it at each boundary
    }

    /**
     * Waits until {@link #run} has returned or thrown (or was never called: then waits the full time).
     *
     * @return whether it finished within the timeout
     */
    public boolean awaitFinished(long timeout, TimeUnit unit) throws InterruptedException {
        return finished.await(timeout, unit);
    }

    /**
     * Runs to the end (epochs, time limit or crash) and reports. Listener callbacks run on the calling
     * thread, off the clock.
     *
     * @throws IllegalStateException if this trainer already ran
     */
    public RunResult run(TrainingListener listener) {
        Objects.requireNonNull(listener, "listener");
        if (!used.compareAndSet(false, true)) {
            throw new IllegalStateException("a Trainer runs once; create a new one for another run");
        }
        try (Arena arena = Arena.ofShared(); SgdAlgorithm alg = SgdAlgorithms.create(config, objective, kernels, arena)) {
            this.algorithm = alg;
            return runWith(alg, arena, listener);
        } finally {
            finished.countDown(); // happens-before a successful awaitFinished (signal handler)
        }
    }

    private RunResult runWith(SgdAlgorithm alg, Arena arena, TrainingListener listener) {
        final Checkpoint resume = this.resume;
        if (resume != null) {
            // No worker exists yet: the plain writes reach them through Thread.start.
            alg.withLatest(p -> MemorySegment.copy(resume.parameters(), 0, p, ValueLayout.JAVA_FLOAT, 0, d));
        }
        final double initialLoss = resume != null ? resume.initialLoss() : evaluateLatest();
        listener.onStart(config, initialLoss);
        final StepSizeConfig stepConfig = config.stepSize();
        stepTable = StepSizes.build(stepConfig, config.learningRate(), m, mergedStaleness(), config.momentum());

        final Phaser epochs = new Phaser(m + 1);
        if (config.elastic() != null) {
            elastic = new ElasticRuntime(config.elastic(), m, d, config.learningRate(), config.poison(),
                    () -> stop || tickets.get() >= epochTarget, // volatile loads; epochTarget: phaser edge
                    t -> {
                        failure.compareAndSet(null, t); // CAS: first failure wins
                        requestStop();
                    });
        }
        final ElasticRuntime elastic = this.elastic;
        final Thread[] workers = new Thread[m];
        for (int w = 0; w < m; w++) {
            final int id = w;
            final long seed = Checkpoint.epochSeed(config.seed(), w, 0); // restarted at each epoch (workerMain)
            workers[w] = Thread.ofPlatform().name("leashed-worker-" + w).daemon(true)
                    .unstarted(() -> workerMain(id, seed, arena, epochs));
        }
        if (elastic != null) {
            for (int w = 0; w < m; w++) {
                elastic.attach(w, workers[w]);
            }
            elastic.start();
        }
        for (Thread t : workers) {
            t.start();
        }
        ElasticReport elasticReport = null;

        final List<EpochStats> history = new ArrayList<>();
        final Map<String, Double> timeToEpsilon = new LinkedHashMap<>();
        for (double e : config.epsilons()) {
            timeToEpsilon.put(Double.toString(e), null);
        }
        final double smallest = config.epsilons().stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
        boolean reachedSmallest = config.epsilons().isEmpty(); // no target: nothing to miss
        double wall = 0;
        int firstEpoch = 1;
        if (resume != null) { // continue the checkpoint's trajectory: its epochs count as ours
            for (EpochStats record : resume.history()) {
                history.add(record);
                listener.onEpoch(record);
                for (double e : config.epsilons()) {
                    timeToEpsilon.computeIfAbsent(Double.toString(e), k -> record.loss() < e * initialLoss ? record.wallSeconds() : null);
                }
                reachedSmallest |= record.loss() < smallest * initialLoss;
            }
            wall = resume.wallSeconds();
            firstEpoch = resume.completedEpochs() + 1;
            // Off the clock, like a fresh run's initial evaluation (which also warms the JIT up for the
            // first epoch): the restored parameters must give the loss recorded after the last epoch.
            final double restored = evaluateLatest();
            final double recorded = resume.history().getLast().loss();
            if (!(Math.abs(restored - recorded) <= 1e-6 * Math.abs(recorded))) {
                listener.onWarning("the restored parameters evaluate to loss " + restored + ", the checkpoint recorded "
                        + recorded + " after epoch " + resume.completedEpochs() + " (a different data set or model build?)");
            }
        }
        final long limitNanos = config.timeLimitSeconds() > 0 ? (long) (config.timeLimitSeconds() * 1e9) : Long.MAX_VALUE;
        long lastCheckpointNanos = System.nanoTime();
        try {
            for (int epoch = firstEpoch; epoch <= config.epochs(); epoch++) {
                epochNumber = epoch; // plain: published to the workers by the release below
                epochTarget = (long) epoch * config.updatesPerEpoch();
                tickets.set((long) (epoch - 1) * config.updatesPerEpoch()); // volatile: before the phaser releases workers
                // The clock starts before the release: workers may run (a short epoch may even finish)
                // before this thread wakes up from the advance. They are already parked at the phaser
                // (they arrived right after the previous epoch), so the release itself costs microseconds.
                final long start = System.nanoTime();
                if (epochs.arriveAndAwaitAdvance() < 0) { // release the workers into the epoch
                    break; // a worker failed and terminated the phaser
                }
                if (elastic != null) {
                    elastic.clock().resume(start); // same instant as the wall time: R^E and wall_s share an axis
                }
                final long remaining = limitNanos == Long.MAX_VALUE ? Long.MAX_VALUE : limitNanos - (long) (wall * 1e9);
                awaitEpochEnd(epochs, start, remaining, listener);
                final long end = System.nanoTime();
                if (elastic != null) {
                    elastic.clock().pause(end);
                }
                wall += (end - start) / 1e9;
                if (limitNanos != Long.MAX_VALUE && wall * 1e9 >= limitNanos) {
                    stop = true; // volatile store: the time limit passed during this epoch, it is the last one
                }
                if (failure.get() != null) { // volatile load: a worker failed during the epoch
                    break;
                }
                final double loss = evaluateLatest();
                final EpochStats record = new EpochStats(epoch, loss, wall, appliedSoFar());
                history.add(record);
                listener.onEpoch(record);
                if (!Double.isFinite(loss)) {
                    crash("loss became " + loss + " after epoch " + epoch);
                }
                final String badParameter = firstNonFiniteParameter();
                if (badParameter != null) {
                    crash(badParameter + " after epoch " + epoch);
                }
                if (crashReason.get() != null) { // volatile load: a worker saw a NaN during the epoch
                    break; // before any checkpoint: the last good one stays on disk
                }
                for (double e : config.epsilons()) {
                    String key = Double.toString(e);
                    if (timeToEpsilon.get(key) == null && loss < e * initialLoss) {
                        timeToEpsilon.put(key, wall);
                    }
                }
                reachedSmallest |= loss < smallest * initialLoss;
                stepTable = StepSizes.build(stepConfig, config.learningRate(), m, mergedStaleness(), config.momentum());
                final boolean signalled = stopAtBoundary; // volatile load: a signal asked to stop here
                final boolean last = stop || signalled || epoch == config.epochs();
                if (checkpointFile != null
                        && (last || System.nanoTime() - lastCheckpointNanos >= checkpointEverySeconds * 1e9)) {
                    writeCheckpoint(epoch, wall, initialLoss, history, listener);
                    lastCheckpointNanos = System.nanoTime();
                }
                if (stop || signalled) { // time limit, or a signal
                    break;
                }
            }
        } finally {
            stop = true;
            epochs.forceTermination();
            alg.interrupt();
            for (Thread t : workers) {
                joinQuietly(t);
            }
            if (elastic != null) {
                elasticReport = elastic.finish(wall); // after the joins: the regulator drains every report
            }
        }
        final Throwable f = failure.get(); // volatile load, after the joins (join is the edge anyway)
        if (f != null) {
            final WorkerFailure who = failedWorker.get(); // volatile load, after the joins
            crash(who != null && who.cause() == f
                    ? "worker " + who.worker() + " (" + who.thread() + ") failed: " + f
                    : "worker failed: " + f);
        }
        final Outcome outcome = crashReason.get() != null ? Outcome.CRASHED
                : reachedSmallest ? Outcome.CONVERGED : Outcome.DIVERGED;
        alg.withLatest(listener::onFinished);
        return summarise(outcome, initialLoss, history, timeToEpsilon, wall, alg.footprint(), elasticReport);
    }

    private void awaitEpochEnd(Phaser epochs, long start, long remainingNanos, TrainingListener listener) {
        final int phase = epochs.arrive(); // our end-of-epoch arrival; then wait for the workers' ones
        long lastTickets = tickets.get(); // volatile: progress only
        long quietSince = System.nanoTime();
        boolean warned = false;
        for (;;) {
            try {
                epochs.awaitAdvanceInterruptibly(phase, 100, TimeUnit.MILLISECONDS);
                return; // advanced, or terminated (negative phase) by a failing worker
            } catch (TimeoutException e) {
                final long taken = tickets.get(); // volatile: progress only
                final long now = System.nanoTime();
                if (taken != lastTickets) {
                    lastTickets = taken;
                    quietSince = now;
                    warned = false;
                } else if (now - quietSince >= stallNanos && !stop) { // volatile load: a stopping run is not stalled
                    warned |= watchStall(now, now - quietSince, warned, listener);
                }
                long done = taken - (epochTarget - config.updatesPerEpoch());
                listener.onProgress(Math.min(Math.max(0, done), config.updatesPerEpoch()), config.updatesPerEpoch());
                if (remainingNanos != Long.MAX_VALUE && System.nanoTime() - start > remainingNanos) {
                    requestStop(); // time limit: workers leave the epoch after their current update
                }
            } catch (InterruptedException e) {
                crash("training interrupted");
                requestStop();
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /**
     * No ticket was taken for {@code quietNanos}: finds the worker longest inside its update section,
     * keeps the longest stall for the result and warns once per stall.
     *
     * @return whether a warning was given
     */
    private boolean watchStall(long now, long quietNanos, boolean warned, TrainingListener listener) {
        int worker = -1;
        long inside = 0;
        for (int w = 0; w < m; w++) {
            final Worker c = contexts[w]; // plain: set before the worker's first arrival (phaser edge)
            if (c == null) {
                continue;
            }
            final long entered = c.sectionEnteredOpaque();
            if (entered != 0 && now - entered > inside) {
                inside = now - entered;
                worker = w;
            }
        }
        final double seconds = (worker >= 0 ? inside : quietNanos) / 1e9;
        if (longestStall == null || seconds > longestStall.seconds()) {
            longestStall = new StallReport(worker, seconds, epochNumber, config.algorithm());
        }
        if (!warned) {
            listener.onWarning(new StallReport(worker, seconds, epochNumber, config.algorithm()).describe());
        }
        return true;
    }

    /** Records the first crash reason (later ones are consequences) and stops the workers. */
    private void crash(String reason) {
        crashReason.compareAndSet(null, reason); // CAS: first reason wins
        requestStop();
    }

    /** Asks every worker to leave the epoch; SYNC workers are released from their round barrier. */
    private void requestStop() {
        stop = true; // volatile store: workers check it once per ticket
        SgdAlgorithm alg = algorithm;
        if (alg != null) {
            alg.interrupt();
        }
        ElasticRuntime el = elastic;
        if (el != null) {
            el.wakeAll(); // after the stop store: parked inactive workers re-check and leave
        }
    }

    private void workerMain(int id, long seed, Arena arena, Phaser epochs) {
        final WorkerMetrics s = metrics[id];
        try {
            workerStart.accept(id);
            try (Objective.Sampler sampler = objective.newSampler(id, seed)) {
                final Worker context = new Worker(id, sampler, arena, s);
                contexts[id] = context; // plain: the coordinator reads it after our arrivals (phaser edge)
                final SgdAlgorithm.WorkerLoop loop = algorithm.newWorker(context);
                for (;;) {
                    if (epochs.arriveAndAwaitAdvance() < 0) {
                        return; // terminated: the run is over
                    }
                    // epochNumber: plain, written before the release we just passed (phaser edge)
                    sampler.reseed(Checkpoint.epochSeed(config.seed(), id, epochNumber));
                    final long begin = System.nanoTime();
                    final long parkedBefore = elastic != null ? elastic.parkedNanos(id) : 0;
                    try {
                        if (!stop) {
                            loop.runEpoch();
                        }
                    } finally {
                        final long parked = elastic != null ? elastic.parkedNanos(id) - parkedBefore : 0;
                        s.recordBusy(System.nanoTime() - begin - parked); // active time only
                    }
                    if (epochs.arriveAndAwaitAdvance() < 0) {
                        return;
                    }
                }
            }
        } catch (Throwable t) {
            if (failure.compareAndSet(null, t)) { // CAS: the first failure is the cause, later ones follow from it
                failedWorker.set(new WorkerFailure(id, Thread.currentThread().getName(), t)); // volatile: read after the joins
            }
            requestStop();
            epochs.forceTermination();
        }
    }

    /** One worker's view of the run. Confined to its thread. */
    private final class Worker implements WorkerContext {
        private final int id;
        private final Objective.Sampler sampler;
        private final WorkerMetrics s;
        private final MemorySegment grad;
        private final MemorySegment velocity; // momentum state, or null
        private final MemorySegment step;
        private final float momentum;
        private float lastLoss;               // mini-batch loss of the latest gradient (elastic reports)
        /** nanoTime when this worker entered its update section ({@link #enterUpdate}), 0 outside; see SECTION. */
        @SuppressWarnings("unused") // accessed through SECTION
        private long sectionEnteredNanos;

        Worker(int id, Objective.Sampler sampler, Arena arena, WorkerMetrics s) {
            this.id = id;
            this.sampler = sampler;
            this.s = s;
            this.grad = arena.allocate((long) d * Float.BYTES, 64);
            this.momentum = config.momentum();
            this.velocity = momentum > 0 ? arena.allocate((long) d * Float.BYTES, 64) : null; // zero-filled
            this.step = velocity != null ? velocity : grad;
            if (velocity != null && resume != null) {
                // resume: plain, written by the coordinator before Thread.start; read here on the worker
                MemorySegment.copy(resume.velocities().get(id), 0, velocity, ValueLayout.JAVA_FLOAT, 0, d);
            }
        }

        /** The watchdog's view of {@link #sectionEnteredNanos}. */
        long sectionEnteredOpaque() {
            return (long) SECTION.getOpaque(this); // opaque: monitoring only, no ordering needed
        }

        /** Copies this worker's momentum state; only while the worker is parked (epoch phaser edge). */
        float[] velocitySnapshot() {
            return velocity.toArray(ValueLayout.JAVA_FLOAT);
        }

        @Override
        public int workerId() {
            return id;
        }

        @Override
        public int workers() {
            return m;
        }

        @Override
        public int dimension() {
            return d;
        }

        @Override
        public boolean takeTicket() {
            final ElasticRuntime elastic = Trainer.this.elastic;
            if (elastic != null && !elastic.awaitActive(id)) {
                return false; // inactive until the epoch ended
            }
            if (stop) { // volatile load
                return false;
            }
            // atomic RMW: tickets are handed out exactly once; the target is fixed for the epoch.
            final long ticket = tickets.getAndIncrement();
            if (ticket < epochTarget) {
                return true;
            }
            if (ticket == epochTarget && elastic != null) {
                elastic.wakeAll(); // first refusal of the epoch: parked workers may now leave it
            }
            return false;
        }

        @Override
        public void onApplied(long iteration, long readIteration) {
            final ElasticRuntime elastic = Trainer.this.elastic;
            if (elastic != null) {
                elastic.submit(id, iteration, readIteration, lastLoss, grad);
            }
        }

        @Override
        public long updatesPerEpoch() {
            return config.updatesPerEpoch();
        }

        @Override
        public boolean stopRequested() {
            return stop; // volatile load
        }

        @Override
        public MemorySegment computeStep(MemorySegment params) {
            final long t0 = System.nanoTime();
            final float loss = sampler.sampleGradient(params, grad);
            s.recordTc(System.nanoTime() - t0);
            lastLoss = loss;
            if (!Float.isFinite(loss)) {
                crash("mini-batch loss became " + loss + " (worker " + id + ")");
            }
            if (velocity != null) { // v = g + mu v (eq. 1.3 / A.5); the update then applies -eta v
                kernels.copyAxpy(d, velocity, grad, momentum, velocity);
            }
            return step;
        }

        @Override
        public void enterUpdate(long nanoTime) {
            SECTION.setOpaque(this, nanoTime); // opaque: monitoring only, read by the watchdog
        }

        @Override
        public void leaveUpdate() {
            SECTION.setOpaque(this, 0L); // opaque: monitoring only, read by the watchdog
        }

        @Override
        public MemorySegment stepBuffer() {
            return step;
        }

        @Override
        public StepSizeTable stepSizes() {
            return stepTable;
        }

        @Override
        public WorkerMetrics metrics() {
            return s;
        }
    }

    private static final VarHandle SECTION;

    static {
        try {
            SECTION = MethodHandles.lookup().findVarHandle(Worker.class, "sectionEnteredNanos", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** "parameter i is v" for the first non-finite parameter, or null if all are finite. */
    private String firstNonFiniteParameter() {
        final String[] out = new String[1];
        algorithm.withLatest(p -> {
            for (int i = 0; i < d; i++) {
                final float v = p.getAtIndex(ValueLayout.JAVA_FLOAT, i);
                if (!Float.isFinite(v)) {
                    out[0] = "parameter " + i + " became " + v;
                    return;
                }
            }
        });
        return out[0];
    }

    /** Snapshots the run at this epoch boundary (workers parked) and writes it; a failed write only warns. */
    private void writeCheckpoint(int epoch, double wall, double initialLoss, List<EpochStats> history,
                                 TrainingListener listener) {
        final float[] params = new float[d];
        algorithm.withLatest(p -> MemorySegment.copy(p, ValueLayout.JAVA_FLOAT, 0, params, 0, d));
        final List<float[]> velocities = new ArrayList<>();
        if (config.momentum() > 0) {
            for (Worker c : contexts) { // plain: the workers are parked on the phaser (edge)
                velocities.add(c.velocitySnapshot());
            }
        }
        final long[] seeds = new long[m];
        for (int w = 0; w < m; w++) {
            seeds[w] = Checkpoint.epochSeed(config.seed(), w, epoch + 1);
        }
        long dropped = priorDropped;
        for (WorkerMetrics s : metrics) {
            dropped += s.dropped() + s.gaveUp();
        }
        final Checkpoint checkpoint = new Checkpoint(Checkpoint.fingerprintOf(config, d, modelFields), epoch, appliedSoFar(),
                dropped, wall, initialLoss, history, seeds, trim(mergedStaleness()), stepTable.head(StepSizeTable.SIZE),
                stepTable.dropAbove(), params, velocities);
        try {
            CheckpointFile.write(checkpointFile, checkpoint);
            checkpointsWritten++;
            listener.onCheckpoint(checkpointFile, epoch);
        } catch (IOException | RuntimeException e) {
            listener.onWarning("cannot write checkpoint " + checkpointFile + " after epoch " + epoch + ": " + e
                    + "; training goes on, the previous checkpoint (if any) is unchanged");
        }
    }

    private double evaluateLatest() {
        final double[] out = new double[1];
        algorithm.withLatest(p -> out[0] = objective.loss(p));
        return out[0];
    }

    private long appliedSoFar() {
        long sum = priorApplied;
        for (WorkerMetrics s : metrics) {
            sum += s.applied();
        }
        return sum;
    }

    private long[] mergedStaleness() {
        final long[] h = Arrays.copyOf(priorStaleness, WorkerMetrics.STALENESS_BINS);
        for (WorkerMetrics s : metrics) {
            s.addStalenessTo(h);
        }
        return h;
    }

    private RunResult summarise(Outcome outcome, double initialLoss, List<EpochStats> history, Map<String, Double> tte,
                                double wall, SgdAlgorithm.MemoryFootprint footprint, ElasticReport elasticReport) {
        final long[] tries = new long[WorkerMetrics.TRIES_BINS];
        long dropped = priorDropped;
        long gaveUp = 0;
        long busy = 0;
        long tcSum = 0;
        long tcCount = 0;
        long tuSum = 0;
        long tuCount = 0;
        for (WorkerMetrics s : metrics) {
            s.addTriesTo(tries);
            dropped += s.dropped();
            gaveUp += s.gaveUp();
            busy += s.busyNanos();
            tcSum += s.tcSumNanos();
            tcCount += s.tcCount();
            tuSum += s.tuSumNanos();
            tuCount += s.tuCount();
        }
        final Percentiles tc = percentiles(samples(true), tcSum, tcCount);
        final Percentiles tu = percentiles(samples(false), tuSum, tuCount);
        final long applied = appliedSoFar();
        final Contention contention = Contention.of(m, tc.mean(), tu.mean(), applied, gaveUp, tuSum / 1e9, wall);
        return new RunResult(config, outcome, initialLoss, List.copyOf(history), tte, trim(mergedStaleness()), trim(tries),
                tc, tu, footprint.liveVectorsPeak(), footprint.offHeapBytesPeak(), busy / 1e9, contention.nStar(),
                contention.measuredMean(), applied, dropped + gaveUp, kernels.description(), wall,
                outcome == Outcome.CRASHED ? crashReason.get() : null, contention.gamma(), contention.nStarGamma(),
                elasticReport, longestStall, checkpointsWritten);
    }

    private long[] samples(boolean tc) {
        int total = 0;
        for (WorkerMetrics s : metrics) {
            total += s.retainedSamples(tc);
        }
        final long[] all = new long[total];
        int at = 0;
        for (WorkerMetrics s : metrics) {
            at += s.copySamples(tc, all, at);
        }
        Arrays.sort(all);
        return all;
    }

    /** Nearest-rank percentiles of the retained samples; the mean covers every sample. */
    static Percentiles percentiles(long[] sorted, long sum, long count) {
        if (sorted.length == 0 || count == 0) {
            return Percentiles.EMPTY;
        }
        return new Percentiles(rank(sorted, 0.50), rank(sorted, 0.99), (double) sum / count, count);
    }

    private static long rank(long[] sorted, double q) {
        int index = (int) Math.ceil(q * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }

    private static long[] trim(long[] h) {
        int n = h.length;
        while (n > 0 && h[n - 1] == 0) {
            n--;
        }
        return Arrays.copyOf(h, n);
    }

    private static void joinQuietly(Thread t) {
        boolean interrupted = false;
        for (;;) {
            try {
                t.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
