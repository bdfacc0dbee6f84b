package org.leashed.concurrency.kernel;

import org.leashed.kernel.elastic.ElasticAccess;
import org.leashed.memory.ParameterVector;
import org.leashed.memory.VectorPool;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;
import org.openjdk.jcstress.infra.results.II_Result;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicInteger;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE_INTERESTING;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * jcstress suite for the frozen-gradient budget of the elastic xi meter
 * ({@code org.leashed.kernel.elastic.XiMeter}, reached through the jcstress-only bridge
 * {@link ElasticAccess.Xi}): a worker takes a unit of an {@code AtomicInteger} budget before
 * {@code VectorPool.allocate} ({@code freeze}), and the regulator gives it back only after
 * {@code VectorPool.free} ({@code onReport} → {@code release}).
 *
 * <p>Happens-before chain under test: the budget is a counter, not a publication edge; the bound holds
 * because the RMWs on it are totally ordered and each live copy holds one unit from before its allocate
 * until after its free: a worker's getAndIncrement that returns &lt; C precedes its allocate; the
 * regulator's free precedes its getAndDecrement. So at any instant live &lt;= units held &lt;= C, and
 * the pool (capacity C) never runs out. The copies themselves travel as in production: the pool's
 * free-stack CASes order the regulator's reads of a freed copy before its next owner's writes.
 *
 * <p>Setup: capacity C = 2. (a) one copy is frozen in the constructor and two workers race for the last
 * unit; (b) both units are held and one worker freezes while the regulator returns them. (jcstress skips
 * tests with more actors than CPUs, so the three-party race is split into these two-actor halves.)
 *
 * <p>Run (production flags): {@code concurrency-tests/jcstress.sh ci -t XiBudgetTests}
 */
public final class XiBudgetTests {
    private XiBudgetTests() {
    }

    static final int CAPACITY = 2;
    /** A report (iteration 3 from a view of 1, sampling period 2) that samples neither: its copy is freed at once. */
    static final long UNSAMPLED_I = 3;
    static final long UNSAMPLED_J = 1;
    static final int SAMPLE_EVERY = 2;
    /** The gradient every worker freezes: read only, shared by every state. */
    static final MemorySegment GRADIENT = Arena.ofAuto().allocate(Float.BYTES, 64);
    /** Result code: the pool was exhausted (the budget let too many through). */
    static final int EXHAUSTED = -1;

    /**
     * (a) Two workers race for the last unit (one copy is already frozen): at most C copies are live, so
     * exactly one of them gets a copy and the pool never runs out. r1, r2: 1 if worker A / B got a copy,
     * 0 if it found the budget exhausted, -1 if the pool ran out; r3 (@Arbiter): 1 if the peak of live
     * copies stayed &lt;= C and, after the arbiter reported every copy back, nothing was live and the
     * whole budget could be taken again.
     */
    @JCStressTest
    @Outcome(id = {"1, 0, 1", "0, 1, 1"}, expect = ACCEPTABLE, desc = "one worker got the last unit, the other missed the sample")
    @Outcome(expect = FORBIDDEN, desc = "both got a copy (C + 1 live) or both missed, the pool ran out (-1), or a copy or unit leaked (r3 = 0)")
    @State
    public static class BudgetBoundsLiveCopies {
        final ElasticAccess.Xi xi = new ElasticAccess.Xi(1, CAPACITY, SAMPLE_EVERY);
        final int first = xi.freeze(GRADIENT);
        int copyA = ElasticAccess.Xi.NO_COPY; // worker A only, then the arbiter
        int copyB = ElasticAccess.Xi.NO_COPY;

        @Actor
        public void workerA(III_Result r) {
            copyA = freeze(xi);
            r.r1 = code(copyA);
        }

        @Actor
        public void workerB(III_Result r) {
            copyB = freeze(xi);
            r.r2 = code(copyB);
        }

        @Arbiter
        public void arbiter(III_Result r) {
            r.r3 = returnAllAndCheck(xi, first, copyA, copyB) ? 1 : 0;
        }
    }

    /**
     * Broken twin of (a): check-then-act reservation (read the budget, then take a unit in a second
     * step), the pattern re-implemented over a real {@link VectorPool} one slot larger than the budget,
     * so that the overrun shows as a peak instead of an exception.
     */
    @JCStressTest
    @Outcome(id = {"1, 0, 1", "0, 1, 1"}, expect = ACCEPTABLE, desc = "the budget happened to hold")
    @Outcome(id = "1, 1, 0", expect = ACCEPTABLE_INTERESTING,
            desc = "caught: both workers passed the check on the last unit; C + 1 copies were live")
    @Outcome(expect = FORBIDDEN, desc = "other: not explained by the check-then-act")
    @State
    public static class BudgetBoundsLiveCopiesBrokenCheckThenAct {
        final VectorPool pool = new VectorPool(1, CAPACITY + 1, false, Arena.ofAuto());
        final AtomicInteger reserved = new AtomicInteger(1);
        final ParameterVector first = pool.allocate();

        private int freeze() {
            if (reserved.get() >= CAPACITY) { // BUG: check ...
                return 0;
            }
            reserved.getAndIncrement();       // ... then act
            pool.allocate();
            return 1;
        }

        @Actor
        public void workerA(III_Result r) {
            r.r1 = freeze();
        }

        @Actor
        public void workerB(III_Result r) {
            r.r2 = freeze();
        }

        @Arbiter
        public void arbiter(III_Result r) {
            r.r3 = pool.liveVectorsPeak() <= CAPACITY ? 1 : 0;
        }
    }

