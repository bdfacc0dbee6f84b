package org.leashed.kernel.elastic;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;

import org.leashed.kernel.Objective;

/**
 * The run package's synthetic least squares 0.5 * mean_i (a_i . x - b_i)^2 with b = A x*, plus a
 * full-batch mode ({@code batch == n}: every row once, no sampling), whose gradients carry no
 * mini-batch noise, so that xi measures staleness alone.
 */
final class LeastSquaresObjective implements Objective {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;
    final int d;
    final int n;
    final int batch;
    final float[][] a;
    final float[] b;
    final float[] optimum;
    final long computeNanos;

    LeastSquaresObjective(int d, int n, int batch, long seed) {
        this(d, n, batch, seed, 0);
    }

    /**
     * @param computeNanos extra time each gradient takes, parked (not spinning): emulates a longer T_c,
     *                     so that m workers really compute concurrently even on a 2-core machine
     */
    LeastSquaresObjective(int d, int n, int batch, long seed, long computeNanos) {
        this.computeNanos = computeNanos;
        this.d = d;
        this.n = n;
        this.batch = batch;
        SplittableRandom r = new SplittableRandom(seed);
        a = new float[n][d];
        b = new float[n];
        optimum = new float[d];
        for (int j = 0; j < d; j++) {
            optimum[j] = (float) r.nextGaussian();
        }
        for (int i = 0; i < n; i++) {
            double dot = 0;
            for (int j = 0; j < d; j++) {
                a[i][j] = (float) (r.nextGaussian() / Math.sqrt(d));
                dot += a[i][j] * optimum[j];
            }
            b[i] = (float) dot;
        }
    }

    @Override
    public int dimension() {
        return d;
    }

    @Override
    public void initialize(MemorySegment params, long seed) {
        params.fill((byte) 0);
    }

    @Override
    public double loss(MemorySegment params) {
        double sum = 0;
        for (int i = 0; i < n; i++) {
            double e = residual(params, i);
            sum += 0.5 * e * e;
        }
        return sum / n;
    }

    private double residual(MemorySegment x, int i) {
        double dot = 0;
        for (int j = 0; j < d; j++) {
            dot += a[i][j] * x.getAtIndex(F, j);
        }
        return dot - b[i];
    }

    double distanceToOptimum(MemorySegment x) {
        double s = 0;
        for (int j = 0; j < d; j++) {
            double e = x.getAtIndex(F, j) - optimum[j];
            s += e * e;
        }
        return Math.sqrt(s);
    }

    @Override
    public Sampler newSampler(int workerId, long seed) {
        final double[] acc = new double[d];
        return new Sampler() {
            SplittableRandom r = new SplittableRandom(seed);

            @Override
            public void reseed(long seed) {
                r = new SplittableRandom(seed);
            }

            @Override
            public float sampleGradient(MemorySegment params, MemorySegment grad) {
                java.util.Arrays.fill(acc, 0);
                double loss = 0;
                for (int k = 0; k < batch; k++) {
                    int i = batch == n ? k : r.nextInt(n);
                    double e = residual(params, i);
                    loss += 0.5 * e * e;
                    for (int j = 0; j < d; j++) {
                        acc[j] += e * a[i][j];
                    }
                }
                for (int j = 0; j < d; j++) {
                    grad.setAtIndex(F, j, (float) (acc[j] / batch));
                }
                if (computeNanos > 0) {
                    java.util.concurrent.locks.LockSupport.parkNanos(computeNanos);
                }
                return (float) (loss / batch);
            }

            @Override
            public void close() {
            }
        };
    }
}
