package org.leashed.memory;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.ValueLayout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class VectorPoolTest {

    @Test
    void shouldAccountLiveCreatedAndPooledVectorsWhenAllocatingAndFreeing() {
        try (VectorPool pool = new VectorPool(5, 4, false)) {
            ParameterVector a = pool.allocate();
            ParameterVector b = pool.allocate();
            ParameterVector c = pool.allocate();
            assertEquals(3, pool.liveVectors());
            assertEquals(3, pool.liveVectorsPeak());
            assertEquals(3, pool.createdVectors());
            assertEquals(0, pool.pooledVectors());
            assertEquals(3 * VectorLayout.slotByteSize(5), pool.offHeapBytes());
            pool.free(b);
            pool.free(a);
            assertEquals(1, pool.liveVectors());
            assertEquals(3, pool.liveVectorsPeak());
            assertEquals(2, pool.pooledVectors());
            assertEquals(2, pool.recycledVectors());
            ParameterVector d = pool.allocate();
            assertSame(a, d, "LIFO: the slot freed last comes back first");
            assertEquals(3, pool.createdVectors(), "recycled, not created");
            assertEquals(4, pool.allocations());
            pool.free(c);
            pool.free(d);
            assertEquals(0, pool.liveVectors());
            assertEquals(3, pool.offHeapBytesPeak() / VectorLayout.slotByteSize(5));
        }
    }

    @Test
    void shouldHandOutFlagFreeNewIncarnationWhenSlotIsReused() {
        try (VectorPool pool = new VectorPool(2, 1, false)) {
            ParameterVector v = pool.allocate();
            long generation = v.generation();
            assertFalse(v.isStale());
            assertFalse(v.isDeleted());
            pool.free(v);
            assertTrue(v.isDeleted());
            ParameterVector again = pool.allocate();
            assertEquals(generation + 1, again.generation());
            assertFalse(again.isStale());
            assertFalse(again.isDeleted());
        }
    }

    @Test
    void shouldThrowNamingCapacityWhenExhausted() {
        try (VectorPool pool = new VectorPool(2, 2, false)) {
            pool.allocate();
            pool.allocate();
            IllegalStateException e = assertThrows(IllegalStateException.class, pool::allocate);
            assertTrue(e.getMessage().contains("capacity 2"), e.getMessage());
            assertEquals(2, pool.createdVectors());
        }
    }

    @Test
    void shouldRejectConstructionWhenBoundsAreViolated() {
        assertThrows(IllegalArgumentException.class, () -> new VectorPool(0, 1, false));
        assertThrows(IllegalArgumentException.class, () -> new VectorPool(1, 0, false));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new VectorPool(1, VectorHandles.MAX_SLOTS + 1, false));
        assertTrue(e.getMessage().contains("capacity"), e.getMessage());
    }

    @Test
    void shouldDetectDoubleFreeWhenSlotIsStillPooled() {
        try (VectorPool pool = new VectorPool(2, 2, false)) {
            ParameterVector v = pool.allocate();
            pool.free(v);
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> pool.free(v));
            assertTrue(e.getMessage().contains("double free"), e.getMessage());
            assertEquals(0, pool.liveVectors(), "the failed free must not change the accounting");
            assertEquals(1, pool.recycledVectors());
        }
    }

    @Test
    void shouldRejectFreeWhenVectorBelongsToAnotherPool() {
        try (VectorPool a = new VectorPool(2, 1, false); VectorPool b = new VectorPool(2, 1, false)) {
            ParameterVector v = a.allocate();
            assertThrows(IllegalArgumentException.class, () -> b.free(v));
        }
    }

    @Test
    void shouldPoisonDataWhenRecycledInPoisonMode() {
        try (VectorPool pool = new VectorPool(3, 1, true)) {
            ParameterVector v = pool.allocate();
            v.data().setAtIndex(ValueLayout.JAVA_FLOAT, 1, 4.5f);
            pool.free(v);
            for (int i = 0; i < 3; i++) {
                assertEquals(VectorPool.POISON_BITS, v.data().getAtIndex(ValueLayout.JAVA_INT, i));
            }
            pool.allocate();
            assertEquals(0, pool.poisonHits());
        }
    }

    @Test
    void shouldCatchWriteAfterFreeWhenSlotIsAllocatedAgain() {
        try (VectorPool pool = new VectorPool(4, 1, true)) {
            ParameterVector v = pool.allocate();
            pool.free(v);
            v.data().setAtIndex(ValueLayout.JAVA_FLOAT, 2, 1.0f); // the bug: a write after free
            IllegalStateException e = assertThrows(IllegalStateException.class, pool::allocate);
            assertTrue(e.getMessage().contains("float 2"), e.getMessage());
            assertEquals(1, pool.poisonHits());
        }
    }

    @Test
    void shouldCatchRecycledVectorWhenLeaseIsChecked() {
        try (VectorPool pool = new VectorPool(2, 1, true)) {
            ParameterVector v = pool.allocate();
            long handle = v.handle();
            pool.checkLease(v, handle); // fine while this incarnation is alive
            pool.free(v);
            assertThrows(IllegalStateException.class, () -> pool.checkLease(v, handle), "freed, poisoned");
            ParameterVector again = pool.allocate();
            again.data().fill((byte) 0);
            assertThrows(IllegalStateException.class, () -> pool.checkLease(again, handle), "new generation");
            assertEquals(2, pool.poisonHits());
        }
    }

    @Test
    void shouldSkipLeaseChecksWhenPoisonIsOff() {
        try (VectorPool pool = new VectorPool(2, 1, false)) {
            ParameterVector v = pool.allocate();
            long handle = v.handle();
            pool.free(v);
            pool.checkLease(v, handle);
            assertEquals(0, pool.poisonHits());
        }
    }

    @Test
    void shouldLeaveCallerArenaOpenWhenPoolIsClosed() {
        try (Arena arena = Arena.ofShared()) {
            ParameterVector v;
            try (VectorPool pool = new VectorPool(2, 1, false, arena)) {
                v = pool.allocate();
                v.data().setAtIndex(ValueLayout.JAVA_FLOAT, 0, 3f);
            }
            assertEquals(3f, v.data().getAtIndex(ValueLayout.JAVA_FLOAT, 0), "arena still open");
        }
    }

    @Test
    void shouldCreateDistinctVectorObjectsWhenSlotsDiffer() {
        try (VectorPool pool = new VectorPool(2, 2, false)) {
            ParameterVector a = pool.allocate();
            ParameterVector b = pool.allocate();
            assertNotSame(a, b);
            assertSame(a, pool.vectorAt(a.slot()));
            assertSame(b, pool.vectorAt(b.slot()));
        }
    }
}
