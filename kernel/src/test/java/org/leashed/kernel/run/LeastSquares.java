package org.leashed.kernel.run;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;

import org.leashed.kernel.Objective;

/**
 * Synthetic least squares 0.5 * mean_i (a_i . x - b_i)^2 with b = A x* exactly, so the optimum is x*
 * with loss 0. Mini-batch gradients sample rows uniformly with replacement.
 */
final class LeastSquares implements Objective {
    static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;
    final int d;
    final int n;
    final int batch;
    final float[][] a;
    final float[] b;
    final float[] optimum;
    volatile float poisonAfterCalls = Float.NaN;

    LeastSquares(int d, int n, int batch, long seed) {
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
        for (int j = 0; j < d; j++) {
            params.setAtIndex(F, j, 0f);
        }
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

    double residual(MemorySegment x, int i) {
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
        return new Sampler() {
            SplittableRandom r = new SplittableRandom(seed);
            long calls;

            @Override
            public void reseed(long seed) {
                r = new SplittableRandom(seed);
            }

            @Override
            public float sampleGradient(MemorySegment params, MemorySegment grad) {
                calls++;
                for (int j = 0; j < d; j++) {
                    grad.setAtIndex(F, j, 0f);
                }
                double loss = 0;
                for (int k = 0; k < batch; k++) {
                    int i = r.nextInt(n);
                    double e = residual(params, i);
                    loss += 0.5 * e * e;
                    for (int j = 0; j < d; j++) {
                        grad.setAtIndex(F, j, grad.getAtIndex(F, j) + (float) (e * a[i][j] / batch));
                    }
                }
                if (!Float.isNaN(poisonAfterCalls) && calls > poisonAfterCalls) {
                    return Float.NaN;
                }
                return (float) (loss / batch);
            }

            @Override
            public void close() {
            }
        };
    }
}
