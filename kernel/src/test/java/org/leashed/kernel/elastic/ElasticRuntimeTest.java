package org.leashed.kernel.elastic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The runtime without a trainer: the worker-side path allocates nothing; the gate parks and wakes. */
@Timeout(60)
class ElasticRuntimeTest {
    @Test
    void shouldNotAllocateWhenWorkerGatesAndReports() {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        ElasticRuntime rt = new ElasticRuntime(ElasticConfig.defaults().withInitialThreads(1), 1, 64, 0.1f, false,
                () -> false, t -> { });
        rt.attach(0, Thread.currentThread());
        rt.start();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment grad = arena.allocate(64 * Float.BYTES, 64);
            rt.clock().resume(System.nanoTime());
            long i = 0;
            for (; i < 200_000; i++) { // warm-up: JIT, the regulator's schedule record
                assertTrue(rt.awaitActive(0));
                rt.submit(0, i, i - (i % 3), 1.0f, grad);
            }
            long before = mx.getCurrentThreadAllocatedBytes();
            for (long end = i + 200_000; i < end; i++) {
                rt.awaitActive(0);
                rt.submit(0, i, i - (i % 3), 1.0f, grad);
            }
            long allocated = mx.getCurrentThreadAllocatedBytes() - before;
            assertTrue(allocated < 4096, "worker path allocated " + allocated + " bytes for 200000 reports");
            ElasticReport r = rt.finish(1.0);
            assertEquals(400_000, r.updatesObserved());
            assertEquals(0, r.frozenLiveAtEnd());
        }
    }

    @Test
    void shouldParkInactiveWorkerUntilEpochEnds() throws Exception {
        AtomicBoolean over = new AtomicBoolean();
        ElasticRuntime rt = new ElasticRuntime(ElasticConfig.defaults().withInitialThreads(1), 2, 4, 0.1f, false,
                over::get, t -> { });
        boolean[] result = new boolean[1];
        Thread inactive = Thread.ofPlatform().unstarted(() -> result[0] = rt.awaitActive(1));
        rt.attach(0, Thread.currentThread());
        rt.attach(1, inactive);
        rt.start();
        inactive.start();
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (inactive.getState() != Thread.State.TIMED_WAITING && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        assertEquals(Thread.State.TIMED_WAITING, inactive.getState(), "worker 1 parks while m^E = 1");
        over.set(true);
        long woke = System.nanoTime();
        rt.wakeAll();
        inactive.join(5_000);
        assertFalse(inactive.isAlive());
        assertFalse(result[0], "the epoch ended while it was inactive");
        assertTrue(System.nanoTime() - woke < ElasticRuntime.PARK_BACKSTOP_NANOS, "woken by unpark, not by the backstop");
        assertTrue(rt.parkedNanos(1) > 0);
        rt.finish(0);
    }
}
