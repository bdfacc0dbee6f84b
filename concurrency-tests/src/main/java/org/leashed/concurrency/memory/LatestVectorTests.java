package org.leashed.concurrency.memory;

import org.leashed.memory.LatestVectorRegister;
import org.leashed.memory.LeashedUpdater;
import org.leashed.memory.ParameterVector;
import org.leashed.memory.PersistenceBound;
import org.leashed.memory.VectorHandles;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;
import org.openjdk.jcstress.infra.results.II_Result;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE_INTERESTING;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * jcstress suite for the Leashed-SGD latest-vector protocol ({@link LatestVectorRegister},
 * {@link LeashedUpdater}; Alg. B.1/B.3, Lemmas B.3.1/B.3.2). One property per nested test; each
 * property has a deliberately broken twin ({@code ...Broken...}) whose bug shows up as
 * ACCEPTABLE_INTERESTING, proving the test can see it.
 *
 * <p>Happens-before chain under test: publisher's plain writes of data and sequence → publishing
 * CAS on the latest word (volatile) → reader's getAcquire of that word → reader's plain reads; and
 * the reclamation chain: last reader's decrement (volatile RMW) → reclaimer's getReadersVolatile and
 * deleted CAS → free-stack push CAS → next owner's pop CAS → next owner's writes.
 *
 * <p>Run (production flags): {@code $JAVA_HOME/bin/java --add-modules=jdk.incubator.vector
 * --enable-native-access=ALL-UNNAMED -jar concurrency-tests/target/jcstress.jar -t LatestVectorTests -m quick}
 */
public final class LatestVectorTests {
    private LatestVectorTests() {
    }

    // ------------------------------------------------------------------ (a) atomic consistent reads

    /**
     * (a) A reader's leased vector is always one whole published vector, never a mix of two, even
     * though the publisher's second candidate reuses the initial vector's slot whenever it is free.
     * r1: 1 if the leased data matches its sequence number; r2: that sequence number.
     */
    @JCStressTest
    @Outcome(id = "1, 0", expect = ACCEPTABLE, desc = "reader leased the initial vector, intact")
    @Outcome(id = "1, 1", expect = ACCEPTABLE, desc = "reader leased the first published vector, intact")
    @Outcome(id = "1, 2", expect = ACCEPTABLE, desc = "reader leased the second published vector, intact")
    @Outcome(expect = FORBIDDEN, desc = "torn read: data does not match its sequence number, or a sequence never published")
    @State
    public static class ConsistentRead {
        final Fixture f = new Fixture(4);
        final LeashedUpdater publisher = new LeashedUpdater(f.register, PersistenceBound.unbounded());

        @Actor
        public void publisher() {
            publisher.update(Fixture.NEXT);
            publisher.update(Fixture.NEXT);
        }

        @Actor
        public void reader(II_Result r) {
            ParameterVector v = f.register.acquireLatest();
            long sequence = v.sequence();
            r.r1 = Fixture.consistent(v.data(), sequence) ? 1 : 0;
            r.r2 = (int) sequence;
            f.register.release(v);
        }
    }

    /** Broken twin of (a): HOGWILD!-style in-place update of the latest vector instead of copy + CAS. */
    @JCStressTest
    @Outcome(id = {"1, 0", "1, 1", "1, 2"}, expect = ACCEPTABLE, desc = "reader saw no write in progress")
    @Outcome(id = {"0, 0", "0, 1", "0, 2"}, expect = ACCEPTABLE_INTERESTING,
            desc = "torn read caught: an in-place update was half applied (the bug the copy + CAS prevents)")
    @Outcome(expect = FORBIDDEN, desc = "sequence never written")
    @State
    public static class ConsistentReadBrokenInPlaceUpdate {
        final Fixture f = new Fixture(4);

        private void updateInPlace() {
            ParameterVector v = f.register.acquireLatest();
            long next = v.sequence() + 1;
            Fixture.fill(v.data(), next); // BUG: writes the shared, published vector
            v.setSequence(next);
            f.register.release(v);
        }

