package org.leashed.perf.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.BitSet;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Pins real threads on this machine and reads the mask back with sched_getaffinity. Every pin happens
 * in a fresh thread so the JUnit thread keeps its original mask. Needs at least two allowed CPUs (CI
 * and the development machine have CPUs 0 and 1).
 */
class AffinityTest {
    private static BitSet inFreshThread(java.util.function.Supplier<BitSet> body) throws InterruptedException {
        final AtomicReference<Object> result = new AtomicReference<>();
        final Thread thread = new Thread(() -> {
            try {
                result.set(body.get());
            } catch (RuntimeException e) {
                result.set(e);
            }
        });
        thread.start();
        thread.join();
        if (result.get() instanceof RuntimeException e) {
            throw e;
        }
        return (BitSet) result.get();
    }

    private static BitSet cpus(int... ids) {
        final BitSet set = new BitSet();
        for (int id : ids) {
            set.set(id);
        }
        return set;
    }

    @Test
    void shouldReportExactlyTheRequestedCpuWhenThreadIsPinned() throws InterruptedException {
        assertTrue(Affinity.isSupported(), "this test machine is Linux: affinity must be available");
        final BitSet allowed = Affinity.currentThreadCpus();
        assertTrue(allowed.get(0) && allowed.get(1), "CPUs 0 and 1 are allowed: " + allowed);
        for (int cpu : new int[] {0, 1}) {
            final BitSet readBack = inFreshThread(() -> {
                Affinity.pinCurrentThread(cpu);
                return Affinity.currentThreadCpus();
            });
            assertEquals(cpus(cpu), readBack, "mask after pinning to CPU " + cpu);
        }
        assertEquals(allowed, Affinity.currentThreadCpus(), "the test thread itself stays unpinned");
    }

    @Test
    void shouldReportExactSetWhenThreadIsRestrictedToSeveralCpus() throws InterruptedException {
        final BitSet both = cpus(0, 1);
        assertEquals(both, inFreshThread(() -> {
            Affinity.pinCurrentThread(1);
            Affinity.setCurrentThreadCpus(both); // widening again is allowed
            return Affinity.currentThreadCpus();
        }));
    }

    @Test
    void shouldFailWithErrnoWhenCpuIsNotOnline() throws InterruptedException {
        final IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> inFreshThread(() -> {
                    Affinity.pinCurrentThread(4000);
                    return Affinity.currentThreadCpus();
                }));
        assertTrue(e.getMessage().contains("4000") && e.getMessage().contains("errno 22"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Affinity.pinCurrentThread(-1));
    }

    @Test
    void shouldPinEachWorkerToItsPolicyCpuWhenThreadsComeFromPinnerFactory() throws InterruptedException {
        final Topology topology = Topology.read();
        final WorkerPinner pinner = new WorkerPinner(PinningPolicy.parse("1,0"), topology);
        final ThreadFactory factory = pinner.threadFactory("worker-");
        final List<String> seen = new CopyOnWriteArrayList<>();
        final Thread first = factory.newThread(() -> seen.add("0:" + CpuList.format(Affinity.currentThreadCpus())));
        final Thread second = factory.newThread(() -> seen.add("1:" + CpuList.format(Affinity.currentThreadCpus())));
        first.start();
        second.start();
        first.join();
        second.join();
        assertEquals(List.of("0:1", "1:0"), seen.stream().sorted().toList(), "list 1,0: worker 0 on CPU 1, worker 1 on CPU 0");
        assertEquals("worker-1", second.getName());
    }
}
