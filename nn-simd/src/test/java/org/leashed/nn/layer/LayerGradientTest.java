package org.leashed.nn.layer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;
import org.leashed.nn.simd.Kernels;

/**
 * Finite-difference checks of single layers under the scalar loss {@code L = sum_i r_i y_i} (so
 * {@code dL/dy = r}), with seeds fixed in the arguments. Convolutions run without ReLU and pooling
 * inputs are spaced 0.01 apart, so no perturbation of 1e-3 crosses a kink.
 */
class LayerGradientTest {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final float EPS = 1e-3f;
    /**
     * Step for the convolutions: without ReLU they are linear in parameters and input, so a central difference has no
     * truncation error at any step, and a larger one divides the float rounding of the loss (a sum over up to 18,432
     * outputs in the 32 x 32 cases) by more: at 1e-3 it reached 2 % of a weight's gradient there.
     */
    private static final float CONV_EPS = 1e-2f;

    static Stream<Arguments> convolutions() {
        return Stream.of(
                // input c x h x w, filters, kernel, padding, batch, seed
                Arguments.of(1, 5, 5, 1, 3, 0, 1, 1L),
                Arguments.of(3, 7, 6, 5, 3, 1, 3, 2L),
                Arguments.of(2, 6, 9, 4, 5, 2, 2, 3L),
                Arguments.of(4, 4, 3, 3, 2, 0, 2, 4L),
                Arguments.of(2, 3, 3, 7, 1, 0, 3, 5L),
                Arguments.of(2, 5, 4, 3, 3, 2, 2, 6L),
                // 8 and 9 filters (the thesis CNN's second conv has 8): a weight gradient on one padded vector's width
                Arguments.of(2, 5, 6, 9, 3, 1, 2, 11L),
                Arguments.of(1, 7, 7, 8, 3, 0, 3, 12L),
                // 32 x 32 outputs: 1,024 columns, whose col and rows matrices Conv2d lays out 1,040 floats apart
                // (Conv2d.rowStride), with dot products and with gemm for the weight gradient
                Arguments.of(1, 32, 32, 2, 3, 1, 2, 13L),
                Arguments.of(2, 32, 32, 9, 3, 1, 1, 14L),
                // 17 filters and a 72-float patch: the weight gradient per example by gemm (Conv2d.dotWeightGradient)
                Arguments.of(8, 6, 5, 17, 3, 1, 3, 15L),
                // 16 filters and a patch of 64 or more: one GEMM on dyᵀ over the chunk (Conv2d.chunkGemmWeightGradient),
                // 30 and 35 positions (rows of 32 and 48 floats, their padding rows of dyᵀ zeroed)
                Arguments.of(8, 6, 5, 16, 3, 1, 3, 17L),
                Arguments.of(8, 9, 7, 16, 3, 0, 4, 18L),
                // 8 examples of 121 positions (128-float blocks): kept matrices 1,024 columns wide, rows 1,040 apart
                Arguments.of(1, 13, 13, 3, 3, 0, 8, 16L),
                // LeNet's two convs: past a chunk (the rebuilt scratch below) their forward convolves directly
                // (Kernels.convolve), which must give im2col + gemm's bits
                Arguments.of(1, 28, 28, 6, 5, 2, 2, 19L),
                Arguments.of(6, 14, 14, 16, 5, 0, 2, 20L));
    }

    private static void fill(MemorySegment s, long count, SplittableRandom r) {
        for (long i = 0; i < count; i++) {
            s.setAtIndex(F, i, (float) r.nextGaussian());
        }
    }

    private static double dot(MemorySegment a, MemorySegment b, long count) {
        double sum = 0;
        for (long i = 0; i < count; i++) {
            sum += (double) a.getAtIndex(F, i) * b.getAtIndex(F, i);
        }
        return sum;
    }

