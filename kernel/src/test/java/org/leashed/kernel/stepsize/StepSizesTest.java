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
import org.leashed.kernel.run.TailShape;

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
        StepSizeTable t = StepSizes.build(config, ETA, 8, h, 0);
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
            StepSizeTable t = StepSizes.build(config, ETA, 1 + r.nextInt(16), h, 0);
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
        StepSizeTable t = StepSizes.build(StepSizeConfig.of(StepSizeKind.INVERSE), ETA, 4, new long[0], 0);
        assertEquals(ETA, t.eta(0));
        assertEquals(ETA, t.eta(1));
        for (int tau = 1; tau < 200; tau++) {
            assertEquals(ETA / tau, t.eta(tau), 1e-12, "1/tau at " + tau);
        }
    }

    @Test
    void shouldBeConstantWhenTailHasNoObservationsYet() {
        StepSizeTable t = StepSizes.build(StepSizeConfig.of(StepSizeKind.TAIL), ETA, 4, new long[3], 0);
        assertEquals(ETA, t.eta(0));
        assertEquals(ETA, t.eta(100));
    }

    @RepeatedTest(40)
    void shouldPreserveMeanAndPriorityWhenTailUsesAnyPhiOfTheFamily(RepetitionInfo info) {
        SplittableRandom r = new SplittableRandom(3000 + info.getCurrentRepetition());
        long[] h = randomHistogram(r);
        double amplitude = r.nextDouble();
        double k = Math.exp(r.nextDouble(Math.log(0.2), Math.log(6)));
        StepSizeConfig config = new StepSizeConfig(StepSizeKind.TAIL, amplitude, StalenessModel.CMP, 5, 150, new TailShape(k));
        StepSizeTable t = StepSizes.build(config, ETA, 8, h, 0);
        assertEquals(ETA, mean(t, h, Integer.MAX_VALUE), 1e-6 * ETA, "k = " + k + ": mean-preserving (Thm C.4.8 i)");
        for (int tau = 1; tau < StepSizeTable.SIZE; tau++) {
            assertTrue(t.eta(tau) <= t.eta(tau - 1) * (1 + 1e-7), "k = " + k + ": non-increasing at " + tau + " (Thm C.4.8 ii)");
        }
        assertTrue(t.eta(0) <= (1 + amplitude) * ETA * (1 + 1e-6) && t.eta(5000) >= (1 - amplitude) * ETA * (1 - 1e-6));
    }

    @Test
    void shouldSatisfyConditionC8WhenPhiIsAnyFamilyMember() {
        for (double k : new double[] {0.25, 0.5, 1, 2, 3.5, 8}) {
            TailShape shape = new TailShape(k);
            assertEquals(0.0, shape.phi(0), 1e-15);
            assertEquals(1.0, shape.phi(1), 1e-15);
            assertEquals(0.5, StepSizes.phiIntegral(shape, 1.0), 1e-9, "integral of phi_" + k);
            for (double x = 0.01; x < 1; x += 0.01) {
                assertTrue(shape.phi(x) >= shape.phi(x - 0.01), "non-decreasing");
            }
        }
    }

    @Test
    void shouldEqualLinearTailWhenSharpnessIsOne() {
        long[] h = {5, 40, 100, 30, 2};
        StepSizeTable linear = StepSizes.build(StepSizeConfig.of(StepSizeKind.TAIL), ETA, 4, h, 0);
        // mid-point CDF: F(0) = 2.5/177, C = 1 + (1 - 2F)
        assertEquals((1 + (1 - 2 * (2.5 / 177))) * ETA, linear.eta(0), 1e-7);
        assertEquals((1 + (1 - 2 * ((45 + 50) / 177.0))) * ETA, linear.eta(2), 1e-7);
        assertEquals(0f, linear.eta(5), "above the histogram F = 1, factor 1 - A = 0");
    }

    @RepeatedTest(20)
    void shouldPreserveMeanAndCapWhenMindTheStepIsMomentumTuned(RepetitionInfo info) {
        SplittableRandom r = new SplittableRandom(4000 + info.getCurrentRepetition());
        long[] h = randomHistogram(r);
        double k = 0.9 * r.nextDouble();
        for (StalenessModel model : StalenessModel.values()) {
            StepSizeConfig config = new StepSizeConfig(StepSizeKind.MINDTHESTEP, 1, model, 5, 150);
            StepSizeTable t = StepSizes.build(config, ETA, 1 + r.nextInt(16), h, k);
            assertEquals(ETA, mean(t, h, 150), 1e-4 * ETA, model + ", K = " + k + ": E[eta(tau)] = eta_c (A.26)");
            for (int tau = 0; tau < StepSizeTable.SIZE; tau++) {
                assertTrue(t.eta(tau) >= 0 && t.eta(tau) <= 5 * ETA * (1 + 1e-6), model + ": in [0, 5 eta_c] at " + tau);
            }
        }
    }

    @Test
    void shouldMatchPoissonCdfWhenUpperIncompleteGammaIsEvaluated() {
        for (int lambda : new int[] {1, 2, 7, 16, 64}) {
            double cdf = 0;
            double logTerm = -lambda; // log(e^-lambda lambda^j / j!)
            for (int a = 1; a <= 200; a++) {
                cdf += Math.exp(logTerm); // P[Poisson(lambda) <= a - 1]
                logTerm += Math.log(lambda) - Math.log(a);
                assertEquals(cdf, StepSizes.regularizedGammaQ(a, lambda), 1e-12 + 1e-10 * cdf, "Q(" + a + ", " + lambda + ")");
            }
        }
        assertEquals(Math.exp(-3.0), StepSizes.regularizedGammaQ(1, 3), 1e-15);
    }

    /**
     * A.18 with K: the ratio of the momentum-tuned to the plain Poisson step is c(tau) = 1 - K Q(tau, m)
     * up to the normalising constant, wherever neither is capped.
     */
    @Test
    void shouldScaleByOneMinusKQWhenPoissonStepIsMomentumTuned() {
        int m = 6;
        double k = 0.5;
        long[] h = {1, 3, 8, 20, 30, 40, 40, 30, 20, 8, 3, 1};
        StepSizeConfig config = new StepSizeConfig(StepSizeKind.MINDTHESTEP, 1, StalenessModel.POISSON, 1e6, 150);
        StepSizeTable plain = StepSizes.build(config, ETA, m, h, 0);
        StepSizeTable tuned = StepSizes.build(config, ETA, m, h, k);
        double base = tuned.eta(0) / plain.eta(0); // c(0) = 1: the ratio of normalisers
        for (int tau = 1; tau < 12; tau++) {
            double c = 1 - k * StepSizes.regularizedGammaQ(tau, m);
            assertEquals(c, tuned.eta(tau) / plain.eta(tau) / base, 1e-5, "c(" + tau + ")");
        }
    }

    /** MindTheStep is not priority-preserving: lambda^-tau tau! falls until tau = lambda - 1 = m - 1, then rises (A.14). */
    @Test
    void shouldBottomOutAtModeWhenPoissonMindTheStepIsBuilt() {
        int m = 8;
        StepSizeConfig config = new StepSizeConfig(StepSizeKind.MINDTHESTEP, 1, StalenessModel.POISSON, 5, 150);
        StepSizeTable t = StepSizes.build(config, ETA, m, new long[0], 0);
        for (int tau = 1; tau < m; tau++) {
            assertTrue(t.eta(tau) <= t.eta(tau - 1), "falls before the mode at " + tau);
        }
        for (int tau = m; tau < 40; tau++) {
            assertTrue(t.eta(tau) >= t.eta(tau - 1), "rises (until the cap) after the mode at " + tau);
        }
        assertEquals(t.eta(m - 1), t.eta(m), 1e-6 * ETA, "r(m) / r(m - 1) = m / lambda = 1");
        assertEquals(5 * ETA, t.eta(150), 1e-6 * ETA, "capped at 5 eta_c");
    }

    @Test
    void shouldRecoverNuWhenHistogramFollowsConwayMaxwellPoisson() {
        int m = 5;
        for (double nu : new double[] {0.6, 1.0, 2.0}) {
            long[] h = new long[60];
            double logLambda = nu * Math.log(m);
            double logFactorial = 0;
            double[] w = new double[h.length];
            double z = 0;
            for (int tau = 0; tau < h.length; tau++) {
                if (tau > 0) {
                    logFactorial += Math.log(tau);
                }
                w[tau] = Math.exp(tau * logLambda - nu * logFactorial);
                z += w[tau];
            }
            for (int tau = 0; tau < h.length; tau++) {
                h[tau] = Math.round(1e7 * w[tau] / z);
            }
            assertEquals(nu, StepSizes.cmpNu(h, m, 150), 0.02 * nu, "fitted nu (A.13: lambda = m^nu)");
        }
        assertEquals(1.0, StepSizes.cmpNu(new long[4], m, 150), "nothing observed: Poisson");
    }

    @Test
    void shouldFollowExponentialWhenFleet() {
        int m = 7;
        StepSizeTable t = StepSizes.build(StepSizeConfig.of(StepSizeKind.FLEET), ETA, m, new long[0], 0);
        double half = (m + 1) / 2.0; // tau_thres / 2 with tau_thres = m + 1 = 8
        assertEquals(ETA / (half + 1), t.eta((long) half), 1e-9, "(tau_thres/2 + 1)^-1 at tau_thres/2");
        for (int tau = 0; tau < 50; tau++) {
            assertEquals(ETA * Math.exp(-StepSizes.fleetBeta(m) * tau), t.eta(tau), 1e-9);
        }
        assertTrue(!t.dropsAny());
    }
}
