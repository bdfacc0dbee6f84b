package org.leashed.kernel.algo.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(60)
class RoundBarrierTest {
    /**
     * Each round every party writes its slot (plain) and, after the barrier, checks that every slot
     * holds this round's number; a second barrier keeps the next round's writes out of the checks.
     */
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 8})
    void shouldPublishEveryPartysWritesWhenRoundCompletes(int parties) throws InterruptedException {
        int rounds = 5_000;
        RoundBarrier barrier = new RoundBarrier(parties);
        long[] slots = new long[parties];
        AtomicReference<String> error = new AtomicReference<>();
        CountDownLatch registered = new CountDownLatch(parties);
        CountDownLatch go = new CountDownLatch(1);
        Thread[] threads = new Thread[parties];
        for (int p = 0; p < parties; p++) {
            final int id = p;
            threads[p] = Thread.ofPlatform().start(() -> {
                barrier.register(id);
                registered.countDown();
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (long r = 1; r <= rounds; r++) {
                    slots[id] = r;
                    if (!barrier.arriveAndAwait()) {
                        error.compareAndSet(null, "terminated unexpectedly");
                        return;
                    }
                    for (int q = 0; q < parties; q++) {
                        if (slots[q] != r) {
                            error.compareAndSet(null, "round " + r + ": slot " + q + " = " + slots[q]);
                        }
                    }
                    if (!barrier.arriveAndAwait()) {
                        error.compareAndSet(null, "terminated unexpectedly");
                        return;
                    }
                }
            });
        }
        registered.await();
        go.countDown();
        for (Thread t : threads) {
            t.join();
        }
        assertNull(error.get());
        for (long s : slots) {
            assertEquals(rounds, s);
        }
    }

    @Test
    void shouldReleaseParkedPartyWhenTerminated() throws InterruptedException {
        RoundBarrier barrier = new RoundBarrier(2);
        boolean[] result = {true};
        Thread waiter = Thread.ofPlatform().start(() -> {
            barrier.register(0);
            result[0] = barrier.arriveAndAwait(); // party 1 never arrives
        });
        Thread.sleep(50); // let it park
        assertTrue(waiter.isAlive(), "waits for the missing party");
        barrier.terminate();
        waiter.join(5_000);
        assertFalse(waiter.isAlive(), "released by terminate");
        assertFalse(result[0], "a terminated round reports false");
        assertFalse(barrier.arriveAndAwait(), "later arrivals return false at once");
    }
}
