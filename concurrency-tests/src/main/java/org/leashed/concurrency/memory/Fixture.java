package org.leashed.concurrency.memory;

import org.leashed.memory.LatestVectorRegister;
import org.leashed.memory.ParameterVector;
import org.leashed.memory.VectorPool;
import org.leashed.memory.VectorUpdate;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * One jcstress state's world: a tiny poisoned pool (so that slots are recycled within one test and
 * reads of recycled memory are visible) and a register publishing an initial vector with sequence 0.
 * Every vector holds {@code data[i] = sequence * STRIDE + i} (int bits): a vector whose data does not
 * match its own sequence number is torn, mixed, half-updated or recycled.
 *
 * <p>Slots come from {@link Arena#ofAuto()}: jcstress creates millions of states, and closing a shared
 * arena per state (a thread handshake) would dominate the run; the GC frees them.
 */
final class Fixture {
    static final int DIMENSION = 2;
    static final int STRIDE = 31;

    /** Candidate = latest + STRIDE elementwise: consistent with {@code latestSequence + 1} iff latest was consistent. */
    static final VectorUpdate NEXT = (destination, latest, latestSequence) -> {
        for (int i = 0; i < DIMENSION; i++) {
            destination.setAtIndex(ValueLayout.JAVA_INT, i, latest.getAtIndex(ValueLayout.JAVA_INT, i) + STRIDE);
        }
    };

    final VectorPool pool;
    final LatestVectorRegister register;

    Fixture(int capacity) {
        pool = new VectorPool(DIMENSION, capacity, true, Arena.ofAuto());
        ParameterVector initial = pool.allocate();
        fill(initial.data(), 0);
        initial.setSequence(0);
        register = new LatestVectorRegister(pool, initial);
    }

    static void fill(MemorySegment data, long sequence) {
        for (int i = 0; i < DIMENSION; i++) {
            data.setAtIndex(ValueLayout.JAVA_INT, i, (int) (sequence * STRIDE + i));
        }
    }

    static boolean consistent(MemorySegment data, long sequence) {
        for (int i = 0; i < DIMENSION; i++) {
            if (data.getAtIndex(ValueLayout.JAVA_INT, i) != (int) (sequence * STRIDE + i)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Builds {@code candidate} on the latest vector under a lease, as a publisher would, and returns the
     * handle it must expect. Used to create a publisher whose handle is old by the time it publishes.
     */
    long prepareCandidate(ParameterVector candidate) {
        ParameterVector v = register.acquireLatest();
        try {
            NEXT.copyAndUpdate(candidate.data(), v.data(), v.sequence());
            candidate.setSequence(v.sequence() + 1);
            return v.handle();
        } finally {
            register.release(v);
        }
    }

    /** Whether {@code v} still is the incarnation {@code handle} with intact data for {@code sequence}. */
    static boolean intact(VectorPool pool, ParameterVector v, long handle, long sequence) {
        boolean intact = consistent(v.data(), sequence);
        try {
            pool.checkLease(v, handle);
        } catch (IllegalStateException recycled) {
            intact = false;
        }
        return intact;
    }

    /** Sequence number of the latest vector, or -1 if it is inconsistent. */
    int readSequence() {
        ParameterVector v = register.acquireLatest();
        try {
            long sequence = v.sequence();
            return consistent(v.data(), sequence) ? (int) sequence : -1;
        } finally {
            register.release(v);
        }
    }

    /**
     * 1 if, after retire(), every slot is back and each incarnation was reclaimed exactly once (as many
     * recycles as hand-outs), else 0. Lease-check hits are reported by the readers themselves.
     */
    int retireAndCheck() {
        register.retire();
        return pool.liveVectors() == 0 && pool.recycledVectors() == pool.allocations() ? 1 : 0;
    }
}
