package org.leashed.kernel.elastic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import org.junit.jupiter.api.Test;

/** Frozen-gradient bookkeeping of xi (Statement D.4.3), driven by hand on one thread. */
class ElasticXiMeterTest {
    private static final double ETA = 0.5;

    private static MemorySegment vec(Arena arena, float... v) {
        MemorySegment s = arena.allocate((long) v.length * Float.BYTES, 64);
        for (int k = 0; k < v.length; k++) {
            s.setAtIndex(ValueLayout.JAVA_FLOAT, k, v[k]);
        }
        return s;
    }

    /** The worker's side and the regulator's side of one report. */
    private static void report(XiMeter x, long i, long j, MemorySegment grad) {
        int copy = x.needsCopy(i, j) ? x.freeze(grad) : XiMeter.NO_COPY;
        x.onReport(i, j, copy, i * 1e-3);
    }

    @Test
    void shouldMeasureDistanceToFrozenGradientWhenViewerReportsAfterWriter() {
        try (Arena arena = Arena.ofConfined()) {
            XiMeter x = new XiMeter(3, 8, 1, ETA, true, 16);
            report(x, 5, 3, vec(arena, 1, 2, 3));         // delta_5, frozen for the viewers of theta_5
            assertEquals(1, x.liveCopies());
            report(x, 7, 5, vec(arena, 1, 0, 3));         // first viewer of theta_5: xi_5 = eta * ||(0,2,0)||
            assertEquals(1, x.samples());
            assertEquals(ETA * 2, x.meanXi(), 1e-9);
            report(x, 8, 5, vec(arena, 9, 9, 9));         // a later viewer of theta_5: not measured again
            assertEquals(1, x.samples());
            x.evictAll();
            assertEquals(0, x.liveCopies());
            x.close();
        }
    }

    @Test
    void shouldMeasureWhenViewerReportsBeforeWriter() {
        try (Arena arena = Arena.ofConfined()) {
            XiMeter x = new XiMeter(2, 8, 1, ETA, true, 16);
            report(x, 12, 10, vec(arena, 3, 4));          // viewer of theta_10 arrives first and waits
            assertEquals(0, x.samples());
            report(x, 10, 9, vec(arena, 0, 0));           // delta_10 arrives: xi_10 = eta * 5
            assertEquals(1, x.samples());
            assertEquals(ETA * 5, x.meanXi(), 1e-9);
            x.evictAll();
            assertEquals(0, x.liveCopies());
            x.close();
        }
    }

    @Test
    void shouldRecordZeroWithoutCopyWhenStalenessIsZero() {
        try (Arena arena = Arena.ofConfined()) {
            XiMeter x = new XiMeter(2, 8, 1, ETA, true, 16);
            assertFalse(x.needsCopy(4, 4));
            report(x, 4, 4, vec(arena, 3, 4));
            report(x, 6, 4, vec(arena, 30, 40));          // later viewer of theta_4: the writer was first
            assertEquals(1, x.samples());
            assertEquals(0.0, x.meanXi(), 0.0);
            x.evictAll();
            assertEquals(0, x.liveCopies());
            x.close();
        }
    }

    @Test
    void shouldStayWithinBudgetAndFreeEverythingWhenNobodyViews() {
        try (Arena arena = Arena.ofConfined()) {
            int capacity = 4;
            XiMeter x = new XiMeter(2, capacity, 1, ETA, true, 16);
            MemorySegment g = vec(arena, 1, 1);
            for (long i = 3; i < 1000; i++) {
                report(x, i, i - 1 - (i % 3), g);          // staleness 1..3, viewers of older iterations
                assertTrue(x.liveCopies() <= capacity, "live " + x.liveCopies());
            }
            assertTrue(x.livePeak() <= capacity);
            assertTrue(x.samples() > 0);
            x.evictAll();
            assertEquals(0, x.liveCopies());
            x.close();
        }
    }

    @Test
    void shouldOnlyCopyForSampledIterationsWhenSamplingEveryK() {
        XiMeter x = new XiMeter(2, 8, 4, ETA, false, 16);
        assertTrue(x.needsCopy(8, 6));   // i sampled
        assertTrue(x.needsCopy(9, 4));   // j sampled
        assertFalse(x.needsCopy(9, 6));  // neither
        x.close();
    }
}
