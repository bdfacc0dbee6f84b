package org.leashed.kernel.fit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class StalenessModelFitterTest {
    private static final int SAMPLES = 200_000;

    // --- exact pmfs: distance 0 and the generating parameter comes back ---

    @Test
    void shouldReturnZeroDistanceAndExactParameterWhenObservedIsGeometricPmf() {
        final double[] pmf = new StalenessModel.Geometric(0.21).pmf(400);
        final ModelFit fit = StalenessModelFitter.fitGeometric(pmf);
        assertEquals(0.21, ((StalenessModel.Geometric) fit.model()).p(), 1e-6);
        assertEquals(0.0, fit.distance(), 1e-12);
    }

    @Test
    void shouldReturnZeroDistanceAndExactParameterWhenObservedIsUniformPmf() {
        final double[] pmf = new StalenessModel.BoundedUniform(11).pmf(11);
        final ModelFit fit = StalenessModelFitter.fitBoundedUniform(pmf);
        assertEquals(new StalenessModel.BoundedUniform(11), fit.model());
        assertEquals(0.0, fit.distance(), 1e-12);
    }

    @Test
    void shouldReturnZeroDistanceAndExactParameterWhenObservedIsPoissonPmf() {
        final double[] pmf = new StalenessModel.Poisson(19.7).pmf(200);
        final ModelFit fit = StalenessModelFitter.fitPoisson(pmf);
        assertEquals(19.7, ((StalenessModel.Poisson) fit.model()).lambda(), 1e-5);
        assertEquals(0.0, fit.distance(), 1e-12);
    }

    @Test
    void shouldReturnZeroDistanceAndExactParameterWhenObservedIsCmpPmf() {
        for (double nu : new double[] {0.39, 0.93, 3.48, 6.28}) {
            final int workers = 16;
            final double[] pmf = new StalenessModel.ConwayMaxwellPoisson(workers, nu).pmf(600);
            final ModelFit fit = StalenessModelFitter.fitConwayMaxwellPoisson(pmf, workers);
            final var model = (StalenessModel.ConwayMaxwellPoisson) fit.model();
            assertEquals(nu, model.nu(), 1e-5 * nu, "nu");
            assertEquals(Math.pow(workers, model.nu()), model.lambda(), 1e-9 * model.lambda(), "lambda = m^nu");
            assertEquals(0.0, fit.distance(), 1e-12, "distance for nu=" + nu);
        }
    }

    // --- sampled data (seeded): parameters recovered within sampling error ---

    @Test
    void shouldRecoverGeometricParameterWhenFittingSeededSamples() {
        final SplittableRandom random = new SplittableRandom(11);
        final double p = 0.12;
        final long[] histogram = new long[4096];
        for (int i = 0; i < SAMPLES; i++) {
            int failures = 0;
            while (random.nextDouble() >= p) {
                failures++;
            }
            histogram[failures]++;
        }
        final List<ModelFit> fits = StalenessModelFitter.fitAll(histogram, 8);
        final ModelFit geometric = fits.get(StalenessModel.Family.GEOM.ordinal());
        assertEquals(p, ((StalenessModel.Geometric) geometric.model()).p(), 0.005);
        assertTrue(geometric.distance() < 1e-3, "distance " + geometric.distance());
        assertEquals(StalenessModel.Family.GEOM, StalenessModelFitter.best(fits).model().family());
    }

    @Test
    void shouldRecoverUniformBoundWhenFittingSeededSamples() {
        final SplittableRandom random = new SplittableRandom(12);
        final long[] histogram = new long[64];
        for (int i = 0; i < SAMPLES; i++) {
            histogram[random.nextInt(23)]++; // tau in 0..22
        }
        final List<ModelFit> fits = StalenessModelFitter.fitAll(histogram, 16);
        final ModelFit uniform = fits.get(StalenessModel.Family.UNIFORM.ordinal());
        assertEquals(new StalenessModel.BoundedUniform(22), uniform.model());
        assertEquals(StalenessModel.Family.UNIFORM, StalenessModelFitter.best(fits).model().family());
    }

    @Test
    void shouldRecoverPoissonRateWhenFittingSeededSamples() {
        final SplittableRandom random = new SplittableRandom(13);
        final double lambda = 8.0;
        final long[] histogram = new long[256];
        for (int i = 0; i < SAMPLES; i++) {
            // Knuth: count uniforms until their product drops below e^-lambda.
            final double limit = Math.exp(-lambda);
            int k = 0;
            double product = random.nextDouble();
            while (product > limit) {
                k++;
                product *= random.nextDouble();
            }
            histogram[k]++;
        }
        final List<ModelFit> fits = StalenessModelFitter.fitAll(histogram, 8);
        final ModelFit poisson = fits.get(StalenessModel.Family.POISSON.ordinal());
        assertEquals(lambda, ((StalenessModel.Poisson) poisson.model()).lambda(), 0.05);
        // CMP with m = 8 contains Poisson(8) (nu = 1), so it must fit at least as well and find nu ~ 1.
        final ModelFit cmp = fits.get(StalenessModel.Family.CMP.ordinal());
        assertEquals(1.0, ((StalenessModel.ConwayMaxwellPoisson) cmp.model()).nu(), 0.02);
        assertTrue(poisson.distance() < fits.get(StalenessModel.Family.GEOM.ordinal()).distance());
        assertTrue(poisson.distance() < fits.get(StalenessModel.Family.UNIFORM.ordinal()).distance());
    }

    @Test
    void shouldRecoverCmpDecayWhenFittingSeededSamples() {
        final SplittableRandom random = new SplittableRandom(14);
        final int workers = 16;
        final double nu = 3.48;
        // Inverse-CDF sampling from weights lambda^i / (i!)^nu computed independently with lgamma-free logs.
        final int support = 80;
        final double[] cdf = new double[support];
        double total = 0.0;
        for (int i = 0; i < support; i++) {
            double logFactorial = 0.0;
            for (int k = 2; k <= i; k++) {
                logFactorial += Math.log(k);
            }
            total += Math.exp(i * nu * Math.log(workers) - nu * logFactorial - 100.0);
            cdf[i] = total;
        }
        final long[] histogram = new long[support];
        for (int s = 0; s < SAMPLES; s++) {
            final double u = random.nextDouble() * total;
            int i = 0;
            while (cdf[i] < u) {
                i++;
            }
            histogram[i]++;
        }
        final List<ModelFit> fits = StalenessModelFitter.fitAll(histogram, workers);
        final var cmp = (StalenessModel.ConwayMaxwellPoisson) fits.get(StalenessModel.Family.CMP.ordinal()).model();
        assertEquals(nu, cmp.nu(), 0.1);
        assertEquals(StalenessModel.Family.CMP, StalenessModelFitter.best(fits).model().family());
    }

    // --- model properties ---

    @Test
    void shouldSumToOneWhenCmpNormaliserIsComputedInLogSpace() {
        for (double nu : new double[] {0.01, 0.5, 1.0, 6.0, 80.0}) {
            final double[] pmf = new StalenessModel.ConwayMaxwellPoisson(32, nu).pmf(20_000);
            double sum = 0.0;
            for (double mass : pmf) {
                assertTrue(Double.isFinite(mass), "finite mass for nu=" + nu);
                sum += mass;
            }
            assertEquals(1.0, sum, 1e-9, "sum for nu=" + nu);
        }
    }

    @Test
    void shouldEqualPoissonWhenCmpDecayIsOne() {
        final double[] cmp = new StalenessModel.ConwayMaxwellPoisson(5, 1.0).pmf(40);
        final double[] poisson = new StalenessModel.Poisson(5.0).pmf(40);
        for (int tau = 0; tau <= 40; tau++) {
            assertEquals(poisson[tau], cmp[tau], 1e-12, "tau=" + tau);
        }
        // Spot value: P[Poi(5) = 3] = e^-5 125 / 6.
        assertEquals(Math.exp(-5.0) * 125.0 / 6.0, poisson[3], 1e-15);
    }

    @Test
    void shouldReturnInfiniteDistanceWhenSupportsAreDisjoint() {
        final double[] observed = {0.0, 0.0, 0.0, 1.0};
        assertEquals(Double.POSITIVE_INFINITY,
                BhattacharyyaDistance.between(observed, new StalenessModel.BoundedUniform(1)));
    }

    // --- input validation ---

    @Test
    void shouldRejectHistogramWhenCountIsNegativeOrTotalIsZero() {
        final var negative = assertThrows(IllegalArgumentException.class,
                () -> StalenessModelFitter.fitAll(new long[] {3, -1}, 2));
        assertTrue(negative.getMessage().contains("tau=1") && negative.getMessage().contains("-1"),
                negative.getMessage());
        assertThrows(IllegalArgumentException.class, () -> StalenessModelFitter.fitAll(new long[] {0, 0}, 2));
        assertThrows(IllegalArgumentException.class, () -> StalenessModelFitter.fitAll(new long[0], 2));
        assertThrows(IllegalArgumentException.class,
                () -> StalenessModelFitter.fitAll(new double[] {0.5, Double.NaN}, 2));
        final var workers = assertThrows(IllegalArgumentException.class,
                () -> StalenessModelFitter.fitAll(new long[] {1}, 0));
        assertTrue(workers.getMessage().contains("workers"), workers.getMessage());
    }

    @Test
    void shouldFitAllFamiliesWhenOnlyZeroStalenessIsObserved() {
        final List<ModelFit> fits = StalenessModelFitter.fitAll(new long[] {1000, 0, 0}, 1);
        assertInstanceOf(StalenessModel.Geometric.class, fits.get(0).model());
        assertEquals(1.0, ((StalenessModel.Geometric) fits.get(0).model()).p(), 1e-9);
        assertEquals(new StalenessModel.BoundedUniform(0), fits.get(1).model());
        for (ModelFit fit : fits.subList(0, 3)) {
            assertTrue(fit.distance() < 1e-4, fit.toString());
        }
        // CMP under lambda^(1/nu) = m puts equal mass on tau = m-1 and tau = m, so with m = 1 its best
        // is P[0] = P[1] = 1/2 (nu -> infinity): D_B = -ln sqrt(1/2) = ln(2)/2.
        assertEquals(Math.log(2.0) / 2.0, fits.get(3).distance(), 1e-9);
    }
}