    /** Direct definition of the convolution, no im2col. */
    private static float directConv(Conv2d conv, MemorySegment p, MemorySegment x, int n, int co, int oy, int ox) {
        Shape in = conv.inputShape();
        int k = conv.kernel();
        long bias = (long) conv.filters() * in.channels() * k * k;
        double sum = p.getAtIndex(F, bias + co);
        for (int ci = 0; ci < in.channels(); ci++) {
            for (int kh = 0; kh < k; kh++) {
                for (int kw = 0; kw < k; kw++) {
                    int iy = oy + kh - conv.padding();
                    int ix = ox + kw - conv.padding();
                    if (iy < 0 || iy >= in.height() || ix < 0 || ix >= in.width()) {
                        continue;
                    }
                    float w = p.getAtIndex(F, ((long) co * in.channels() + ci) * k * k + kh * k + kw);
                    sum += (double) w * x.getAtIndex(F, (long) n * in.size() + ((long) ci * in.height() + iy) * in.width() + ix);
                }
            }
        }
        return (float) sum;
    }

    @ParameterizedTest
    @MethodSource("convolutions")
    void shouldMatchDirectConvolutionAndFiniteDifferencesWhenConvIsSmall(int c, int h, int w, int filters, int k, int pad, int batch,
                                                                         long seed) {
        for (Kernels kernels : new Kernels[] {Kernels.scalar(), Kernels.get()}) {
            Conv2d conv = new Conv2d(new Shape(c, h, w), filters, k, pad, false);
            SplittableRandom r = new SplittableRandom(seed);
            long in = conv.inputShape().size() * (long) batch;
            long out = conv.outputShape().size() * (long) batch;
            long d = conv.parameterCount();
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment p = arena.allocate(d * 4);
                MemorySegment g = arena.allocate(d * 4);
                MemorySegment x = arena.allocate(in * 4);
                MemorySegment dx = arena.allocate(in * 4);
                MemorySegment y = arena.allocate(out * 4);
                MemorySegment dy = arena.allocate(out * 4);
                MemorySegment rr = arena.allocate(out * 4);
                MemorySegment scratch = arena.allocate(conv.scratchByteSize(batch));
                scratch.fill((byte) 0xff); // NaN everywhere: what forward and backward read they must have written
                fill(p, d, r);
                fill(x, in, r);
                fill(rr, out, r);
                conv.forward(kernels, p, 0, x, y, batch, scratch);
                Shape o = conv.outputShape();
                for (int n = 0; n < batch; n++) {
                    for (int co = 0; co < filters; co++) {
                        for (int oy = 0; oy < o.height(); oy++) {
                            for (int ox = 0; ox < o.width(); ox++) {
                                long at = (long) n * o.size() + ((long) co * o.height() + oy) * o.width() + ox;
                                assertEquals(directConv(conv, p, x, n, co, oy, ox), y.getAtIndex(F, at), 1e-4f, "y at " + at);
                            }
                        }
                    }
                }
                MemorySegment.copy(rr, 0, dy, 0, out * 4);
                g.fill((byte) 0x7f); // garbage: backward must overwrite
                dx.fill((byte) 0x7f);
                conv.backward(kernels, p, 0, g, x, y, dy, dx, batch, scratch);
                // a scratch with room for one example fewer than the batch: backward rebuilds the column matrices in
                // chunks; y and dx have the same bits, the weight gradient sums each weight's terms in another order
                assertTrue(conv.keepsColumns(batch), "small shapes keep their column matrices");
                MemorySegment rebuilt = arena.allocate(conv.scratchByteSizeKeeping(Math.max(1, batch - 1)));
                rebuilt.fill((byte) 0xff);
                MemorySegment y2 = arena.allocate(out * 4);
                MemorySegment g2 = arena.allocate(d * 4);
                MemorySegment dx2 = arena.allocate(in * 4);
                conv.forward(kernels, p, 0, x, y2, batch, rebuilt);
                MemorySegment.copy(rr, 0, dy, 0, out * 4);
                conv.backward(kernels, p, 0, g2, x, y2, dy, dx2, batch, rebuilt);
                assertEquals(-1, y.mismatch(y2), "forward output with the column matrices rebuilt");
                // each weight is a sum of batch * P products of about unit size, rounded in two orders: a few ulps of
                // the partial sums per term at most; a wrong or missing example's terms would move it by about sqrt(P)
                float terms = (float) batch * conv.outputShape().height() * conv.outputShape().width();
                for (long i = 0; i < d; i++) {
                    float fromKept = g.getAtIndex(F, i);
                    float fromRebuilt = g2.getAtIndex(F, i);
                    assertEquals(fromRebuilt, fromKept, 1e-6f * terms * (1 + Math.abs(fromRebuilt)),
                            "parameter " + i + ", kept against rebuilt columns");
                }
                assertEquals(-1, dx.mismatch(dx2), "input gradient with the column matrices rebuilt");
                // as a first layer (no dx): the same weight gradient bits, where the kernels may take the dot products
                // from the image without rebuilding the column matrices (LeNet's first conv, Kernels#convolveWeightGradient)
                MemorySegment g3 = arena.allocate(d * 4);
                g3.fill((byte) 0x7f);
                conv.forward(kernels, p, 0, x, y2, batch, rebuilt);
                MemorySegment.copy(rr, 0, dy, 0, out * 4);
                conv.backward(kernels, p, 0, g3, x, y2, dy, null, batch, rebuilt);
                assertEquals(-1, g2.mismatch(g3), "weight gradient with the column matrices rebuilt, without dx against with it");
                java.util.function.DoubleSupplier loss = () -> {
                    conv.forward(kernels, p, 0, x, y, batch, scratch);
                    return dot(rr, y, out);
                };
                checkFiniteDifferences(loss, p, g, d, "param", CONV_EPS);
                checkFiniteDifferences(loss, x, dx, in, "input", CONV_EPS);
            }
        }
    }

    static Stream<Arguments> denses() {
        return Stream.of(
                // in, out, relu, batch, seed: out-major (out < 16) and in-major (out >= 16) weights, rows of
                // 8-15 (the tile transposes) and below 8, sizes off the vector length
                Arguments.of(5, 3, false, 2, 21L),
                Arguments.of(33, 10, false, 3, 22L),
                Arguments.of(128, 10, false, 16, 23L),
                Arguments.of(20, 15, true, 4, 24L),
                Arguments.of(17, 16, false, 3, 25L),
                Arguments.of(9, 20, true, 2, 26L),
                Arguments.of(40, 8, false, 5, 27L),
                // narrow layers whose forward transposes x (b, in) and yᵀ (out, b) on whole 16x16 tiles with
                // overlapping last tiles (batch 17, 33; in 84 = LeNet's last layer), and on element loops (b < 16)
                Arguments.of(48, 10, false, 17, 28L),
                Arguments.of(84, 10, true, 33, 29L),
                Arguments.of(16, 12, false, 16, 30L),
                Arguments.of(31, 9, false, 7, 31L));
    }

    @ParameterizedTest
    @MethodSource("denses")
    void shouldMatchDefinitionWithItsWeightLayoutAndFiniteDifferencesWhenDense(int inputs, int outputs, boolean relu, int batch,
                                                                                long seed) {
        checkDense(inputs, outputs, relu, batch, seed, 0);
    }

    /**
     * Wide layers on inputs with {@code zeros} of their elements 0 (MNIST's pixels: 0.81), some of them -0.0: at most
     * {@link Dense#SPARSE_MAX_DENSITY} nonzero, the forward and the weight gradient multiply only the nonzeros, and
     * must give the dense definition's bits; above it they run dense. Batches of 1, odd, and 16 lanes plus one.
     */
    static Stream<Arguments> sparseDenses() {
        return Stream.of(
                // in, out, relu, batch, seed, share of zeros
                Arguments.of(97, 20, true, 5, 41L, 0.8),
                Arguments.of(40, 16, false, 3, 42L, 0.9),
                Arguments.of(33, 129, false, 1, 43L, 0.75),
                Arguments.of(64, 17, true, 17, 44L, 0.8),
                Arguments.of(50, 32, false, 4, 45L, 1.0),
                Arguments.of(30, 24, false, 3, 46L, 0.4));
    }

    @ParameterizedTest
    @MethodSource("sparseDenses")
    void shouldGiveTheDenseBitsAndFiniteDifferencesWhenTheInputIsMostlyZeros(int inputs, int outputs, boolean relu, int batch, long seed,
                                                                              double zeros) {
        assertEquals(zeros >= 0.75, checkDense(inputs, outputs, relu, batch, seed, zeros), "sparse path taken");
    }

    @Test
    void shouldRefuseASparseLimitThatIsNoFractionByName() {
        assertEquals(0.3, Dense.densityProperty(null, 0.3));
        assertEquals(0.1, Dense.densityProperty(" 0.1 ", 0.3));
        assertEquals(0, Dense.densityProperty("0", 0.3));
        for (String bad : new String[] {"abc", "-0.1", "1.5", "NaN", ""}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Dense.densityProperty(bad, 0.3));
            assertTrue(e.getMessage().contains("leashed.sparse.maxDensity") && e.getMessage().contains("'" + bad + "'"), e.getMessage());
        }
    }

    @Test
    void shouldTryTheIndexOnlyWhenTheFirstRowsAreSparseEnough() {
        Dense dense = new Dense(Shape.flat(64), 32, false);
        int batch = 8;
        try (Arena arena = Arena.ofConfined()) {
            SplittableRandom r = new SplittableRandom(47);
            MemorySegment p = arena.allocate(dense.parameterCount() * 4);
            MemorySegment x = arena.allocate(64L * batch * 4);
            MemorySegment y = arena.allocate(32L * batch * 4);
            MemorySegment scratch = arena.allocate(dense.scratchByteSize(batch));
            fill(p, dense.parameterCount(), r);
            fill(x, 64L * batch, r);
            for (long i = Dense.PROBE_ROWS * 64L; i < 64L * batch; i++) {
                x.setAtIndex(F, i, 0f);
            }
            // the first rows dense, the rest zero: 4 of 8 rows nonzero is over the limit, and the probe sees it
            dense.forward(Kernels.get(), p, 0, x, y, batch, scratch);
            assertTrue(!dense.lastForwardSparse(scratch, batch), "dense first rows: dense");
            for (long i = 0; i < 64L * batch; i++) { // now 1 in 10 nonzero: the probe passes and the index is built
                x.setAtIndex(F, i, i % 10 == 0 ? 1f + i : 0f);
            }
            dense.forward(Kernels.get(), p, 0, x, y, batch, scratch);
            assertTrue(dense.lastForwardSparse(scratch, batch), "10 % nonzero: sparse");
            assertTrue(!dense.lastForwardSparse(scratch, batch + 1), "an index for this batch size only");
            for (long i = 64L * Dense.PROBE_ROWS; i < 64L * batch; i++) { // sparse probe rows, dense later ones: the index gives up
                x.setAtIndex(F, i, 1f);
            }
            dense.forward(Kernels.get(), p, 0, x, y, batch, scratch);
            assertTrue(!dense.lastForwardSparse(scratch, batch), "55 % nonzero behind a sparse probe: the index gives up, dense");
        }
    }

    /** Returns whether the forward on the production kernels multiplied the nonzeros only. */
    private static boolean checkDense(int inputs, int outputs, boolean relu, int batch, long seed, double zeros) {
        boolean tookSparse = false;
        Dense dense = new Dense(Shape.flat(inputs), outputs, relu);
        assertEquals(outputs < Dense.OUT_MAJOR_BELOW, dense.outMajor(), "layout rule");
        long d = dense.parameterCount();
        long in = (long) inputs * batch;
        long out = (long) outputs * batch;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment[] results = new MemorySegment[2];
            Kernels[] both = {Kernels.scalar(), Kernels.get()};
            for (int kk = 0; kk < both.length; kk++) {
                Kernels kernels = both[kk];
                SplittableRandom r = new SplittableRandom(seed);
                MemorySegment p = arena.allocate(d * 4);
                MemorySegment g = arena.allocate(d * 4);
                MemorySegment x = arena.allocate(in * 4);
                MemorySegment dx = arena.allocate(in * 4);
                MemorySegment y = arena.allocate(out * 4);
                MemorySegment dy = arena.allocate(out * 4);
                MemorySegment rr = arena.allocate(out * 4);
                MemorySegment scratch = arena.allocate(dense.scratchByteSize(batch));
                fill(p, d, r);
                fill(x, in, r);
                long nonzeros = in;
                if (zeros > 0) {
                    nonzeros = 0;
                    for (long i = 0; i < in; i++) {
                        if (r.nextDouble() < zeros) {
                            x.setAtIndex(F, i, r.nextBoolean() ? 0f : -0f);
                        } else {
                            nonzeros++;
                        }
                    }
                }
                fill(rr, out, r);
                scratch.fill((byte) 0x7f); // whatever a forward finds there, it must not take for its own index
                dense.forward(kernels, p, 0, x, y, batch, scratch);
                long probed = (long) Math.min(batch, Dense.PROBE_ROWS) * inputs, probedNonzeros = 0;
                for (long i = 0; i < probed; i++) {
                    probedNonzeros += x.getAtIndex(F, i) != 0f ? 1 : 0;
                }
                boolean sparse = !dense.outMajor() && probedNonzeros <= Dense.PROBE_SLACK * Dense.SPARSE_MAX_DENSITY * probed
                        && nonzeros <= Dense.SPARSE_MAX_DENSITY * in;
                assertEquals(sparse, dense.lastForwardSparse(scratch, batch), nonzeros + " of " + in + " inputs nonzero: sparse path?");
                tookSparse = sparse;
                long bias = (long) inputs * outputs;
                for (int n = 0; n < batch; n++) {
                    for (int o = 0; o < outputs; o++) {
                        double sum = p.getAtIndex(F, bias + o);
                        float chain = 0f; // the bits: one FMA chain over the inputs in order, then + bias
                        for (int i = 0; i < inputs; i++) {
                            long w = dense.outMajor() ? (long) o * inputs + i : (long) i * outputs + o;
                            sum += (double) p.getAtIndex(F, w) * x.getAtIndex(F, (long) n * inputs + i);
                            chain = Math.fma(x.getAtIndex(F, (long) n * inputs + i), p.getAtIndex(F, w), chain);
                        }
                        float expected = (float) (relu ? Math.max(sum, 0) : sum);
                        float actual = y.getAtIndex(F, (long) n * outputs + o);
                        assertEquals(expected, actual, 1e-4f, "y at " + n + "," + o);
                        float biased = chain + p.getAtIndex(F, bias + o);
                        assertEquals(Float.floatToRawIntBits(relu ? Math.max(biased, 0f) : biased), Float.floatToRawIntBits(actual),
                                "y bits at " + n + "," + o);
                    }
                }
                MemorySegment.copy(rr, 0, dy, 0, out * 4);
                g.fill((byte) 0x7f); // garbage: backward must overwrite
                dx.fill((byte) 0x7f);
                dense.backward(kernels, p, 0, g, x, y, dy, dx, batch, scratch);
                for (int i = 0; i < inputs; i++) { // the weight gradient's bits: one FMA chain over the examples in order
                    for (int o = 0; o < outputs; o++) {
                        float chain = 0f;
                        for (int n = 0; n < batch; n++) {
                            float dyn = rr.getAtIndex(F, (long) n * outputs + o);
                            float active = relu && !(y.getAtIndex(F, (long) n * outputs + o) > 0f) ? 0f : dyn;
                            chain = Math.fma(dense.outMajor() ? active : x.getAtIndex(F, (long) n * inputs + i),
                                    dense.outMajor() ? x.getAtIndex(F, (long) n * inputs + i) : active, chain);
                        }
                        long w = dense.outMajor() ? (long) o * inputs + i : (long) i * outputs + o;
                        assertEquals(Float.floatToIntBits(chain), Float.floatToIntBits(g.getAtIndex(F, w)), "dW bits at " + i + "," + o);
                    }
                }
                MemorySegment all = arena.allocate((out + d + in) * 4);
                MemorySegment.copy(y, 0, all, 0, out * 4);
                MemorySegment.copy(g, 0, all, out * 4, d * 4);
                MemorySegment.copy(dx, 0, all, (out + d) * 4, in * 4);
                results[kk] = all;
                if (!relu) { // with ReLU a perturbation may cross a kink; the definition check above covers it
                    java.util.function.DoubleSupplier loss = () -> {
                        dense.forward(kernels, p, 0, x, y, batch, scratch);
                        return dot(rr, y, out);
                    };
                    checkFiniteDifferences(loss, p, g, d, "param");
                    checkFiniteDifferences(loss, x, dx, in, "input");
                }
            }
            for (long i = 0; i < out + d + in; i++) { // y, then grad, then dx: the vector kernels give the scalar bits
                assertEquals(Float.floatToRawIntBits(results[0].getAtIndex(F, i)), Float.floatToRawIntBits(results[1].getAtIndex(F, i)),
                        "vector and scalar differ at " + i);
            }
        }
        return tookSparse;
    }

    /** Perturbs every float of {@code target} by +-EPS and compares the central difference with {@code analytic}. */
    private static void checkFiniteDifferences(java.util.function.DoubleSupplier loss, MemorySegment target, MemorySegment analytic,
                                               long count, String what) {
        checkFiniteDifferences(loss, target, analytic, count, what, EPS);
    }

    /** {@link #checkFiniteDifferences} with step {@code eps}. */
    private static void checkFiniteDifferences(java.util.function.DoubleSupplier loss, MemorySegment target, MemorySegment analytic,
                                               long count, String what, float eps) {
        for (long i = 0; i < count; i++) {
            float original = target.getAtIndex(F, i);
            target.setAtIndex(F, i, original + eps);
            double plus = loss.getAsDouble();
            target.setAtIndex(F, i, original - eps);
            double minus = loss.getAsDouble();
            target.setAtIndex(F, i, original);
            double numeric = (plus - minus) / (2 * eps);
            double exact = analytic.getAtIndex(F, i);
            assertEquals(numeric, exact, 2e-3 + 1e-2 * Math.abs(numeric), what + " " + i);
        }
    }

    static Stream<Arguments> pools() {
        return Stream.of(
                // c, h, w, batch, seed
                Arguments.of(1, 2, 2, 1, 7L),
                Arguments.of(2, 5, 7, 2, 8L),
                Arguments.of(3, 4, 6, 3, 9L),
                Arguments.of(1, 9, 3, 2, 10L));
    }

    @ParameterizedTest
    @MethodSource("pools")
    void shouldMatchFiniteDifferencesAndDropOddEdgeWhenPooling(int c, int h, int w, int batch, long seed) {
        MaxPool2x2 pool = new MaxPool2x2(new Shape(c, h, w));
        Shape o = pool.outputShape();
        assertEquals(new Shape(c, h / 2, w / 2), o);
        long in = (long) batch * c * h * w;
        long out = (long) batch * o.size();
        SplittableRandom r = new SplittableRandom(seed);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment x = arena.allocate(in * 4);
            MemorySegment dx = arena.allocate(in * 4);
            MemorySegment y = arena.allocate(out * 4);
            MemorySegment dy = arena.allocate(out * 4);
            MemorySegment rr = arena.allocate(out * 4);
            MemorySegment scratch = arena.allocate(pool.scratchByteSize(batch));
            // distinct values 0.01 apart, shuffled: no perturbation of 1e-3 changes a window's argmax
            int[] order = new int[(int) in];
            for (int i = 0; i < order.length; i++) {
                order[i] = i;
            }
            for (int i = order.length - 1; i > 0; i--) {
                int j = r.nextInt(i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
            for (int i = 0; i < order.length; i++) {
                x.setAtIndex(F, i, 0.01f * (order[i] - order.length / 2));
            }
            fill(rr, out, r);
            pool.forward(Kernels.scalar(), null, 0, x, y, batch, scratch);
            for (int n = 0; n < batch; n++) {
                for (int ch = 0; ch < c; ch++) {
                    for (int py = 0; py < o.height(); py++) {
                        for (int px = 0; px < o.width(); px++) {
                            long base = ((long) n * c + ch) * h * w;
                            float max = Float.NEGATIVE_INFINITY;
                            for (int dy2 = 0; dy2 < 2; dy2++) {
                                for (int dx2 = 0; dx2 < 2; dx2++) {
                                    max = Math.max(max, x.getAtIndex(F, base + (2L * py + dy2) * w + 2 * px + dx2));
                                }
                            }
                            long at = ((long) n * c + ch) * o.height() * o.width() + (long) py * o.width() + px;
                            assertEquals(max, y.getAtIndex(F, at), "max at " + at);
                        }
                    }
                }
            }
            MemorySegment.copy(rr, 0, dy, 0, out * 4);
            dx.fill((byte) 0x7f);
            pool.backward(Kernels.scalar(), null, 0, null, x, y, dy, dx, batch, scratch);
            java.util.function.DoubleSupplier loss = () -> {
                pool.forward(Kernels.scalar(), null, 0, x, y, batch, scratch);
                return dot(rr, y, out);
            };
            checkFiniteDifferences(loss, x, dx, in, "input");
            if (h % 2 == 1) {
                for (int ch = 0; ch < batch * c; ch++) {
                    for (int col = 0; col < w; col++) {
                        assertEquals(0f, dx.getAtIndex(F, ((long) ch * h + h - 1) * w + col), "dropped last row");
                    }
                }
            }
        }
    }

    @Test
    void shouldTakeEachWeightGradientFormWhereItsRuleSays() {
        // LeNet's second conv and the 16-filter test shapes above: one GEMM on dyᵀ over the chunk
        Conv2d lenet2 = new Conv2d(new Shape(6, 14, 14), 16, 5, 0, true);
        assertTrue(lenet2.chunkGemmWeightGradient());
        assertFalse(lenet2.dotWeightGradient());
        assertTrue(new Conv2d(new Shape(8, 6, 5), 16, 3, 1, false).chunkGemmWeightGradient());
        // dot products: few filters (the CNN's 4 and 8, LeNet's first conv's 6), or a short patch (CIFAR's first, 27 x 32)
        for (Conv2d dot : new Conv2d[] {new Conv2d(new Shape(1, 28, 28), 4, 3, 0, true), new Conv2d(new Shape(4, 26, 26), 8, 3, 0, true),
                new Conv2d(new Shape(1, 28, 28), 6, 5, 2, true), new Conv2d(new Shape(3, 32, 32), 32, 3, 1, true),
                new Conv2d(new Shape(3, 8, 8), 16, 3, 1, false)}) { // 16 filters, a 27-float patch
            assertTrue(dot.dotWeightGradient(), dot.describe());
            assertFalse(dot.chunkGemmWeightGradient(), dot.describe());
        }
        // per example on dyᵀ: CIFAR's later convs and the 17-filter shape above
        for (Conv2d perExample : new Conv2d[] {new Conv2d(new Shape(32, 32, 32), 32, 3, 1, true),
                new Conv2d(new Shape(32, 16, 16), 64, 3, 1, true), new Conv2d(new Shape(8, 6, 5), 17, 3, 1, false)}) {
            assertFalse(perExample.dotWeightGradient(), perExample.describe());
            assertFalse(perExample.chunkGemmWeightGradient(), perExample.describe());
        }
    }

    @Test
    void shouldRejectConvolutionThatDoesNotFit() {
        assertThrows(IllegalArgumentException.class, () -> new Conv2d(new Shape(1, 2, 5), 3, 3, 0, true));
        assertThrows(IllegalArgumentException.class, () -> new MaxPool2x2(new Shape(1, 1, 5)));
        assertThrows(IllegalArgumentException.class, () -> Conv2d.same(new Shape(1, 4, 4), 3, 2, true));
    }
}
