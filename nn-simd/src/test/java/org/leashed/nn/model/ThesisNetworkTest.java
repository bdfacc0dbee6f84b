package org.leashed.nn.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.leashed.nn.data.Dataset;
import org.leashed.nn.layer.Conv2d;
import org.leashed.nn.layer.Dense;
import org.leashed.nn.layer.Layer;
import org.leashed.nn.layer.MaxPool2x2;
import org.leashed.nn.layer.Shape;
import org.leashed.nn.simd.Kernels;

/** The thesis convolutional networks: parameter counts, finite differences, vector-vs-scalar, allocation. */
class ThesisNetworkTest {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final ValueLayout.OfInt I = ValueLayout.JAVA_INT_UNALIGNED;

    private static Dataset randomPixels(int n, int c, int h, int w, int classes, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        byte[] x = new byte[n * c * h * w];
        for (int i = 0; i < x.length; i++) {
            x[i] = (byte) r.nextInt(256);
        }
        byte[] labels = new byte[n];
        for (int i = 0; i < n; i++) {
            labels[i] = (byte) r.nextInt(classes);
        }
        return Dataset.fromBytes("random-pixels", x, labels, c, h, w, classes, 1f / 255f);
    }

    /** Pixels of which {@code zeros} are 0 (MNIST: 0.81), the rest 1..255: inputs for the sparse first layer. */
    private static Dataset mostlyZeroPixels(int n, int c, int h, int w, int classes, double zeros, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        byte[] x = new byte[n * c * h * w];
        for (int i = 0; i < x.length; i++) {
            x[i] = r.nextDouble() < zeros ? 0 : (byte) (1 + r.nextInt(255));
        }
        byte[] labels = new byte[n];
        for (int i = 0; i < n; i++) {
            labels[i] = (byte) r.nextInt(classes);
        }
        return Dataset.fromBytes("mostly-zero-pixels", x, labels, c, h, w, classes, 1f / 255f);
    }

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
    void shouldHaveThesisParameterCountsWhenInputIsMnistOrCifar() {
        assertEquals(27_354, Network.cnn(1, 28, 28, 10).parameterCount());
        assertEquals(61_706, Network.lenet(1, 28, 28, 10).parameterCount());
        assertEquals(1_116_970, Network.cifarCnn(3, 32, 32, 10).parameterCount());
        assertEquals(134_794, Network.mlp(784, 3, 128, 10).parameterCount());
        Network cnn = Network.cnn(1, 28, 28, 10);
        assertEquals(784, cnn.inputs());
        assertEquals(10, cnn.classes());
        assertEquals(List.of(new Shape(4, 26, 26), new Shape(4, 13, 13), new Shape(8, 11, 11), new Shape(8, 5, 5), Shape.flat(128),
                Shape.flat(10)), cnn.layers().stream().map(Layer::outputShape).toList());
        assertEquals(
                "CNN 1x28x28: conv3x3x4-relu maxpool2x2 conv3x3x8-relu maxpool2x2 dense128-relu dense10 (d=27354)",
                cnn.describe());
    }

    @Test
    void shouldRejectInputsTooSmallOrMismatchedData() {
        assertThrows(IllegalArgumentException.class, () -> Network.cnn(1, 9, 28, 10));
        assertThrows(IllegalArgumentException.class, () -> Network.lenet(1, 11, 11, 10));
        assertThrows(IllegalArgumentException.class,
                () -> Network.sequential("bad", new Shape(1, 4, 4), List.of(new Dense(Shape.flat(16), 3, true))));
        assertThrows(IllegalArgumentException.class, () -> Network.sequential("bad", new Shape(1, 4, 4),
                List.of(new MaxPool2x2(new Shape(1, 4, 5)), new Dense(Shape.flat(4), 3, false))));
        Network cnn = Network.cnn(1, 12, 12, 3);
        Dataset transposed = randomData(2, 1, 16, 9, 3, 1); // 144 features, wrong shape
        try (Arena arena = Arena.ofConfined(); Workspace ws = cnn.newWorkspace(2)) {
            MemorySegment p = arena.allocate(cnn.parameterCount() * 4);
            assertThrows(IllegalArgumentException.class, () -> cnn.lossAndGradient(ws, p, p, transposed, new int[] {0, 1}, 2));
        }
    }

