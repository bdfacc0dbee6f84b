package org.leashed.nn.simd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every vector kernel against the scalar reference, on awkward sizes, unaligned offsets and every species. */
class KernelEquivalenceTest {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final long SEED = 20261124L;

    static Stream<VectorSpecies<Float>> species() {
        return Stream.of(FloatVector.SPECIES_64, FloatVector.SPECIES_128, FloatVector.SPECIES_256, FloatVector.SPECIES_PREFERRED);
    }

    static Stream<Arguments> speciesAndSizes() {
        return species().flatMap(s -> IntStream.of(0, 1, s.length() - 1, s.length(), s.length() + 1, 7, 31, 97, 1009, 134_794 % 1000 + 3)
                .distinct().filter(n -> n >= 0).mapToObj(n -> Arguments.of(s, n)));
    }

    private static MemorySegment random(Arena arena, long n, SplittableRandom r) {
        MemorySegment s = arena.allocate(Math.max(1, n) * Float.BYTES + 12);
        for (long i = 0; i < (s.byteSize() / 4); i++) {
            s.setAtIndex(F, i, (float) r.nextGaussian());
        }
        return s;
    }

    private static void assertSameFloats(MemorySegment expected, MemorySegment actual, long offset, long n, String what) {
        for (long i = 0; i < n; i++) {
            float e = expected.getAtIndex(F, offset + i);
            float a = actual.getAtIndex(F, offset + i);
            assertEquals(Float.floatToIntBits(e), Float.floatToIntBits(a), what + " differs at " + i + ": " + e + " vs " + a);
        }
    }

    @Test
    void shouldPickVectorKernelsWhenModuleIsPresent() {
        assertTrue(Kernels.get() instanceof VectorKernels, "test JVM must run the Vector API kernels, got " + Kernels.get().description());
    }

