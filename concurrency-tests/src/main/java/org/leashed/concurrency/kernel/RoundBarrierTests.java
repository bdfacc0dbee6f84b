package org.leashed.concurrency.kernel;

import org.leashed.kernel.algo.internal.RoundBarrierAccess;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Mode;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.Signal;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE_INTERESTING;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * jcstress suite for SYNC's round barrier ({@code org.leashed.kernel.algo.internal.RoundBarrier},
 * reached through the jcstress-only bridge {@link RoundBarrierAccess}): spin 128, then park; the last
 * arriver resets the count, advances the generation and unparks the others.
 *
 * <p>Happens-before chain under test (publication): party A's plain writes → A's
 * {@code arrived.incrementAndGet} (volatile RMW) → ... → the last arriver's incrementAndGet, which reads
 * from the release sequence of the round's RMWs → its volatile store of {@code generation} → every
 * waiter's volatile load that sees the new generation → the waiter's plain reads after the barrier. The
 * last arriver itself reads the others' writes through the RMW chain alone. Termination: the volatile
 * store of {@code terminated} → unpark of every registered party (an unpark before the park leaves a
 * permit) → the parked party's volatile load of {@code terminated}.
 *
 * <p>Run (production flags): {@code concurrency-tests/jcstress.sh ci -t RoundBarrierTests}
 */
public final class RoundBarrierTests {
    private RoundBarrierTests() {
    }

    // ------------------------------------------------------------------ (a) publication

    /**
     * (a) Every party's plain writes before it arrives are visible to every party after the barrier,
     * whichever party arrives last and whether the other one spun or parked. r1: what party A reads of
     * B's write after the barrier; r2: what B reads of A's (-1 if a party saw the barrier terminated).
     */
    @JCStressTest
    @Outcome(id = "1, 1", expect = ACCEPTABLE, desc = "both parties see the other's pre-arrival write")
    @Outcome(expect = FORBIDDEN, desc = "a party left the barrier without seeing the other's pre-arrival write, or it was terminated")
    @State
    public static class Publication {
        final RoundBarrierAccess barrier = new RoundBarrierAccess(2);
        int a;
        int b;

        @Actor
        public void partyA(II_Result r) {
            barrier.register(0);
            a = 1; // plain: published by the barrier
            r.r1 = barrier.arriveAndAwait() ? b : -1;
        }

        @Actor
        public void partyB(II_Result r) {
            barrier.register(1);
            b = 1; // plain: published by the barrier
            r.r2 = barrier.arriveAndAwait() ? a : -1;
        }
    }

    /**
     * Broken twin of (a), the variant named in the review: the last arriver advances the generation with
     * a plain store and waiters poll it with plain loads (no release/acquire edge on the generation).
     * On x86 (TSO) the hardware keeps the order anyway and C2 has no reason to move these stores, so
     * this control is expected to stay silent on our machines; it is kept because on a weakly ordered
     * CPU (AArch64, the long campaign on such a box) it is the real bug. See NOTES-jcstress.md.
     */
    @JCStressTest
    @Outcome(id = "1, 1", expect = ACCEPTABLE, desc = "both parties see the other's write (TSO hides the missing release/acquire)")
    @Outcome(id = {"0, 1", "1, 0"}, expect = ACCEPTABLE_INTERESTING,
            desc = "caught: a waiter saw the new generation before the other party's write")
    @Outcome(expect = FORBIDDEN, desc = "other: the last arriver sees the waiter's write through the RMW chain even here")
    @State
    public static class PublicationBrokenPlainGeneration {
        final BrokenBarrier barrier = new BrokenBarrier(2, BrokenBarrier.Bug.PLAIN_GENERATION);
        int a;
        int b;

        @Actor
        public void partyA(II_Result r) {
            barrier.register(0);
            a = 1;
            barrier.arriveAndAwait();
            r.r1 = b;
        }

        @Actor
        public void partyB(II_Result r) {
            barrier.register(1);
            b = 1;
            barrier.arriveAndAwait();
            r.r2 = a;
        }
    }

    /**
     * Broken twin of (a) that x86 does show: a waiter treats the end of its spin budget as the end of
     * the round (spin-then-proceed instead of spin-then-park), so it can leave before the other party
     * arrived and wrote.
     */
    @JCStressTest
    @Outcome(id = "1, 1", expect = ACCEPTABLE, desc = "the other party arrived within the spin budget")
    @Outcome(id = {"0, 1", "1, 0"}, expect = ACCEPTABLE_INTERESTING,
            desc = "caught: a waiter gave up spinning and left before the other party wrote and arrived")
    @Outcome(expect = FORBIDDEN, desc = "other: not explained by one early leaver")
    @State
    public static class PublicationBrokenSpinTimeout {
        final BrokenBarrier barrier = new BrokenBarrier(2, BrokenBarrier.Bug.SPIN_TIMEOUT);
        int a;
        int b;

