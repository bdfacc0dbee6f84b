package org.leashed.kernel.elastic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.leashed.kernel.run.AlgorithmKind;
import org.leashed.kernel.run.StepSizeConfig;
import org.leashed.kernel.run.TrainingConfig;
import org.leashed.memory.PersistenceBound;

/** R^E, R^S and break-even (D.10, D.11), the series budgets, and configuration validation. */
class ElasticAccountingTest {
    @Test
    void shouldIntegrateLevelsAndFindBreakEvenWhenElasticEndsBelowBaseline() {
        ResourceLedger l = new ResourceLedger(4, 8);
        l.setLevel(1.0, 2);           // 8 for 1 s: R^E - R^S = +4; then slope -2: zero at t = 3
        l.advance(5.0);
        assertEquals(8 + 2 * 4, l.elasticWorkerSeconds(), 1e-12);
        assertEquals(20, l.staticWorkerSeconds(), 1e-12);
        assertEquals(3.0, l.breakEvenSeconds(), 1e-12);
    }

    @Test
    void shouldReportNoBreakEvenWhenElasticIsStillAboveBaseline() {
        ResourceLedger l = new ResourceLedger(4, 8);
        l.setLevel(1.0, 2);
        l.advance(2.5);               // +4 - 2 * 1.5 = +1 >= 0
        assertTrue(Double.isNaN(l.breakEvenSeconds()));
    }

    @Test
    void shouldTakeTheLastCrossingWhenDifferenceOscillates() {
        ResourceLedger l = new ResourceLedger(4, 2);   // below from the start
        l.setLevel(1.0, 8);                            // -2 at t=1, back to 0 at t=1.5, +2 at t=2
        l.setLevel(2.0, 3);                            // slope -1: zero at t=4
        l.advance(6.0);
        assertEquals(4.0, l.breakEvenSeconds(), 1e-12);
        ResourceLedger below = new ResourceLedger(8, 4);
        below.advance(3.0);
        assertEquals(0.0, below.breakEvenSeconds(), 0.0);
    }

    @Test
    void shouldKeepSeriesWithinBudgetWhenManySamplesArrive() {
        DecimatingSeries s = new DecimatingSeries(ElasticReport.MAX_POINTS - 2);
        for (int k = 0; k < 1_000_003; k++) {
            s.add(k, 1.0);
        }
        List<double[]> points = s.points();
        assertTrue(points.size() <= ElasticReport.MAX_POINTS && points.size() >= ElasticReport.MAX_POINTS / 2 - 1,
                "points " + points.size());
        for (double[] p : points) {
            assertEquals(1.0, p[1], 0.0);
        }
        StepSeries steps = new StepSeries(1);
        for (int k = 1; k <= 10_000; k++) {
            steps.change(k, 1 + (k % 2));
        }
        List<double[]> binned = steps.points(10_001, ElasticReport.MAX_POINTS);
        assertEquals(ElasticReport.MAX_POINTS, binned.size());
        assertEquals(1.5, binned.get(100)[1], 0.15); // alternating 1/2 averages to 1.5
        List<double[]> exact = new StepSeries(3).points(7, ElasticReport.MAX_POINTS);
        assertEquals(2, exact.size());
        assertEquals(7.0, exact.get(1)[0], 0.0);
        assertEquals(3.0, exact.get(1)[1], 0.0);
    }

    @Test
    void shouldResolveThesisDefaultsWhenAuto() {
        ElasticConfig c = ElasticConfig.defaults();
        assertEquals(8, c.resolvedInitialThreads(16));
        assertEquals(1, c.resolvedInitialThreads(1));
        assertEquals(100, c.probeInterval());
        assertEquals(10, c.probeDuration());
        assertEquals(1, c.probeWindow());
        assertEquals(16, c.resolvedBaselineThreads(16));
        assertEquals(12, c.withBaselineThreads(12).resolvedBaselineThreads(16));
    }

    @Test
    void shouldNameArgumentAndValueWhenConfigIsInvalid() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ElasticConfig.defaults().withProbing(0, 10, 1));
        assertTrue(e.getMessage().contains("probeInterval") && e.getMessage().contains("got 0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ElasticConfig.defaults().withProbing(100, 10, -1));
        assertTrue(e.getMessage().contains("probeWindow") && e.getMessage().contains("-1"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ElasticConfig.defaults().withXiSampleEvery(0));
        assertTrue(e.getMessage().contains("xiSampleEvery"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ElasticConfig.defaults().withFrozenCapacity(1));
        assertTrue(e.getMessage().contains("frozenCapacity"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> config(AlgorithmKind.ASYNC, 4, ElasticConfig.defaults().withInitialThreads(5)));
        assertTrue(e.getMessage().contains("initialThreads") && e.getMessage().contains("5"), e.getMessage());
    }

    @Test
    void shouldRejectElasticWhenAlgorithmIsSequentialOrSynchronous() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> config(AlgorithmKind.SYNC, 4, ElasticConfig.defaults()));
        assertTrue(e.getMessage().contains("SYNC") && e.getMessage().contains("ASYNC, HOG or LSH"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> config(AlgorithmKind.SEQ, 1, ElasticConfig.defaults()));
        assertTrue(e.getMessage().contains("SEQ"), e.getMessage());
        for (AlgorithmKind a : List.of(AlgorithmKind.ASYNC, AlgorithmKind.HOG, AlgorithmKind.LSH)) {
            assertEquals(ElasticConfig.defaults(), config(a, 4, ElasticConfig.defaults()).elastic());
        }
    }

    private static TrainingConfig config(AlgorithmKind a, int threads, ElasticConfig elastic) {
        return new TrainingConfig(a, threads, PersistenceBound.unbounded(), 1, 10, 0.1f, 0f, StepSizeConfig.none(), 1,
                List.of(0.5), 0, false).withElastic(elastic);
    }
}
