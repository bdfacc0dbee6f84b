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
        int copy = x.needsCopy(i, j, true) ? x.freeze(grad) : XiMeter.NO_COPY;
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

    /** The worker's side with one worker active: a tau = 0 gradient is not copied. */
    private static void reportAlone(XiMeter x, long i, long j, MemorySegment grad) {
        int copy = x.needsCopy(i, j, false) ? x.freeze(grad) : XiMeter.NO_COPY;
        x.onReport(i, j, copy, i * 1e-3);
    }

    @Test
    void shouldRecordZeroWithoutCopyWhenStalenessIsZeroAndNobodyElseIsActive() {
        try (Arena arena = Arena.ofConfined()) {
            XiMeter x = new XiMeter(2, 8, 2, ETA, true, 16); // every second iteration sampled
            assertFalse(x.needsCopy(4, 4, false));
            reportAlone(x, 4, 4, vec(arena, 3, 4));
            assertEquals(0, x.liveCopies());
            reportAlone(x, 5, 4, vec(arena, 30, 40));     // later viewer of theta_4: the writer was first
            assertEquals(1, x.samples());
            assertEquals(0.0, x.meanXi(), 0.0);
            assertEquals(0, x.summary().floorSamples());
            assertEquals(0, x.summary().staleSamples());
            x.evictAll();
            assertEquals(0, x.liveCopies());
            x.close();
        }
    }

    @Test
    void shouldMeasureTheFloorBetweenATauZeroWriterAndTheNextViewerOfTheSameState() {
        try (Arena arena = Arena.ofConfined()) {
            XiMeter x = new XiMeter(2, 8, 1, ETA, true, 16);
            assertTrue(x.needsCopy(4, 4, true));
            report(x, 4, 4, vec(arena, 3, 4));            // delta_4 from theta_4: xi_4 = 0, copy kept
            assertEquals(1, x.samples());
            assertEquals(1, x.liveCopies());
            report(x, 6, 4, vec(arena, 30, 40));          // another batch at theta_4: phi = eta * ||(27, 36)||
            assertEquals(1, x.samples());                 // xi itself is untouched: xi_4 = 0 only
            assertEquals(0, x.summary().staleSamples());
            XiSummary parts = x.summary();
            assertEquals(1, parts.floorSamples());
            assertEquals(ETA * 45, parts.meanFloor(), 1e-9);
            assertEquals(1, x.liveCopies());              // delta_4 freed; delta_6 waits for theta_6's viewers
            report(x, 7, 4, vec(arena, 0, 0));            // a third viewer: nothing more to measure at theta_4
            assertEquals(1, x.summary().floorSamples());
            assertEquals(2, x.liveCopies());              // delta_6 and delta_7
            x.evictAll();
            assertEquals(0, x.liveCopies());
            x.close();
        }
    }

    @Test
    void shouldMeasureTheFloorWhenTheViewerReportsBeforeTheTauZeroWriter() {
        try (Arena arena = Arena.ofConfined()) {
            XiMeter x = new XiMeter(2, 8, 1, ETA, true, 16);
            report(x, 11, 10, vec(arena, 6, 8));          // viewer of theta_10 waits for delta_10
            report(x, 10, 10, vec(arena, 0, 0));          // delta_10 had tau = 0: xi_10 = 0, phi = eta * 10
            assertEquals(1, x.samples());
            assertEquals(0, x.summary().staleSamples());
            assertEquals(1, x.summary().floorSamples());
            assertEquals(ETA * 10, x.summary().meanFloor(), 1e-9);
            x.evictAll();
            assertEquals(0, x.liveCopies());
            x.close();
        }
    }

    @Test
    void shouldTakeTheFloorOutOfTheStaleUpdatesXi() {
        try (Arena arena = Arena.ofConfined()) {
            XiMeter x = new XiMeter(2, 16, 1, ETA, true, 16);
            report(x, 5, 3, vec(arena, 0, 0));            // delta_5, tau = 2
            report(x, 7, 5, vec(arena, 10, 0));           // xi_5 = eta * 10
            report(x, 8, 6, vec(arena, 0, 0));            // delta_8, tau = 2
            report(x, 9, 8, vec(arena, 0, 20));           // xi_8 = eta * 20
            report(x, 12, 12, vec(arena, 0, 0));          // tau = 0
            report(x, 14, 12, vec(arena, 6, 8));          // phi = eta * 10
            assertEquals(3, x.samples());
            // 6 sampled updates, 1 with tau = 0 (xi 0), 5 stale at the measured stale mean eta * 15
            assertEquals(5.0 / 6 * ETA * 15, x.meanXi(), 1e-9);
            XiSummary parts = x.summary();
            assertEquals(2, parts.staleSamples());
            assertEquals(ETA * 15, parts.meanStale(), 1e-9);
            // sqrt(mean(xi^2) - mean(phi^2)) = eta * sqrt((100 + 400) / 2 - 100) = eta * sqrt(150)
            assertEquals(ETA * Math.sqrt(150), parts.asyncRms(), 1e-9);
            x.evictAll();
            assertEquals(0, x.liveCopies());
            x.close();
        }
    }

    @Test
    void shouldWeightTheMeanByTheAppliedShareOfStaleUpdatesNotByWhatWasMeasured() {
        try (Arena arena = Arena.ofConfined()) {
            XiMeter x = new XiMeter(2, 16, 1, ETA, true, 16);
            for (long i = 0; i < 4; i++) {
                report(x, i, i, vec(arena, 0, 0));        // four tau = 0 updates: xi = 0, known without a copy
            }
            report(x, 6, 4, vec(arena, 0, 0));            // delta_6 (tau 2) ...
            report(x, 7, 6, vec(arena, 0, 8));            // ... measured: eta * 8
            report(x, 5, 4, vec(arena, 0, 0));            // delta_5 (tau 1): never viewed, not measured
            // 7 sampled updates applied: 4 with tau = 0, 3 stale, whose measured mean is eta * 8
            assertEquals(3.0 / 7 * ETA * 8, x.meanXi(), 1e-9);
            x.evictAll();
            x.close();
        }
    }

    @Test
    void shouldBucketStaleXiByTheStalenessOfTheAppliedUpdate() {
        assertEquals(0, XiMeter.bucket(1));
        assertEquals(1, XiMeter.bucket(2));
        assertEquals(2, XiMeter.bucket(3));
        assertEquals(2, XiMeter.bucket(4));
        assertEquals(3, XiMeter.bucket(5));
        assertEquals(3, XiMeter.bucket(8));
        assertEquals(4, XiMeter.bucket(9));
        assertEquals(XiMeter.TAU_BUCKETS - 1, XiMeter.bucket(65));
        assertEquals(XiMeter.TAU_BUCKETS - 1, XiMeter.bucket(1_000_000));
        try (Arena arena = Arena.ofConfined()) {
            XiMeter x = new XiMeter(2, 32, 1, ETA, true, 16);
            report(x, 10, 9, vec(arena, 0, 0));           // delta_10, tau 1, frozen first
            report(x, 11, 10, vec(arena, 2, 0));          // xi_10 = eta * 2, bucket tau = 1
            report(x, 23, 20, vec(arena, 0, 6));          // viewer of theta_20 first ...
            report(x, 20, 16, vec(arena, 0, 0));          // ... then delta_20, tau 4: xi = eta * 6, bucket 3-4
            report(x, 31, 28, vec(arena, 0, 0));          // delta_31, tau 3
            report(x, 33, 31, vec(arena, 0, 2));          // xi_31 = eta * 2, bucket 3-4
            var rows = x.xiByStaleness();
            assertEquals(2, rows.size());
            assertEquals(1.0, rows.get(0)[0], 0.0);
            assertEquals(ETA * 2, rows.get(0)[1], 1e-9);
            assertEquals(1.0, rows.get(0)[2], 0.0);
            assertEquals(3.0, rows.get(1)[0], 0.0);
            assertEquals(ETA * 4, rows.get(1)[1], 1e-9);  // mean of eta * 6 and eta * 2
            assertEquals(2.0, rows.get(1)[2], 0.0);
            assertEquals(rows.size(), x.summary().byStaleness().size());
            x.evictAll();
            assertEquals(0, x.liveCopies());
            x.close();
        }
    }

    @Test
    void shouldReportNoAsynchronyPartWithoutFloorSamples() {
        try (Arena arena = Arena.ofConfined()) {
            XiMeter x = new XiMeter(2, 8, 1, ETA, true, 16);
            report(x, 5, 3, vec(arena, 0, 0));
            report(x, 7, 5, vec(arena, 10, 0));
            XiSummary parts = x.summary();
            assertEquals(1, parts.staleSamples());
            assertTrue(Double.isNaN(parts.meanFloor()));
            assertTrue(Double.isNaN(parts.asyncRms()));
            x.evictAll();
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
        assertTrue(x.needsCopy(8, 6, true));   // i sampled
        assertTrue(x.needsCopy(9, 4, true));   // j sampled
        assertFalse(x.needsCopy(9, 6, true));  // neither
        assertTrue(x.needsCopy(8, 8, true));   // tau = 0 at a sampled i: a floor candidate
        assertFalse(x.needsCopy(9, 9, true));  // tau = 0, not sampled
        x.close();
    }
}
