package org.leashed.kernel.algo.internal;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.LockSupport;

/**
 * A reusable barrier for a fixed set of parties that allocates nothing per round (a
 * {@link java.util.concurrent.Phaser} allocates a wait node whenever a party parks). Each party
 * registers its thread once; in each round the last party to arrive resets the arrival count, advances
 * the generation and unparks the others, which spin briefly and then park until the generation moves
 * or the barrier is terminated.
 *
 * <h2>Memory ordering</h2>
 * <table>
 *   <tr><th>field</th><th>writer</th><th>reader</th><th>edge</th></tr>
 *   <tr><td>arrived</td><td>incrementAndGet (volatile RMW); set(0) by the last arriver</td><td>the
 *       RMWs</td><td>the RMWs of one round form a release sequence: every party's writes before its
 *       arrival happen-before the last arriver's increment.</td></tr>
 *   <tr><td>generation</td><td>volatile store by the last arriver, after the reset</td><td>volatile
 *       load by waiting parties</td><td>so every party's pre-arrival writes happen-before every party's
 *       return; a party that sees the new generation also sees arrived reset to 0.</td></tr>
 *   <tr><td>terminated</td><td>volatile store, then unpark of every party</td><td>volatile load in the
 *       wait loop</td><td>a party parked or about to park is woken (unpark before park leaves a
 *       permit).</td></tr>
 *   <tr><td>parties[]</td><td>volatile store, each party its own slot, before its first round</td>
 *       <td>volatile load by the last arriver and by terminate</td><td>a Dekker pair with
 *       {@code terminated}: a party stores its slot and then loads {@code terminated}; terminate stores
 *       {@code terminated} and then loads the slots. Sequential consistency of volatiles means one of them
 *       sees the other, so a terminate racing with a first registration either unparks the party or the
 *       party sees the flag before it parks. (With plain slots, found by the jcstress review, the party
 *       could be missed and stay parked.)</td></tr>
 * </table>
 */
final class RoundBarrier {
    /** Busy-wait iterations before parking: short, because parties may outnumber cores. */
    static final int SPINS_BEFORE_PARK = 128;

    private final AtomicReferenceArray<Thread> parties;
    private final AtomicInteger arrived = new AtomicInteger();
    private volatile long generation;
    private volatile boolean terminated;

    RoundBarrier(int parties) {
        if (parties < 1) {
            throw new IllegalArgumentException("parties must be >= 1, got " + parties);
        }
        this.parties = new AtomicReferenceArray<>(parties);
    }

    /** Party {@code index} registers the calling thread (once, before its first round). */
    void register(int index) {
        parties.set(index, Thread.currentThread()); // volatile store: the Dekker pair with terminate (see the table)
    }

    /**
     * Arrives and waits until all parties arrived in this round.
     *
     * @return false if the barrier was terminated (the round may not have completed)
     */
    boolean arriveAndAwait() {
        final long round = generation; // volatile load: must precede the arrival
        if (terminated) { // volatile load
            return false;
        }
        final AtomicReferenceArray<Thread> parties = this.parties;
        if (arrived.incrementAndGet() == parties.length()) { // volatile RMW: the last one releases the round
            arrived.set(0); // volatile store: reset before the generation moves (see the table)
            generation = round + 1; // volatile store: releases every party's pre-arrival writes
            final Thread me = Thread.currentThread();
            for (int i = 0; i < parties.length(); i++) {
                final Thread t = parties.get(i); // volatile load: every party registered before it arrived
                if (t != me && t != null) {
                    LockSupport.unpark(t);
                }
            }
            return !terminated;
        }
        int spins = SPINS_BEFORE_PARK;
        while (generation == round) { // volatile load
            if (terminated) { // volatile load
                return false;
            }
            if (spins > 0) {
                spins--;
                Thread.onSpinWait();
            } else {
                LockSupport.park(this); // spurious wake-ups loop back
            }
        }
        return !terminated;
    }

    /** Releases all parties now and makes every later arrival return false. Idempotent. */
    void terminate() {
        terminated = true; // volatile store, before the unparks
        for (int i = 0; i < parties.length(); i++) {
            final Thread t = parties.get(i); // volatile load: the other half of the Dekker pair with register
            if (t != null) {
                LockSupport.unpark(t);
            }
        }
    }
}