        @Actor
        public void publisher() {
            updateInPlace();
            updateInPlace();
        }

        @Actor
        public void reader(II_Result r) {
            ParameterVector v = f.register.acquireLatest();
            long sequence = v.sequence();
            r.r1 = Fixture.consistent(v.data(), sequence) ? 1 : 0;
            r.r2 = (int) sequence;
            f.register.release(v);
        }
    }

    // ------------------------------------------------------------------ (b) monotonic reads

    /**
     * (b) A second read by the same thread never returns an older vector than its first. The publisher
     * publishes twice, then tries to publish a candidate built (in the constructor) on the initial
     * vector under the initial handle: the tagged CAS must refuse it. r1, r2: the two reads' sequences.
     */
    @JCStressTest
    @Outcome(id = {"0, 0", "1, 1", "2, 2"}, expect = ACCEPTABLE, desc = "both reads saw the same vector")
    @Outcome(id = {"0, 1", "0, 2", "1, 2"}, expect = ACCEPTABLE, desc = "the second read saw a newer vector")
    @Outcome(expect = FORBIDDEN, desc = "the second read went back in time, or a read was torn (-1)")
    @State
    public static class MonotonicRead {
        final Fixture f = new Fixture(6);
        final LeashedUpdater publisher = new LeashedUpdater(f.register, PersistenceBound.unbounded());
        final ParameterVector staleCandidate;
        final long staleExpected;

        public MonotonicRead() {
            staleCandidate = f.pool.allocate();
            staleExpected = f.prepareCandidate(staleCandidate);
        }

        @Actor
        public void publisher() {
            publisher.update(Fixture.NEXT);
            publisher.update(Fixture.NEXT);
            if (!f.register.compareAndSetLatest(staleExpected, staleCandidate)) {
                f.pool.free(staleCandidate);
            }
        }

        @Actor
        public void reader(II_Result r) {
            r.r1 = f.readSequence();
            r.r2 = f.readSequence();
        }
    }

    /**
     * Broken twin of (b): the stale candidate is published by retrying the CAS against whatever is
     * latest, without recomputing it (last writer wins), so it replaces a newer vector.
     */
    @JCStressTest
    @Outcome(id = {"0, 0", "1, 1", "2, 2"}, expect = ACCEPTABLE, desc = "both reads saw the same vector")
    @Outcome(id = {"0, 1", "0, 2", "1, 2"}, expect = ACCEPTABLE,
            desc = "the second read saw a vector published later (the stale one also carries number 1)")
    @Outcome(id = "2, 1", expect = ACCEPTABLE_INTERESTING,
            desc = "non-monotonic read caught: the stale candidate (1) replaced a newer vector (2)")
    @Outcome(expect = FORBIDDEN, desc = "torn read (-1)")
    @State
    public static class MonotonicReadBrokenBlindPublish {
        final Fixture f = new Fixture(6);
        final LeashedUpdater publisher = new LeashedUpdater(f.register, PersistenceBound.unbounded());
        final ParameterVector staleCandidate;

        public MonotonicReadBrokenBlindPublish() {
            staleCandidate = f.pool.allocate();
            f.prepareCandidate(staleCandidate);
        }

        @Actor
        public void publisher() {
            publisher.update(Fixture.NEXT);
            publisher.update(Fixture.NEXT);
            // BUG: re-reads the expected handle instead of recomputing on the new latest vector
            while (!f.register.compareAndSetLatest(f.register.getLatestHandleAcquire(), staleCandidate)) {
                Thread.onSpinWait();
            }
        }

        @Actor
        public void reader(II_Result r) {
            r.r1 = f.readSequence();
            r.r2 = f.readSequence();
        }
    }

    // ------------------------------------------------------------------ (c) safe reclamation

