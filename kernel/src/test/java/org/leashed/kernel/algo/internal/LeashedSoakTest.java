package org.leashed.kernel.algo.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.Phaser;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.leashed.kernel.Objective;
import org.leashed.kernel.UpdateKernels;
import org.leashed.kernel.algo.SgdAlgorithm;
import org.leashed.kernel.algo.WorkerContext;
import org.leashed.kernel.algo.WorkerMetrics;
import org.leashed.kernel.stepsize.StepSizeTable;
import org.leashed.memory.PersistenceBound;

/**
 * Soak: Leashed-SGD with m = 32 workers (on however few cores the machine has: 2 in CI) over a pool of
 * 3m + 2 slots, so that nearly every candidate reuses a recycled slot, in poison mode (recycled memory is
 * overwritten with NaN and every lease checked), for {@code -Dleashed.soak.seconds} seconds (default 5, the
 * short version the normal test run includes; the documented long run is 600).
 *
 * <p>Runs in rounds of {@value #ROUND} updates; between rounds every worker is parked and the test checks
 * that the pool is back to full (exactly one live vector: the latest). A monitor thread samples the live
 * count throughout; after the run the register is retired and the pool must hold zero live vectors. RSS
 * (from /proc/self/status where it exists) must not grow by more than {@value #RSS_GROWTH_MIB} MiB over the
 * second half of the run (steady state; the first half is JIT and heap sizing). Prints a summary line and
 * the RSS at each tenth of the run.
 *
 * <p>Long run: {@code mvn -B -o -pl kernel -am test -Dtest=LeashedSoakTest -Dsurefire.failIfNoSpecifiedTests=false
 * -Dleashed.soak.seconds=600}.
 */
class LeashedSoakTest {
    private static final int M = 32;
    private static final int D = 64;
    private static final long ROUND = 20_000;
    private static final long RSS_GROWTH_MIB = 32;
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;

    /** Noisy quadratic 0.5 |x - 1|^2: enough arithmetic to be real, cheap enough to update often. */
    private static final class Quadratic implements Objective {
        @Override
        public int dimension() {
            return D;
        }

        @Override
        public void initialize(MemorySegment params, long seed) {
            params.fill((byte) 0);
        }

        @Override
        public double loss(MemorySegment params) {
            double s = 0;
            for (int j = 0; j < D; j++) {
                double e = params.getAtIndex(F, j) - 1;
                s += 0.5 * e * e;
            }
            return s;
        }

        @Override
        public Sampler newSampler(int workerId, long seed) {
            throw new UnsupportedOperationException("the soak computes gradients in its own context");
        }
    }

    /** One worker's context: tickets from the shared counter, gradient of the quadratic into its buffer. */
    private static final class Context implements WorkerContext {
        final int id;
        final MemorySegment grad;
        final WorkerMetrics metrics = new WorkerMetrics();
        final SplittableRandom random;
        final AtomicLong tickets;
        final long[] target;
        final StepSizeTable table = StepSizeTable.constant(0.05f);
        volatile boolean stop;

        Context(int id, Arena arena, AtomicLong tickets, long[] target) {
            this.id = id;
            this.grad = arena.allocate((long) D * Float.BYTES, 64);
            this.random = new SplittableRandom(id);
            this.tickets = tickets;
            this.target = target;
        }

        @Override
        public int workerId() {
            return id;
        }

        @Override
        public int workers() {
            return M;
        }

        @Override
        public int dimension() {
            return D;
        }

        @Override
        public boolean takeTicket() {
            // target[0]: plain, written by the test thread before the round's phaser release (phaser edge)
            return !stop && tickets.getAndIncrement() < target[0]; // atomic RMW: each ticket once
        }

        @Override
        public long updatesPerEpoch() {
            return ROUND;
        }

        @Override
        public boolean stopRequested() {
            return stop; // volatile load
        }

        @Override
        public MemorySegment computeStep(MemorySegment params) {
            for (int j = 0; j < D; j++) {
                grad.setAtIndex(F, j, params.getAtIndex(F, j) - 1 + (float) (0.1 * (random.nextDouble() - 0.5)));
            }
            return grad;
        }

        @Override
        public MemorySegment stepBuffer() {
            return grad;
        }

        @Override
        public StepSizeTable stepSizes() {
            return table;
        }

        @Override
        public WorkerMetrics metrics() {
            return metrics;
        }
    }

