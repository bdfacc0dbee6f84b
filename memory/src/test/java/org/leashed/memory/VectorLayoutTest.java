package org.leashed.memory;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class VectorLayoutTest {

    @Test
    void shouldKeepReaderCounterAloneInItsCacheLinePairWhenLaidOut() {
        assertEquals(0, VectorLayout.READERS_BYTE_OFFSET);
        assertTrue(VectorLayout.STATE_BYTE_OFFSET - VectorLayout.READERS_BYTE_OFFSET >= 128,
                "state must be at least 128 bytes after readers, was " + VectorLayout.STATE_BYTE_OFFSET);
        assertTrue(VectorLayout.SEQUENCE_BYTE_OFFSET >= VectorLayout.STATE_BYTE_OFFSET + Long.BYTES);
        assertTrue(VectorLayout.SEQUENCE_BYTE_OFFSET + Long.BYTES <= VectorLayout.HEADER_BYTE_SIZE);
        assertEquals(0, VectorLayout.HEADER_BYTE_SIZE % VectorLayout.SLOT_ALIGNMENT_BYTES);
        assertEquals(0, VectorLayout.STATE_BYTE_OFFSET % Long.BYTES);
        assertEquals(0, VectorLayout.SEQUENCE_BYTE_OFFSET % Long.BYTES);
    }

    @Test
    void shouldUseDisjointFlagBitsWhenEncodingState() {
        assertEquals(0, VectorLayout.STATE_STALE & VectorLayout.STATE_DELETED);
        assertEquals(VectorLayout.STATE_FLAGS_MASK, (1L << VectorLayout.STATE_FLAG_BITS) - 1);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 31, 32, 33, 1000, 27_354})
    void shouldRoundDataUpToSlotAlignmentWhenSizing(int dimension) {
        long bytes = VectorLayout.dataByteSize(dimension);
        assertEquals(0, bytes % VectorLayout.SLOT_ALIGNMENT_BYTES);
        assertTrue(bytes >= (long) dimension * Float.BYTES);
        assertTrue(bytes - (long) dimension * Float.BYTES < VectorLayout.SLOT_ALIGNMENT_BYTES);
        assertEquals(VectorLayout.HEADER_BYTE_SIZE + bytes, VectorLayout.slotByteSize(dimension));
    }

    @Test
    void shouldRejectDimensionWhenNotPositive() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> VectorLayout.dataByteSize(0));
        assertTrue(e.getMessage().contains("dimension"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3, 33, 257})
    void shouldAlignHeaderAndDataWhenPoolAllocates(int dimension) {
        try (VectorPool pool = new VectorPool(dimension, 4, false)) {
            for (int i = 0; i < 4; i++) {
                ParameterVector v = pool.allocate();
                assertEquals(0, v.data().address() % VectorLayout.SLOT_ALIGNMENT_BYTES, "data of " + v);
                assertEquals(0, (v.data().address() - VectorLayout.HEADER_BYTE_SIZE) % VectorLayout.SLOT_ALIGNMENT_BYTES);
                assertEquals((long) dimension * Float.BYTES, v.data().byteSize());
                assertTrue(v.data().isNative());
            }
        }
    }

    @Test
    void shouldRejectSlotSegmentWhenMisaligned() {
        try (Arena arena = Arena.ofConfined(); VectorPool pool = new VectorPool(2, 1, false)) {
            MemorySegment raw = arena.allocate(VectorLayout.slotByteSize(2) + 128, 128);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new ParameterVector(pool, 0, 2, raw.asSlice(8)));
            assertTrue(e.getMessage().contains("aligned"), e.getMessage());
        }
    }

    @Test
    void shouldRejectSlotSegmentWhenOnHeap() {
        try (VectorPool pool = new VectorPool(2, 1, false)) {
            MemorySegment heap = MemorySegment.ofArray(new long[(int) (VectorLayout.slotByteSize(2) / 8)]);
            assertThrows(IllegalArgumentException.class, () -> new ParameterVector(pool, 0, 2, heap));
        }
    }
}