        @Actor
        public void partyA(II_Result r) {
            barrier.register(0);
            a = 1;
            barrier.arriveAndAwait();
            r.r1 = b;
        }

        @Actor
        public void partyB(II_Result r) {
            barrier.register(1);
            b = 1;
            barrier.arriveAndAwait();
            r.r2 = a;
        }
    }

    // ------------------------------------------------------------------ (b) termination

    /**
     * (b) {@code terminate} releases a party that waits for a round that can never complete (the second
     * party never arrives), whether it is still spinning or already parked. The registration
     * happens-before the terminate through the {@code registered} flag, as the trainer's epoch phaser
     * orders it in production (terminate racing with the very first registration is not covered by the
     * barrier's contract: see NOTES-jcstress.md).
     */
    @JCStressTest(Mode.Termination)
    @Outcome(id = "TERMINATED", expect = ACCEPTABLE, desc = "the waiting party was released by terminate")
    @Outcome(id = "STALE", expect = FORBIDDEN, desc = "the waiting party stayed parked after terminate")
    @State
    public static class Termination {
        final RoundBarrierAccess barrier = new RoundBarrierAccess(2);
        volatile boolean registered;

        @Actor
        public void party() {
            barrier.register(0);
            registered = true; // volatile store: orders the registration before the terminate below
            barrier.arriveAndAwait();
        }

        @Signal
        public void terminator() {
            while (!registered) { // volatile load: pairs with the store above
                Thread.onSpinWait();
            }
            barrier.terminate();
        }
    }

    /** Broken twin of (b): terminate sets the flag but does not unpark, so a parked party never re-checks. */
    @JCStressTest(Mode.Termination)
    @Outcome(id = "TERMINATED", expect = ACCEPTABLE, desc = "the party was still spinning and saw the flag")
    @Outcome(id = "STALE", expect = ACCEPTABLE_INTERESTING, desc = "caught: the parked party was never woken")
    @State
    public static class TerminationBrokenNoUnpark {
        final BrokenBarrier barrier = new BrokenBarrier(2, BrokenBarrier.Bug.TERMINATE_WITHOUT_UNPARK);
        volatile boolean registered;

        @Actor
        public void party() {
            barrier.register(0);
            registered = true;
            barrier.arriveAndAwait();
        }

        @Signal
        public void terminator() {
            while (!registered) {
                Thread.onSpinWait();
            }
            barrier.terminate();
        }
    }

    /**
     * A copy of RoundBarrier with one deliberate bug, for the negative controls only. Everything not
     * named by the bug is as in the production class.
     */
    static final class BrokenBarrier {
        enum Bug { PLAIN_GENERATION, SPIN_TIMEOUT, TERMINATE_WITHOUT_UNPARK }

        private static final VarHandle GENERATION;

        static {
            try {
                GENERATION = MethodHandles.lookup().findVarHandle(BrokenBarrier.class, "generation", long.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        private final Bug bug;
        private final Thread[] parties;
        private final AtomicInteger arrived = new AtomicInteger();
        private volatile long generation;
        private volatile boolean terminated;

        BrokenBarrier(int parties, Bug bug) {
            this.parties = new Thread[parties];
            this.bug = bug;
        }

        void register(int index) {
            parties[index] = Thread.currentThread();
        }

        private long generation() {
            // BUG (PLAIN_GENERATION): a plain load; production uses a volatile load
            return bug == Bug.PLAIN_GENERATION ? (long) GENERATION.get(this) : generation;
        }

        void arriveAndAwait() {
            final long round = generation();
            if (terminated) {
                return;
            }
            if (arrived.incrementAndGet() == parties.length) {
                arrived.set(0);
                if (bug == Bug.PLAIN_GENERATION) {
                    GENERATION.set(this, round + 1); // BUG: plain store; production uses a volatile store
                } else {
                    generation = round + 1;
                }
                final Thread me = Thread.currentThread();
                for (Thread t : parties) {
                    if (t != me && t != null) {
                        LockSupport.unpark(t);
                    }
                }
                return;
            }
            int spins = RoundBarrierAccess.spinsBeforePark();
            while (generation() == round) {
                if (terminated) {
                    return;
                }
                if (spins > 0) {
                    spins--;
                    Thread.onSpinWait();
                } else if (bug == Bug.SPIN_TIMEOUT) {
                    return; // BUG: the spin budget is not a timeout
                } else {
                    LockSupport.park(this);
                }
            }
        }

        void terminate() {
            terminated = true;
            if (bug == Bug.TERMINATE_WITHOUT_UNPARK) {
                return; // BUG: a parked party never re-checks the flag
            }
            for (Thread t : parties) {
                if (t != null) {
                    LockSupport.unpark(t);
                }
            }
        }
    }
}