    /**
     * (c) A leased vector is never recycled under its reader, and after retire() every incarnation was
     * reclaimed exactly once (recycles == allocations, no live vector, no poison hit). The publisher's
     * second candidate reuses the initial vector's slot whenever the reader does not hold it (LIFO pool).
     * r1: 1 if the lease stayed intact (data, generation, no poison); r2: 1 if the end state is clean.
     */
    @JCStressTest
    @Outcome(id = "1, 1", expect = ACCEPTABLE, desc = "lease intact for its whole duration; all slots reclaimed exactly once")
    @Outcome(expect = FORBIDDEN, desc = "a leased vector was recycled (r1 = 0), or a slot leaked / was reclaimed twice (r2 = 0)")
    @State
    public static class SafeReclamation {
        final Fixture f = new Fixture(4);
        final LeashedUpdater publisher = new LeashedUpdater(f.register, PersistenceBound.unbounded());

        @Actor
        public void reader(II_Result r) {
            ParameterVector v = f.register.acquireLatest();
            long handle = v.handle();
            long sequence = v.sequence();
            r.r1 = Fixture.intact(f.pool, v, handle, sequence) ? 1 : 0;
            f.register.release(v);
        }

        @Actor
        public void publisher() {
            publisher.update(Fixture.NEXT);
            publisher.update(Fixture.NEXT);
        }

        @Arbiter
        public void reclaimer(II_Result r) {
            r.r2 = f.retireAndCheck();
        }
    }

    /** Broken twin of (c): the reader drops its lease (STOP_READING) before it is done reading. */
    @JCStressTest
    @Outcome(id = "1, 1", expect = ACCEPTABLE, desc = "the vector happened to survive the unprotected read")
    @Outcome(id = "0, 1", expect = ACCEPTABLE_INTERESTING,
            desc = "recycled under the reader caught (poison, new generation or foreign data)")
    @Outcome(expect = FORBIDDEN, desc = "a slot leaked or was reclaimed twice")
    @State
    public static class SafeReclamationBrokenEarlyRelease {
        final Fixture f = new Fixture(4);
        final LeashedUpdater publisher = new LeashedUpdater(f.register, PersistenceBound.unbounded());

        @Actor
        public void reader(II_Result r) {
            ParameterVector v = f.register.acquireLatest();
            long handle = v.handle();
            long sequence = v.sequence();
            f.register.release(v); // BUG: the lease ends before the reads below
            r.r1 = Fixture.intact(f.pool, v, handle, sequence) ? 1 : 0;
        }

        @Actor
        public void publisher() {
            publisher.update(Fixture.NEXT);
            publisher.update(Fixture.NEXT);
        }

        @Arbiter
        public void reclaimer(II_Result r) {
            r.r2 = f.retireAndCheck();
        }
    }

    // ------------------------------------------------------------------ (d) no ABA

    /**
     * (d) A slow publisher took the initial vector's handle and built its candidate on it (in the state
     * constructor, then released its lease). Meanwhile a fast publisher publishes twice; with the LIFO
     * pool its second candidate reuses the initial vector's slot, so the slot is published again. The
     * slow CAS must fail whenever anything was published before it. r1: slow published; r2: final
     * sequence number.
     */
    @JCStressTest
    @Outcome(id = "1, 3", expect = ACCEPTABLE, desc = "slow CAS first; both fast updates stacked on it")
    @Outcome(id = "0, 2", expect = ACCEPTABLE, desc = "slow CAS failed: something was published since its read")
    @Outcome(expect = FORBIDDEN, desc = "ABA: the slow CAS matched a recycled, republished slot and erased updates")
    @State
    public static class NoAbaOnRecycledSlot {
        final Fixture f = new Fixture(5);
        final LeashedUpdater fast = new LeashedUpdater(f.register, PersistenceBound.unbounded());
        final ParameterVector slowCandidate;
        final long slowExpected;

        public NoAbaOnRecycledSlot() {
            slowCandidate = f.pool.allocate();
            slowExpected = f.prepareCandidate(slowCandidate);
        }

