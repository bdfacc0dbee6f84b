package org.leashed.nn.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.leashed.nn.data.Dataset;
import org.leashed.nn.simd.Kernels;

class NetworkGradientTest {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;

    private static Dataset randomData(int n, int c, int h, int w, int classes, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[n * c * h * w];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        byte[] labels = new byte[n];
        for (int i = 0; i < n; i++) {
            labels[i] = (byte) r.nextInt(classes);
        }
        return Dataset.fromFloats("random", x, labels, c, h, w, classes);
    }

    @Test
    void shouldHaveThesisParameterCountWhenMlpIsTableB1() {
        assertEquals(134_794, Network.mlp(784, 3, 128, 10).parameterCount());
    }

    @Test
    void shouldMatchFiniteDifferencesWhenMlpIsSmall() {
        Network net = Network.mlp(7, 2, 5, 3).withKernels(Kernels.scalar());
        Dataset data = randomData(6, 1, 1, 7, 3, 11);
        int[] batch = {0, 1, 2, 3, 4, 5};
        try (Arena arena = Arena.ofConfined(); Workspace ws = net.newWorkspace(6)) {
            int d = (int) net.parameterCount();
            MemorySegment p = arena.allocate(d * 4L);
            MemorySegment g = arena.allocate(d * 4L);
            net.initialize(p, 3, 0.5f);
            net.lossAndGradient(ws, p, g, data, batch, 6);
            float eps = 1e-3f;
            int checked = 0;
            for (int i = 0; i < d; i++) {
                float original = p.getAtIndex(F, i);
                p.setAtIndex(F, i, original + eps);
                double plus = net.lossAndGradient(ws, p, arena.allocate(d * 4L), data, batch, 6);
                p.setAtIndex(F, i, original - eps);
                double minus = net.lossAndGradient(ws, p, arena.allocate(d * 4L), data, batch, 6);
                p.setAtIndex(F, i, original);
                double numeric = (plus - minus) / (2 * eps);
                double analytic = g.getAtIndex(F, i);
                assertEquals(numeric, analytic, 2e-3 + 2e-2 * Math.abs(numeric), "parameter " + i);
                checked++;
            }
            assertEquals(d, checked);
        }
    }

    @Test
    void shouldMatchScalarNetworkWhenVectorKernelsRunTheThesisMlp() {
        Network vector = Network.mlp(784, 3, 128, 10);
        Network scalar = vector.withKernels(Kernels.scalar());
        Dataset data = randomData(37, 1, 28, 28, 10, 5);
        int[] batch = new int[37];
        for (int i = 0; i < batch.length; i++) {
            batch[i] = (i * 7) % 37;
        }
        try (Arena arena = Arena.ofConfined(); Workspace w1 = vector.newWorkspace(37); Workspace w2 = scalar.newWorkspace(37)) {
            int d = (int) vector.parameterCount();
            MemorySegment p = arena.allocate(d * 4L);
            MemorySegment g1 = arena.allocate(d * 4L);
            MemorySegment g2 = arena.allocate(d * 4L);
            vector.initialize(p, 1, 0.01f);
            float l1 = vector.lossAndGradient(w1, p, g1, data, batch, 37);
            float l2 = scalar.lossAndGradient(w2, p, g2, data, batch, 37);
            assertEquals(Float.floatToIntBits(l2), Float.floatToIntBits(l1));
            for (int i = 0; i < d; i++) {
                assertEquals(Float.floatToIntBits(g2.getAtIndex(F, i)), Float.floatToIntBits(g1.getAtIndex(F, i)), "grad " + i);
            }
            Evaluation e = vector.evaluate(w1, p, data, 0, 37);
            assertEquals(37, e.count());
            assertTrue(Math.abs(e.loss() - Math.log(10)) < 0.1, "initial loss near ln 10, got " + e.loss());
        }
    }
}
