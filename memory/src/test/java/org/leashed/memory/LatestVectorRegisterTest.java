package org.leashed.memory;

import org.junit.jupiter.api.Test;

import java.lang.foreign.ValueLayout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LatestVectorRegisterTest {

    private static ParameterVector filled(VectorPool pool, float value, long sequence) {
        ParameterVector v = pool.allocate();
        v.data().fill((byte) 0);
        v.data().setAtIndex(ValueLayout.JAVA_FLOAT, 0, value);
        v.setSequence(sequence);
        return v;
    }

    @Test
    void shouldLeaseInitialVectorWhenNothingWasPublished() {
        try (VectorPool pool = new VectorPool(2, 3, true)) {
            ParameterVector initial = filled(pool, 1f, 0);
            LatestVectorRegister register = new LatestVectorRegister(pool, initial);
            ParameterVector v = register.acquireLatest();
            assertSame(initial, v);
            assertEquals(1, v.getReadersVolatile());
            assertEquals(initial.handle(), register.getLatestHandleAcquire());
            register.release(v);
            assertEquals(0, v.getReadersVolatile());
            assertEquals(1, pool.liveVectors(), "the latest vector is never reclaimed");
        }
    }

    @Test
    void shouldReclaimReplacedVectorWhenNobodyReadsIt() {
        try (VectorPool pool = new VectorPool(2, 3, true)) {
            ParameterVector initial = filled(pool, 1f, 0);
            LatestVectorRegister register = new LatestVectorRegister(pool, initial);
            long expected = register.getLatestHandleAcquire();
            ParameterVector next = filled(pool, 2f, 1);
            assertTrue(register.compareAndSetLatest(expected, next));
            assertTrue(initial.isDeleted());
            assertEquals(1, pool.liveVectors());
            assertEquals(1, pool.recycledVectors());
            ParameterVector v = register.acquireLatest();
            assertSame(next, v);
            assertEquals(1, v.sequence());
            register.release(v);
        }
    }

    @Test
    void shouldDeferReclamationToLastReaderWhenReplacedVectorIsLeased() {
        try (VectorPool pool = new VectorPool(2, 3, true)) {
            ParameterVector initial = filled(pool, 1f, 0);
            LatestVectorRegister register = new LatestVectorRegister(pool, initial);
            ParameterVector first = register.acquireLatest();
            ParameterVector second = register.acquireLatest();
            long handle = first.handle();
            assertTrue(register.compareAndSetLatest(handle, filled(pool, 2f, 1)));
            assertTrue(initial.isStale());
            assertFalse(initial.isDeleted(), "two readers still hold it");
            register.release(first);
            assertFalse(initial.isDeleted(), "one reader still holds it");
            pool.checkLease(second, handle);
            assertEquals(1f, second.data().getAtIndex(ValueLayout.JAVA_FLOAT, 0));
            register.release(second);
            assertTrue(initial.isDeleted(), "the last reader reclaims");
            assertEquals(1, pool.liveVectors());
            assertEquals(0, pool.poisonHits());
        }
    }

    @Test
    void shouldFailPublicationWhenExpectedSlotWasRecycledAndRepublished() {
        try (VectorPool pool = new VectorPool(2, 3, true)) {
            ParameterVector initial = filled(pool, 1f, 0);
            LatestVectorRegister register = new LatestVectorRegister(pool, initial);
            long oldHandle = register.getLatestHandleAcquire();
            ParameterVector slow = filled(pool, 9f, 1); // a slow publisher's candidate built on initial

            ParameterVector a = filled(pool, 2f, 1);
            assertTrue(register.compareAndSetLatest(oldHandle, a)); // initial's slot is recycled
            ParameterVector b = filled(pool, 3f, 2);
            assertSame(initial, b, "LIFO pool hands initial's slot straight back");
            assertTrue(register.compareAndSetLatest(a.handle(), b)); // same slot published again
            assertEquals(VectorHandles.slot(oldHandle), VectorHandles.slot(register.getLatestHandleAcquire()));

            assertFalse(register.compareAndSetLatest(oldHandle, slow), "ABA: old handle must not match");
            ParameterVector latest = register.acquireLatest();
            assertEquals(2, latest.sequence());
            assertEquals(3f, latest.data().getAtIndex(ValueLayout.JAVA_FLOAT, 0));
            register.release(latest);
            pool.free(slow);
        }
    }

    @Test
    void shouldEndWithNoLiveVectorsWhenRetiredAfterAllLeasesEnd() {
        try (VectorPool pool = new VectorPool(2, 3, true)) {
            LatestVectorRegister register = new LatestVectorRegister(pool, filled(pool, 1f, 0));
            ParameterVector v = register.acquireLatest();
            register.retire();
            assertEquals(1, pool.liveVectors(), "still leased");
            register.release(v);
            assertEquals(0, pool.liveVectors());
            register.retire(); // idempotent
            assertEquals(0, pool.liveVectors());
            assertEquals(pool.allocations(), pool.recycledVectors());
        }
    }

    @Test
    void shouldThrowInsteadOfSpinningWhenAcquiringFromRetiredRegister() {
        try (VectorPool pool = new VectorPool(2, 3, false)) {
            LatestVectorRegister register = new LatestVectorRegister(pool, filled(pool, 1f, 0));
            register.retire();
            IllegalStateException e = assertThrows(IllegalStateException.class, register::acquireLatest);
            assertTrue(e.getMessage().contains("retired"), e.getMessage());
        }
    }

    @Test
    void shouldThrowWhenReleasingWithoutLease() {
        try (VectorPool pool = new VectorPool(2, 3, false)) {
            ParameterVector initial = filled(pool, 1f, 0);
            LatestVectorRegister register = new LatestVectorRegister(pool, initial);
            assertThrows(IllegalStateException.class, () -> register.release(initial));
            assertEquals(0, initial.getReadersVolatile(), "the misuse is undone");
        }
    }

    @Test
    void shouldRejectPublicationWhenNextIsNotOwned() {
        try (VectorPool pool = new VectorPool(2, 3, false); VectorPool other = new VectorPool(2, 1, false)) {
            ParameterVector initial = filled(pool, 1f, 0);
            LatestVectorRegister register = new LatestVectorRegister(pool, initial);
            long handle = register.getLatestHandleAcquire();
            assertThrows(IllegalArgumentException.class, () -> register.compareAndSetLatest(handle, other.allocate()));
            ParameterVector freed = pool.allocate();
            pool.free(freed);
            assertThrows(IllegalArgumentException.class, () -> register.compareAndSetLatest(handle, freed));
            assertEquals(handle, register.getLatestHandleAcquire());
        }
    }

    @Test
    void shouldRejectInitialVectorWhenFromAnotherPoolOrFreed() {
        try (VectorPool pool = new VectorPool(2, 3, false); VectorPool other = new VectorPool(2, 1, false)) {
            assertThrows(IllegalArgumentException.class, () -> new LatestVectorRegister(pool, other.allocate()));
            ParameterVector freed = pool.allocate();
            pool.free(freed);
            assertThrows(IllegalArgumentException.class, () -> new LatestVectorRegister(pool, freed));
        }
    }

    @Test
    void shouldIgnoreLateIncrementWhenSlotWasReincarnatedBeforeReaderChecked() {
        // Simulates a reader that read the old handle, stalled, and only then incremented the counter
        // of a slot that has meanwhile been recycled into a private candidate.
        try (VectorPool pool = new VectorPool(2, 3, true)) {
            ParameterVector initial = filled(pool, 1f, 0);
            LatestVectorRegister register = new LatestVectorRegister(pool, initial);
            long oldHandle = register.getLatestHandleAcquire();
            assertTrue(register.compareAndSetLatest(oldHandle, filled(pool, 2f, 1)));
            ParameterVector candidate = filled(pool, 3f, 2);
            assertSame(initial, candidate);
            candidate.getAndAddReaders(1); // the late reader's START_READING
            assertTrue(candidate.generation() != VectorHandles.generation(oldHandle));
            register.release(candidate); // it sees a foreign generation and backs off
            assertFalse(candidate.isDeleted(), "a private candidate is never reclaimed by a stray reader");
            assertEquals(0, candidate.getReadersVolatile());
            pool.free(candidate);
            assertEquals(1, pool.liveVectors());
        }
    }
}