    /**
     * (b) The regulator gives a unit back only after it freed the copy: with the budget full (two copies
     * frozen in the constructor), a worker freezing while the regulator returns both copies never finds
     * the pool exhausted and never pushes the live count above C. r1: copies the worker got in two
     * freezes (0 to 2), -1 if the pool ran out; r2 (@Arbiter): clean end state as in (a).
     */
    @JCStressTest
    @Outcome(id = {"0, 1", "1, 1", "2, 1"}, expect = ACCEPTABLE, desc = "the worker got as many copies as units had come back")
    @Outcome(expect = FORBIDDEN, desc = "the pool ran out (-1): a unit came back before its copy was free; or a leak (r2 = 0)")
    @State
    public static class BudgetReturnedAfterFree {
        final ElasticAccess.Xi xi = new ElasticAccess.Xi(1, CAPACITY, SAMPLE_EVERY);
        final int first = xi.freeze(GRADIENT);
        final int second = xi.freeze(GRADIENT);
        int copyA = ElasticAccess.Xi.NO_COPY; // worker only, then the arbiter
        int copyB = ElasticAccess.Xi.NO_COPY;

        @Actor
        public void worker(II_Result r) {
            copyA = freeze(xi);
            copyB = freeze(xi);
            r.r1 = copyA == EXHAUSTED_SLOT || copyB == EXHAUSTED_SLOT ? EXHAUSTED : code(copyA) + code(copyB);
        }

        @Actor
        public void regulator() {
            xi.onReport(UNSAMPLED_I, UNSAMPLED_J, first); // frees the copy, then returns its unit
            xi.onReport(UNSAMPLED_I, UNSAMPLED_J, second);
        }

        @Arbiter
        public void arbiter(II_Result r) {
            r.r2 = returnAllAndCheck(xi, ElasticAccess.Xi.NO_COPY, copyA, copyB) ? 1 : 0;
        }
    }

    /**
     * Broken twin of (b): the regulator returns the unit before it frees the copy (the order of the two
     * statements in {@code XiMeter.release} swapped), re-implemented over a real {@link VectorPool} of
     * capacity C. A worker that takes the unit in between finds all C slots live: the pool throws.
     */
    @JCStressTest
    @Outcome(id = {"0, 1", "1, 1", "2, 1"}, expect = ACCEPTABLE, desc = "no freeze fell between a return and its free")
    @Outcome(id = {"-1, 1"}, expect = ACCEPTABLE_INTERESTING,
            desc = "caught: the worker took a returned unit before the copy was free, and the pool ran out")
    @Outcome(expect = FORBIDDEN, desc = "other: not explained by the early return")
    @State
    public static class BudgetReturnedAfterFreeBrokenEarlyReturn {
        final VectorPool pool = new VectorPool(1, CAPACITY, false, Arena.ofAuto());
        final AtomicInteger reserved = new AtomicInteger(2);
        final ParameterVector first = pool.allocate();
        final ParameterVector second = pool.allocate();

        private int freeze() {
            if (reserved.getAndIncrement() >= CAPACITY) {
                reserved.getAndDecrement();
                return 0;
            }
            try {
                pool.allocate();
                return 1;
            } catch (IllegalStateException exhausted) {
                return EXHAUSTED;
            }
        }

        private void release(ParameterVector v) {
            reserved.getAndDecrement(); // BUG: the unit goes back ...
            pool.free(v);               // ... before the vector is free
        }

        @Actor
        public void worker(II_Result r) {
            int a = freeze();
            int b = freeze();
            r.r1 = a == EXHAUSTED || b == EXHAUSTED ? EXHAUSTED : a + b;
        }

        @Actor
        public void regulator() {
            release(first);
            release(second);
        }

        @Arbiter
        public void arbiter(II_Result r) {
            r.r2 = 1; // the end state is not what this twin shows
        }
    }

    /** Marks a freeze that threw: the pool ran out. */
    static final int EXHAUSTED_SLOT = Integer.MIN_VALUE;

    static int freeze(ElasticAccess.Xi xi) {
        try {
            return xi.freeze(GRADIENT);
        } catch (IllegalStateException exhausted) {
            return EXHAUSTED_SLOT;
        }
    }

    static int code(int copy) {
        return copy == EXHAUSTED_SLOT ? EXHAUSTED : copy == ElasticAccess.Xi.NO_COPY ? 0 : 1;
    }

    /**
     * Arbiter: peak &lt;= C; reports every copy still held back (a report that samples neither iteration
     * frees its copy at once); then nothing is live, the whole budget can be taken again, and after
     * returning that too nothing is live. Closes the meter (its pool owns a shared arena).
     */
    static boolean returnAllAndCheck(ElasticAccess.Xi xi, int... held) {
        boolean clean = xi.livePeak() <= CAPACITY;
        for (int copy : held) {
            if (copy >= 0) {
                xi.onReport(UNSAMPLED_I, UNSAMPLED_J, copy);
            }
        }
        clean &= xi.liveCopies() == 0;
        int again1 = xi.freeze(GRADIENT);
        int again2 = xi.freeze(GRADIENT);
        clean &= again1 >= 0 && again2 >= 0;
        if (again1 >= 0) {
            xi.onReport(UNSAMPLED_I, UNSAMPLED_J, again1);
        }
        if (again2 >= 0) {
            xi.onReport(UNSAMPLED_I, UNSAMPLED_J, again2);
        }
        xi.evictAll();
        clean &= xi.liveCopies() == 0;
        xi.close();
        return clean;
    }
}
