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
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntConsumer;

import org.leashed.kernel.Objective;
import org.leashed.kernel.UpdateKernels;
import org.leashed.kernel.stepsize.StepSizeTable;
import org.leashed.kernel.stepsize.StepSizes;
import org.leashed.memory.LatestVectorRegister;
import org.leashed.memory.LeashedUpdater;
import org.leashed.memory.ParameterVector;
import org.leashed.memory.VectorPool;
import org.leashed.memory.VectorUpdate;

/**
 * Runs one training: m persistent worker threads execute the configured algorithm; between epochs
 * they wait (parked) on a phaser while the coordinator evaluates the loss off the clock and refreshes
 * adaptive step sizes.
 *
 * <p>Epochs: a shared ticket counter hands out exactly {@code updatesPerEpoch} update tickets per
 * epoch; a worker takes a ticket before computing a gradient and keeps it until an update of its is
 * applied (a Leashed-SGD give-up retries with a new gradient under the same ticket).
 *
 * <p>Staleness: SEQ and SYNC 0; ASYNC: global update count at apply minus at read, both under the
 * lock; HOG: total order by a global atomic update counter, read with getAcquire when the worker
 * copies theta and incremented with getAndIncrement when it applies (tau = ticket at apply minus
 * count at read); LSH: sequence number of the latest vector the update was applied to minus that of
 * the vector the gradient was computed on.
 *
 * <h2>Memory ordering</h2>
 * <table>
 *   <tr><th>field</th><th>writer</th><th>reader</th><th>edge</th></tr>
 *   <tr><td>epochTarget, stepTable, per-worker stats</td><td>plain, by the coordinator (stats: by
 *       their worker)</td><td>plain</td><td>the epoch phaser: arrive happens-before the await that
 *       returns after it, in both directions.</td></tr>
 *   <tr><td>tickets, hogCounter</td><td>getAndIncrement</td><td>getAcquire</td><td>atomic counters.</td></tr>
 *   <tr><td>stop, failure</td><td>volatile / CAS</td><td>volatile</td><td>a worker sees a stop request
 *       within one update.</td></tr>
 *   <tr><td>shared theta (SEQ, SYNC, ASYNC)</td><td colspan="3">lock or barrier protected; HOG:
 *       deliberately racy plain accesses (the algorithm's point).</td></tr>
 * </table>
 */
public final class Trainer {
    private final Objective objective;
    private final UpdateKernels kernels;
    private final TrainingConfig config;
    private final int d;
    private final int m;

    private final AtomicLong tickets = new AtomicLong();
    private final AtomicLong hogCounter = new AtomicLong();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private volatile boolean stop;
    private volatile String crashReason;
    private long epochTarget;
    private StepSizeTable stepTable;
    private final WorkerStats[] stats;
    private IntConsumer workerStart = w -> { };

    // shared state, per algorithm
    private MemorySegment theta;              // SEQ, SYNC, ASYNC, HOG
    private long asyncSequence;               // ASYNC, guarded by lock
    private final ReentrantLock lock = new ReentrantLock();
    private VectorPool pool;                  // LSH
    private LatestVectorRegister register;    // LSH
    private MemorySegment[] syncGrads;        // SYNC
    private Phaser syncBarrier;               // SYNC

    /**
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
        this.stats = new WorkerStats[m];
        for (int w = 0; w < m; w++) {
            stats[w] = new WorkerStats();
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

    /** Runs to the end (epochs, time limit, convergence target or crash) and reports. */
    public RunResult run(TrainingListener listener) {
        Objects.requireNonNull(listener, "listener");
        try (Arena arena = Arena.ofShared()) {
            return runIn(arena, listener);
        } finally {
            if (pool != null) {
                pool.close();
            }
        }
    }

