package org.leashed.memory;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * A bounded pool of off-heap {@link ParameterVector} slots of one dimension that recycles memory
 * instead of freeing it, so that steady-state training allocates nothing.
 *
 * <p>Ownership: slots are allocated lazily, 128-byte aligned, from one {@link Arena#ofShared()} owned by
 * the pool, and are freed all at once by {@link #close()} (or, with
 * {@link #VectorPool(int, int, boolean, Arena)}, from the caller's arena, which the caller frees). A slot is <em>live</em> from
 * {@link #allocate()} until it is recycled (by {@link #free} for a vector its owner never published, or
 * by {@link LatestVectorRegister#release} for the last lease holder of a stale published vector).
 *
 * <p>Debug poisoning ({@code poison = true}): recycled data is overwritten with {@link #POISON_BITS}
 * (a NaN no arithmetic produces); {@link #allocate()} checks that nobody wrote to the slot while it was
 * free, and {@link #checkLease(ParameterVector, long)} checks that a leased vector was not recycled
 * underneath its reader. With {@code poison = false} these checks are a single final-field branch.
 *
 * <h2>Memory ordering</h2>
 * <table>
 *   <tr><th>field</th><th>writer</th><th>reader</th><th>edge</th></tr>
 *   <tr><td>vectors[slot]</td><td>AtomicReferenceArray.set (volatile) when the slot is created</td>
 *       <td>get (volatile)</td><td>a slot index only escapes after its vector is stored.</td></tr>
 *   <tr><td>free slots</td><td>{@link SlotStack} push CAS</td><td>pop CAS</td><td>everything the
 *       recycler wrote (poison, deleted flag) happens-before the next owner's use.</td></tr>
 *   <tr><td>live, livePeak, created, allocations, recycled, poisonHits</td><td>atomic RMW</td><td>volatile</td><td>statistics only.</td></tr>
 * </table>
 */
public final class VectorPool implements AutoCloseable {
    /** Bit pattern written over recycled data in poison mode: a NaN with a full payload. */
    public static final int POISON_BITS = 0xFFFF_FFFF;
    private static final byte POISON_BYTE = (byte) 0xFF;

    private final int dimension;
    private final int capacity;
    private final boolean poison;
    private final long slotByteSize;
    private final Arena arena;
    private final boolean ownsArena;
    private final AtomicReferenceArray<ParameterVector> vectors;
    private final SlotStack free;
    private final AtomicInteger created = new AtomicInteger();
    private final AtomicLong live = new AtomicLong();
    private final AtomicLong livePeak = new AtomicLong();
    private final AtomicLong allocations = new AtomicLong();
    private final AtomicLong recycled = new AtomicLong();
    private final AtomicLong poisonHits = new AtomicLong();

    /**
     * @param dimension floats per vector, at least 1
     * @param capacity  most vectors that may be live at once, 1 to {@link VectorHandles#MAX_SLOTS}
     * @param poison    debug mode: poison recycled memory and check leases
     * @throws IllegalArgumentException if a bound is violated
     */
    public VectorPool(int dimension, int capacity, boolean poison) {
        this(dimension, capacity, poison, Arena.ofShared(), true);
    }

    /**
     * A pool that allocates its slots from {@code arena}, which must allow access from every thread
     * that uses the pool (shared or automatic) and which the caller frees; {@link #close()} leaves it
     * open. Meant for many short-lived pools (jcstress states), where closing a shared arena per pool
     * would dominate: pass {@link Arena#ofAuto()}.
     *
     * @throws IllegalArgumentException if a bound is violated
     */
    public VectorPool(int dimension, int capacity, boolean poison, Arena arena) {
        this(dimension, capacity, poison, Objects.requireNonNull(arena, "arena"), false);
    }

    private VectorPool(int dimension, int capacity, boolean poison, Arena arena, boolean ownsArena) {
        if (dimension < 1) {
            throw new IllegalArgumentException("dimension must be >= 1, got " + dimension);
        }
        if (capacity < 1 || capacity > VectorHandles.MAX_SLOTS) {
            throw new IllegalArgumentException("capacity must be in [1, " + VectorHandles.MAX_SLOTS + "], got " + capacity);
        }
        this.dimension = dimension;
        this.capacity = capacity;
        this.poison = poison;
        this.slotByteSize = VectorLayout.slotByteSize(dimension);
        this.vectors = new AtomicReferenceArray<>(capacity);
        this.free = new SlotStack(capacity);
        this.arena = arena;
        this.ownsArena = ownsArena;
    }

    /**
     * Hands out a vector for its caller's exclusive use: a new incarnation with readers 0 and flags
     * clear. Its data holds whatever the previous incarnation left (or poison); callers overwrite it.
     *
     * @throws IllegalStateException if {@code capacity} vectors are already live
     */
    public ParameterVector allocate() {
        int slot = free.pop(); // volatile CAS inside: everything the recycler wrote happens-before here
        ParameterVector v;
        if (slot >= 0) {
            v = vectors.get(slot); // volatile: set when the slot was created, long before it was freed
            if (poison) {
                verifyStillPoisoned(v);
            }
        } else {
            v = createSlot();
        }
        v.beginIncarnation();
        // atomic RMWs below: statistics only, no other access is ordered by them.
        allocations.getAndIncrement();
        long nowLive = live.incrementAndGet();
        long peak;
        // volatile read + CAS: a monotone max; a failed CAS means someone else raised the peak.
        while (nowLive > (peak = livePeak.get()) && !livePeak.compareAndSet(peak, nowLive)) {
            Thread.onSpinWait();
        }
        return v;
    }

    private ParameterVector createSlot() {
        // atomic RMW: hands out each slot index exactly once.
        int slot = created.getAndIncrement();
        if (slot >= capacity) {
            created.getAndDecrement(); // atomic RMW: undo the overshoot (createdVectors() clamps meanwhile)
            throw new IllegalStateException("vector pool exhausted: capacity " + capacity + " vectors of "
                    + dimension + " floats, all live (live=" + live.get() + ")");
        }
        MemorySegment segment = arena.allocate(slotByteSize, VectorLayout.SLOT_ALIGNMENT_BYTES);
        ParameterVector v = new ParameterVector(this, slot, dimension, segment);
        // volatile: the vector is visible before its slot index can appear in any handle.
        vectors.set(slot, v);
        return v;
    }

    /**
     * Returns a vector that its owner never published (a discarded candidate, a gradient buffer).
     * Spurious reader counts that late {@link LatestVectorRegister#acquireLatest()} calls may have left on
     * the slot do not matter: such readers see a foreign generation and never touch the data.
     *
     * <p>Double frees are detected while the slot sits in the pool. Once it was handed out again the
     * stale {@code ParameterVector} reference names the new incarnation and a second free cannot be told
     * apart from the new owner's; in poison mode the new owner's next lease check or the next allocate
     * of the slot then fires.
     *
     * @throws IllegalArgumentException if the vector belongs to another pool
     * @throws IllegalStateException if this incarnation was already reclaimed
     */
    public void free(ParameterVector v) {
        if (v.pool() != this) {
            throw new IllegalArgumentException("vector of slot " + v.slot() + " belongs to another pool, expected " + this);
        }
        long before = v.markOwnedDeleted();
        if ((before & VectorLayout.STATE_DELETED) != 0) {
            throw new IllegalStateException("double free of " + v);
        }
        recycle(v);
    }

    /** Puts a reclaimed incarnation back on the free stack. Called once per incarnation. */
    void recycle(ParameterVector v) {
        if (poison) {
            v.data().fill(POISON_BYTE);
        }
        // atomic RMWs: statistics; live drops before the push so that it never over-counts.
        recycled.getAndIncrement();
        live.getAndDecrement();
        free.push(v.slot()); // volatile CAS inside: publishes the poison and the deleted state to the next pop
    }

    /** The vector object of a slot (non-null once the slot has been created). */
    ParameterVector vectorAt(int slot) {
        return vectors.get(slot); // volatile: pairs with the set in createSlot
    }

    /**
     * In poison mode, checks that the leased vector is still the incarnation named by {@code handle}
     * and that its first and last floats are not poison. Counts and throws on a hit.
     *
     * @throws IllegalStateException if the vector was recycled underneath its lease holder
     */
    public void checkLease(ParameterVector v, long handle) {
        if (!poison) {
            return;
        }
        if (VectorHandles.slot(handle) != v.slot()) {
            throw new IllegalArgumentException("handle " + handle + " names slot " + VectorHandles.slot(handle)
                    + ", expected the leased vector's slot " + v.slot());
        }
        long state = v.getStateVolatile(); // volatile: pairs with the deleted CAS and the next incarnation's store
        // plain data reads: racy by design in the failure case; a recycled slot shows poison or a new generation.
        boolean recycled = (state >>> VectorLayout.STATE_FLAG_BITS) != VectorHandles.generation(handle)
                || (state & VectorLayout.STATE_DELETED) != 0
                || v.data().get(ValueLayout.JAVA_INT, 0) == POISON_BITS
                || v.data().getAtIndex(ValueLayout.JAVA_INT, dimension - 1) == POISON_BITS;
        if (recycled) {
            poisonHits.getAndIncrement(); // atomic RMW: statistics only
            throw new IllegalStateException("poison check: " + v + " was recycled while leased under handle " + handle);
        }
    }

    private void verifyStillPoisoned(ParameterVector v) {
        MemorySegment data = v.data();
        for (long i = 0; i < data.byteSize(); i += Integer.BYTES) {
            if (data.get(ValueLayout.JAVA_INT, i) != POISON_BITS) {
                poisonHits.getAndIncrement(); // atomic RMW: statistics only
                throw new IllegalStateException("poison check: " + v + " was written at float " + (i / 4) + " while free");
            }
        }
    }

    /** Floats per vector. */
    public int dimension() {
        return dimension;
    }

    /** Most vectors live at once. */
    public int capacity() {
        return capacity;
    }

    /** Whether debug poisoning is on. */
    public boolean poisoning() {
        return poison;
    }

    /** Vectors handed out and not yet recycled. */
    public long liveVectors() {
        return live.get();
    }

    /** Highest {@link #liveVectors()} seen. */
    public long liveVectorsPeak() {
        return livePeak.get();
    }

    /** Slots created so far (live plus pooled). */
    public int createdVectors() {
        return Math.min(created.get(), capacity);
    }

    /** Slots sitting in the free stack. */
    public long pooledVectors() {
        return createdVectors() - liveVectors();
    }

    /** Off-heap bytes held by the pool (slots are never returned to the OS before close). */
    public long offHeapBytes() {
        return createdVectors() * slotByteSize;
    }

    /** Peak off-heap bytes: equal to {@link #offHeapBytes()} since slots are only ever added. */
    public long offHeapBytesPeak() {
        return offHeapBytes();
    }

    /** Total hand-outs since creation. */
    public long allocations() {
        return allocations.get();
    }

    /** Incarnations reclaimed (by {@link #free} or by the last reader of a stale vector) since creation. */
    public long recycledVectors() {
        return recycled.get();
    }

    /** Poison checks that fired. */
    public long poisonHits() {
        return poisonHits.get();
    }

    /** Frees all off-heap memory if the pool owns its arena. Vectors must not be used afterwards. */
    @Override
    public void close() {
        if (ownsArena) {
            arena.close();
        }
    }

    @Override
    public String toString() {
        return "VectorPool[dimension=" + dimension + ", capacity=" + capacity + ", created=" + createdVectors()
                + ", live=" + liveVectors() + ", poison=" + poison + "]";
    }
}
