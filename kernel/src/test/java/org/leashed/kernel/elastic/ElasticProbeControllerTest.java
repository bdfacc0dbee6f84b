package org.leashed.kernel.elastic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.IntToDoubleFunction;

import org.junit.jupiter.api.Test;
import org.leashed.kernel.elastic.ProbeEvent.Kind;

/**
 * The regulator's parallelism control (Alg. D.3, D.4) driven by a synthetic execution with injected
 * time and loss: at level m one update takes 1/m seconds (throughput grows with m) and lowers the loss
 * by {@code progress(m)} (statistical efficiency falls with m), so dL/dt = -m * progress(m) is known.
 */
class ElasticProbeControllerTest {
    /** dL/dt = -m (1 - m/12): unimodal, best at m = 6, equal at 5 and 7. */
    private static final IntToDoubleFunction PEAK_AT_SIX = m -> 1.0 - m / 12.0;

    /** A synthetic execution whose clock and loss carry over between calls. */
    private static final class Sim {
        double t;
        double loss = 1e6;
        final SplittableRandom r;

        Sim(long seed) {
            r = new SplittableRandom(seed);
        }

        /** Drives {@code c} for {@code updates} updates; returns the level after each update. */
        int[] run(ProbeController c, int updates, IntToDoubleFunction progress, double noise) {
            int[] levels = new int[updates];
            for (int n = 0; n < updates; n++) {
                int m = c.level();
                t += 1.0 / m;
                loss -= progress.applyAsDouble(m);
                double observed = loss + noise * r.nextGaussian();
                levels[n] = c.onUpdate((long) (t * 1e9), observed);
            }
            return levels;
        }
    }

    private static int[] drive(ProbeController c, int updates, IntToDoubleFunction progress, double noise, long seed) {
        return new Sim(seed).run(c, updates, progress, noise);
    }

    @Test
    void shouldFollowTheProbeScheduleExactlyWhenRatesAreKnown() {
        ProbeController c = new ProbeController(8, 4, 100, 10, 1);
        drive(c, 1650, PEAK_AT_SIX, 0, 1);
        List<long[]> got = new ArrayList<>();
        for (ProbeEvent e : c.schedule()) {
            got.add(new long[] {e.iteration(), e.level(), e.kind().ordinal()});
        }
        long me = Kind.MEASURE.ordinal();
        long ex = Kind.EXECUTE.ordinal();
        // first phase, hill climb from m0 = 4: windows of D_P * m = 10 m updates
        // 4 @0, 3 @40, 5 @70, 6 @120, 7 @180; best 6 -> execute 6 for I_P * 6 = 600 updates
        // second phase: 6 @850, then W_P = 1 around it: 5 @910, 7 @960; best 6 @1030; next phase @1630
        long[][] expected = {
            {0, 4, me}, {40, 3, me}, {70, 5, me}, {120, 6, me}, {180, 7, me}, {250, 6, ex},
            {850, 6, me}, {910, 5, me}, {960, 7, me}, {1030, 6, ex}, {1630, 6, me},
        };
        assertEquals(expected.length, got.size(), () -> "schedule " + c.schedule());
        for (int k = 0; k < expected.length; k++) {
            final int at = k;
            assertEquals(List.of(expected[k][0], expected[k][1], expected[k][2]),
                    List.of(got.get(k)[0], got.get(k)[1], got.get(k)[2]), () -> "step " + at + " of " + c.schedule());
        }
        assertEquals(3, c.phases());
        // the measured rates are the exact slopes: -m (1 - m/12)
        assertEquals(-5 * (1 - 5 / 12.0), c.schedule().get(8).rateBefore(), 1e-6);
        assertEquals(-6 * (1 - 6 / 12.0), c.schedule().get(9).rateBefore(), 1e-6);
    }

    @Test
    void shouldClimbDownToTheBestLevelWhenStartingAboveIt() {
        ProbeController c = new ProbeController(12, 10, 100, 10, 1);
        int[] levels = drive(c, 4000, PEAK_AT_SIX, 0, 2);
        assertTrue(c.settled());
        assertEquals(6, levels[levels.length - 1], () -> "schedule " + c.schedule());
    }

    @Test
    void shouldSettleNearTheBestLevelWhenLossesAreNoisy() {
        // noise with standard deviation 20x the per-update progress; the regression slope still ranks the levels
        for (long seed = 1; seed <= 5; seed++) {
            ProbeController c = new ProbeController(12, 2, 100, 40, 1);
            drive(c, 20_000, PEAK_AT_SIX, 10, seed);
            List<ProbeEvent> schedule = c.schedule();
            ProbeEvent settled = null;
            int executions = 0;
            for (ProbeEvent e : schedule) {
                if (e.kind() == Kind.EXECUTE) {
                    settled = e;
                    executions++;
                }
            }
            final long s = seed;
            final int last = settled == null ? -1 : settled.level();
            assertTrue(executions > 5, "phases completed " + executions);
            assertTrue(last >= 5 && last <= 7, () -> "seed " + s + " settled at " + last + ", schedule " + schedule);
        }
    }

    @Test
    void shouldTrackTheOptimumWhenItDrifts() {
        // the best level moves from 6 to 3 (e.g. later in training statistical efficiency matters more)
        ProbeController c = new ProbeController(12, 6, 20, 10, 1);
        Sim sim = new Sim(3);
        int[] before = sim.run(c, 2000, PEAK_AT_SIX, 0);
        assertEquals(6, before[before.length - 1]);
        int[] after = sim.run(c, 6000, m -> 1.0 - m / 6.0 > 0 ? 1.0 - m / 6.0 : -0.1 * m, 0); // -m(1 - m/6): best 3
        assertEquals(3, after[after.length - 1], () -> "schedule " + c.schedule());
    }

    @Test
    void shouldProbeTheWholeWindowWhenWindowIsWider() {
        ProbeController c = new ProbeController(8, 4, 1000, 5, 2);
        drive(c, 300, PEAK_AT_SIX, 0, 5);
        List<Integer> firstLevels = new ArrayList<>();
        for (ProbeEvent e : c.schedule()) {
            firstLevels.add(e.level());
        }
        // W_P = 2 from 4: 4, then 2, 3 (ascending; 4 measured), best is 4 -> 5, 6; best 6 -> 7, 8; execute 6
        assertEquals(List.of(4, 2, 3, 5, 6, 7, 8, 6), firstLevels.subList(0, 8), () -> "schedule " + c.schedule());
    }

    @Test
    void shouldStayInsideOneToMaxWhenProbingAtTheEdges() {
        ProbeController c = new ProbeController(3, 1, 10, 5, 1);
        int[] levels = drive(c, 2000, m -> 1.0, 0, 6); // more is always better: climbs to the top and stays
        for (int m : levels) {
            assertTrue(m >= 1 && m <= 3, "level " + m);
        }
        assertEquals(3, levels[levels.length - 1]);
    }

    @Test
    void shouldRejectInitialLevelOutsideRange() {
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new ProbeController(4, 5, 100, 10, 1));
        assertTrue(e.getMessage().contains("initialLevel") && e.getMessage().contains("5"), e.getMessage());
    }

    @Test
    void shouldMeasureExactSlopeWhenLossIsLinearInTime() {
        SlopeEstimator s = new SlopeEstimator();
        assertTrue(Double.isNaN(s.slope()));
        for (int k = 0; k < 10; k++) {
            s.add(1_000_000_000L + k * 250_000_000L, 7 - 2.0 * k * 0.25);
        }
        assertEquals(-2.0, s.slope(), 1e-9);
    }
}