    private RunResult runIn(Arena arena, TrainingListener listener) {
        final AlgorithmKind algorithm = config.algorithm();
        if (algorithm == AlgorithmKind.LSH) {
            pool = new VectorPool(d, 3 * m + 1, config.poison());
            ParameterVector initial = pool.allocate();
            objective.initialize(initial.data(), config.seed());
            initial.setSequence(0);
            register = new LatestVectorRegister(pool, initial);
        } else {
            theta = arena.allocate((long) d * Float.BYTES, 64);
            objective.initialize(theta, config.seed());
        }
        if (algorithm == AlgorithmKind.SYNC) {
            syncGrads = new MemorySegment[m];
            for (int w = 0; w < m; w++) {
                syncGrads[w] = arena.allocate((long) d * Float.BYTES, 64);
            }
            syncBarrier = new Phaser(m);
        }
        double initialLoss = evaluateLatest();
        listener.onStart(config, initialLoss);
        stepTable = StepSizes.build(config.stepSize(), config.learningRate(), m, new long[0], 1.0, config.momentum());

        Phaser epochs = new Phaser(m + 1);
        Thread[] workers = new Thread[m];
        SplittableRandom seeds = new SplittableRandom(config.seed());
        for (int w = 0; w < m; w++) {
            final int id = w;
            final long seed = seeds.nextLong();
            workers[w] = Thread.ofPlatform().name("leashed-worker-" + w).daemon(true).unstarted(() -> workerMain(id, seed, arena, epochs));
            workers[w].start();
        }

        List<EpochStats> history = new ArrayList<>();
        Map<String, Double> timeToEpsilon = new LinkedHashMap<>();
        for (double e : config.epsilons()) {
            timeToEpsilon.put(Double.toString(e), null);
        }
        double smallest = config.epsilons().stream().mapToDouble(Double::doubleValue).min().orElse(0);
        boolean reachedSmallest = false;
        double wall = 0;
        long limitNanos = config.timeLimitSeconds() > 0 ? (long) (config.timeLimitSeconds() * 1e9) : Long.MAX_VALUE;
        Outcome outcome = null;
        try {
            for (int epoch = 1; epoch <= config.epochs(); epoch++) {
                epochTarget = (long) epoch * config.updatesPerEpoch();
                tickets.set((long) (epoch - 1) * config.updatesPerEpoch());
                if (epochs.arriveAndAwaitAdvance() < 0) { // release the workers into the epoch
                    break; // a worker failed and terminated the phaser
                }
                long start = System.nanoTime();
                awaitEpochEnd(epochs, start, limitNanos == Long.MAX_VALUE ? Long.MAX_VALUE : limitNanos - (long) (wall * 1e9), listener);
                wall += (System.nanoTime() - start) / 1e9;
                if (failure.get() != null) {
                    outcome = Outcome.CRASHED;
                    break;
                }
                double loss = evaluateLatest();
                long applied = appliedSoFar();
                EpochStats record = new EpochStats(epoch, loss, wall, applied);
                history.add(record);
                listener.onEpoch(record);
                if (!Double.isFinite(loss) || crashReason != null) {
                    crashReason = crashReason != null ? crashReason : "loss became " + loss + " after epoch " + epoch;
                    outcome = Outcome.CRASHED;
                    break;
                }
                for (double e : config.epsilons()) {
                    String key = Double.toString(e);
                    if (timeToEpsilon.get(key) == null && loss < e * initialLoss) {
                        timeToEpsilon.put(key, wall);
                    }
                }
                reachedSmallest = smallest == 0 || loss < smallest * initialLoss || timeToEpsilon.get(Double.toString(smallest)) != null;
                if (stop) { // time limit
                    break;
                }
                stepTable = StepSizes.build(config.stepSize(), config.learningRate(), m, mergedStaleness(), 1.0, config.momentum());
            }
        } finally {
            stop = true;
            epochs.forceTermination();
            if (syncBarrier != null) {
                syncBarrier.forceTermination();
            }
            for (Thread t : workers) {
                joinQuietly(t);
            }
        }
        if (failure.get() != null) {
            Throwable f = failure.get();
            crashReason = crashReason != null ? crashReason : "worker failed: " + f;
            outcome = Outcome.CRASHED;
        }
        if (outcome == null) {
            outcome = reachedSmallest ? Outcome.CONVERGED : Outcome.DIVERGED;
        }
        withLatest(listener::onFinished);
        long livePeak;
        long bytesPeak;
        if (algorithm == AlgorithmKind.LSH) {
            register.retire();
            livePeak = pool.liveVectorsPeak() + m; // + per-worker gradient buffers (Lemma B.3.2 counts them)
            bytesPeak = pool.offHeapBytesPeak() + (long) m * d * Float.BYTES;
        } else {
            long vectors = switch (algorithm) {
                case SEQ -> 2;
                case SYNC -> m + 1;
                default -> 2L * m + 1;
            };
            livePeak = vectors;
            bytesPeak = vectors * d * Float.BYTES;
        }
        if (config.momentum() > 0) {
            bytesPeak += (long) m * d * Float.BYTES;
        }
        return summarise(outcome, initialLoss, history, timeToEpsilon, wall, livePeak, bytesPeak);
    }

