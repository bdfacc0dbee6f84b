package org.leashed.memory;

/**
 * Tagged 64-bit handles naming one incarnation of a pool slot: {@code generation << SLOT_BITS | slot}.
 * The latest-vector word holds such a handle, so a recycled slot that comes back at the same address
 * carries a larger generation and an old handle can never compare equal to it (no ABA). With 20 slot
 * bits and 44 generation bits a slot would have to be recycled 1.7e13 times before a tag repeats.
 */
public final class VectorHandles {
    /** Bits of the handle that hold the slot index. */
    public static final int SLOT_BITS = 20;
    /** Largest number of slots one pool may have. */
    public static final int MAX_SLOTS = 1 << SLOT_BITS;
    private static final long SLOT_MASK = MAX_SLOTS - 1;

    private VectorHandles() {
    }

    /** Packs a slot index and a generation. */
    public static long handle(int slot, long generation) {
        assert slot >= 0 && slot < MAX_SLOTS : slot;
        return generation << SLOT_BITS | slot;
    }

    /** Slot index of a handle. */
    public static int slot(long handle) {
        return (int) (handle & SLOT_MASK);
    }

    /** Generation of a handle. */
    public static long generation(long handle) {
        return handle >>> SLOT_BITS;
    }
}