        @Actor
        public void slow(II_Result r) {
            boolean published = f.register.compareAndSetLatest(slowExpected, slowCandidate);
            if (!published) {
                f.pool.free(slowCandidate);
            }
            r.r1 = published ? 1 : 0;
        }

        @Actor
        public void fast() {
            fast.update(Fixture.NEXT);
            fast.update(Fixture.NEXT);
        }

        @Arbiter
        public void arbiter(II_Result r) {
            r.r2 = f.readSequence();
        }
    }

    /** Broken twin of (d): the slow publisher compares slots only (an untagged, address-like CAS). */
    @JCStressTest
    @Outcome(id = "1, 3", expect = ACCEPTABLE, desc = "slow CAS first; both fast updates stacked on it")
    @Outcome(id = "0, 2", expect = ACCEPTABLE, desc = "slow CAS failed")
    @Outcome(id = "1, 1", expect = ACCEPTABLE_INTERESTING,
            desc = "ABA caught: the untagged CAS matched the recycled slot and erased two updates")
    @Outcome(expect = FORBIDDEN, desc = "other: not explained by the untagged compare")
    @State
    public static class NoAbaBrokenUntaggedCompare {
        final Fixture f = new Fixture(5);
        final LeashedUpdater fast = new LeashedUpdater(f.register, PersistenceBound.unbounded());
        final ParameterVector slowCandidate;
        final long slowExpected;

        public NoAbaBrokenUntaggedCompare() {
            slowCandidate = f.pool.allocate();
            slowExpected = f.prepareCandidate(slowCandidate);
        }

        @Actor
        public void slow(II_Result r) {
            long now = f.register.getLatestHandleAcquire();
            // BUG: compares the slot (the address) only, then swaps whatever incarnation is there
            boolean published = VectorHandles.slot(now) == VectorHandles.slot(slowExpected)
                    && f.register.compareAndSetLatest(now, slowCandidate);
            if (!published) {
                f.pool.free(slowCandidate);
            }
            r.r1 = published ? 1 : 0;
        }

        @Actor
        public void fast() {
            fast.update(Fixture.NEXT);
            fast.update(Fixture.NEXT);
        }

        @Arbiter
        public void arbiter(II_Result r) {
            r.r2 = f.readSequence();
        }
    }

    // ------------------------------------------------------------------ (e) total order

    /** (e) Published sequence numbers are exactly 1..n: no two publishes share a number, none is lost. */
    @JCStressTest
    @Outcome(id = {"1, 2, 2", "2, 1, 2"}, expect = ACCEPTABLE, desc = "the two publishes are totally ordered; final = 2")
    @Outcome(expect = FORBIDDEN, desc = "duplicate or lost sequence number")
    @State
    public static class TotalOrder {
        final Fixture f = new Fixture(6);
        final LeashedUpdater a = new LeashedUpdater(f.register, PersistenceBound.unbounded());
        final LeashedUpdater b = new LeashedUpdater(f.register, PersistenceBound.unbounded());

        @Actor
        public void publisherA(III_Result r) {
            r.r1 = a.update(Fixture.NEXT) ? (int) a.publishedSequence() : -1;
        }

        @Actor
        public void publisherB(III_Result r) {
            r.r2 = b.update(Fixture.NEXT) ? (int) b.publishedSequence() : -1;
        }

        @Arbiter
        public void arbiter(III_Result r) {
            r.r3 = f.readSequence();
        }
    }

    /** Broken twin of (e): check-then-act publication (compare, then swap in a separate step). */
    @JCStressTest
    @Outcome(id = {"1, 2, 2", "2, 1, 2"}, expect = ACCEPTABLE, desc = "the two publishes happened to be ordered")
    @Outcome(id = "1, 1, 1", expect = ACCEPTABLE_INTERESTING,
            desc = "duplicate caught: both passed the check before either swapped; one update lost")
    @Outcome(expect = FORBIDDEN, desc = "other: not explained by check-then-act")
    @State
    public static class TotalOrderBrokenCheckThenAct {
        final Fixture f = new Fixture(6);