    private void awaitEpochEnd(Phaser epochs, long start, long remainingNanos, TrainingListener listener) {
        final int phase = epochs.arrive(); // our end-of-epoch arrival; then wait for the workers' ones
        for (;;) {
            try {
                epochs.awaitAdvanceInterruptibly(phase, 100, TimeUnit.MILLISECONDS);
                return; // advanced, or terminated (negative phase) by a failing worker
            } catch (TimeoutException e) {
                long done = tickets.get() - (epochTarget - config.updatesPerEpoch());
                listener.onProgress(Math.min(Math.max(0, done), config.updatesPerEpoch()), config.updatesPerEpoch());
                if (remainingNanos != Long.MAX_VALUE && System.nanoTime() - start > remainingNanos) {
                    requestStop(); // time limit: workers leave the epoch after their current update
                }
            } catch (InterruptedException e) {
                stop = true;
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Asks every worker to leave the epoch; SYNC workers are released from their round barrier. */
    private void requestStop() {
        stop = true;
        Phaser barrier = syncBarrier;
        if (barrier != null) {
            barrier.forceTermination();
        }
    }

    private void workerMain(int id, long seed, Arena arena, Phaser epochs) {
        WorkerStats s = stats[id];
        try {
            workerStart.accept(id);
        } catch (Throwable t) {
            failure.compareAndSet(null, t);
            requestStop();
            epochs.forceTermination();
            return;
        }
        try (Objective.Sampler sampler = objective.newSampler(id, seed)) {
            Worker worker = new Worker(id, sampler, arena, s);
            for (;;) {
                if (epochs.arriveAndAwaitAdvance() < 0) {
                    return; // terminated
                }
                long begin = System.nanoTime();
                try {
                    if (!stop) {
                        worker.runEpoch();
                    }
                } finally {
                    s.busyNanos += System.nanoTime() - begin;
                }
                if (epochs.arriveAndAwaitAdvance() < 0) {
                    return;
                }
            }
        } catch (Throwable t) {
            failure.compareAndSet(null, t);
            stop = true;
            epochs.forceTermination();
            if (syncBarrier != null) {
                syncBarrier.forceTermination();
            }
        }
    }

    /** Per-worker state and the algorithm loops. Confined to its thread. */
    private final class Worker implements VectorUpdate {
        final int id;
        final Objective.Sampler sampler;
        final WorkerStats s;
        final MemorySegment grad;
        final MemorySegment local;     // ASYNC/HOG: local copy of theta
        final MemorySegment velocity;  // momentum state, or null
        final LeashedUpdater updater;
        long readSequence;
        float appliedEta;

        Worker(int id, Objective.Sampler sampler, Arena arena, WorkerStats s) {
            this.id = id;
            this.sampler = sampler;
            this.s = s;
            AlgorithmKind a = config.algorithm();
            this.grad = a == AlgorithmKind.SYNC ? syncGrads[id] : arena.allocate((long) d * Float.BYTES, 64);
            this.local = a == AlgorithmKind.ASYNC || a == AlgorithmKind.HOG ? arena.allocate((long) d * Float.BYTES, 64) : null;
            this.velocity = config.momentum() > 0 ? arena.allocate((long) d * Float.BYTES, 64) : null;
            this.updater = a == AlgorithmKind.LSH ? new LeashedUpdater(register, config.persistence()) : null;
        }

        void runEpoch() {
            switch (config.algorithm()) {
                case SEQ -> runSeq();
                case SYNC -> runSync();
                case ASYNC -> runAsync();
                case HOG -> runHog();
                case LSH -> runLeashed();
            }
        }

        private boolean takeTicket() {
            // atomic RMW: tickets are handed out exactly once; the target is fixed for the epoch.
            return !stop && tickets.getAndIncrement() < epochTarget;
        }

        private void gradient(MemorySegment params) {
            long t0 = System.nanoTime();
            float loss = sampler.sampleGradient(params, grad);
            s.recordTc(System.nanoTime() - t0);
            if (!Float.isFinite(loss)) {
                crashReason = "mini-batch loss became " + loss + " (worker " + id + ")";
                requestStop();
            }
            if (velocity != null) { // v = g + mu v; the update then applies v
                kernels.copyAxpy(d, velocity, grad, config.momentum(), velocity);
            }
        }

        private MemorySegment step() {
            return velocity != null ? velocity : grad;
        }

        private void runSeq() {
            final StepSizeTable table = stepTable;
            while (takeTicket()) {
                gradient(theta);
                long t0 = System.nanoTime();
                kernels.axpy(d, -table.eta(0), step(), theta);
                s.recordTu(System.nanoTime() - t0);
                s.recordStaleness(0);
                s.applied++;
            }
        }

        private void runSync() {
            final StepSizeTable table = stepTable;
            final Phaser barrier = syncBarrier;
            final long rounds = config.updatesPerEpoch();
            final long sliceStart = (long) d * id / m;
            final long sliceEnd = (long) d * (id + 1) / m;
            final MemorySegment mine = theta.asSlice(sliceStart * Float.BYTES, (sliceEnd - sliceStart) * Float.BYTES);
            // No stop check here: a stop terminates the barrier, so all workers leave the same round.
            for (long r = 0; r < rounds; r++) {
                gradient(theta);
                if (barrier.arriveAndAwaitAdvance() < 0) {
                    return;
                }
                long t0 = System.nanoTime();
                float a = -table.eta(0) / m;
                for (int w = 0; w < m; w++) { // each worker averages its own slice of the m gradients
                    kernels.axpy(sliceEnd - sliceStart, a, syncGrads[w].asSlice(sliceStart * Float.BYTES), mine);
                }
                s.recordTu(System.nanoTime() - t0);
                if (barrier.arriveAndAwaitAdvance() < 0) {
                    return;
                }
                if (id == 0) {
                    s.recordStaleness(0);
                    s.applied++;
                }
            }
        }

        private void runAsync() {
            final StepSizeTable table = stepTable;
            while (takeTicket()) {
                long seen;
                lock.lock();
                try {
                    MemorySegment.copy(theta, 0, local, 0, (long) d * Float.BYTES);
                    seen = asyncSequence;
                } finally {
                    lock.unlock();
                }
                gradient(local);
                long t0 = System.nanoTime();
                long tau;
                lock.lock();
                try {
                    tau = asyncSequence - seen;
                    if (!table.drops(tau)) {
                        kernels.axpy(d, -table.eta(tau), step(), theta);
                        asyncSequence++;
                    }
                } finally {
                    lock.unlock();
                }
                s.recordTu(System.nanoTime() - t0);
                account(tau, table);
            }
        }

        private void runHog() {
            final StepSizeTable table = stepTable;
            while (takeTicket()) {
                // acquire: orders the racy copy after the counter read (the total order's read point).
                long seen = hogCounter.getAcquire();
                MemorySegment.copy(theta, 0, local, 0, (long) d * Float.BYTES); // racy by design
                gradient(local);
                long t0 = System.nanoTime();
                // atomic RMW: this update's position in the total order
                long tau = hogCounter.getAndIncrement() - seen;
                if (!table.drops(tau)) {
                    kernels.axpy(d, -table.eta(tau), step(), theta); // racy component-wise update
                }
                s.recordTu(System.nanoTime() - t0);
                account(tau, table);
            }
        }

        private void account(long tau, StepSizeTable table) {
            if (table.drops(tau)) {
                s.dropped++;
            } else {
                s.recordStaleness(tau);
                s.applied++;
            }
        }

        private void runLeashed() {
            final LatestVectorRegister register = Trainer.this.register;
            final VectorPool pool = Trainer.this.pool;
            final StepSizeTable table = stepTable;
            while (takeTicket()) {
                for (;;) { // until an update of ours is applied, or the run stops
                    ParameterVector view = register.acquireLatest();
                    long handle = view.handle();
                    try {
                        readSequence = view.sequence();
                        gradient(view.data());
                        pool.checkLease(view, handle);
                    } finally {
                        register.release(view);
                    }
                    if (stop) {
                        return;
                    }
                    ParameterVector peek = register.acquireLatest();
                    long peekTau = peek.sequence() - readSequence;
                    register.release(peek);
                    if (table.drops(peekTau)) {
                        s.dropped++;
                        continue; // too stale to apply (MindTheStep): compute a fresh gradient
                    }
                    long t0 = System.nanoTime();
                    boolean published = updater.update(this);
                    s.recordTu(System.nanoTime() - t0);
                    if (published) {
                        s.recordTries(updater.failedAttempts() + 1);
                        s.recordStaleness(updater.baseSequence() - readSequence);
                        s.applied++;
                        break;
                    }
                    s.dropped++; // gave up after T_p failed CASes: new gradient, same ticket
                }
            }
        }

        @Override
        public void copyAndUpdate(MemorySegment destination, MemorySegment latest, long latestSequence) {
            long tau = latestSequence - readSequence;
            appliedEta = stepTable.eta(tau);
            kernels.copyAxpy(d, destination, latest, -appliedEta, step());
        }
    }

    private double evaluateLatest() {
        double[] out = new double[1];
        withLatest(p -> out[0] = objective.loss(p));
        return out[0];
    }

    private void withLatest(java.util.function.Consumer<MemorySegment> action) {
        if (register != null) {
            ParameterVector v = register.acquireLatest();
            try {
                action.accept(v.data());
            } finally {
                register.release(v);
            }
        } else {
            action.accept(theta);
        }
    }

    private long appliedSoFar() {
        long sum = 0;
        for (WorkerStats s : stats) {
            sum += s.applied;
        }
        return sum;
    }

    private long[] mergedStaleness() {
        long[] h = new long[WorkerStats.STALENESS_BINS];
        for (WorkerStats s : stats) {
            for (int i = 0; i < h.length; i++) {
                h[i] += s.staleness[i];
            }
        }
        return h;
    }

    private RunResult summarise(Outcome outcome, double initialLoss, List<EpochStats> history, Map<String, Double> tte,
                                double wall, long livePeak, long bytesPeak) {
        long[] tries = new long[WorkerStats.TRIES_BINS];
        long dropped = 0;
        double busy = 0;
        long[] tc = samples(true);
        long[] tu = samples(false);
        long tcSum = 0, tcCount = 0, tuSum = 0, tuCount = 0;
        for (WorkerStats s : stats) {
            for (int i = 0; i < tries.length; i++) {
                tries[i] += s.casTries[i];
            }
            dropped += s.dropped;
            busy += s.busyNanos / 1e9;
            tcSum += s.tcSum;
            tcCount += s.tcCount;
            tuSum += s.tuSum;
            tuCount += s.tuCount;
        }
        Percentiles tcP = percentiles(tc, tcSum, tcCount);
        Percentiles tuP = percentiles(tu, tuSum, tuCount);
        double nStar = tcP.mean() + tuP.mean() > 0 ? m * tuP.mean() / (tuP.mean() + tcP.mean()) : 0;
        double inUpdate = tuSum / 1e9;
        double nMeasured = wall > 0 ? inUpdate / wall : 0;
        return new RunResult(config, outcome, initialLoss, List.copyOf(history), tte, trim(mergedStaleness()), trim(tries),
                tcP, tuP, livePeak, bytesPeak, busy, nStar, nMeasured, appliedSoFar(), dropped, kernels.description(), wall,
                outcome == Outcome.CRASHED ? crashReason : null);
    }

    private long[] samples(boolean tc) {
        int total = 0;
        for (WorkerStats s : stats) {
            total += (int) Math.min(tc ? s.tcCount : s.tuCount, WorkerStats.SAMPLES);
        }
        long[] all = new long[total];
        int at = 0;
        for (WorkerStats s : stats) {
            int n = (int) Math.min(tc ? s.tcCount : s.tuCount, WorkerStats.SAMPLES);
            System.arraycopy(tc ? s.tcSamples : s.tuSamples, 0, all, at, n);
            at += n;
        }
        Arrays.sort(all);
        return all;
    }

    private static Percentiles percentiles(long[] sorted, long sum, long count) {
        if (sorted.length == 0) {
            return Percentiles.EMPTY;
        }
        return new Percentiles(sorted[(int) ((sorted.length - 1) * 0.5)], sorted[(int) ((sorted.length - 1) * 0.99)],
                (double) sum / count, count);
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
