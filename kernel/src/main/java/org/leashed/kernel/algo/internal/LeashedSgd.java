package org.leashed.kernel.algo.internal;

import java.lang.foreign.MemorySegment;
import java.util.function.Consumer;

import org.leashed.kernel.Objective;
import org.leashed.kernel.UpdateKernels;
import org.leashed.kernel.algo.SgdAlgorithm;
import org.leashed.kernel.algo.WorkerContext;
import org.leashed.kernel.algo.WorkerMetrics;
import org.leashed.kernel.run.AlgorithmKind;
import org.leashed.kernel.stepsize.StepSizeTable;
import org.leashed.memory.LatestVectorRegister;
import org.leashed.memory.LeashedUpdater;
import org.leashed.memory.ParameterVector;
import org.leashed.memory.PersistenceBound;
import org.leashed.memory.VectorPool;
import org.leashed.memory.VectorUpdate;

/**
 * Leashed-SGD (Alg. B.3) over the memory module's {@link LatestVectorRegister}: a worker leases the
 * latest published vector (LATEST_POINTER), computes its gradient on it without copying, releases it
 * (STOP_READING + SAFE_DELETE inside {@code release}); then runs the LAU-SPC loop of
 * {@link LeashedUpdater}: allocate a candidate, lease the latest L, write candidate = L - eta(tau) *
 * step in one fused pass, set its sequence to L's + 1, release L, publish with a tagged CAS; after more
 * than T_p failed CASes free the candidate and drop the gradient. A dropped gradient keeps its update
 * ticket: the worker computes a fresh one, so every epoch still applies {@code updatesPerEpoch}
 * updates.
 *
 * <p>Staleness of a published update: sequence of the vector its final (successful) attempt was
 * applied to minus the sequence of the vector its gradient was computed on. The step size of each
 * attempt uses that attempt's staleness.
 *
 * <p>Memory: a pool of 3m + 2 slots (Lemma B.3.2 bounds live vectors by 3m counting the m gradient
 * buffers, so at most 2m + 1 pool vectors: the latest, up to m stale ones still leased, m
 * candidates; one spare). Gradient buffers are the trainer's per-worker segments, not pool vectors;
 * {@link #footprint()} adds them so that the peak is comparable with the lemma's 3m.
 *
 * <h2>Memory ordering</h2>
 * All cross-thread accesses are inside {@link LatestVectorRegister} and {@link VectorPool} (see their
 * tables): a candidate's data and sequence are written plain by their owner before the publishing CAS
 * (volatile), and read plain by lease holders after the acquire of the latest word that saw it.
 * Per-worker fields here are confined to their worker.
 */
public final class LeashedSgd implements SgdAlgorithm {
    private final int d;
    private final int m;
    private final boolean momentum;
    private final UpdateKernels kernels;
    private final PersistenceBound persistence;
    private final VectorPool pool;
    private final LatestVectorRegister register;
    private boolean retired;

    /**
     * @param poison debug mode: poison recycled memory and check every lease
     */
    public LeashedSgd(Objective objective, UpdateKernels kernels, int workers, boolean momentum, long seed,
                      PersistenceBound persistence, boolean poison) {
        this.d = objective.dimension();
        this.m = workers;
        this.momentum = momentum;
        this.kernels = kernels;
        this.persistence = persistence;
        this.pool = new VectorPool(d, poolCapacity(workers), poison);
        ParameterVector initial = pool.allocate();
        objective.initialize(initial.data(), seed);
        initial.setSequence(0);
        this.register = new LatestVectorRegister(pool, initial); // volatile store inside: publishes theta_0
    }

    /** Pool slots for m workers: Lemma B.3.2's 2m + 1 pool vectors plus one spare. */
    public static int poolCapacity(int workers) {
        return 3 * workers + 2;
    }

    @Override
    public AlgorithmKind kind() {
        return AlgorithmKind.LSH;
    }

    @Override
    public WorkerLoop newWorker(WorkerContext context) {
        return new Loop(context);
    }

    @Override
    public void withLatest(Consumer<MemorySegment> action) {
        ParameterVector v = register.acquireLatest();
        try {
            action.accept(v.data());
        } finally {
            register.release(v);
        }
    }

