package org.leashed.perf.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** The arithmetic and parsing of {@code -Dleashed.ab.jvms=N}: a position effect divides out, a true ratio stays. */
class GradientABTest {
    @Test
    void aSteadyPositionEffectDividesOutOverAnEvenNumberOfJvms() {
        // B truly 0.95 of A; the build loaded second takes 1.06 times what it would take loaded first
        double trueRatio = 0.95, position = 1.06;
        double[] medians = {position * trueRatio, position / trueRatio, position * trueRatio, position / trueRatio};
        double[] result = GradientAB.acrossJvms(medians);
        assertEquals(trueRatio, result[0], 1e-12);
        // each JVM alone is off by the position effect, one way or the other: the range shows it
        assertEquals(trueRatio / position, result[1], 1e-12);
        assertEquals(trueRatio * position, result[2], 1e-12);
        assertEquals(position, result[3], 1e-12);
    }

    @Test
    void theRangeIsEachJvmsRatioAsBOverA() {
        // JVM 1 (A first) B/A 1.10; JVM 2 (B first) read A/B 1.05, so B/A 0.952
        double[] result = GradientAB.acrossJvms(new double[] {1.10, 1.05});
        assertEquals(Math.sqrt(1.10 / 1.05), result[0], 1e-12);
        assertEquals(1 / 1.05, result[1], 1e-12);
        assertEquals(1.10, result[2], 1e-12);
        assertEquals(Math.sqrt(1.10 * 1.05), result[3], 1e-12);
    }

    @Test
    void anAaRunReadsOneWhateverThePositionEffect() {
        double[] result = GradientAB.acrossJvms(new double[] {1.08, 1.08});
        assertEquals(1.0, result[0], 1e-12);
        assertEquals(1.08, result[3], 1e-12);
    }

    @Test
    void ratiosThatAreNotPositiveAndFiniteAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> GradientAB.acrossJvms(new double[] {0, 1}));
        assertThrows(IllegalArgumentException.class, () -> GradientAB.acrossJvms(new double[] {1, Double.NaN}));
        assertThrows(IllegalArgumentException.class, () -> GradientAB.acrossJvms(new double[] {Double.POSITIVE_INFINITY}));
        assertThrows(IllegalArgumentException.class, () -> GradientAB.acrossJvms(new double[0]));
    }

    @Test
    void theMedianIsReadFromTheRatioLine() {
        String output = """
                A base.jar batch 512: T_c best 31414.2 us, median 32940.8 us (60 windows of 2 calls)
                B t16.jar batch 512: T_c best 34262.3 us, median 35608.1 us (60 windows of 2 calls)
                B/A per window pair: median 1.088, quartiles 1.066-1.110; B faster in 0 of 60
                """;
        assertEquals(1.088, GradientAB.medianRatio(output), 0);
    }

    @Test
    void anOutputWithoutTheRatioLineIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> GradientAB.medianRatio("Exception in thread main\n"));
        assertEquals(true, e.getMessage().contains("B/A per window pair"), e.getMessage());
    }
}