    @Test
    void shouldKeepPoolBoundedAndLeakFreeWhenManyWorkersRecycleUnderPoison() throws Exception {
        final double seconds = Double.parseDouble(System.getProperty("leashed.soak.seconds", "5"));
        final long deadline = System.nanoTime() + (long) (seconds * 1e9);
        final AtomicLong tickets = new AtomicLong();
        final long[] target = {0};
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final Phaser rounds = new Phaser(M + 1);
        final Context[] contexts = new Context[M];
        final LeashedSgd lsh = new LeashedSgd(new Quadratic(), UpdateKernels.scalar(), M, false, 1,
                PersistenceBound.unbounded(), true);
        long maxLiveSampled = 0;
        long rssAfterWarmup = -1;
        long rssMax = -1;
        long roundsDone = 0;
        final long[] rssByTenth = new long[11]; // first RSS seen in each tenth of the run, KiB
        try (Arena arena = Arena.ofShared()) {
            final Thread[] workers = new Thread[M];
            for (int w = 0; w < M; w++) {
                contexts[w] = new Context(w, arena, tickets, target);
                final Context c = contexts[w];
                workers[w] = Thread.ofPlatform().name("soak-worker-" + w).daemon(true).start(() -> {
                    try {
                        SgdAlgorithm.WorkerLoop loop = lsh.newWorker(c);
                        while (rounds.arriveAndAwaitAdvance() >= 0) { // released into a round
                            loop.runEpoch();
                            if (rounds.arriveAndAwaitAdvance() < 0) { // round done
                                return;
                            }
                        }
                    } catch (Throwable t) {
                        failure.compareAndSet(null, t); // CAS: first failure wins
                        rounds.forceTermination();
                    }
                });
            }
            final AtomicLong liveMax = new AtomicLong();
            final Thread monitor = Thread.ofPlatform().name("soak-monitor").daemon(true).start(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    liveMax.accumulateAndGet(lsh.poolLiveVectors() + M, Math::max); // atomic RMW: test tally
                    try {
                        Thread.sleep(1);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            final long start = System.nanoTime();
            while (System.nanoTime() < deadline && failure.get() == null) {
                target[0] = (roundsDone + 1) * ROUND; // plain: the release below publishes it
                tickets.set(roundsDone * ROUND);
                if (rounds.arriveAndAwaitAdvance() < 0 || rounds.arriveAndAwaitAdvance() < 0) {
                    break; // a worker failed
                }
                roundsDone++;
                // all workers parked: every lease released, every candidate published or freed
                assertEquals(1, lsh.poolLiveVectors(), "round " + roundsDone + ": only the latest vector is live");
                final long rss = rssKib();
                if (rss > 0 && rssAfterWarmup < 0 && System.nanoTime() - start > (deadline - start) / 10) {
                    rssAfterWarmup = rss;
                }
                rssMax = Math.max(rssMax, rss);
                final int tenth = (int) Math.min(10, (System.nanoTime() - start) * 10 / Math.max(1, deadline - start));
                if (rssByTenth[tenth] == 0) {
                    rssByTenth[tenth] = rss;
                }
            }
            for (Context c : contexts) {
                c.stop = true; // volatile store: workers check it per ticket (they are parked anyway)
            }
            rounds.forceTermination();
            for (Thread t : workers) {
                t.join();
            }
            monitor.interrupt();
            monitor.join();
            maxLiveSampled = liveMax.get();
        } finally {
            lsh.close();
        }
        assertNull(failure.get(), () -> "worker failed: " + failure.get()); // volatile load after the joins
        final long applied = java.util.Arrays.stream(contexts).mapToLong(c -> c.metrics.applied()).sum();
        System.out.printf("soak: %.0f s, m = %d, %d rounds, %d updates, %d recycled, %d slots of %d, pool peak %d + %d "
                        + "gradient buffers, sampled live max %d, poison hits %d, RSS after warm-up %d KiB, max %d KiB%n",
                seconds, M, roundsDone, applied, lsh.poolRecycledVectors(), lsh.poolCreatedVectors(),
                LeashedSgd.poolCapacity(M), lsh.poolLivePeak(), M, maxLiveSampled, lsh.poolPoisonHits(), rssAfterWarmup, rssMax);
        System.out.println("soak: RSS KiB at each tenth of the run: " + java.util.Arrays.toString(rssByTenth));
        assertTrue(roundsDone >= 1, "at least one round");
        assertEquals(roundsDone * ROUND, applied, "every ticket applied exactly once");
        assertEquals(0, lsh.poolPoisonHits(), "no poison hit");
        assertEquals(0, lsh.poolLiveVectors(), "pool back to full after retire: no leaked vector");
        assertTrue(lsh.poolRecycledVectors() >= applied - LeashedSgd.poolCapacity(M), "recycling was forced: "
                + lsh.poolRecycledVectors());
        assertTrue(lsh.poolLivePeak() + M <= 3L * M, "Lemma B.3.2: peak " + (lsh.poolLivePeak() + M) + " > 3m");
        assertTrue(maxLiveSampled <= 3L * M, "sampled live " + maxLiveSampled + " > 3m");
        if (rssAfterWarmup > 0) {
            long half = 0;
            long last = 0;
            for (int t = 5; t <= 10; t++) {
                half = half == 0 ? rssByTenth[t] : half;
                last = rssByTenth[t] != 0 ? rssByTenth[t] : last;
            }
            // A leak grows with the number of updates, i.e. linearly in time. G1's heap sizing and the JIT move
            // RSS by 100+ MiB early on (a 600 s run: 96 MB at start, a plateau of 324 MB from 30% on), so
            // only the second half is held to a bound.
            assertTrue(half == 0 || last - half <= RSS_GROWTH_MIB * 1024, "RSS still growing in the second half: "
                    + java.util.Arrays.toString(rssByTenth));
        }
    }

    /** Resident set size in KiB from /proc/self/status, or -1 where there is none. */
    private static long rssKib() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }
}
