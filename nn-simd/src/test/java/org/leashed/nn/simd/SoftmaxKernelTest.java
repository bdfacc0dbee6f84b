package org.leashed.nn.simd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import jdk.incubator.vector.VectorSpecies;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The softmax cross-entropy kernel and its exp: same bits in every species as the scalar reference, and right. */
class SoftmaxKernelTest {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;

    static Stream<Arguments> shapes() {
        return KernelEquivalenceTest.species().flatMap(s -> IntStream.of(0, 1, s.length() - 1, s.length(), s.length() + 1,
                        2 * s.length() + 3, 37, 512).distinct().filter(n -> n >= 0)
                .boxed().flatMap(n -> IntStream.of(1, 2, 10, 17).mapToObj(c -> Arguments.of(s, n, c))));
    }

    /** Logits of three kinds: Gaussian, spread over +-100 (exp's clamp), and rows with tied maxima. */
    private static void fill(MemorySegment logits, long off, int n, int classes, SplittableRandom r) {
        for (int row = 0; row < n; row++) {
            final int kind = row % 3;
            final float tie = (float) r.nextGaussian();
            for (int c = 0; c < classes; c++) {
                final float z = switch (kind) {
                    case 0 -> (float) (3 * r.nextGaussian());
                    case 1 -> (float) (200 * r.nextDouble() - 100);
                    default -> c % 3 == 1 ? tie + 1 : tie;
                };
                logits.setAtIndex(F, off + (long) row * classes + c, z);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("shapes")
    void shouldMatchScalarBitForBit(VectorSpecies<Float> species, int n, int classes) {
        Kernels v = VectorKernels.of(species);
        Kernels s = Kernels.scalar();
        SplittableRandom r = new SplittableRandom(31L * n + classes);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment logits = arena.allocate(((long) n * classes + 3) * Float.BYTES);
            fill(logits, 3, n, classes, r);
            int[] labels = r.ints(n + 2, 0, classes).toArray();
            MemorySegment d1 = arena.allocate(((long) n * classes + 5) * Float.BYTES);
            d1.fill((byte) 0x41);
            MemorySegment d2 = arena.allocate(d1.byteSize()).copyFrom(d1);
            MemorySegment scratch = arena.allocate(Kernels.softmaxScratchFloats(n, classes) * Float.BYTES, 64);
            long[] c1 = {5};
            long[] c2 = {5};
            double l1 = s.softmaxCrossEntropy(logits, 3, n, classes, labels, d1, 2, 0.25f, c1, scratch);
            double l2 = v.softmaxCrossEntropy(logits, 3, n, classes, labels, d2, 2, 0.25f, c2, scratch);
            assertEquals(Double.doubleToLongBits(l1), Double.doubleToLongBits(l2), "loss " + l1 + " vs " + l2);
            assertEquals(c1[0], c2[0], "correct rows (added to 5)");
            for (long i = 0; i < d1.byteSize() / Float.BYTES; i++) { // the guard floats around the rows too
                assertEquals(Float.floatToIntBits(d1.getAtIndex(F, i)), Float.floatToIntBits(d2.getAtIndex(F, i)), "delta float " + i);
            }
            // without delta and count: the same loss
            assertEquals(Double.doubleToLongBits(l1),
                    Double.doubleToLongBits(v.softmaxCrossEntropy(logits, 3, n, classes, labels, null, 0, 0f, null, scratch)));
        }
    }

    @Test
    void shouldAgreeWithTheDoublePrecisionFormula() {
        int n = 53;
        int classes = 10;
        SplittableRandom r = new SplittableRandom(7);
        for (Kernels k : new Kernels[] {Kernels.scalar(), Kernels.get()}) {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment logits = arena.allocate((long) n * classes * Float.BYTES);
                fill(logits, 0, n, classes, r);
                int[] labels = r.ints(n, 0, classes).toArray();
                MemorySegment delta = arena.allocate(logits.byteSize());
                MemorySegment scratch = arena.allocate(Kernels.softmaxScratchFloats(n, classes) * Float.BYTES, 64);
                long[] correct = {0};
                double loss = k.softmaxCrossEntropy(logits, 0, n, classes, labels, delta, 0, 2f, correct, scratch);
                double expectedLoss = 0;
                long expectedCorrect = 0;
                for (int row = 0; row < n; row++) {
                    double max = Double.NEGATIVE_INFINITY;
                    int argmax = 0;
                    for (int c = 0; c < classes; c++) {
                        double z = logits.getAtIndex(F, (long) row * classes + c);
                        if (z > max) {
                            max = z;
                            argmax = c;
                        }
                    }
                    double norm = 0;
                    for (int c = 0; c < classes; c++) {
                        norm += Math.exp(logits.getAtIndex(F, (long) row * classes + c) - max);
                    }
                    expectedLoss += Math.log(norm) + max - logits.getAtIndex(F, (long) row * classes + labels[row]);
                    expectedCorrect += argmax == labels[row] ? 1 : 0;
                    for (int c = 0; c < classes; c++) {
                        double p = Math.exp(logits.getAtIndex(F, (long) row * classes + c) - max) / norm;
                        double expected = 2 * (p - (c == labels[row] ? 1 : 0));
                        float actual = delta.getAtIndex(F, (long) row * classes + c);
                        assertEquals(expected, actual, 1e-6 * Math.max(1, Math.abs(expected)), k.description() + " delta " + row + "," + c);
                    }
                }
                assertEquals(expectedLoss, loss, 1e-6 * Math.abs(expectedLoss), k.description() + " loss");
                assertEquals(expectedCorrect, correct[0], k.description() + " correct");
                assertTrue(expectedCorrect > 0 && expectedCorrect < n, "a test where some rows are right and some wrong");
            }
        }
    }

    @Test
    void expShouldBeWithinTwoUlpsOfMathExpOnTheClampedRange() {
        int worst = 0;
        for (int i = 0; i <= 870_000; i++) {
            final float x = i == 870_000 ? -Float.MIN_VALUE : ScalarKernels.EXP_MIN + i * 1e-4f;
            final float expected = (float) Math.exp(x);
            final int ulps = Math.abs(Float.floatToIntBits(ScalarKernels.exp(x)) - Float.floatToIntBits(expected));
            worst = Math.max(worst, ulps);
            assertTrue(ulps <= 2, "exp(" + x + ") = " + ScalarKernels.exp(x) + ", Math.exp gives " + expected);
        }
        assertTrue(worst >= 1, "the sweep reached values that are not exact");
        assertEquals(1f, ScalarKernels.exp(0f));
        assertEquals(1f, ScalarKernels.exp(-0f));
        assertEquals(1f, ScalarKernels.exp(3f), "clamped above at 0: softmax never asks for more");
        assertEquals(ScalarKernels.exp(ScalarKernels.EXP_MIN), ScalarKernels.exp(Float.NEGATIVE_INFINITY), "clamped below");
        assertTrue(ScalarKernels.exp(ScalarKernels.EXP_MIN) >= Float.MIN_NORMAL, "clamped exp stays a positive normal");
        assertTrue(Float.isNaN(ScalarKernels.exp(Float.NaN)));
    }

    @Test
    void shouldRefuseShortLabelsAndScratch() {
        Kernels k = Kernels.get();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment logits = arena.allocate(40L * Float.BYTES);
            MemorySegment scratch = arena.allocate(Kernels.softmaxScratchFloats(4, 10) * Float.BYTES, 64);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> k.softmaxCrossEntropy(logits, 0, 4, 10, new int[3], null, 0, 1f, null, scratch));
            assertEquals("softmax of 4 rows got 3 labels", e.getMessage());
            e = assertThrows(IllegalArgumentException.class,
                    () -> k.softmaxCrossEntropy(logits, 0, 4, 10, new int[4], null, 0, 1f, null, arena.allocate(8)));
            assertEquals("softmax scratch holds 8 bytes, 4 rows of 10 need " + Kernels.softmaxScratchFloats(4, 10) * Float.BYTES, e.getMessage());
        }
    }
}
