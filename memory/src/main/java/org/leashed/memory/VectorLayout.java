package org.leashed.memory;

/**
 * Byte layout of one pooled parameter-vector slot: a 256-byte header followed by the float data.
 *
 * <pre>
 *   0                                                              128
 *   +--------------------------------------------------------------+
 *   | readers (long): number of threads holding a read lease       |  hot: every LATEST_POINTER call
 *   +--------------------------------------------------------------+  (own 128-byte line pair)
 *   128                                                            256
 *   +-------------------------------+------------------------------+
 *   | state (long) at +128          | sequence (long) at +136      |  written once or twice per
 *   |  generation << 2              |  i of Alg. B.1               |  incarnation, read by every
 *   |  | DELETED (2) | STALE (1)    |                              |  reader
 *   +-------------------------------+------------------------------+
 *   256
 *   +--------------------------------------------------------------+
 *   | data: dimension floats, padded to a multiple of 128 bytes     |
 *   +--------------------------------------------------------------+
 * </pre>
 *
 * The reader counter is the only field many threads write; it sits alone in the first 128 bytes so
 * that its cache line (and the adjacent-line prefetcher's pair) is not shared with the fields readers
 * only read. The slot itself is allocated 128-byte aligned.
 */
public final class VectorLayout {
    /** Alignment of every slot, in bytes: two cache lines, so the adjacent-line prefetcher never couples slots. */
    public static final long SLOT_ALIGNMENT_BYTES = 128;
    /** Number of active readers ({@code n_rdrs} of Alg. B.1). */
    public static final long READERS_BYTE_OFFSET = 0;
    /**
     * State word: {@code generation << STATE_FLAG_BITS | DELETED | STALE}. The generation counts how
     * often the pool handed the slot out; folding it into the same word as the flags means that a
     * compare-and-set of a flag can never succeed on a later incarnation of the slot (no ABA).
     */
    public static final long STATE_BYTE_OFFSET = 128;
    /** Sequence number {@code i} of the last update applied to this vector. */
    public static final long SEQUENCE_BYTE_OFFSET = 136;
    /** State flag: the vector has been replaced as the latest one ({@code stale_flag} of Alg. B.1). */
    public static final long STATE_STALE = 1L;
    /** State flag: this incarnation has been reclaimed ({@code deleted} of Alg. B.1). */
    public static final long STATE_DELETED = 2L;
    /** Both state flags: a vector whose state has none of them is owned or currently published. */
    public static final long STATE_FLAGS_MASK = STATE_STALE | STATE_DELETED;
    /** Number of low bits of the state word taken by flags. */
    public static final int STATE_FLAG_BITS = 2;
    /** Size of the header; the float data starts here. */
    public static final long HEADER_BYTE_SIZE = 256;

    private VectorLayout() {
    }

    /** Bytes of float data for {@code dimension} floats, rounded up to the slot alignment. */
    public static long dataByteSize(int dimension) {
        if (dimension < 1) {
            throw new IllegalArgumentException("dimension must be >= 1, got " + dimension);
        }
        long raw = (long) dimension * Float.BYTES;
        return (raw + SLOT_ALIGNMENT_BYTES - 1) & -SLOT_ALIGNMENT_BYTES;
    }

    /** Total bytes of one slot (header plus padded data). */
    public static long slotByteSize(int dimension) {
        return HEADER_BYTE_SIZE + dataByteSize(dimension);
    }
}
