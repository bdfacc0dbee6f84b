package org.leashed.kernel.run;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
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
 * </table>
 *
 * <p>Elastic runs ({@code config.elastic() != null}, ELAsyncSGD): {@code threads} workers are started
 * (m-hat) but only those with {@code id < m^E} take tickets; the others park in
 * {@link ElasticRuntime#awaitActive} until the regulator raises m^E or the epoch's tickets run out (the
 * worker that draws the first ticket past the target wakes them all, so that they can leave the epoch).
 * Each applied update is reported to the regulator through {@link WorkerContext#onApplied}. Worker-seconds
 * then count active time only (parked time is subtracted).
 */
public final class Trainer {
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
        }
    }

    private RunResult runWith(SgdAlgorithm alg, Arena arena, TrainingListener listener) {
        final double initialLoss = evaluateLatest();
        listener.onStart(config, initialLoss);
        final StepSizeConfig stepConfig = config.stepSize();
        stepTable = StepSizes.build(stepConfig, config.learningRate(), m, new long[0], config.momentum());

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
        final SplittableRandom seeds = new SplittableRandom(config.seed());
        for (int w = 0; w < m; w++) {
            final int id = w;
            final long seed = seeds.nextLong();
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
        final long limitNanos = config.timeLimitSeconds() > 0 ? (long) (config.timeLimitSeconds() * 1e9) : Long.MAX_VALUE;
        try {
            for (int epoch = 1; epoch <= config.epochs(); epoch++) {
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
                if (crashReason.get() != null) { // volatile load: a worker saw a NaN during the epoch
                    break;
                }
                for (double e : config.epsilons()) {
                    String key = Double.toString(e);
                    if (timeToEpsilon.get(key) == null && loss < e * initialLoss) {
                        timeToEpsilon.put(key, wall);
                    }
                }
                reachedSmallest |= loss < smallest * initialLoss;
                if (stop) { // time limit
                    break;
                }
                stepTable = StepSizes.build(stepConfig, config.learningRate(), m, mergedStaleness(), config.momentum());
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
            crash("worker failed: " + f);
        }
        final Outcome outcome = crashReason.get() != null ? Outcome.CRASHED
                : reachedSmallest ? Outcome.CONVERGED : Outcome.DIVERGED;
        alg.withLatest(listener::onFinished);
        return summarise(outcome, initialLoss, history, timeToEpsilon, wall, alg.footprint(), elasticReport);
    }

    private void awaitEpochEnd(Phaser epochs, long start, long remainingNanos, TrainingListener listener) {
        final int phase = epochs.arrive(); // our end-of-epoch arrival; then wait for the workers' ones
        for (;;) {
            try {
                epochs.awaitAdvanceInterruptibly(phase, 100, TimeUnit.MILLISECONDS);
                return; // advanced, or terminated (negative phase) by a failing worker
            } catch (TimeoutException e) {
                long done = tickets.get() - (epochTarget - config.updatesPerEpoch()); // volatile: progress only
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
                final SgdAlgorithm.WorkerLoop loop = algorithm.newWorker(new Worker(id, sampler, arena, s));
                for (;;) {
                    if (epochs.arriveAndAwaitAdvance() < 0) {
                        return; // terminated: the run is over
                    }
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
            failure.compareAndSet(null, t); // CAS: the first failure is the cause, later ones follow from it
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

        Worker(int id, Objective.Sampler sampler, Arena arena, WorkerMetrics s) {
            this.id = id;
            this.sampler = sampler;
            this.s = s;
            this.grad = arena.allocate((long) d * Float.BYTES, 64);
            this.momentum = config.momentum();
            this.velocity = momentum > 0 ? arena.allocate((long) d * Float.BYTES, 64) : null; // zero-filled
            this.step = velocity != null ? velocity : grad;
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

    private double evaluateLatest() {
        final double[] out = new double[1];
        algorithm.withLatest(p -> out[0] = objective.loss(p));
        return out[0];
    }

    private long appliedSoFar() {
        long sum = 0;
        for (WorkerMetrics s : metrics) {
            sum += s.applied();
        }
        return sum;
    }

    private long[] mergedStaleness() {
        final long[] h = new long[WorkerMetrics.STALENESS_BINS];
        for (WorkerMetrics s : metrics) {
            s.addStalenessTo(h);
        }
        return h;
    }

    private RunResult summarise(Outcome outcome, double initialLoss, List<EpochStats> history, Map<String, Double> tte,
                                double wall, SgdAlgorithm.MemoryFootprint footprint, ElasticReport elasticReport) {
        final long[] tries = new long[WorkerMetrics.TRIES_BINS];
        long dropped = 0;
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
                elasticReport);
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