    @Override
    public void interrupt() {
        // LAU-SPC is lock-free: nothing blocks, workers see the stop within one update
    }

    /** Pool peak plus the m gradient buffers (the count of Lemma B.3.2); momentum adds m buffers' bytes. */
    @Override
    public MemoryFootprint footprint() {
        long vectors = pool.liveVectorsPeak() + m;
        long bytes = pool.offHeapBytesPeak() + (long) m * d * Float.BYTES * (momentum ? 2 : 1);
        return new MemoryFootprint(vectors, bytes);
    }

    /** Peak live pool vectors alone (without gradient buffers). */
    public long poolLivePeak() {
        return pool.liveVectorsPeak();
    }

    /** Pool vectors live right now (diagnostics: 1 between epochs, 0 after {@link #close()} unless one leaked). */
    public long poolLiveVectors() {
        return pool.liveVectors();
    }

    /** Poison checks that fired (poison mode). */
    public long poolPoisonHits() {
        return pool.poisonHits();
    }

    /** Vector incarnations recycled so far. */
    public long poolRecycledVectors() {
        return pool.recycledVectors();
    }

    /** Slots the pool created (at most {@link #poolCapacity(int)}). */
    public int poolCreatedVectors() {
        return pool.createdVectors();
    }

    @Override
    public void close() {
        if (!retired) {
            retired = true;
            register.retire();
        }
        pool.close();
    }

    private final class Loop implements WorkerLoop, VectorUpdate {
        private final WorkerContext context;
        private final WorkerMetrics metrics;
        private final LeashedUpdater updater;
        /** Sequence of the vector the current gradient was computed on. */
        private long readSequence;
        /** Step direction of the current gradient (the trainer's buffer). */
        private MemorySegment step;
        /** This epoch's step sizes. */
        private StepSizeTable table;

        Loop(WorkerContext context) {
            this.context = context;
            this.metrics = context.metrics();
            this.updater = new LeashedUpdater(register, persistence);
        }

        @Override
        public void runEpoch() {
            final WorkerContext context = this.context;
            final WorkerMetrics metrics = this.metrics;
            final LatestVectorRegister register = LeashedSgd.this.register;
            final VectorPool pool = LeashedSgd.this.pool;
            final LeashedUpdater updater = this.updater;
            final StepSizeTable table = context.stepSizes();
            final boolean mayDrop = table.dropsAny();
            this.table = table;
            while (context.takeTicket()) {
                for (;;) { // until an update of ours is published, or the run stops
                    ParameterVector view = register.acquireLatest();
                    long handle = view.handle();
                    try {
                        readSequence = view.sequence();
                        step = context.computeStep(view.data());
                        pool.checkLease(view, handle); // poison mode only: was the view recycled under us?
                    } finally {
                        register.release(view);
                    }
                    if (context.stopRequested()) {
                        return;
                    }
                    if (mayDrop && tooStale(register, table)) {
                        metrics.recordDropped();
                        continue; // compute a fresh gradient under the same ticket
                    }
                    long t0 = System.nanoTime();
                    context.enterUpdate(t0);
                    boolean published = updater.update(this);
                    context.leaveUpdate();
                    metrics.recordTu(System.nanoTime() - t0);
                    if (published) {
                        metrics.recordTries(updater.failedAttempts() + 1);
                        metrics.recordApplied(updater.baseSequence() - readSequence);
                        context.onApplied(updater.baseSequence(), readSequence);
                        break;
                    }
                    metrics.recordGaveUp(); // more than T_p failed CASes: fresh gradient, same ticket
                }
            }
        }

        /** Whether the gradient is already staler than the strategy applies (peeks at the latest). */
        private boolean tooStale(LatestVectorRegister register, StepSizeTable table) {
            ParameterVector peek = register.acquireLatest();
            long tau = peek.sequence() - readSequence;
            register.release(peek);
            return table.drops(tau);
        }

        @Override
        public void copyAndUpdate(MemorySegment destination, MemorySegment latest, long latestSequence) {
            long tau = latestSequence - readSequence;
            kernels.copyAxpy(d, destination, latest, -table.eta(tau), step);
        }
    }
}
