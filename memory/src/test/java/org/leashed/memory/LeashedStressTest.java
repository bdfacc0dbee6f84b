package org.leashed.memory;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Many threads on few cores running the whole Leashed-SGD cycle (Alg. B.3) on a tiny pool with
 * poisoning on: lease the latest vector, check and "compute" on it, release, then LAU-SPC with a
 * synthetic gradient through {@link LeashedUpdater}. Every vector holds {@code data[i] = seq * STRIDE + i}
 * (int bits, wrapping), so a torn or recycled read shows up as a mismatch with its sequence number.
 *
 * <p>Checked: live vectors never exceed 3m (Lemma B.3.2: the pool's capacity is exactly 3m, so an
 * excess throws, and the tracked peak is asserted); no poison hit and no inconsistent read; reads by
 * one thread never go back in sequence; published sequence numbers are exactly 1..n (count, sum and
 * sum of squares match, so none is lost or duplicated); after {@code retire()} every slot is back.
 *
 * <p>Default: about 10 s for the whole class. Long mode: {@code -Dleashed.stress.seconds=600} is the
 * total for the parameterized cases, split evenly, e.g.
 * {@code mvn -B -o -pl memory test -Dtest=LeashedStressTest -Dleashed.stress.seconds=600}.
 */
class LeashedStressTest {
    private static final int DIMENSION = 5;
    private static final int STRIDE = 31;
    private static final int[] THREADS = {2, 4, 16, 64};
    private static final String[] BOUNDS = {"0", "1", "inf"};
    private static final double TOTAL_SECONDS = Double.parseDouble(System.getProperty("leashed.stress.seconds", "9"));
    private static final long CASE_NANOS = (long) (TOTAL_SECONDS * 1e9 / (THREADS.length * BOUNDS.length));

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (int m : THREADS) {
            for (String b : BOUNDS) {
                out.add(Arguments.of(m, b));
            }
        }
        return out.stream();
    }

    private static int expected(long sequence, int index) {
        return (int) (sequence * STRIDE + index);
    }

    private static boolean consistent(MemorySegment data, long sequence) {
        for (int i = 0; i < DIMENSION; i++) {
            if (data.getAtIndex(ValueLayout.JAVA_INT, i) != expected(sequence, i)) {
                return false;
            }
        }
        return true;
    }

    /** Candidate = latest + gradient, elementwise in wrapping int arithmetic; checks the source first. */
    private static final class SyntheticUpdate implements VectorUpdate {
        private final MemorySegment gradient;
        long tornReads;

        SyntheticUpdate(MemorySegment gradient) {
            this.gradient = gradient;
        }

        @Override
        public void copyAndUpdate(MemorySegment destination, MemorySegment latest, long latestSequence) {
            if (!consistent(latest, latestSequence)) {
                tornReads++;
            }
            for (int i = 0; i < DIMENSION; i++) {
                destination.setAtIndex(ValueLayout.JAVA_INT, i,
                        latest.getAtIndex(ValueLayout.JAVA_INT, i) + gradient.getAtIndex(ValueLayout.JAVA_INT, i));
            }
        }
    }

    /** Per-worker results, read by the test thread after join. */
    private static final class Worker implements Runnable {
        private final LatestVectorRegister register;
        private final PersistenceBound bound;
        private final java.util.function.BooleanSupplier stopped;
        private final AtomicReference<Throwable> failure;
        long published;
        long gaveUp;
        long sequenceSum;
        long sequenceSquareSum;
        long inconsistentReads;
        long backwardReads;
        long wrongBase;

        Worker(LatestVectorRegister register, PersistenceBound bound, java.util.function.BooleanSupplier stopped,
               AtomicReference<Throwable> failure) {
            this.register = register;
            this.bound = bound;
                this.stopped = stopped;
            this.failure = failure;
        }

        @Override
        public void run() {
            VectorPool pool = register.pool();
            ParameterVector grad = pool.allocate(); // local_grad of Alg. B.3, counted in the 3m bound
            try {
                SyntheticUpdate update = new SyntheticUpdate(grad.data());
                LeashedUpdater updater = new LeashedUpdater(register, bound);
                long lastSeen = -1;
                while (!stopped.getAsBoolean()) {
                    ParameterVector latest = register.acquireLatest();
                    long handle = latest.handle();
                    long seq = latest.sequence();
                    pool.checkLease(latest, handle);
                    if (!consistent(latest.data(), seq)) {
                        inconsistentReads++;
                    }
                    if (seq < lastSeen) {
                        backwardReads++;
                    }
                    lastSeen = seq;
                    for (int i = 0; i < DIMENSION; i++) { // "compute" the gradient from the leased vector
                        int unit = latest.data().getAtIndex(ValueLayout.JAVA_INT, i) - expected(seq, i);
                        grad.data().setAtIndex(ValueLayout.JAVA_INT, i, STRIDE + unit);
                    }
                    pool.checkLease(latest, handle); // still ours after reading it
                    register.release(latest);
                    if (updater.update(update)) {
                        long s = updater.publishedSequence();
                        published++;
                        sequenceSum += s;
                        sequenceSquareSum += s * s;
                        if (s != updater.baseSequence() + 1 || s <= lastSeen) {
                            wrongBase++;
                        }
                        if (bound.equals(PersistenceBound.of(0)) && s != updater.firstBaseSequence() + 1) {
                            wrongBase++; // T_p = 0: nothing may be published between our read and our CAS
                        }
                        lastSeen = s;
                    } else {
                        gaveUp++;
                    }
                }
                inconsistentReads += update.tornReads;
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
            } finally {
                pool.free(grad);
            }
        }
    }

    private static LatestVectorRegister newRegister(int m) {
        VectorPool pool = new VectorPool(DIMENSION, 3 * m, true); // capacity 3m: Lemma B.3.2 or an exception
        ParameterVector initial = pool.allocate();
        for (int i = 0; i < DIMENSION; i++) {
            initial.data().setAtIndex(ValueLayout.JAVA_INT, i, expected(0, i));
        }
        initial.setSequence(0);
        return new LatestVectorRegister(pool, initial);
    }

    private static void assertEndState(LatestVectorRegister register, List<Worker> workers, int m) {
        VectorPool pool = register.pool();
        long published = 0;
        long sum = 0;
        long squares = 0;
        for (Worker w : workers) {
            assertEquals(0, w.inconsistentReads, "torn or recycled reads seen by a worker");
            assertEquals(0, w.backwardReads, "a thread read an older vector after a newer one");
            assertEquals(0, w.wrongBase, "a publish not built on the vector it replaced");
            published += w.published;
            sum += w.sequenceSum;
            squares += w.sequenceSquareSum;
        }
        ParameterVector latest = register.acquireLatest();
        long n = latest.sequence();
        assertTrue(consistent(latest.data(), n), "final vector inconsistent: " + latest);
        register.release(latest);
        assertEquals(n, published, "publishes counted by workers vs final sequence number");
        // modular (wrapping) arithmetic on both sides: duplicates or gaps would break at least one sum
        assertEquals(n % 2 == 0 ? (n / 2) * (n + 1) : n * ((n + 1) / 2), sum, "sum of published sequence numbers");
        assertEquals(sumOfSquares(n), squares, "sum of squares of published sequence numbers");
        assertTrue(pool.liveVectorsPeak() <= 3L * m, "peak live " + pool.liveVectorsPeak() + " > 3m = " + 3 * m);
        assertEquals(0, pool.poisonHits());
        register.retire();
        assertEquals(0, pool.liveVectors(), "every slot returns to the pool after retire()");
        assertEquals(pool.allocations(), pool.recycledVectors(), "every incarnation reclaimed exactly once");
        assertEquals(pool.createdVectors(), pool.pooledVectors());
        pool.close();
    }

    private static long sumOfSquares(long n) {
        return java.math.BigInteger.valueOf(n).multiply(java.math.BigInteger.valueOf(n + 1))
                .multiply(java.math.BigInteger.valueOf(2 * n + 1)).divide(java.math.BigInteger.valueOf(6)).longValue();
    }

    @ParameterizedTest(name = "m={0}, T_p={1}")
    @MethodSource("cases")
    void shouldKeepInvariantsWhenManyThreadsRunLeashedCycleOnTwoCores(int m, String persistence) throws Exception {
        LatestVectorRegister register = newRegister(m);
        PersistenceBound bound = PersistenceBound.parse(persistence);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        List<Worker> workers = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < m; t++) {
            Worker w = new Worker(register, bound, stop::get, failure);
            workers.add(w);
            threads.add(Thread.ofPlatform().name("leashed-stress-" + t).start(w));
        }
        long deadline = System.nanoTime() + CASE_NANOS;
        while (System.nanoTime() < deadline && failure.get() == null) {
            Thread.sleep(20);
        }
        stop.set(true);
        for (Thread t : threads) {
            t.join(TimeUnit.SECONDS.toMillis(30));
            assertTrue(!t.isAlive(), t.getName() + " did not stop");
        }
        assertNull(failure.get(), () -> "worker failed: " + failure.get());
        long published = workers.stream().mapToLong(w -> w.published).sum();
        assertTrue(published > 0, "no update published");
        System.out.printf("stress m=%d T_p=%s: published=%d gaveUp=%d peakLive=%d (3m=%d) created=%d%n", m, bound,
                published, workers.stream().mapToLong(w -> w.gaveUp).sum(), register.pool().liveVectorsPeak(), 3 * m,
                register.pool().createdVectors());
        if (bound.isUnbounded()) {
            assertEquals(0, workers.stream().mapToLong(w -> w.gaveUp).sum(), "T_p = inf never gives up");
        }
        assertEndState(register, workers, m);
    }

    @Test
    void shouldKeepPublishingWhenOneThreadStallsHoldingLeaseAndAnotherStallsMidUpdate() throws Exception {
        int normal = 3;
        int m = normal + 2;
        LatestVectorRegister register = newRegister(m);
        VectorPool pool = register.pool();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        CountDownLatch parked = new CountDownLatch(2);
        java.util.concurrent.atomic.AtomicBoolean resume = new java.util.concurrent.atomic.AtomicBoolean();
        long[] stalledLease = new long[2]; // sequence seen, 1 if still intact after the stall

        Thread leaseHolder = Thread.ofPlatform().name("stalled-reader").start(() -> {
            try {
                ParameterVector v = register.acquireLatest();
                long handle = v.handle();
                stalledLease[0] = v.sequence();
                parked.countDown();
                while (!resume.get()) {
                    LockSupport.park(); // stalled while holding a lease
                }
                pool.checkLease(v, handle);
                stalledLease[1] = consistent(v.data(), stalledLease[0]) ? 1 : 0;
                register.release(v);
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
            }
        });
        long[] midUpdate = new long[2]; // published sequence, failed attempts
        Thread midUpdater = Thread.ofPlatform().name("stalled-updater").start(() -> {
            ParameterVector grad = pool.allocate();
            try {
                for (int i = 0; i < DIMENSION; i++) {
                    grad.data().setAtIndex(ValueLayout.JAVA_INT, i, STRIDE);
                }
                SyntheticUpdate inner = new SyntheticUpdate(grad.data());
                boolean[] once = {true};
                LeashedUpdater updater = new LeashedUpdater(register, PersistenceBound.unbounded());
                boolean ok = updater.update((dst, src, seq) -> {
                    inner.copyAndUpdate(dst, src, seq);
                    if (once[0]) {
                        once[0] = false;
                        parked.countDown();
                        while (!resume.get()) {
                            LockSupport.park(); // stalled mid-update: holds a lease and a candidate
                        }
                    }
                });
                midUpdate[0] = ok ? updater.publishedSequence() : -1;
                midUpdate[1] = updater.failedAttempts();
                assertEquals(0, inner.tornReads);
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
            } finally {
                pool.free(grad);
            }
        });
        assertTrue(parked.await(10, TimeUnit.SECONDS), "stallers did not reach their stall points");
        long before = register.getLatestHandleAcquire();
        List<Worker> workers = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < normal; t++) {
            Worker w = new Worker(register, PersistenceBound.of(1), stop::get, failure);
            workers.add(w);
            threads.add(Thread.ofPlatform().name("leashed-worker-" + t).start(w));
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (workers.stream().mapToLong(w -> w.published).sum() < 10_000 && System.nanoTime() < deadline
                && failure.get() == null) {
            Thread.sleep(10); // racy progress peek, only to end early; the exact count is asserted after join
        }
        stop.set(true);
        for (Thread t : threads) {
            t.join(TimeUnit.SECONDS.toMillis(30));
        }
        long publishedWhileStalled = workers.stream().mapToLong(w -> w.published).sum();
        assertTrue(publishedWhileStalled >= 10_000, "others published only " + publishedWhileStalled
                + " updates while two threads were stalled");
        assertTrue(register.getLatestHandleAcquire() != before);
        resume.set(true);
        LockSupport.unpark(leaseHolder);
        LockSupport.unpark(midUpdater);
        leaseHolder.join(TimeUnit.SECONDS.toMillis(30));
        midUpdater.join(TimeUnit.SECONDS.toMillis(30));
        assertNull(failure.get(), () -> "thread failed: " + failure.get());
        assertEquals(1, stalledLease[1], "the stalled reader's vector was recycled underneath it");
        assertTrue(midUpdate[1] >= 1, "the stalled update must have lost its first CAS");
        assertTrue(midUpdate[0] > publishedWhileStalled, "the stalled update is published after the others");
        Worker stalledUpdaterRecord = new Worker(register, PersistenceBound.unbounded(), () -> true, failure);
        stalledUpdaterRecord.published = 1;
        stalledUpdaterRecord.sequenceSum = midUpdate[0];
        stalledUpdaterRecord.sequenceSquareSum = midUpdate[0] * midUpdate[0];
        workers.add(stalledUpdaterRecord);
        assertEndState(register, workers, m);
    }
}