        private int publish() {
            ParameterVector candidate = f.pool.allocate();
            for (;;) {
                ParameterVector v = f.register.acquireLatest();
                long expected = v.handle();
                long sequence = v.sequence();
                Fixture.NEXT.copyAndUpdate(candidate.data(), v.data(), sequence);
                f.register.release(v);
                candidate.setSequence(sequence + 1);
                if (f.register.getLatestHandleAcquire() == expected) { // BUG: check ...
                    while (!f.register.compareAndSetLatest(f.register.getLatestHandleAcquire(), candidate)) {
                        Thread.onSpinWait(); // ... then act on whatever is latest now
                    }
                    return (int) sequence + 1;
                }
            }
        }

        @Actor
        public void publisherA(III_Result r) {
            r.r1 = publish();
        }

        @Actor
        public void publisherB(III_Result r) {
            r.r2 = publish();
        }

        @Arbiter
        public void arbiter(III_Result r) {
            r.r3 = f.readSequence();
        }
    }

    // ------------------------------------------------------------------ (f) T_p = 0

    /**
     * (f) With T_p = 0 an update is published only if nothing was published between its read of the
     * latest vector and its CAS ({@code tau^s = 0}); and at least one of two racing updates is published
     * (a failed CAS means another succeeded). Each result: tau^s of the actor's update, -1 if it gave up.
     */
    @JCStressTest
    @Outcome(id = "0, 0", expect = ACCEPTABLE, desc = "both published, one after the other, each on the latest vector")
    @Outcome(id = {"0, -1", "-1, 0"}, expect = ACCEPTABLE, desc = "one lost its only CAS and gave up")
    @Outcome(expect = FORBIDDEN, desc = "an update published over an intervening publish (tau^s > 0), or nobody published")
    @State
    public static class PersistenceZero {
        final Fixture f = new Fixture(6);
        final LeashedUpdater a = new LeashedUpdater(f.register, PersistenceBound.of(0));
        final LeashedUpdater b = new LeashedUpdater(f.register, PersistenceBound.of(0));

        static int scheduledBefore(LeashedUpdater u, boolean published) {
            return published ? (int) (u.publishedSequence() - 1 - u.firstBaseSequence()) : -1;
        }

        @Actor
        public void workerA(II_Result r) {
            r.r1 = scheduledBefore(a, a.update(Fixture.NEXT));
        }

        @Actor
        public void workerB(II_Result r) {
            r.r2 = scheduledBefore(b, b.update(Fixture.NEXT));
        }
    }

    /** Broken twin of (f): an off-by-one bound (T_p = 0 implemented as "one retry allowed"). */
    @JCStressTest
    @Outcome(id = "0, 0", expect = ACCEPTABLE, desc = "both published without contention")
    @Outcome(id = {"0, -1", "-1, 0"}, expect = ACCEPTABLE, desc = "one gave up")
    @Outcome(id = {"0, 1", "1, 0"}, expect = ACCEPTABLE_INTERESTING,
            desc = "caught: the loser retried and published over an intervening publish (tau^s = 1)")
    @Outcome(expect = FORBIDDEN, desc = "other")
    @State
    public static class PersistenceZeroBrokenOffByOne {
        final Fixture f = new Fixture(6);
        final LeashedUpdater a = new LeashedUpdater(f.register, PersistenceBound.of(1)); // BUG: should be of(0)
        final LeashedUpdater b = new LeashedUpdater(f.register, PersistenceBound.of(1));

        @Actor
        public void workerA(II_Result r) {
            r.r1 = PersistenceZero.scheduledBefore(a, a.update(Fixture.NEXT));
        }

        @Actor
        public void workerB(II_Result r) {
            r.r2 = PersistenceZero.scheduledBefore(b, b.update(Fixture.NEXT));
        }
    }
}