    @ParameterizedTest
    @MethodSource("speciesAndSizes")
    void shouldMatchScalarBitForBitWhenElementwise(VectorSpecies<Float> species, int n) {
        Kernels v = VectorKernels.of(species);
        Kernels s = Kernels.scalar();
        SplittableRandom r = new SplittableRandom(SEED + n);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment x = random(arena, n + 3, r);
            MemorySegment y1 = random(arena, n + 3, r);
            MemorySegment y2 = arena.allocate(y1.byteSize()).copyFrom(y1);
            s.axpy(n, 0.37f, x, 1, y1, 3);
            v.axpy(n, 0.37f, x, 1, y2, 3);
            assertSameFloats(y1, y2, 0, n + 3, "axpy");
            MemorySegment d1 = random(arena, n + 3, r);
            MemorySegment d2 = arena.allocate(d1.byteSize()).copyFrom(d1);
            s.copyAxpy(n, d1, 2, y1, 1, -0.005f, x, 3);
            v.copyAxpy(n, d2, 2, y1, 1, -0.005f, x, 3);
            assertSameFloats(d1, d2, 0, n + 3, "copyAxpy");
            s.reluBackward(d1, 1, x, 2, n);
            v.reluBackward(d2, 1, x, 2, n);
            assertSameFloats(d1, d2, 0, n + 3, "reluBackward");
        }
    }

    static Stream<Arguments> shapes() {
        SplittableRandom r = new SplittableRandom(SEED);
        return species().flatMap(s -> Stream.concat(
                Stream.of(Arguments.of(s, 1, 1, 1), Arguments.of(s, 4, 64, 3), Arguments.of(s, 5, 10, 17), Arguments.of(s, 13, 128, 9)),
                IntStream.range(0, 8).mapToObj(i -> Arguments.of(s, 1 + r.nextInt(70), 1 + r.nextInt(70), 1 + r.nextInt(70)))));
    }

    @ParameterizedTest
    @MethodSource("shapes")
    void shouldMatchScalarGemmWhenShapesAreOdd(VectorSpecies<Float> species, int m, int n, int k) {
        Kernels v = VectorKernels.of(species);
        Kernels s = Kernels.scalar();
        SplittableRandom r = new SplittableRandom(SEED ^ (m * 31L + n * 7L + k));
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment a = random(arena, (long) m * k + 1, r);
            MemorySegment b = random(arena, (long) k * n + 2, r);
            for (boolean transposedA : new boolean[] {false, true}) {
                for (boolean accumulate : new boolean[] {false, true}) {
                    int rs = transposedA ? 1 : k;
                    int cs = transposedA ? m : 1;
                    MemorySegment c1 = random(arena, (long) m * n + 1, r);
                    MemorySegment c2 = arena.allocate(c1.byteSize()).copyFrom(c1);
                    s.gemm(m, n, k, a, 1, rs, cs, b, 2, n, c1, 1, n, accumulate);
                    v.gemm(m, n, k, a, 1, rs, cs, b, 2, n, c2, 1, n, accumulate);
                    // same FMA order per output element: exact
                    assertSameFloats(c1, c2, 0, (long) m * n + 1, "gemm m=" + m + " n=" + n + " k=" + k + " tA=" + transposedA + " acc=" + accumulate);
                }
            }
            MemorySegment t1 = arena.allocate((long) m * k * 4 + 4);
            MemorySegment t2 = arena.allocate((long) m * k * 4 + 4);
            s.transpose(t1, 0, a, 1, m, k);
            v.transpose(t2, 0, a, 1, m, k);
            assertSameFloats(t1, t2, 0, (long) m * k, "transpose");
            MemorySegment y1 = random(arena, (long) m * n, r);
            MemorySegment y2 = arena.allocate(y1.byteSize()).copyFrom(y1);
            s.biasActivation(y1, 0, b, 1, m, n, true);
            v.biasActivation(y2, 0, b, 1, m, n, true);
            assertSameFloats(y1, y2, 0, (long) m * n, "biasActivation");
            MemorySegment db1 = arena.allocate(n * 4L);
            MemorySegment db2 = arena.allocate(n * 4L);
            s.columnSums(db1, 0, y1, 0, m, n);
            v.columnSums(db2, 0, y1, 0, m, n);
            assertSameFloats(db1, db2, 0, n, "columnSums");
        }
    }

    @ParameterizedTest
    @MethodSource("shapes")
    void shouldMatchScalarGemmWhenLeadingDimensionsExceedWidth(VectorSpecies<Float> species, int m, int n, int k) {
        Kernels v = VectorKernels.of(species);
        Kernels s = Kernels.scalar();
        SplittableRandom r = new SplittableRandom(SEED ^ (m * 131L + n * 17L + k));
        int ldb = n + 3;
        int ldc = n + 5;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment a = random(arena, (long) m * k + 2, r);
            // B and C end exactly where the last row's last element is: tails must not read or write past it
            MemorySegment b = random(arena, (long) (k - 1) * ldb + n + 1, r).asSlice(4, ((long) (k - 1) * ldb + n) * Float.BYTES);
            for (boolean transposedA : new boolean[] {false, true}) {
                for (boolean accumulate : new boolean[] {false, true}) {
                    int rs = transposedA ? 1 : k;
                    int cs = transposedA ? m : 1;
                    long cLength = (long) (m - 1) * ldc + n;
                    MemorySegment c1 = random(arena, cLength, r).asSlice(0, cLength * Float.BYTES);
                    MemorySegment c2 = arena.allocate(c1.byteSize()).copyFrom(c1);
                    s.gemm(m, n, k, a, 2, rs, cs, b, 0, ldb, c1, 0, ldc, accumulate);
                    v.gemm(m, n, k, a, 2, rs, cs, b, 0, ldb, c2, 0, ldc, accumulate);
                    assertSameFloats(c1, c2, 0, cLength, "gemm ldb=" + ldb + " ldc=" + ldc + " m=" + m + " n=" + n + " k=" + k
                            + " tA=" + transposedA + " acc=" + accumulate);
                }
            }
        }
    }
}
