package org.leashed.memory;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

import static org.leashed.memory.VectorLayout.READERS_BYTE_OFFSET;
import static org.leashed.memory.VectorLayout.SEQUENCE_BYTE_OFFSET;
import static org.leashed.memory.VectorLayout.STATE_BYTE_OFFSET;
import static org.leashed.memory.VectorLayout.STATE_DELETED;
import static org.leashed.memory.VectorLayout.STATE_FLAG_BITS;
import static org.leashed.memory.VectorLayout.STATE_STALE;

/**
 * One slot of a {@link VectorPool}: {@code dimension} floats off-heap plus the metadata of the thesis'
 * PARAMETERVECTOR (Alg. B.1): sequence number, reader count, stale and deleted flags. The Java object
 * lives as long as its pool; what is recycled is the slot's memory, and every hand-out starts a new
 * <em>incarnation</em> with a larger generation.
 *
 * <p>Ownership: the segment is allocated by the pool's shared arena and freed only when the pool is
 * closed. Between {@link VectorPool#allocate()} and its publication a vector is written by its owner
 * alone; once published (see {@link LatestVectorRegister}) it is read-only, and readers must hold a
 * lease (reader count) while they read it. It is recycled by the last holder, through
 * {@link LatestVectorRegister#release(ParameterVector)} or {@link VectorPool#free(ParameterVector)}.
 *
 * <h2>Memory ordering</h2>
 * <table>
 *   <tr><th>field</th><th>writer mode</th><th>reader mode</th><th>edge</th></tr>
 *   <tr><td>readers</td><td>getAndAdd (volatile)</td><td>getVolatile</td><td>Dekker pair with the
 *       stale flag: a reader's increment and a publisher's stale mark are totally ordered, so either
 *       the reader sees stale or the reclaimer sees the reader.</td></tr>
 *   <tr><td>state</td><td>setVolatile (allocate), getAndBitwiseOr (stale), compareAndSet (deleted)</td>
 *       <td>getVolatile</td><td>one word for generation and flags: a CAS names one incarnation.</td></tr>
 *   <tr><td>sequence, data</td><td>plain, by the owner before publication</td><td>plain, by lease
 *       holders</td><td>publication CAS (volatile) → reader's getAcquire of the latest word.</td></tr>
 * </table>
 */
public final class ParameterVector {
    /** Coordinates (MemorySegment, long byteOffset); one static handle for every long header field. */
    private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();

    private final VectorPool pool;
    private final int slot;
    private final int dimension;
    private final MemorySegment header;
    private final MemorySegment data;

    ParameterVector(VectorPool pool, int slot, int dimension, MemorySegment slotSegment) {
        if (slotSegment.address() % VectorLayout.SLOT_ALIGNMENT_BYTES != 0) {
            throw new IllegalArgumentException("slot segment must be " + VectorLayout.SLOT_ALIGNMENT_BYTES
                    + "-byte aligned, address was 0x" + Long.toHexString(slotSegment.address()));
        }
        if (!slotSegment.isNative()) {
            throw new IllegalArgumentException("slot segment must be native (off-heap)");
        }
        this.pool = pool;
        this.slot = slot;
        this.dimension = dimension;
        this.header = slotSegment.asSlice(0, VectorLayout.HEADER_BYTE_SIZE);
        this.data = slotSegment.asSlice(VectorLayout.HEADER_BYTE_SIZE, (long) dimension * Float.BYTES);
    }

    /** Number of floats. */
    public int dimension() {
        return dimension;
    }

    /** Index of this slot in its pool (stable for the pool's lifetime). */
    public int slot() {
        return slot;
    }

    /** The pool this vector belongs to. */
    public VectorPool pool() {
        return pool;
    }

    /** The {@code dimension} floats (native byte order); valid only while owned or leased. */
    public MemorySegment data() {
        return data;
    }

    // ---------------------------------------------------------------- sequence

    /** Sequence number {@code i}; owner writes before publication, lease holders read after. */
    public long sequence() {
        // plain: written by the owner before the publishing CAS, read by lease holders after the
        // getAcquire of the latest word that saw that CAS (publication is the happens-before edge).
        return (long) LONG.get(header, SEQUENCE_BYTE_OFFSET);
    }

