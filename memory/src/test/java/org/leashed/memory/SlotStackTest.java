package org.leashed.memory;

import org.junit.jupiter.api.Test;

import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SlotStackTest {

    @Test
    void shouldReturnMinusOneWhenEmpty() {
        assertEquals(-1, new SlotStack(4).pop());
    }

    @Test
    void shouldPopInLifoOrderWhenPushedSequentially() {
        SlotStack s = new SlotStack(4);
        s.push(2);
        s.push(0);
        s.push(3);
        assertEquals(3, s.pop());
        assertEquals(0, s.pop());
        s.push(1);
        assertEquals(1, s.pop());
        assertEquals(2, s.pop());
        assertEquals(-1, s.pop());
    }

    @Test
    void shouldNeverLoseOrDuplicateSlotsWhenThreadsPopAndPushConcurrently() throws Exception {
        int capacity = 8;
        int threads = 4;
        int rounds = 50_000;
        SlotStack s = new SlotStack(capacity);
        for (int i = 0; i < capacity; i++) {
            s.push(i);
        }
        AtomicInteger[] owners = new AtomicInteger[capacity];
        for (int i = 0; i < capacity; i++) {
            owners[i] = new AtomicInteger();
        }
        AtomicInteger violations = new AtomicInteger();
        CyclicBarrier start = new CyclicBarrier(threads);
        Thread[] workers = new Thread[threads];
        for (int t = 0; t < threads; t++) {
            workers[t] = new Thread(() -> {
                try {
                    start.await();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                for (int r = 0; r < rounds; r++) {
                    int slot = s.pop();
                    if (slot < 0) {
                        continue; // all slots held by others at this instant
                    }
                    if (owners[slot].incrementAndGet() != 1) {
                        violations.incrementAndGet(); // two threads popped the same slot
                    }
                    owners[slot].decrementAndGet();
                    s.push(slot);
                }
            });
            workers[t].start();
        }
        for (Thread w : workers) {
            w.join();
        }
        assertEquals(0, violations.get(), "slots handed to two threads at once");
        boolean[] seen = new boolean[capacity];
        for (int i = 0; i < capacity; i++) {
            int slot = s.pop();
            assertTrue(slot >= 0, "slot lost: only " + i + " of " + capacity + " left");
            assertTrue(!seen[slot], "slot " + slot + " twice in the stack");
            seen[slot] = true;
        }
        assertEquals(-1, s.pop());
    }
}