    static Stream<Arguments> tinyNetworks() {
        Shape in = new Shape(2, 7, 6);
        Network convDense = Network.sequential("conv-dense", in,
                List.of(new Conv2d(in, 3, 3, 1, true), new Dense(new Shape(3, 7, 6), 4, false)));
        Network poolConv = Network.sequential("pool-conv", in,
                List.of(new MaxPool2x2(in), new Conv2d(new Shape(2, 3, 3), 3, 2, 0, true), new Dense(new Shape(3, 2, 2), 3, false)));
        return Stream.of(
                // network, channels, height, width, classes, stddev, parameters sampled per layer
                Arguments.of(convDense.withKernels(Kernels.scalar()), 2, 7, 6, 4, 0.4f, 1000),
                Arguments.of(poolConv.withKernels(Kernels.scalar()), 2, 7, 6, 3, 0.4f, 1000),
                Arguments.of(Network.cnn(1, 10, 11, 5).withKernels(Kernels.scalar()), 1, 10, 11, 5, 0.3f, 60),
                Arguments.of(Network.lenet(1, 12, 12, 4).withKernels(Kernels.scalar()), 1, 12, 12, 4, 0.2f, 60),
                Arguments.of(Network.cifarCnn(1, 4, 4, 3).withKernels(Kernels.scalar()), 1, 4, 4, 3, 0.1f, 20),
                Arguments.of(Network.mlp(9, 2, 5, 3).withKernels(Kernels.scalar()), 1, 3, 3, 3, 0.5f, 1000),
                Arguments.of(Network.cnn(1, 10, 11, 5), 1, 10, 11, 5, 0.3f, 40));
    }

