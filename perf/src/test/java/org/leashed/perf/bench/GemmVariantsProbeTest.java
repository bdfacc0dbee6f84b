package org.leashed.perf.bench;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.SplittableRandom;

import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import org.leashed.nn.simd.Kernels;

/** The probe's three experimental GEMMs compute the same bits as the scalar reference, so their timings compare like with like. */
class GemmVariantsProbeTest {
    private static final int W = 4 * FloatVector.SPECIES_PREFERRED.length();

    @ParameterizedTest(name = "m={0} blocks={1} k={2}")
    @CsvSource({"4, 1, 1", "4, 1, 3", "8, 2, 17", "12, 1, 33", "20, 2, 128", "16, 2, 784"})
    void variantsMatchTheScalarReferenceBitForBit(int m, int blocks, int k) {
        int n = blocks * W;
        SplittableRandom r = new SplittableRandom(m * 31L + n * 7L + k);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment a = arena.allocate((long) m * k * Float.BYTES, 64);
            MemorySegment b = arena.allocate((long) k * n * Float.BYTES, 64);
            MemorySegment expected = arena.allocate((long) m * n * Float.BYTES, 64);
            MemorySegment packed = arena.allocate((long) m * n * Float.BYTES, 64);
            MemorySegment inPlace = arena.allocate((long) m * n * Float.BYTES, 64);
            MemorySegment panel = arena.allocate((long) k * W * Float.BYTES, 64);
            float[] ha = new float[m * k], hb = new float[k * n], hc = new float[m * n], hp = new float[k * W];
            GemmVariantsProbe.fill(r, ha, a);
            GemmVariantsProbe.fill(r, hb, b);
            Kernels.scalar().gemm(m, n, k, a, 0, k, 1, b, 0, n, expected, 0, n, false);
            GemmVariantsProbe.packed(m, n, k, a, b, packed, panel);
            GemmVariantsProbe.heap(m, n, k, ha, hb, hc, hp);
            GemmVariantsProbe.inPlace(m, n, k, a, k, 1, b, inPlace);
            for (int i = 0; i < m * n; i++) {
                int want = Float.floatToRawIntBits(expected.getAtIndex(JAVA_FLOAT, i));
                assertEquals(want, Float.floatToRawIntBits(packed.getAtIndex(JAVA_FLOAT, i)), "packed, element " + i);
                assertEquals(want, Float.floatToRawIntBits(hc[i]), "heap, element " + i);
                assertEquals(want, Float.floatToRawIntBits(inPlace.getAtIndex(JAVA_FLOAT, i)), "in place, element " + i);
            }
        }
    }

    @ParameterizedTest(name = "dW m={0} blocks={1} k={2}")
    @CsvSource({"4, 1, 1", "8, 2, 5", "12, 1, 33", "20, 2, 128", "16, 2, 512"})
    void transposedVariantsMatchTheScalarReferenceBitForBit(int m, int blocks, int k) {
        int n = blocks * W;
        SplittableRandom r = new SplittableRandom(m * 17L + n * 3L + k);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment a = arena.allocate((long) m * k * Float.BYTES, 64); // stored (k, m): C = Aᵀ·B
            MemorySegment b = arena.allocate((long) k * n * Float.BYTES, 64);
            GemmVariantsProbe.fill(r, new float[m * k], a);
            GemmVariantsProbe.fill(r, new float[k * n], b);
            MemorySegment expected = arena.allocate((long) m * n * Float.BYTES, 64);
            MemorySegment packed = arena.allocate((long) m * n * Float.BYTES, 64);
            MemorySegment inPlace = arena.allocate((long) m * n * Float.BYTES, 64);
            Kernels.scalar().gemm(m, n, k, a, 0, 1, m, b, 0, n, expected, 0, n, false);
            GemmVariantsProbe.packedTransposed(m, n, k, a, b, packed, arena.allocate((long) k * n * Float.BYTES, 64),
                    arena.allocate(4L * k * Float.BYTES, 64));
            GemmVariantsProbe.inPlace(m, n, k, a, 1, m, b, inPlace);
            for (int i = 0; i < m * n; i++) {
                int want = Float.floatToRawIntBits(expected.getAtIndex(JAVA_FLOAT, i));
                assertEquals(want, Float.floatToRawIntBits(packed.getAtIndex(JAVA_FLOAT, i)), "packed, element " + i);
                assertEquals(want, Float.floatToRawIntBits(inPlace.getAtIndex(JAVA_FLOAT, i)), "in place, element " + i);
            }
        }
    }

    @Test
    void productionModeTimesTheProductionKernelAloneOneRowPerShape() {
        PrintStream out = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            GemmVariantsProbe.main(new String[] {"production", "fwd:8x" + W + "x3", "dW:12x" + W + "x5"});
        } finally {
            System.setOut(out);
        }
        List<String> lines = captured.toString(StandardCharsets.UTF_8).lines().toList();
        assertEquals("| shape | production GFLOP/s |", lines.get(1));
        assertEquals(4, lines.size(), "header, column names and one row per shape: " + lines);
        assertTrue(lines.get(2).matches("\\| fwd:8x" + W + "x3 \\| \\d+\\.\\d \\|"), lines.get(2));
        assertTrue(lines.get(3).matches("\\| dW:12x" + W + "x5 \\| \\d+\\.\\d \\|"), lines.get(3));
    }

    @Test
    void shapesTheBlocksCannotCoverAreRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> GemmVariantsProbe.requireShape(6, W, 8));
        assertEquals("GemmVariantsProbe needs m % 4 == 0, n % " + W + " == 0, k >= 1; got m=6 n=" + W + " k=8", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> GemmVariantsProbe.requireShape(4, W + 1, 8));
    }
}
