package org.leashed.memory;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The globally published latest parameter vector of Leashed-SGD (the pointer {@code P} of Alg. B.3),
 * with the reader protocol of Alg. B.1: LATEST_POINTER ({@link #acquireLatest()}), STOP_READING and
 * SAFE_DELETE ({@link #release(ParameterVector)}, the one place that reclaims a published vector), and
 * the publishing CAS ({@link #compareAndSetLatest(long, ParameterVector)}).
 *
 * <p>What is CAS'd is a {@link VectorHandles tagged handle} (slot + generation), never an address: a
 * recycled slot comes back with a new generation, so a publisher holding the handle of an older
 * incarnation cannot succeed (no ABA). Callers must take the expected handle while they hold a lease
 * ({@code v.handle()} right after {@link #acquireLatest()}, or {@link #getLatestHandleAcquire()}); a
 * handle read from a vector <em>after</em> its release may name a later incarnation of the same slot.
 * {@link LeashedUpdater} packages the whole LAU-SPC loop with that rule built in.
 *
 * <h2>Memory ordering</h2>
 * <table>
 *   <tr><th>field</th><th>writer</th><th>reader</th><th>edge</th></tr>
 *   <tr><td>latest</td><td>compareAndSet (volatile), setVolatile (constructor)</td><td>getAcquire</td>
 *       <td>the publisher's plain writes of data and sequence happen-before any reader that sees the
 *       new handle.</td></tr>
 *   <tr><td>readers / stale</td><td colspan="3">Dekker pair, see {@link ParameterVector}: the reader
 *       increments then reads the state; the publisher sets stale then reads readers. All four accesses
 *       are volatile (sequentially consistent), so at least one of the two sees the other.</td></tr>
 *   <tr><td>deleted</td><td colspan="3">CAS on the whole state word (generation and flags): exactly one
 *       thread reclaims an incarnation, and no CAS prepared on an older incarnation can succeed.</td></tr>
 *   <tr><td>reader data accesses → next owner's writes</td><td colspan="3">the last reader's decrement
 *       (volatile) is read by the reclaimer's getReadersVolatile, whose deleted CAS and free-stack push
 *       (volatile) are read by the next owner's pop: every read of an incarnation happens-before every
 *       write of the next one.</td></tr>
 * </table>
 */
public final class LatestVectorRegister extends LatestVectorRegisterFields {
    private static final VarHandle LATEST;

    static {
        try {
            LATEST = MethodHandles.lookup().findVarHandle(LatestVectorRegisterLatest.class, "latest", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final VectorPool pool;

    /**
     * Publishes {@code initial} (allocated from {@code pool}, owned by the caller and initialised). The
     * caller must not write it afterwards.
     *
     * @throws IllegalArgumentException if {@code initial} belongs to another pool, or is not an owned
     *                                  vector (already published, stale or freed)
     */
    public LatestVectorRegister(VectorPool pool, ParameterVector initial) {
        if (initial.pool() != pool) {
            throw new IllegalArgumentException("initial vector of slot " + initial.slot()
                    + " belongs to another pool; expected a vector allocated from " + pool);
        }
        long state = initial.getStateVolatile();
        if ((state & VectorLayout.STATE_FLAGS_MASK) != 0) {
            throw new IllegalArgumentException("initial vector must be freshly allocated (no stale/deleted flag), was " + initial);
        }
        this.pool = pool;
        // volatile store: safe publication of the initial vector to threads started later.
        LATEST.setVolatile(this, VectorHandles.handle(initial.slot(), state >>> VectorLayout.STATE_FLAG_BITS));
    }

    /** The pool behind this register. */
    public VectorPool pool() {
        return pool;
    }

    /** Handle of the latest published vector. */
    public long getLatestHandleAcquire() {
        // acquire: pairs with the publishing CAS; data and sequence written before it are visible.
        return (long) LATEST.getAcquire(this);
    }

    /**
     * LATEST_POINTER: returns the latest vector with a read lease held on it. The caller must call
     * {@link #release(ParameterVector)} exactly once when done, and may read {@code data()},
     * {@code sequence()} and {@code handle()} only in between. Lock-free: a retry happens only when
     * another thread published in between.
     *
     * @throws IllegalStateException if the register was {@linkplain #retire() retired}
     */
    public ParameterVector acquireLatest() {
        final VectorPool pool = this.pool;
        for (;;) {
            long handle = getLatestHandleAcquire();
            ParameterVector v = pool.vectorAt(VectorHandles.slot(handle));
            // volatile RMW (START_READING): Dekker half one; from here the reclaimer sees us or we see stale.
            v.getAndAddReaders(1);
            // volatile: Dekker half two. The generation of the handle and no stale bit means this
            // incarnation is still the one published under handle and nobody may reclaim it now.
            long state = v.getStateVolatile();
            if ((state & VectorLayout.STATE_STALE) == 0
                    && state >>> VectorLayout.STATE_FLAG_BITS == VectorHandles.generation(handle)) {
                return v;
            }
            release(v); // replaced (or recycled) meanwhile: let it go and read the new latest
            if (state >>> VectorLayout.STATE_FLAG_BITS == VectorHandles.generation(handle)
                    && getLatestHandleAcquire() == handle) {
                // Stale, same incarnation, and still the latest: a publisher swaps the word before it
                // marks stale, so only retire() leaves a stale vector published. Spinning would never end.
                throw new IllegalStateException("register retired: latest vector " + v + " is stale");
            }
        }
    }

    /**
     * STOP_READING + SAFE_DELETE: drops a read lease; the last reader of a stale vector reclaims it.
     * Also correct for a lease taken on an incarnation that was replaced before the holder checked it.
     *
     * @throws IllegalStateException if {@code v} had no reader (a release without an acquire)
     */
    public void release(ParameterVector v) {
        // volatile RMW: the decrement orders this reader's data reads before the state read in
        // safeDelete and before any reclaimer that reads the count it leaves.
        long before = v.getAndAddReaders(-1);
        if (before == 1) {
            safeDelete(v);
        } else if (before < 1) {
            v.getAndAddReaders(1); // volatile RMW: undo, so that one misuse does not poison the count
            throw new IllegalStateException("release without a lease: " + v);
        }
    }

    /**
     * PUBLISH: replaces the vector named by {@code expectedHandle} with {@code next} (owned by the
     * caller, data and sequence fully written). On success the replaced incarnation is marked stale and
     * reclaimed if nobody reads it; the caller must not touch {@code next} afterwards except through a
     * lease. On failure nothing changes and the caller still owns {@code next}.
     *
     * @throws IllegalArgumentException if {@code next} belongs to another pool or is not an owned
     *                                  vector (stale or deleted flag set)
     */
    public boolean compareAndSetLatest(long expectedHandle, ParameterVector next) {
        if (next.pool() != pool) {
            throw new IllegalArgumentException("next vector of slot " + next.slot() + " belongs to another pool");
        }
        long nextState = next.getStateVolatile(); // volatile: owner's own word; one read gives flags and generation
        if ((nextState & VectorLayout.STATE_FLAGS_MASK) != 0) {
            throw new IllegalArgumentException("next vector must be owned (no stale/deleted flag), was " + next);
        }
        long nextHandle = VectorHandles.handle(next.slot(), nextState >>> VectorLayout.STATE_FLAG_BITS);
        // volatile CAS: releases next's data; the generation tag makes a recycled slot never match.
        if (!LATEST.compareAndSet(this, expectedHandle, nextHandle)) {
            return false;
        }
        // The CAS proves expectedHandle's incarnation was latest, hence not stale, hence not reclaimed:
        // the slot still holds that incarnation until the stale mark below allows reclamation.
        ParameterVector replaced = pool.vectorAt(VectorHandles.slot(expectedHandle));
        replaced.getAndSetStaleVolatile(); // volatile RMW: Dekker half one for the reclaimer side
        safeDelete(replaced);
        return true;
    }

    /** Reclaims the vector if it is stale and unread, exactly once per incarnation. */
    private void safeDelete(ParameterVector v) {
        long state = v.getStateVolatile();
        // volatile reads: stale set, not yet deleted, and (Dekker half two) no reader registered; the
        // CAS on the exact state read fails if another thread reclaimed or the slot was re-incarnated.
        if ((state & VectorLayout.STATE_STALE) != 0 && (state & VectorLayout.STATE_DELETED) == 0
                && v.getReadersVolatile() == 0 && v.compareAndSetDeleted(state)) {
            pool.recycle(v);
        }
    }

    /**
     * Shutdown: marks the latest vector stale and reclaims it if unread (otherwise its last reader
     * does), so that a pool whose workers have all released their leases and freed their own vectors
     * ends with zero live vectors. Call after all publishers stopped; afterwards
     * {@link #acquireLatest()} throws. Idempotent.
     */
    public void retire() {
        ParameterVector last = pool.vectorAt(VectorHandles.slot(getLatestHandleAcquire()));
        long state = last.getStateVolatile(); // volatile: pairs with a concurrent reclaimer's deleted CAS
        if (state >>> VectorLayout.STATE_FLAG_BITS != VectorHandles.generation(getLatestHandleAcquire())) {
            return; // already retired and reclaimed, slot re-incarnated by an unrelated allocate
        }
        last.getAndSetStaleVolatile(); // volatile RMW: Dekker half one, as in compareAndSetLatest
        safeDelete(last);
    }

    @Override
    public String toString() {
        long handle = getLatestHandleAcquire();
        return "LatestVectorRegister[slot=" + VectorHandles.slot(handle) + ", generation="
                + VectorHandles.generation(handle) + "]";
    }
}

/** Cache-line padding before the CAS'd word; a superclass so that the JVM cannot reorder it. */
abstract class LatestVectorRegisterPadBefore {
    @SuppressWarnings("unused")
    private long p00, p01, p02, p03, p04, p05, p06, p07, p08, p09, p10, p11, p12, p13, p14, p15;
}

/** The CAS'd word: the handle of the latest published vector. */
abstract class LatestVectorRegisterLatest extends LatestVectorRegisterPadBefore {
    @SuppressWarnings("unused") // accessed through LatestVectorRegister.LATEST
    volatile long latest;
}

/** Cache-line padding after the CAS'd word (two 64-byte lines), so neighbouring objects never share it. */
abstract class LatestVectorRegisterFields extends LatestVectorRegisterLatest {
    @SuppressWarnings("unused")
    private long q00, q01, q02, q03, q04, q05, q06, q07, q08, q09, q10, q11, q12, q13, q14, q15;
}
