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
 * incarnation cannot succeed (no ABA).
 *
 * <h2>Memory ordering</h2>
 * <table>
 *   <tr><th>field</th><th>writer</th><th>reader</th><th>edge</th></tr>
 *   <tr><td>latest</td><td>compareAndSet (volatile)</td><td>getAcquire</td><td>the publisher's plain
 *       writes of data and sequence happen-before any reader that sees the new handle.</td></tr>
 *   <tr><td>readers / stale</td><td colspan="3">Dekker pair, see {@link ParameterVector}: the reader
 *       increments then reads the state; the publisher sets stale then reads readers. Both are volatile,
 *       so at least one of them sees the other.</td></tr>
 *   <tr><td>deleted</td><td colspan="3">CAS on the whole state word: exactly one thread reclaims an
 *       incarnation.</td></tr>
 * </table>
 */
public final class LatestVectorRegister {
    private static final VarHandle LATEST;

    static {
        try {
            LATEST = MethodHandles.lookup().findVarHandle(LatestVectorRegister.class, "latest", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    // Padding keeps the CAS'd word off the cache lines of neighbouring objects (two 64-byte lines each side).
    @SuppressWarnings("unused")
    private long p00, p01, p02, p03, p04, p05, p06, p07, p08, p09, p10, p11, p12, p13, p14, p15;
    @SuppressWarnings("unused") // accessed through LATEST
    private volatile long latest;
    @SuppressWarnings("unused")
    private long q00, q01, q02, q03, q04, q05, q06, q07, q08, q09, q10, q11, q12, q13, q14, q15;

    private final VectorPool pool;

    /**
     * Publishes {@code initial} (allocated from {@code pool} and initialised by the caller).
     *
     * @throws IllegalArgumentException if {@code initial} belongs to another pool
     */
    public LatestVectorRegister(VectorPool pool, ParameterVector initial) {
        if (initial.pool() != pool) {
            throw new IllegalArgumentException("initial vector belongs to another pool");
        }
        this.pool = pool;
        // volatile store: safe publication of the initial vector to threads started later.
        LATEST.setVolatile(this, initial.handle());
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
     * {@link #release(ParameterVector)} exactly once when done. Lock-free: a retry happens only when
     * another thread published in between.
     */
    public ParameterVector acquireLatest() {
        final VectorPool pool = this.pool;
        for (;;) {
            long handle = getLatestHandleAcquire();
            ParameterVector v = pool.vectorAt(VectorHandles.slot(handle));
            // volatile RMW (START_READING): Dekker half one; from here the reclaimer sees us or we see stale.
            v.getAndAddReaders(1);
            // volatile: Dekker half two. A fresh generation equal to the handle's and no stale bit means
            // this incarnation is still the one published under handle and nobody may reclaim it now.
            long state = v.getStateVolatile();
            if ((state & VectorLayout.STATE_STALE) == 0
                    && state >>> VectorLayout.STATE_FLAG_BITS == VectorHandles.generation(handle)) {
                return v;
            }
            release(v); // replaced (or recycled) meanwhile: let it go and read the new latest
        }
    }

    /**
     * STOP_READING + SAFE_DELETE: drops a read lease; the last reader of a stale vector reclaims it.
     * Also correct for a lease taken on an incarnation that was replaced before the holder checked it.
     */
    public void release(ParameterVector v) {
        // volatile RMW: the decrement is ordered before the state read in safeDelete.
        if (v.getAndAddReaders(-1) == 1) {
            safeDelete(v);
        }
    }

    /**
     * PUBLISH: replaces the vector named by {@code expectedHandle} with {@code next} (owned by the
     * caller, data and sequence fully written). On success the replaced incarnation is marked stale and
     * reclaimed if nobody reads it; the caller must not touch {@code next} afterwards except through a
     * lease. On failure nothing changes and the caller still owns {@code next}.
     */
    public boolean compareAndSetLatest(long expectedHandle, ParameterVector next) {
        // volatile CAS: releases next's data; the generation tag makes a recycled slot never match.
        if (!LATEST.compareAndSet(this, expectedHandle, next.handle())) {
            return false;
        }
        ParameterVector replaced = pool.vectorAt(VectorHandles.slot(expectedHandle));
        replaced.getAndSetStaleVolatile(); // Dekker half one for the reclaimer side
        safeDelete(replaced);
        return true;
    }

    /** Reclaims the vector if it is stale and unread, exactly once per incarnation. */
    private void safeDelete(ParameterVector v) {
        long state = v.getStateVolatile();
        // volatile reads: stale set, not yet deleted, and (Dekker half two) no reader registered.
        if ((state & VectorLayout.STATE_STALE) != 0 && (state & VectorLayout.STATE_DELETED) == 0
                && v.getReadersVolatile() == 0 && v.compareAndSetDeleted(state)) {
            pool.recycle(v);
        }
    }

    /**
     * Shutdown: marks the latest vector stale and reclaims it if unread, so that a pool whose workers
     * have all released their leases ends with zero live vectors. Call once, after all workers stopped.
     */
    public void retire() {
        ParameterVector last = pool.vectorAt(VectorHandles.slot(getLatestHandleAcquire()));
        last.getAndSetStaleVolatile();
        safeDelete(last);
    }
}
