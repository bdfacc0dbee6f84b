package org.leashed.memory;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

class VectorHandlesTest {

    @Test
    void shouldRoundTripSlotAndGenerationWhenPacked() {
        int[] slots = {0, 1, 12345, VectorHandles.MAX_SLOTS - 1};
        long[] generations = {0, 1, 77, (1L << (64 - VectorHandles.SLOT_BITS)) - 1};
        for (int slot : slots) {
            for (long generation : generations) {
                long h = VectorHandles.handle(slot, generation);
                assertEquals(slot, VectorHandles.slot(h), "slot of " + h);
                assertEquals(generation, VectorHandles.generation(h), "generation of " + h);
            }
        }
    }

    @Test
    void shouldDifferWhenSameSlotHasNewGeneration() {
        assertNotEquals(VectorHandles.handle(5, 1), VectorHandles.handle(5, 2));
        assertNotEquals(VectorHandles.handle(5, 1), VectorHandles.handle(6, 1));
    }

    @Test
    void shouldNameNewIncarnationWhenSlotIsRecycled() {
        try (VectorPool pool = new VectorPool(2, 1, false)) {
            ParameterVector v = pool.allocate();
            long first = v.handle();
            pool.free(v);
            ParameterVector again = pool.allocate();
            assertEquals(v.slot(), again.slot());
            assertEquals(VectorHandles.generation(first) + 1, VectorHandles.generation(again.handle()));
            assertNotEquals(first, again.handle());
        }
    }
}
