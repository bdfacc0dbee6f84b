package org.leashed.memory;

import java.util.Objects;

/**
 * One worker's LAU-SPC loop (LoadAndUpdate-StorePersistenceConditional, Alg. B.3 lines 23-40) over a
 * {@link LatestVectorRegister}: allocate a candidate, then repeatedly lease the latest vector, write
 * the candidate from it with a {@link VectorUpdate}, release, and try to publish with a tagged CAS;
 * after more failed CASes than the {@link PersistenceBound} allows, free the candidate and give up.
 *
 * <p>Thread confinement: one instance per worker thread, never shared; its statistics fields are
 * plain. The expected handle is taken while the lease is held, so a slot recycled meanwhile can never
 * let a stale update through. {@link #update(VectorUpdate)} allocates nothing on the Java heap; it
 * takes one pool slot, which on success becomes the latest vector and on give-up goes back.
 *
 * <p>Lock-freedom (Lemma B.3.1): every failed CAS means another update was published.
 */
public final class LeashedUpdater {
    /** Value of {@link #publishedSequence()} after an update that gave up. */
    public static final long NOT_PUBLISHED = -1L;

    private final LatestVectorRegister register;
    private final VectorPool pool;
    private final PersistenceBound bound;
    private int failedAttempts;
    private long firstBaseSequence = NOT_PUBLISHED;
    private long baseSequence = NOT_PUBLISHED;
    private long publishedSequence = NOT_PUBLISHED;

    /**
     * @throws NullPointerException if an argument is null
     */
    public LeashedUpdater(LatestVectorRegister register, PersistenceBound bound) {
        this.register = Objects.requireNonNull(register, "register");
        this.pool = register.pool();
        this.bound = Objects.requireNonNull(bound, "bound");
    }

    /**
     * Runs one LAU-SPC loop.
     *
     * @return whether the update was published (then {@link #publishedSequence()} is its sequence
     *         number); {@code false} if it gave up after exceeding the persistence bound
     * @throws IllegalStateException if the pool is exhausted or the register retired; if
     *                               {@code update} throws, the lease is released, the candidate freed
     *                               and the exception propagates
     */
    public boolean update(VectorUpdate update) {
        final LatestVectorRegister register = this.register;
        final PersistenceBound bound = this.bound;
        final ParameterVector candidate = pool.allocate();
        int failed = 0;
        for (;;) {
            ParameterVector latest = register.acquireLatest();
            long expectedHandle;
            long latestSequence;
            try {
                expectedHandle = latest.handle(); // under the lease: names exactly the incarnation we copy
                latestSequence = latest.sequence();
                update.copyAndUpdate(candidate.data(), latest.data(), latestSequence);
            } catch (RuntimeException | Error e) {
                register.release(latest);
                pool.free(candidate);
                throw e;
            }
            register.release(latest);
            if (failed == 0) {
                firstBaseSequence = latestSequence;
            }
            candidate.setSequence(latestSequence + 1);
            // volatile CAS inside: releases the candidate's data and sequence to every later reader.
            if (register.compareAndSetLatest(expectedHandle, candidate)) {
                failedAttempts = failed;
                baseSequence = latestSequence;
                publishedSequence = latestSequence + 1;
                return true;
            }
            failed++;
            if (!bound.allows(failed)) {
                pool.free(candidate);
                failedAttempts = failed;
                baseSequence = latestSequence;
                publishedSequence = NOT_PUBLISHED;
                return false;
            }
        }
    }

    /** The persistence bound this updater applies. */
    public PersistenceBound bound() {
        return bound;
    }

    /** Failed CASes of the last update (the CAS-attempt histogram counts {@code failedAttempts() + 1}). */
    public int failedAttempts() {
        return failedAttempts;
    }

    /** Sequence number of the latest vector the last update's first attempt was applied to. */
    public long firstBaseSequence() {
        return firstBaseSequence;
    }

    /** Sequence number of the latest vector the last update's final attempt was applied to. */
    public long baseSequence() {
        return baseSequence;
    }

    /**
     * Sequence number the last update published, or {@link #NOT_PUBLISHED}. When published,
     * {@code publishedSequence() - 1 - firstBaseSequence()} updates were scheduled before it while it
     * was in the loop ({@code tau^s} of B.4.2); it is 0 whenever {@code T_p = 0}.
     */
    public long publishedSequence() {
        return publishedSequence;
    }
}