    /** Sets {@code i}; only the owner, before publication. */
    public void setSequence(long sequence) {
        // plain: the vector is still private to its owner; the publishing CAS releases it.
        LONG.set(header, SEQUENCE_BYTE_OFFSET, sequence);
    }

    // ---------------------------------------------------------------- readers

    /** Adds {@code delta} to the reader count and returns the previous value. */
    long getAndAddReaders(long delta) {
        // volatile RMW: first half of the Dekker pair (readers, stale); see the class table.
        return (long) LONG.getAndAdd(header, READERS_BYTE_OFFSET, delta);
    }

    /** Current reader count. */
    public long getReadersVolatile() {
        // volatile: second half of the Dekker pair for a reclaimer that has just marked stale.
        return (long) LONG.getVolatile(header, READERS_BYTE_OFFSET);
    }

    // ---------------------------------------------------------------- state

    /** The state word: {@code generation << 2 | DELETED | STALE}. */
    public long getStateVolatile() {
        // volatile: pairs with the allocate store, the stale RMW and the deleted CAS.
        return (long) LONG.getVolatile(header, STATE_BYTE_OFFSET);
    }

    /** Starts a new incarnation: generation + 1, flags clear. Pool only, while the slot is private. */
    long beginIncarnation() {
        // volatile: pairs with the reclaimer's deleted CAS, already ordered before us by the free-stack pop.
        long previous = (long) LONG.getVolatile(header, STATE_BYTE_OFFSET);
        long fresh = ((previous >>> STATE_FLAG_BITS) + 1) << STATE_FLAG_BITS;
        // volatile: a late reader that incremented readers on the previous incarnation reads state
        // after its increment; seeing the new generation it backs off (handle mismatch), and any CAS it
        // attempts on the old state word fails because the generation bits differ.
        LONG.setVolatile(header, STATE_BYTE_OFFSET, fresh);
        return fresh >>> STATE_FLAG_BITS;
    }

    /** Marks this incarnation stale; returns the state word before. */
    long getAndSetStaleVolatile() {
        // volatile RMW: the other half of the Dekker pair with getAndAddReaders; after it, the
        // reclaimer's getReadersVolatile sees every reader whose stale check saw "not stale".
        return (long) LONG.getAndBitwiseOr(header, STATE_BYTE_OFFSET, STATE_STALE);
    }

    /** Claims the reclamation of the incarnation named by {@code expectedState} (exactly once). */
    boolean compareAndSetDeleted(long expectedState) {
        // volatile CAS on the whole word: fails if the slot was already reclaimed or re-incarnated.
        return (boolean) LONG.compareAndSet(header, STATE_BYTE_OFFSET, expectedState, expectedState | STATE_DELETED);
    }

    /** Forces the deleted flag on a vector its owner never published. Pool only. */
    long markOwnedDeleted() {
        // volatile RMW: the owner is the only writer; the stale bit keeps late readers away.
        return (long) LONG.getAndBitwiseOr(header, STATE_BYTE_OFFSET, STATE_STALE | STATE_DELETED);
    }

    /** Generation of the current incarnation. */
    public long generation() {
        return getStateVolatile() >>> STATE_FLAG_BITS;
    }

    /** Whether the stale flag is set in the current incarnation. */
    public boolean isStale() {
        return (getStateVolatile() & STATE_STALE) != 0;
    }

    /** Whether the current incarnation has been reclaimed. */
    public boolean isDeleted() {
        return (getStateVolatile() & STATE_DELETED) != 0;
    }

    /**
     * Handle naming this slot's <em>current</em> incarnation, as compared by the publication CAS. Take it
     * only while owning the vector or holding a lease on it: after a release the slot may already
     * belong to a later incarnation, and its handle would let a stale update through.
     */
    public long handle() {
        return VectorHandles.handle(slot, generation());
    }

    @Override
    public String toString() {
        long state = getStateVolatile();
        return "ParameterVector[slot=" + slot + ", generation=" + (state >>> STATE_FLAG_BITS)
                + ", stale=" + ((state & STATE_STALE) != 0) + ", deleted=" + ((state & STATE_DELETED) != 0)
                + ", readers=" + getReadersVolatile() + ", sequence=" + sequence() + "]";
    }
}
