package org.leashed.kernel.run;

import java.lang.foreign.MemorySegment;

import org.leashed.kernel.Objective;

/**
 * {@link LeastSquares} with a deterministic sampler: worker w of {@code stride} workers, at its k-th
 * call, averages the gradients of rows {@code (k*stride + w)*batch ... + batch - 1} (mod n). So SYNC
 * with m workers and batch b sees, per round, exactly the rows SEQ with stride 1 and batch m*b sees.
 */
final class CyclicLeastSquares implements Objective {
    private final LeastSquares base;
    private final int batch;
    private final int stride;

    CyclicLeastSquares(LeastSquares base, int batch, int stride) {
        this.base = base;
        this.batch = batch;
        this.stride = stride;
    }

    @Override
    public int dimension() {
        return base.d;
    }

    @Override
    public void initialize(MemorySegment params, long seed) {
        base.initialize(params, seed);
    }

    @Override
    public double loss(MemorySegment params) {
        return base.loss(params);
    }

    @Override
    public Sampler newSampler(int workerId, long seed) {
        return new Sampler() {
            long calls;

            @Override
            public void reseed(long seed) {
                // deterministic in the call count alone: the cycle runs on across epochs, seeds play no part
            }

            @Override
            public float sampleGradient(MemorySegment params, MemorySegment grad) {
                final long first = (calls * stride + workerId) * batch;
                calls++;
                double[] g = new double[base.d];
                double loss = 0;
                for (int k = 0; k < batch; k++) {
                    int i = (int) ((first + k) % base.n);
                    double e = base.residual(params, i);
                    loss += 0.5 * e * e;
                    for (int j = 0; j < base.d; j++) {
                        g[j] += e * base.a[i][j];
                    }
                }
                for (int j = 0; j < base.d; j++) {
                    grad.setAtIndex(LeastSquares.F, j, (float) (g[j] / batch));
                }
                return (float) (loss / batch);
            }

            @Override
            public void close() {
            }
        };
    }
}