    /**
     * Everything that makes the loss non-smooth: the ReLU masks of every layer's output and the
     * pooling argmax indices. A finite difference whose perturbed forward passes change any of it
     * straddles a kink and is not compared.
     */
    private static int[] kinkPattern(Network net, Workspace ws, int batch) {
        List<Integer> out = new ArrayList<>();
        for (int l = 0; l < net.layers.length; l++) {
            Layer layer = net.layers[l];
            long size = (long) batch * layer.outputShape().size();
            boolean relu = layer instanceof Dense dense && dense.relu() || layer instanceof Conv2d conv && conv.relu();
            if (relu) {
                for (long i = 0; i < size; i++) {
                    out.add(ws.activations[l + 1].getAtIndex(F, i) > 0f ? 1 : 0);
                }
            } else if (layer instanceof MaxPool2x2) {
                for (long i = 0; i < size; i++) {
                    out.add(ws.scratch[l].getAtIndex(I, i));
                }
            }
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    @ParameterizedTest
    @MethodSource("tinyNetworks")
    void shouldMatchFiniteDifferencesWhenNetworkIsTiny(Network net, int c, int h, int w, int classes, float stddev, int perLayer) {
        int batch = 3;
        Dataset data = randomData(batch, c, h, w, classes, 17);
        int[] indices = {2, 0, 1};
        SplittableRandom pick = new SplittableRandom(23);
        try (Arena arena = Arena.ofConfined(); Workspace ws = net.newWorkspace(4)) {
            int d = (int) net.parameterCount();
            MemorySegment p = arena.allocate(d * 4L);
            MemorySegment g = arena.allocate(d * 4L);
            MemorySegment scratchGrad = arena.allocate(d * 4L);
            net.initialize(p, 3, stddev);
            g.fill((byte) 0x7f); // garbage: lossAndGradient must overwrite
            final double base = net.lossAndGradient(ws, p, g, data, indices, batch);
            final int[] basePattern = kinkPattern(net, ws, batch);
            final float eps = 1e-3f;
            int central = 0;
            int oneSided = 0;
            int skipped = 0;
            for (int l = 0; l < net.layers.length; l++) {
                long count = net.layers[l].parameterCount();
                long start = net.parameterIndex(l);
                int samples = (int) Math.min(count, perLayer);
                for (int s = 0; s < samples; s++) {
                    // all of a small layer; else random weights plus the last (a bias)
                    long i = start + (count <= perLayer ? s : s == 0 ? count - 1 : pick.nextLong(count));
                    float original = p.getAtIndex(F, i);
                    p.setAtIndex(F, i, original + eps);
                    double plus = net.lossAndGradient(ws, p, scratchGrad, data, indices, batch);
                    boolean plusKink = !Arrays.equals(basePattern, kinkPattern(net, ws, batch));
                    p.setAtIndex(F, i, original - eps);
                    double minus = net.lossAndGradient(ws, p, scratchGrad, data, indices, batch);
                    boolean minusKink = !Arrays.equals(basePattern, kinkPattern(net, ws, batch));
                    p.setAtIndex(F, i, original);
                    double numeric;
                    double tolerance;
                    if (!plusKink && !minusKink) {
                        numeric = (plus - minus) / (2 * eps);
                        tolerance = 3e-3 + 2e-2 * Math.abs(numeric);
                        central++;
                    } else if (plusKink && minusKink) {
                        skipped++; // a ReLU or a pooling choice flips on both sides: not differentiable here at this eps
                        continue;
                    } else {
                        // the kink is on one side only: a one-sided difference on the smooth side, O(eps) error
                        numeric = plusKink ? (base - minus) / eps : (plus - base) / eps;
                        tolerance = 6e-3 + 5e-2 * Math.abs(numeric);
                        oneSided++;
                    }
                    double analytic = g.getAtIndex(F, i);
                    assertEquals(numeric, analytic, tolerance, net.describe() + " layer " + l + " parameter " + i
                            + (plusKink || minusKink ? " (one-sided)" : ""));
                }
            }
            int checked = central + oneSided;
            assertTrue(skipped <= checked / 10, "too many two-sided kinks: " + skipped + " of " + (checked + skipped));
            assertTrue(oneSided <= checked / 2, "too many one-sided checks: " + oneSided + " of " + checked);
            assertTrue(checked >= 40, "checked only " + checked);
        }
    }

    static Stream<Arguments> thesisNetworks() {
        return Stream.of(
                Arguments.of(Network.cnn(1, 28, 28, 10), 1, 28, 28, 37),
                Arguments.of(Network.lenet(1, 28, 28, 10), 1, 28, 28, 13),
                Arguments.of(Network.cifarCnn(3, 12, 12, 10), 3, 12, 12, 7));
    }

    @ParameterizedTest
    @MethodSource("thesisNetworks")
    void shouldMatchScalarNetworkBitForBitWhenVectorKernelsRun(Network vector, int c, int h, int w, int batchSize) {
        Dataset data = randomData(batchSize + 3, c, h, w, 10, 5);
        int[] batch = new int[batchSize];
        for (int i = 0; i < batch.length; i++) {
            batch[i] = (i * 7 + 2) % (batchSize + 3);
        }
        assertSameBitsAsScalar(vector, data, batch, 1, 1, (ws, p) -> {
            Evaluation e = vector.evaluate(ws, p, data, 0, batchSize + 3);
            assertEquals(batchSize + 3, e.count());
            assertTrue(Double.isFinite(e.loss()) && e.accuracy() >= 0 && e.accuracy() <= 1, e.toString());
        });
    }

    /**
     * {@code steps} gradients of {@code vector} and of the same network on the scalar kernels from parameters initialised
     * with {@code seed}, each followed by a step of -0.1 times the gradient: the same loss and gradient bits every time.
     * Then {@code after} gets the vector network's workspace and parameters.
     */
    private static void assertSameBitsAsScalar(Network vector, Dataset data, int[] batch, long seed, int steps,
                                               java.util.function.BiConsumer<Workspace, MemorySegment> after) {
        Network scalar = vector.withKernels(Kernels.scalar());
        int batchSize = batch.length;
        try (Arena arena = Arena.ofConfined(); Workspace w1 = vector.newWorkspace(batchSize); Workspace w2 = scalar.newWorkspace(batchSize)) {
            int d = (int) vector.parameterCount();
            MemorySegment p = arena.allocate(d * 4L);
            MemorySegment g1 = arena.allocate(d * 4L);
            MemorySegment g2 = arena.allocate(d * 4L);
            vector.initialize(p, seed, 0.05f);
            for (int step = 0; step < steps; step++) {
                float l1 = vector.lossAndGradient(w1, p, g1, data, batch, batchSize);
                float l2 = scalar.lossAndGradient(w2, p, g2, data, batch, batchSize);
                assertEquals(Float.floatToIntBits(l2), Float.floatToIntBits(l1), "loss, step " + step);
                for (int i = 0; i < d; i++) {
                    assertEquals(Float.floatToIntBits(g2.getAtIndex(F, i)), Float.floatToIntBits(g1.getAtIndex(F, i)), "grad " + i
                            + ", step " + step);
                }
                Kernels.scalar().axpy(d, -0.1f, g1, 0, p, 0);
            }
            after.accept(w1, p);
        }
    }

    /** The thesis MLP on MNIST-like pixels (81 % zeros): its first layer multiplies only the nonzeros, in both kernel sets. */
    @Test
    void shouldMatchScalarBitForBitWhenTheMlpsInputIsMostlyZeros() {
        Dataset data = mostlyZeroPixels(64, 1, 28, 28, 10, 0.81, 6);
        int[] batch = java.util.stream.IntStream.range(0, 37).map(i -> (i * 5 + 3) % 64).toArray();
        // the second step reuses the layer's index space and flag
        assertSameBitsAsScalar(Network.mlp(784, 3, 128, 10), data, batch, 2, 2, (ws, p) -> { });
    }

    @Test
    void shouldStartNearLnTenWhenCnnIsInitialisedAsInTheThesis() {
        Network cnn = Network.cnn(1, 28, 28, 10);
        Dataset data = randomData(64, 1, 28, 28, 10, 9);
        try (Arena arena = Arena.ofConfined(); Workspace ws = cnn.newWorkspace(32)) {
            MemorySegment p = arena.allocate(cnn.parameterCount() * 4);
            cnn.initialize(p, 7, 0.01f);
            Evaluation e = cnn.evaluate(ws, p, data, 0, 64);
            assertEquals(Math.log(10), e.loss(), 0.01);
        }
    }

    @Test
    @Tag("allocation")
    void shouldAllocateNothingWhenComputingGradients() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        // Production kernels (Kernels.get(), the Vector API): runs in the surefire execution
        // "allocation", a JVM that loads only the preferred VectorKernels width, as production does
        // (with every width loaded the species() call is megamorphic and C2 boxes vectors). Checks
        // the layers, the network code and the kernels. Rounds of 100 calls until one allocates
        // nothing: the interpreter and C1 may allocate (no escape analysis) until C2 has compiled the loops.
        assertTrue(Kernels.get().description().startsWith("vector"), "allocation test must run the vector kernels, got "
                + Kernels.get().description());
        Shape small = new Shape(2, 6, 5);
        Network samePadded = Network.sequential("same-padded", small, List.of(Conv2d.same(small, 3, 3, true),
                new MaxPool2x2(new Shape(3, 6, 5)), new Dense(new Shape(3, 3, 2), 6, true), new Dense(Shape.flat(6), 10, false)));
        Network mlp = Network.mlp(20, 2, 8, 10);
        // batch 4, and the MLP at 512 too: the softmax kernel's example loop then runs 32 vectors (16 lanes), where
        // C2 once boxed a zero vector per call (80 B) that 4, 16 or 128 examples never showed
        // and an MLP with 32-wide layers on mostly-zero pixels at 512: the sparse first layer (the 8-wide ones are out-major);
        // and the thesis MLP itself at 16 on all three kinds of data and at 512 on mostly-zero pixels: its 4x4 GEMM blocks
        // allocated their A and B slices (880-2,640 B per gradient) until the JVM flags of the pom's argLine (NOTES 26.4)
        Network thesisMlp = Network.mlp(784, 3, 128, 10);
        Object[][] cases = {{Network.cnn(1, 10, 11, 10), 4}, {Network.lenet(1, 12, 12, 10), 4}, {samePadded, 4}, {mlp, 4}, {mlp, 512},
            {Network.mlp(60, 2, 32, 10), 512, "mostly zeros"}, {thesisMlp, 16, "all"}, {thesisMlp, 512, "mostly zeros"}};
        for (Object[] c : cases) {
            Network net = (Network) c[0];
            Network vector = net;
            int batch = (Integer) c[1];
            Shape in = net.inputShape();
            int[] pattern = {7, 1, 3, 5};
            int[] indices = java.util.stream.IntStream.range(0, batch).map(i -> pattern[i % 4]).toArray();
            // float-backed (generated) and byte-backed (read from pixel files: converted as gathered)
            Dataset zeros = mostlyZeroPixels(8, in.channels(), in.height(), in.width(), 10, 0.81, 3);
            Dataset floats = randomData(8, in.channels(), in.height(), in.width(), 10, 3);
            Dataset pixels = randomPixels(8, in.channels(), in.height(), in.width(), 10, 3);
            Dataset[] datasets = c.length == 2 ? new Dataset[] {floats, pixels}
                    : "all".equals(c[2]) ? new Dataset[] {floats, pixels, zeros} : new Dataset[] {zeros};
            for (Dataset data : datasets) {
            try (Arena arena = Arena.ofConfined(); Workspace ws = vector.newWorkspace(batch)) {
                MemorySegment p = arena.allocate(net.parameterCount() * 4);
                MemorySegment g = arena.allocate(net.parameterCount() * 4);
                vector.initialize(p, 1, 0.1f);
                long allocated = Long.MAX_VALUE;
                // C2 needs ~70 rounds with -ea on an idle core, more under load. A round of these small networks
                // takes 1-3 ms, so 500 rounds alone can end inside one burst of recompiles on a busy 2-core host: a
                // network whose GEMMs are the first to take a block or branch (the same-padded conv's 8x2 pairs)
                // then fails while gemm and the block are still being recompiled (NOTES 21.3). Hence also 30 s.
                final long warmUpEnd = System.nanoTime() + 30_000_000_000L;
                for (int round = 0; (round < 500 || System.nanoTime() < warmUpEnd) && allocated > 0; round++) {
                    long before = threads.getCurrentThreadAllocatedBytes();
                    for (int i = 0; i < 100; i++) {
                        vector.lossAndGradient(ws, p, g, data, indices, batch);
                    }
                    allocated = threads.getCurrentThreadAllocatedBytes() - before;
                }
                assertEquals(0, allocated, net.describe() + " at batch " + batch + " on " + data.name()
                        + ": bytes allocated by 100 calls after 500 rounds and 30 s of warm-up");
            }
            }
        }
    }

    @Test
    @Tag("allocation")
    void shouldAllocateNothingWhenConvBackwardRebuildsColumnsInChunks() {
        // The networks above fit one chunk (their columns are kept from forward); here each scratch holds 2 examples'
        // column matrices at batches of 5 and 3, so backward rebuilds them in chunks, once with dot products for the
        // weight gradient (5 filters) and once per example by gemm (17 filters on a 72-float patch). Same JVM and
        // warm-up rule as the test above.
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        assertTrue(Kernels.get().description().startsWith("vector"), "allocation test must run the vector kernels, got "
                + Kernels.get().description());
        Kernels kernels = Kernels.get();
        Object[][] cases = {{new Conv2d(new Shape(2, 7, 6), 5, 3, 1, true), 5}, {new Conv2d(new Shape(8, 5, 5), 17, 3, 1, false), 3}};
        for (Object[] c : cases) {
            Conv2d conv = (Conv2d) c[0];
            int batch = (Integer) c[1];
            SplittableRandom r = new SplittableRandom(batch);
            long in = conv.inputShape().size() * (long) batch;
            long out = conv.outputShape().size() * (long) batch;
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment p = arena.allocate(conv.parameterCount() * 4);
                MemorySegment g = arena.allocate(conv.parameterCount() * 4);
                MemorySegment x = arena.allocate(in * 4);
                MemorySegment dx = arena.allocate(in * 4);
                MemorySegment y = arena.allocate(out * 4);
                MemorySegment dy = arena.allocate(out * 4);
                MemorySegment scratch = arena.allocate(conv.scratchByteSizeKeeping(2));
                for (long i = 0; i < conv.parameterCount(); i++) {
                    p.setAtIndex(F, i, (float) r.nextGaussian() * 0.1f);
                }
                for (long i = 0; i < in; i++) {
                    x.setAtIndex(F, i, (float) r.nextGaussian());
                }
                long allocated = Long.MAX_VALUE;
                final long warmUpEnd = System.nanoTime() + 30_000_000_000L;
                for (int round = 0; (round < 500 || System.nanoTime() < warmUpEnd) && allocated > 0; round++) {
                    long before = threads.getCurrentThreadAllocatedBytes();
                    for (int i = 0; i < 100; i++) {
                        conv.forward(kernels, p, 0, x, y, batch, scratch);
                        MemorySegment.copy(y, 0, dy, 0, out * 4);
                        conv.backward(kernels, p, 0, g, x, y, dy, dx, batch, scratch);
                    }
                    allocated = threads.getCurrentThreadAllocatedBytes() - before;
                }
                assertEquals(0, allocated, conv.describe() + " at batch " + batch + " in chunks of 2"
                        + ": bytes allocated by 100 calls after 500 rounds and 30 s of warm-up");
            }
        }
    }
}
