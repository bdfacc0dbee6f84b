package org.leashed.kernel.stepsize;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;

import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.api.Test;
import org.leashed.kernel.run.StalenessModel;
import org.leashed.kernel.run.StepSizeConfig;
import org.leashed.kernel.run.StepSizeKind;

class StepSizesTest {
    private static final float ETA = 0.005f;

    private static long[] randomHistogram(SplittableRandom r) {
        long[] h = new long[1 + r.nextInt(60)];
        for (int i = 0; i < h.length; i++) {
            h[i] = r.nextInt(4) == 0 ? 0 : r.nextInt(1000);
        }
        h[r.nextInt(h.length)] += 1; // never empty
        return h;
    }

    private static double mean(StepSizeTable t, long[] h, int maxStaleness) {
        double sum = 0;
        long n = 0;
        for (int tau = 0; tau < h.length && tau <= maxStaleness; tau++) {
            sum += h[tau] * (double) t.eta(tau);
            n += h[tau];
        }
        return sum / n;
    }

    @RepeatedTest(50)
    void shouldPreserveMeanAndPriorityWhenTailIsBuiltFromAnyHistogram(RepetitionInfo info) {
        SplittableRandom r = new SplittableRandom(1000 + info.getCurrentRepetition());
        long[] h = randomHistogram(r);
        double amplitude = r.nextDouble();
        StepSizeConfig config = new StepSizeConfig(StepSizeKind.TAIL, amplitude, StalenessModel.CMP, 5, 150);
        StepSizeTable t = StepSizes.build(config, ETA, 8, h, 1, 0);
        assertEquals(ETA, mean(t, h, Integer.MAX_VALUE), 1e-6 * ETA, "mean-preserving over the observed histogram");
        for (int tau = 1; tau < StepSizeTable.SIZE; tau++) {
            assertTrue(t.eta(tau) <= t.eta(tau - 1), "non-increasing at " + tau);
        }
        assertTrue(t.eta(0) <= (1 + amplitude) * ETA * (1 + 1e-6) && t.eta(5000) >= (1 - amplitude) * ETA * (1 - 1e-6));
    }

    @RepeatedTest(30)
    void shouldPreserveMeanAndCapWhenMindTheStepIsBuiltFromAnyHistogram(RepetitionInfo info) {
        SplittableRandom r = new SplittableRandom(2000 + info.getCurrentRepetition());
        long[] h = randomHistogram(r);
        for (StalenessModel model : StalenessModel.values()) {
            StepSizeConfig config = new StepSizeConfig(StepSizeKind.MINDTHESTEP, 1, model, 5, 150);
            StepSizeTable t = StepSizes.build(config, ETA, 1 + r.nextInt(16), h, 0.5 + r.nextDouble(), 0);
            assertEquals(ETA, mean(t, h, 150), 1e-4 * ETA, model + ": E[eta(tau)] = eta_c (A.26)");
            for (int tau = 0; tau < StepSizeTable.SIZE; tau++) {
                assertTrue(t.eta(tau) <= 5 * ETA * (1 + 1e-6), model + ": capped at 5 eta_c");
            }
            assertTrue(t.drops(151) && !t.drops(150));
        }
    }

    @Test
    void shouldMatchFootnoteWhenFleetBetaIsComputed() {
        for (int m = 1; m <= 64; m++) {
            double half = (m + 1) / 2.0;
            assertEquals(1 / (half + 1), Math.exp(-StepSizes.fleetBeta(m) * half), 1e-12);
        }
    }

    @Test
    void shouldDampenByStalenessWhenInverse() {
        StepSizeTable t = StepSizes.build(StepSizeConfig.of(StepSizeKind.INVERSE), ETA, 4, new long[0], 1, 0);
        assertEquals(ETA, t.eta(0));
        assertEquals(ETA, t.eta(1));
        assertEquals(ETA / 4, t.eta(4), 1e-12);
    }

    @Test
    void shouldBeConstantWhenTailHasNoObservationsYet() {
        StepSizeTable t = StepSizes.build(StepSizeConfig.of(StepSizeKind.TAIL), ETA, 4, new long[3], 1, 0);
        assertEquals(ETA, t.eta(0));
        assertEquals(ETA, t.eta(100));
    }
}
