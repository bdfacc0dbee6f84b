package org.leashed.kernel.elastic;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Objects;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * ELAsyncSGD's machinery for one run (thesis Alg. D.1-D.4): the gate the workers pass before each
 * update ({@code id < m^E}), the reports they send after each applied update, and the REGULATOR thread
 * that turns the reports into parallelism decisions ({@link ProbeController}) and xi measurements
 * ({@link XiMeter}). Used by {@link org.leashed.kernel.run.Trainer}; the algorithm loops stay the algorithm's own.
 *
 * <p>REGULATORINTERFACE (Alg. D.1) without a global lock: instead of MARK_VIEWER flags that SUBMIT_GRAD
 * collects under the parameter lock (which only lock-based AsyncSGD has), each report carries the
 * iteration its update was applied as and the iteration of the view it was computed on; the regulator
 * reconstructs who viewed what. That works the same for ASYNC, HOG (its update-counter total order) and
 * LSH (sequence numbers), and needs no extra synchronisation on the workers' path.
 *
 * <p>Queue: one bounded {@link ReportRing} per worker (single producer), drained round-robin by the
 * regulator; a report is four longs, so reporting allocates nothing. A full ring (the regulator behind
 * by {@link #RING_CAPACITY} reports of that worker) makes the worker wake the regulator and yield until
 * there is room: back-pressure, never loss.
 *
 * <p>Gate: m^E is an int the regulator writes with {@code setRelease} and workers read with
 * {@code getAcquire} before taking each ticket. No data is published through it, so plain would do for
 * the value itself; acquire/release is chosen so that the re-check after a wake-up cannot be hoisted
 * above the park (an opaque read would also stay in the loop, but acquire costs nothing more on x86 and
 * ARMv8.3+ and documents the pairing with the unpark that follows the store). An inactive worker
 * parks ({@link LockSupport#parkNanos}); the regulator unparks the workers a raise activates, and the
 * trainer calls {@link #wakeAll()} when the epoch's tickets run out or the run stops, so that parked
 * workers can leave the epoch. A lost wake-up is impossible: the store (or the ticket increment, or
 * the stop flag) precedes the unpark, an unpark before the park leaves a permit, and the worker
 * re-checks after every return from park. The park is bounded by {@link #PARK_BACKSTOP_NANOS} only as a
 * backstop, because the Java specification does not promise that unpark/park order memory (HotSpot's
 * mutex-based implementation does).
 *
 * <h2>Memory ordering</h2>
 * <table>
 *   <tr><th>field</th><th>writer</th><th>reader</th><th>edge</th></tr>
 *   <tr><td>level (m^E)</td><td>setRelease, regulator only</td><td>getAcquire, workers; plain, regulator</td>
 *       <td>release → acquire; carries only itself (see above).</td></tr>
 *   <tr><td>report rings</td><td colspan="3">see {@link ReportRing}: records published by a release of
 *       the producer index; gradient copies ride on that edge (see {@link XiMeter}).</td></tr>
 *   <tr><td>workers[]</td><td>plain, coordinator, before start()</td><td>plain, regulator</td><td>Thread.start of
 *       the regulator.</td></tr>
 *   <tr><td>parkedNanos[]</td><td>plain, each worker its own padded cell</td><td>plain, that worker; the
 *       coordinator after joining it</td><td>Thread.join.</td></tr>
 *   <tr><td>running</td><td>volatile, coordinator</td><td>volatile, regulator</td><td>the regulator's final
 *       drain starts after it sees false, which the coordinator writes after joining every worker: every
 *       report happens-before the final drain.</td></tr>
 *   <tr><td>regulatorFailure</td><td>volatile, regulator</td><td>volatile, workers</td><td>a worker waiting on
 *       a full ring gives up once the regulator died.</td></tr>
 *   <tr><td>controller, xi (regulator side), steps, ledgers</td><td colspan="2">plain, regulator; coordinator
 *       after joining it</td><td>Thread.join.</td></tr>
 * </table>
 */
public final class ElasticRuntime implements AutoCloseable {
    /** Reports a worker may have outstanding before it waits for the regulator (power of two). */
    public static final int RING_CAPACITY = 1024;
    /** Longest single park of an inactive worker; a backstop only (see the class comment). */
    public static final long PARK_BACKSTOP_NANOS = 50_000_000L;
    /** First park of an idle regulator (after {@link #IDLE_YIELDS} empty sweeps); doubles while idle. */
    static final long REGULATOR_IDLE_PARK_NANOS = 50_000L;
    /** Longest park of an idle regulator: bounds how late a level change can follow its report. */
    static final long REGULATOR_MAX_PARK_NANOS = 1_000_000L;
    /** Empty sweeps the regulator answers with Thread.yield before it starts parking. */
    static final int IDLE_YIELDS = 16;
    /** Reports taken from one ring per visit, so that one busy worker cannot starve the others. */
    static final int DRAIN_BATCH = 256;
    /** longs between two workers' parked-time cells (128 bytes). */
    private static final int CELL_STRIDE = 16;
    private static final VarHandle INT_CELL = MethodHandles.arrayElementVarHandle(int[].class);
    private static final int LEVEL_INDEX = 32; // 128 bytes from the array header and from its end

    private final int maxLevel;
    private final int[] levelCell = new int[LEVEL_INDEX * 2];
    private final ReportRing[] rings;
    private final Thread[] workers;
    private final long[] parkedNanos;
    private final TrainingClock clock = new TrainingClock();
    private final BooleanSupplier epochOver;
    private final Consumer<Throwable> onFailure;
    private final ProbeController controller;
    private final XiMeter xi;
    private final StepSeries steps;
    private final ResourceLedger ledger;
    private final ResourceLedger ledgerMax;
    private final ReportRing.Sink sink = this::onReport;
    private int current;                 // regulator's copy of m^E
    private long observed;
    private Thread regulator;
    private volatile boolean running;
    private volatile Throwable regulatorFailure;
    private boolean closed;

    /**
     * @param config     elastic settings
     * @param maxThreads m-hat, the number of worker threads the trainer starts
     * @param dimension  d, the gradient length
     * @param eta        the base step size that scales xi (Def. D.4.2)
     * @param poison     debug: poison recycled gradient copies (see {@link org.leashed.memory.VectorPool})
     * @param epochOver  true once a parked worker should leave its epoch (tickets exhausted or stop)
     * @param onFailure  called on the regulator thread if the regulator fails
     * @throws IllegalArgumentException if the settings do not fit {@code maxThreads}
     */
    public ElasticRuntime(ElasticConfig config, int maxThreads, int dimension, float eta, boolean poison,
                          BooleanSupplier epochOver, Consumer<Throwable> onFailure) {
        Objects.requireNonNull(config, "config");
        this.epochOver = Objects.requireNonNull(epochOver, "epochOver");
        this.onFailure = Objects.requireNonNull(onFailure, "onFailure");
        if (maxThreads < 1) {
            throw new IllegalArgumentException("maxThreads must be >= 1, got " + maxThreads);
        }
        config.validateAgainst(maxThreads);
        this.maxLevel = maxThreads;
        this.controller = ProbeController.of(config, maxThreads);
        this.current = controller.level();
        setLevelRelease(current);
        this.rings = new ReportRing[maxThreads];
        for (int w = 0; w < maxThreads; w++) {
            rings[w] = new ReportRing(RING_CAPACITY);
        }
        this.workers = new Thread[maxThreads];
        this.parkedNanos = new long[(maxThreads + 2) * CELL_STRIDE];
        this.xi = new XiMeter(dimension, config.resolvedFrozenCapacity(maxThreads), config.xiSampleEvery(), eta, poison,
                ElasticReport.MAX_POINTS - 2);
        this.steps = new StepSeries(current);
        this.ledger = new ResourceLedger(config.resolvedBaselineThreads(maxThreads), current);
        this.ledgerMax = new ResourceLedger(maxThreads, current);
    }

    /** Coordinator, before {@link #start()}: the thread that runs worker {@code id}. */
    public void attach(int id, Thread worker) {
        Objects.checkIndex(id, maxLevel);
        workers[id] = Objects.requireNonNull(worker, "worker");
    }

    /** Starts the regulator thread. */
    public void start() {
        running = true; // volatile store: before the thread starts, so it sees true
        regulator = Thread.ofPlatform().name("leashed-regulator").daemon(true).unstarted(this::regulate);
        regulator.start();
    }

    /** The clock the reports are stamped with; the coordinator resumes it for each epoch and pauses it after. */
    public TrainingClock clock() {
        return clock;
    }

    /** m^E as the workers see it. */
    public int level() {
        return getLevelAcquire();
    }

    // ------------------------------------------------------------------ worker side

    /**
     * Worker {@code id}, before taking a ticket: returns true at once while {@code id < m^E}; otherwise
     * parks until the worker is activated (true) or its epoch is over (false). Allocates nothing.
     */
    public boolean awaitActive(int id) {
        if (id < getLevelAcquire()) {
            return true;
        }
        final long start = System.nanoTime();
        try {
            for (;;) {
                if (epochOver.getAsBoolean()) {
                    return false;
                }
                if (id < getLevelAcquire()) {
                    return true;
                }
                LockSupport.parkNanos(this, PARK_BACKSTOP_NANOS);
            }
        } finally {
            parkedNanos[(id + 1) * CELL_STRIDE] += System.nanoTime() - start; // plain: this worker's own cell
        }
    }

    /**
     * Worker {@code id}, after its update was applied as iteration {@code iteration} from a view of
     * iteration {@code readIteration} (staleness = their difference): reports it with the mini-batch
     * loss, and a copy of {@code gradient} when xi needs one. Allocates nothing on the heap.
     */
    public void submit(int id, long iteration, long readIteration, float loss, MemorySegment gradient) {
        final long nanos = clock.nanos(); // volatile read inside: the clock's current state
        // acquire read of m^E (see getLevelAcquire): a hint only; a stale value costs one copy or one floor sample
        final boolean othersActive = getLevelAcquire() > 1;
        final int copy = xi.needsCopy(iteration, readIteration, othersActive) ? xi.freeze(gradient) : XiMeter.NO_COPY;
        final long packed = ((long) copy << 32) | (Float.floatToRawIntBits(loss) & 0xFFFF_FFFFL);
        final ReportRing ring = rings[id];
        while (!ring.offer(iteration, readIteration, nanos, packed)) {
            if (regulatorFailure != null) { // volatile: the regulator died; nobody will drain this ring
                return;
            }
            LockSupport.unpark(regulator);
            Thread.yield();
        }
    }

    /** Trainer: unparks every worker so that inactive ones re-check (tickets exhausted, or stop). */
    public void wakeAll() {
        for (Thread t : workers) {
            if (t != null) {
                LockSupport.unpark(t);
            }
        }
    }

    /** Nanoseconds worker {@code id} spent parked as inactive; only that worker, or after joining it. */
    public long parkedNanos(int id) {
        return parkedNanos[(id + 1) * CELL_STRIDE]; // plain: own cell, or after Thread.join
    }

    // ------------------------------------------------------------------ regulator

    private void regulate() {
        try {
            int idle = 0;
            long park = REGULATOR_IDLE_PARK_NANOS;
            while (running) { // volatile: see the class table
                if (drainAll() > 0) {
                    idle = 0;
                    park = REGULATOR_IDLE_PARK_NANOS;
                } else if (++idle <= IDLE_YIELDS) {
                    Thread.yield();
                } else {
                    // a worker with a full ring unparks us; otherwise back off so that an idle regulator
                    // (between epochs, or while gradients take milliseconds) costs little CPU
                    LockSupport.parkNanos(this, park);
                    park = Math.min(park * 2, REGULATOR_MAX_PARK_NANOS);
                }
            }
            while (drainAll() > 0) { // final drain: every worker has been joined
                Thread.onSpinWait();
            }
        } catch (Throwable t) {
            regulatorFailure = t; // volatile store: workers stop waiting on full rings
            onFailure.accept(t);
        }
    }

    private int drainAll() {
        int n = 0;
        for (ReportRing ring : rings) {
            n += ring.drain(sink, DRAIN_BATCH);
        }
        return n;
    }

    private void onReport(long iteration, long readIteration, long nanos, long packed) {
        final float loss = Float.intBitsToFloat((int) packed);
        final int copy = (int) (packed >> 32);
        final double seconds = nanos * 1e-9;
        observed++;
        final int next = controller.onUpdate(nanos, loss);
        if (next != current) {
            changeLevel(next, seconds);
        }
        xi.onReport(iteration, readIteration, copy, seconds);
    }

    private void changeLevel(int next, double seconds) {
        final int old = current;
        current = next;
        setLevelRelease(next);
        for (int w = old; w < next; w++) { // the raise activates workers [old, next)
            LockSupport.unpark(workers[w]);
        }
        steps.change(seconds, next);
        ledger.setLevel(seconds, next);
        ledgerMax.setLevel(seconds, next);
    }

    private int getLevelAcquire() {
        // acquire: pairs with setLevelRelease; keeps the re-check after a park inside the loop.
        return (int) INT_CELL.getAcquire(levelCell, LEVEL_INDEX);
    }

    private void setLevelRelease(int value) {
        // release: ordered before the unparks that follow; the value is all it carries.
        INT_CELL.setRelease(levelCell, LEVEL_INDEX, value);
    }

    // ------------------------------------------------------------------ end of run

    /**
     * Coordinator, after every worker was joined: stops the regulator (it drains every report first),
     * frees every frozen gradient and reports. {@code trainingSeconds} is the run's training wall time.
     */
    public ElasticReport finish(double trainingSeconds) {
        running = false; // volatile store: after the workers' joins; the regulator drains once more, then ends
        Thread r = regulator;
        if (r != null) {
            LockSupport.unpark(r);
            joinUninterruptibly(r);
        }
        final double end = Math.max(trainingSeconds, 0);
        ledger.advance(end);
        ledgerMax.advance(end);
        long livePeak = xi.livePeak();
        xi.evictAll();
        long liveAtEnd = xi.liveCopies();
        ElasticReport report = new ElasticReport(steps.points(end, ElasticReport.MAX_POINTS), xi.points(),
                ledger.elasticWorkerSeconds(), ledger.breakEvenSeconds(), xi.meanXi(), controller.phases(),
                (int) ledger.baseline(), ledger.staticWorkerSeconds(), ledgerMax.staticWorkerSeconds(),
                ledgerMax.breakEvenSeconds(), controller.windows(), xi.samples(), xi.budgetMisses() + xi.horizonMisses(),
                observed, xi.capacity(), livePeak, liveAtEnd, controller.schedule(), xi.summary());
        close();
        return report;
    }

    /** Frees the frozen-gradient pool (idempotent). Call only once no worker or regulator runs. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            xi.close();
        }
    }

    private static void joinUninterruptibly(Thread t) {
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
