package org.leashed.concurrency.kernel;

import org.leashed.kernel.Objective;
import org.leashed.kernel.UpdateKernels;
import org.leashed.kernel.algo.WorkerContext;
import org.leashed.kernel.algo.WorkerMetrics;
import org.leashed.kernel.algo.internal.HogwildSgd;
import org.leashed.kernel.stepsize.StepSizeTable;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.IIII_Result;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.atomic.AtomicLong;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE_INTERESTING;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * jcstress suite for HOGWILD!'s total order of updates ({@link HogwildSgd}; C.3): a shared update
 * counter, read with {@code getAcquire} just before a worker copies theta (its read point {@code seen})
 * and advanced with {@code getAndIncrement} just before it applies (its position); staleness
 * {@code tau = position - seen}. The production test drives the real worker loop
 * ({@code HogwildSgd.Loop.runEpoch}) with a one-ticket {@link WorkerContext} and reads position and read
 * point back from {@link WorkerContext#onApplied}, the callback ELAsyncSGD's regulator consumes.
 *
 * <p>Happens-before chain under test: positions come from volatile RMWs on one counter, which are totally
 * ordered, so no two updates share one and they are exactly 0..n-1; a worker's getAcquire of the read
 * point precedes its own RMW in program order and reads the same counter, so (coherence) the read point
 * never exceeds the position: tau &gt;= 0. Theta itself is raced on by design and is not checked here.
 *
 * <p>Run (production flags): {@code concurrency-tests/jcstress.sh ci -t HogwildOrderTests}
 */
public final class HogwildOrderTests {
    private HogwildOrderTests() {
    }

    /** d = 1, theta_0 = 0; the worker loop never calls the loss or a sampler (the context computes the step). */
    static final Objective POINT = new Objective() {
        @Override
        public int dimension() {
            return 1;
        }

        @Override
        public void initialize(MemorySegment params, long seed) {
            params.set(ValueLayout.JAVA_FLOAT, 0, 0f);
        }

        @Override
        public double loss(MemorySegment params) {
            return 0;
        }

        @Override
        public Sampler newSampler(int workerId, long seed) {
            throw new UnsupportedOperationException("the jcstress context computes the step itself");
        }
    };

    /** A zero step, read only: shared by every state (never written, never freed). */
    static final MemorySegment ZERO_STEP = Arena.ofAuto().allocate(Float.BYTES, 64);
    static final StepSizeTable ETA = StepSizeTable.constant(0.01f);
    /** Metrics are single-writer: one per actor thread (their contents are not checked). */
    static final ThreadLocal<WorkerMetrics> METRICS = ThreadLocal.withInitial(WorkerMetrics::new);

    /** One worker's context for exactly one update; records what {@link #onApplied} reported. */
    static final class OneTicket implements WorkerContext {
        private final int id;
        private boolean taken;
        long iteration = -1;
        long readIteration = -1;

        OneTicket(int id) {
            this.id = id;
        }

        @Override public int workerId() { return id; }
        @Override public int workers() { return 2; }
        @Override public int dimension() { return 1; }
        @Override public long updatesPerEpoch() { return 2; }
        @Override public boolean stopRequested() { return false; }
        @Override public MemorySegment computeStep(MemorySegment params) { return ZERO_STEP; }
        @Override public MemorySegment stepBuffer() { return ZERO_STEP; }
        @Override public StepSizeTable stepSizes() { return ETA; }
        @Override public WorkerMetrics metrics() { return METRICS.get(); }

        @Override
        public boolean takeTicket() {
            if (taken) {
                return false;
            }
            taken = true;
            return true;
        }

        @Override
        public void onApplied(long iteration, long readIteration) {
            this.iteration = iteration;
            this.readIteration = readIteration;
        }

        void report(IIII_Result r, boolean first) {
            int position = (int) iteration;
            int tau = (int) (iteration - readIteration);
            if (first) {
                r.r1 = position;
                r.r2 = tau;
            } else {
                r.r3 = position;
                r.r4 = tau;
            }
        }
    }

    /**
     * Two HOGWILD! workers apply one update each. Positions are unique (0 and 1) and staleness is never
     * negative; the later update is stale by 1 exactly when its read point came before the earlier one's
     * position. Results: (position A, tau A, position B, tau B).
     */
    @JCStressTest
    @Outcome(id = {"0, 0, 1, 0", "1, 0, 0, 0"}, expect = ACCEPTABLE, desc = "the later update read after the earlier one took its position: tau 0")
    @Outcome(id = {"0, 0, 1, 1", "1, 1, 0, 0"}, expect = ACCEPTABLE, desc = "the later update read before the earlier one took its position: tau 1")
    @Outcome(expect = FORBIDDEN, desc = "duplicate or missing position, or negative staleness")
    @State
    public static class TotalOrder {
        final HogwildSgd hogwild = new HogwildSgd(POINT, UpdateKernels.scalar(), 2, false, 1L, Arena.ofAuto());
        final OneTicket a = new OneTicket(0);
        final OneTicket b = new OneTicket(1);

        @Actor
        public void workerA(IIII_Result r) {
            hogwild.newWorker(a).runEpoch();
            a.report(r, true);
        }

        @Actor
        public void workerB(IIII_Result r) {
            hogwild.newWorker(b).runEpoch();
            b.report(r, false);
        }
    }

    /**
     * Broken twin: the position taken with a separate get and set instead of one getAndIncrement (the
     * exact pattern of {@code HogwildSgd.Loop.runEpoch} otherwise, re-implemented here because the bug
     * cannot be injected into the production class).
     */
    @JCStressTest
    @Outcome(id = {"0, 0, 1, 0", "1, 0, 0, 0", "0, 0, 1, 1", "1, 1, 0, 0"}, expect = ACCEPTABLE,
            desc = "the two updates happened to take distinct positions")
    @Outcome(id = "0, 0, 0, 0", expect = ACCEPTABLE_INTERESTING,
            desc = "caught: both updates took position 0 (one is lost from the total order)")
    @Outcome(expect = FORBIDDEN, desc = "other: not explained by a lost increment")
    @State
    public static class TotalOrderBrokenSplitIncrement {
        final AtomicLong order = new AtomicLong();

        private void update(IIII_Result r, boolean first) {
            long seen = order.getAcquire();
            long position = order.get(); // BUG: read ...
            order.set(position + 1);     // ... then write: two workers can take one position
            int tau = (int) (position - seen);
            if (first) {
                r.r1 = (int) position;
                r.r2 = tau;
            } else {
                r.r3 = (int) position;
                r.r4 = tau;
            }
        }

        @Actor
        public void workerA(IIII_Result r) {
            update(r, true);
        }

        @Actor
        public void workerB(IIII_Result r) {
            update(r, false);
        }
    }
}
