package org.leashed.nn.simd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
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

    static Stream<Arguments> byteCounts() {
        return species().flatMap(s -> IntStream.of(0, 1, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 255, 256, 784, 3072 + 5)
                .mapToObj(n -> Arguments.of(s, n)));
    }

    @ParameterizedTest
    @MethodSource("byteCounts")
    void shouldMatchScalarWhenConvertingUnsignedBytes(VectorSpecies<Float> species, int n) {
        Kernels v = VectorKernels.of(species);
        Kernels s = Kernels.scalar();
        SplittableRandom r = new SplittableRandom(SEED + 7 * n);
        try (Arena arena = Arena.ofConfined()) {
            // every byte value occurs (the high half would come out negative if sign-extended)
            MemorySegment src = arena.allocate(n + 3);
            for (int i = 0; i < n + 3; i++) {
                src.set(ValueLayout.JAVA_BYTE, i, (byte) (i < 256 ? i * 37 + 11 : r.nextInt(256)));
            }
            MemorySegment d1 = random(arena, n + 5, r);
            MemorySegment d2 = arena.allocate(d1.byteSize()).copyFrom(d1);
            float scale = 1f / 255f;
            s.unsignedBytesToFloats(d1, 2, src, 3, n, scale);
            v.unsignedBytesToFloats(d2, 2, src, 3, n, scale);
            // the guard floats before and after the written range compare too
            assertSameFloats(d1, d2, 0, n + 5, "unsignedBytesToFloats");
            for (int i = 0; i < n; i++) {
                float expected = (src.get(ValueLayout.JAVA_BYTE, 3 + i) & 0xFF) * scale;
                assertEquals(Float.floatToIntBits(expected), Float.floatToIntBits(d2.getAtIndex(F, 2 + i)), "value " + i);
            }
        }
    }

    static Stream<Arguments> shapes() {
        SplittableRandom r = new SplittableRandom(SEED);
        return species().flatMap(s -> Stream.concat(
                Stream.of(Arguments.of(s, 1, 1, 1), Arguments.of(s, 4, 64, 3), Arguments.of(s, 5, 10, 17), Arguments.of(s, 13, 128, 9),
                        Arguments.of(s, 9, 16, 40), Arguments.of(s, 36, 16, 20), Arguments.of(s, 15, 40, 7), Arguments.of(s, 11, 10, 5),
                        // column tails: the output layer's 10 wide (8-row strips, 4-row and single-row remainders), a
                        // tail after whole vectors, and tails of 1 and lanes-1 columns
                        Arguments.of(s, 16, 10, 12), Arguments.of(s, 13, 10, 16), Arguments.of(s, 9, 26, 4), Arguments.of(s, 8, 17, 3),
                        Arguments.of(s, 12, 31, 5), Arguments.of(s, 7, 15, 2),
                        // narrow C, tall m, k of four vectors or more: the transposed-A path computes Cᵀ (the output
                        // layer's dW); k = 63 and 16 stay on the direct path for 16 lanes, 65 and 33 cross for fewer
                        Arguments.of(s, 128, 10, 64), Arguments.of(s, 128, 10, 63), Arguments.of(s, 20, 7, 65), Arguments.of(s, 33, 10, 16), Arguments.of(s, 17, 3, 33), Arguments.of(s, 64, 1, 7),
                        Arguments.of(s, 31, 15, 9),
                        // single-vector strips of 9-11 rows (the conv dW's 9 and 27 rows), remainders of 4 and 1 after them
                        Arguments.of(s, 10, 17, 3), Arguments.of(s, 19, 32, 8), Arguments.of(s, 27, 16, 30), Arguments.of(s, 35, 47, 6),
                        Arguments.of(s, 15, 8, 4), Arguments.of(s, 20, 24, 5),
                        // the same strips with A's rows loaded as vectors (k >= lanes): k a multiple of two vectors,
                        // one lane more and one less, the conv dW and the 10-wide forward at their real k
                        Arguments.of(s, 9, 16, 33), Arguments.of(s, 11, 10, 47), Arguments.of(s, 10, 16, 31), Arguments.of(s, 16, 10, 128),
                        Arguments.of(s, 36, 16, 128), Arguments.of(s, 9, 16, 688),
                        // 4-row blocks of three single vectors (the first conv's forward 4x688x9; 6 x 60 has three for
                        // 16, 8 and 4 lanes), with a column tail after them and a single row below
                        Arguments.of(s, 4, 688, 9), Arguments.of(s, 6, 60, 13), Arguments.of(s, 5, 55, 7),
                        // 4-row panels (m 4-7, no 6-row block): single vectors after the 4x4 blocks in the same call,
                        // 1, 2 or 3 of them (the 4x3 block then overlaps the 4x4 blocks), with and without a column
                        // tail; m = 6 takes 4-row blocks only with contiguous A and k > 256
                        Arguments.of(s, 4, 80, 9), Arguments.of(s, 5, 101, 6), Arguments.of(s, 6, 101, 300), Arguments.of(s, 4, 48, 5),
                        Arguments.of(s, 7, 35, 260),
                        // B packed into a contiguous panel (contiguous A, no accumulate, m >= PACK_B_MIN_ROWS, k >=
                        // PACK_B_MIN_K): 6-row blocks then 4 (70 = 11 x 6 + 4), one row left after them (67), k > 256
                        // where 4-row blocks run on non-AMD hosts (65 = 16 x 4 + 1), a column tail after the packed
                        // blocks (131, 200); k one below the threshold (in place), at it, and k = 65, 66 and 78 (one
                        // step over a multiple of the 8- and 13-step panels, and 6 x 13), and the real 784-input forward
                        Arguments.of(s, 64, 64, 64), Arguments.of(s, 70, 131, 65), Arguments.of(s, 67, 200, 100),
                        Arguments.of(s, 65, 64, 300), Arguments.of(s, 64, 64, 63), Arguments.of(s, 66, 64, 66),
                        Arguments.of(s, 68, 128, 78), Arguments.of(s, 64, 128, 784),
                        // long k, contiguous A, 12-63 rows: 6-row strips on Zen 5 (SIX_ROWS_MIN_M), 4-row ones elsewhere
                        Arguments.of(s, 16, 128, 300), Arguments.of(s, 14, 70, 257), Arguments.of(s, 13, 64, 400),
                        // m % 6 of 2 or 3: 2 or 3 single rows after the 6-row blocks (the CNN's conv2 forward 8x128x36,
                        // 9, 14, 20 with a column tail; packed: 74, 69)
                        Arguments.of(s, 8, 128, 36), Arguments.of(s, 9, 64, 20), Arguments.of(s, 14, 64, 50),
                        Arguments.of(s, 20, 130, 40), Arguments.of(s, 74, 64, 70), Arguments.of(s, 69, 64, 65),
                        // column tails of two vectors or more in 8-row pair blocks: m a multiple of 8 at long k (the
                        // CIFAR conv dW 288 x 32 x 1024), rows left over at short k (4-row and single, LeNet's conv dX
                        // 150 x 112 x 16), rows left over at k above PAIR_LEFTOVER_MAX_K (no pairs), a third vector
                        // and a column tail after the pairs
                        Arguments.of(s, 16, 32, 200), Arguments.of(s, 288, 32, 40), Arguments.of(s, 27, 32, 100),
                        Arguments.of(s, 27, 32, 140), Arguments.of(s, 150, 112, 16), Arguments.of(s, 13, 40, 9),
                        Arguments.of(s, 24, 48, 129), Arguments.of(s, 21, 43, 128),
                        // one vector and a column tail after the 4-vector blocks (LeNet's 84- and 120-wide dense layers
                        // at batch 16, its dW with A read transposed): m a multiple of 8, rows left over at short k,
                        // and at k above PAIR_LEFTOVER_MAX_K
                        Arguments.of(s, 16, 84, 120), Arguments.of(s, 16, 120, 400), Arguments.of(s, 120, 84, 16),
                        Arguments.of(s, 10, 84, 16), Arguments.of(s, 13, 84, 130), Arguments.of(s, 64, 84, 10),
                        Arguments.of(s, 8, 21, 5),
                        // m of 5f + 8e: f 5x2 pair blocks, then 8x2 (LeNet's output dWᵀ, 10 x 84 x 512, k past
                        // PAIR_LEFTOVER_MAX_K; 18 = 5 + 5 + 8 at long k; 15 = three 5-row blocks with a column tail)
                        Arguments.of(s, 10, 84, 512), Arguments.of(s, 18, 40, 200), Arguments.of(s, 15, 37, 9),
                        // the tail covered by overlap (at 16 lanes): n just under 4 vectors with pairs (16 rows) and
                        // without (10 rows, k past PAIR_LEFTOVER_MAX_K), under 3 vectors, 4-row groups under a wide
                        // block that overlaps (m = 4 + 1, 6 + 4), the packed forward with a tail after its blocks
                        Arguments.of(s, 16, 52, 20), Arguments.of(s, 10, 60, 200), Arguments.of(s, 7, 45, 11),
                        Arguments.of(s, 5, 120, 30), Arguments.of(s, 10, 120, 16), Arguments.of(s, 66, 120, 70),
                        // B over COLUMN_OUTER_MIN_B_BYTES with a column block under COLUMN_OUTER_MAX_BLOCK_BYTES: column
                        // blocks in the outer loop (6-, 4- and single-row groups; a column tail by overlap after); and
                        // at 16 lanes column blocks over it, taken in k ranges resumed from C in 4-row blocks (the first
                        // range's 6-row groups over a multiple of 12 rows: none for 6 and 11 rows, 12 of 13 with a
                        // tail after, 12 of 16 as in the CIFAR CNN's dense forward 16 x 256 x 4096, 24 of 25; 4-vector
                        // blocks cut by the overlap)
                        Arguments.of(s, 13, 1024, 200), Arguments.of(s, 10, 1030, 192), Arguments.of(s, 6, 200, 1100),
                        Arguments.of(s, 11, 200, 1100), Arguments.of(s, 13, 250, 1100), Arguments.of(s, 16, 256, 4096),
                        Arguments.of(s, 25, 200, 1100)),
                IntStream.range(0, 8).mapToObj(i -> Arguments.of(s, 1 + r.nextInt(70), 1 + r.nextInt(70), 1 + r.nextInt(70)))));
    }

    /**
     * {@code v}, the same width with 32- and with 16-register blocks, and where {@code m} reaches the packing threshold
     * B packing on with the whole k in one panel and with panels of at most 8 and 13 k steps (k split into ranges that
     * resume from C).
     */
    private static List<Kernels> packingBothWays(VectorSpecies<Float> species, int m, Kernels v) {
        // both register-file layouts whatever this CPU has: 32-register blocks (6x4, 4x4, ...) and 16-register ones (5x2, 4x2, 1x2)
        Kernels wide = VectorKernels.of(species, false, Integer.MAX_VALUE, false);
        Kernels pairs = VectorKernels.of(species, false, Integer.MAX_VALUE, true);
        return m >= VectorKernels.PACK_B_MIN_ROWS
                ? List.of(wide, pairs, VectorKernels.of(species, true, Integer.MAX_VALUE, false),
                        VectorKernels.of(species, true, 8, false), VectorKernels.of(species, true, 13, false))
                : List.of(v, wide, pairs);
    }

    /** k = 0: no products, every output the empty sum (+0), stored or added; the blocks' slices of k rows would be negative. */
    static Stream<Arguments> emptyK() {
        return species().flatMap(s -> Stream.of(Arguments.of(s, 1, 1, 0), Arguments.of(s, 4, 80, 0), Arguments.of(s, 9, 17, 0),
                Arguments.of(s, 70, 131, 0)));
    }

    @ParameterizedTest
    @MethodSource("emptyK")
    void shouldMatchScalarGemmWhenKIsZero(VectorSpecies<Float> species, int m, int n, int k) {
        SplittableRandom r = new SplittableRandom(SEED ^ (m * 31L + n));
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment a = arena.allocate(4);
            MemorySegment b = arena.allocate(4);
            for (boolean accumulate : new boolean[] {false, true}) {
                MemorySegment c1 = random(arena, (long) m * n, r);
                MemorySegment c2 = arena.allocate(c1.byteSize()).copyFrom(c1);
                Kernels.scalar().gemm(m, n, k, a, 0, k, 1, b, 0, n, c1, 0, n, accumulate);
                VectorKernels.of(species).gemm(m, n, k, a, 0, k, 1, b, 0, n, c2, 0, n, accumulate);
                assertSameFloats(c1, c2, 0, (long) m * n + 3, "gemm k=0 m=" + m + " n=" + n + " acc=" + accumulate);
            }
        }
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
                    MemorySegment c0 = arena.allocate(c1.byteSize()).copyFrom(c1);
                    s.gemm(m, n, k, a, 1, rs, cs, b, 2, n, c1, 1, n, accumulate);
                    for (Kernels vk : packingBothWays(species, m, v)) {
                        MemorySegment c2 = arena.allocate(c1.byteSize()).copyFrom(c0);
                        vk.gemm(m, n, k, a, 1, rs, cs, b, 2, n, c2, 1, n, accumulate);
                        // same FMA order per output element: exact
                        assertSameFloats(c1, c2, 0, (long) m * n + 1, "gemm m=" + m + " n=" + n + " k=" + k + " tA=" + transposedA
                                + " acc=" + accumulate + " " + vk.description());
                    }
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
        SplittableRandom r = new SplittableRandom(SEED ^ (m * 131L + n * 17L + k));
        int ldb = n + 3;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment a = random(arena, (long) m * k + 2, r);
            // B and C end exactly where the last row's last element is: tails must not read or write past it
            MemorySegment b = random(arena, (long) (k - 1) * ldb + n + 1, r).asSlice(4, ((long) (k - 1) * ldb + n) * Float.BYTES);
            assertGemmMatchesScalar(arena, r, species, m, n, k, a, b, ldb, n + 5, "gemm");
        }
    }

    /**
     * B's row gaps and a vector's worth of floats after it are NaN, so a lane past n that reached a column's sum (a
     * block of the column tail reading past the row: VectorKernels.gemm covers the tail by overlap) would show; C's row
     * gaps hold values the GEMM must leave as they are (the scalar reference does), and C ends at its last element.
     */
    @ParameterizedTest
    @MethodSource("shapes")
    void shouldMatchScalarGemmWhenBIsSurroundedByNaN(VectorSpecies<Float> species, int m, int n, int k) {
        SplittableRandom r = new SplittableRandom(SEED ^ (m * 37L + n * 11L + k));
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment a = random(arena, (long) m * k + 2, r);
            for (int ldb : new int[] {n, n + 5}) {
                long bLength = (long) (k - 1) * ldb + n + species.length();
                MemorySegment b = arena.allocate(bLength * Float.BYTES, 64);
                for (long i = 0; i < bLength; i++) {
                    b.setAtIndex(F, i, i / ldb < k && i % ldb < n ? (float) r.nextGaussian() : Float.NaN);
                }
                assertGemmMatchesScalar(arena, r, species, m, n, k, a, b, ldb, n + 3, "gemm B among NaN");
            }
        }
    }

    /**
     * {@code C (m, n) (+)= A . B} with A from float 2 of {@code a} (rows contiguous, then transposed), stored and
     * accumulated, by the vector kernels (each packing variant) and the scalar reference from the same random C, whose
     * rows are {@code ldc} apart and which ends at its last element: the same bits everywhere in C, row gaps included.
     */
    private static void assertGemmMatchesScalar(Arena arena, SplittableRandom r, VectorSpecies<Float> species, int m, int n, int k,
                                                MemorySegment a, MemorySegment b, int ldb, int ldc, String what) {
        Kernels s = Kernels.scalar();
        for (boolean transposedA : new boolean[] {false, true}) {
            for (boolean accumulate : new boolean[] {false, true}) {
                int rs = transposedA ? 1 : k;
                int cs = transposedA ? m : 1;
                long cLength = (long) (m - 1) * ldc + n;
                MemorySegment c1 = random(arena, cLength, r).asSlice(0, cLength * Float.BYTES);
                MemorySegment c0 = arena.allocate(c1.byteSize()).copyFrom(c1);
                s.gemm(m, n, k, a, 2, rs, cs, b, 0, ldb, c1, 0, ldc, accumulate);
                for (Kernels vk : packingBothWays(species, m, VectorKernels.of(species))) {
                    MemorySegment c2 = arena.allocate(c1.byteSize()).copyFrom(c0);
                    vk.gemm(m, n, k, a, 2, rs, cs, b, 0, ldb, c2, 0, ldc, accumulate);
                    assertSameFloats(c1, c2, 0, cLength, what + " ldb=" + ldb + " ldc=" + ldc + " m=" + m + " n=" + n + " k=" + k
                            + " tA=" + transposedA + " acc=" + accumulate + " " + vk.description());
                }
            }
        }
    }

    /**
     * m, n, k of gemmNT: the conv dW shapes (9 x 4 x 676, LeNet 25 x 6 x 784), whole 8x2 blocks, overlapping last blocks
     * (4-7 rows left), 1-3 rows left after the blocks (one output at a time), rows below 8, small; then 4-column blocks
     * and 6-column blocks.
     */
    static Stream<Arguments> dotShapes() {
        int[][] shapes = {{9, 4, 676}, {25, 6, 784}, {8, 2, 16}, {16, 10, 128}, {9, 3, 33}, {13, 7, 37}, {17, 5, 15}, {8, 2, 1},
            {5, 3, 20}, {1, 1, 1}, {7, 1, 40}, {12, 4, 100}, {11, 9, 31}, {10, 4, 16}, {5, 4, 20}, {3, 6, 33}, {18, 2, 47},
            // n a multiple of 4, rows in blocks of 4 and 5 (gemmNT4): one 4x4, 5x4 alone, 2 and 3 five-row blocks, several
            // column blocks, k below 16 (tail only), k of 16 and 17 (the tail select's extremes), and m it cannot split
            {4, 4, 31}, {5, 8, 16}, {14, 4, 17}, {15, 12, 47}, {13, 8, 9}, {20, 4, 63}, {6, 4, 40}, {11, 8, 48},
            // n a multiple of 6, not of 4 (gemmNT6): one 4x6 block alone, 4x6 and a 1x6 row, k of 1 and below 16 (tail
            // only), 2 and 3 rows left, several column groups, LeNet's chunk (25 rows: six 4x6 blocks and a 1x6 row)
            {4, 6, 16}, {5, 6, 17}, {4, 6, 1}, {7, 6, 9}, {6, 18, 47}, {11, 30, 32}, {25, 6, 1040}};
        return species().flatMap(s -> Stream.of(shapes).map(a -> Arguments.of(s, a[0], a[1], a[2])));
    }

    @ParameterizedTest
    @MethodSource("dotShapes")
    void shouldMatchScalarDotProductGemmAndItsDefinition(VectorSpecies<Float> species, int m, int n, int k) {
        Kernels v = VectorKernels.of(species);
        Kernels s = Kernels.scalar();
        SplittableRandom r = new SplittableRandom(SEED ^ (m * 131L + n * 17L + k));
        try (Arena arena = Arena.ofConfined()) {
            int lda = k + 3;
            int ldb = k + 1;
            int ldc = n + 2;
            // exact-size operands: a load past A's or B's last row would throw
            MemorySegment a = random(arena, (long) (m - 1) * lda + k, r);
            MemorySegment b = random(arena, (long) (n - 1) * ldb + k, r);
            for (boolean accumulate : new boolean[] {false, true}) {
                MemorySegment c1 = random(arena, (long) m * ldc, r);
                MemorySegment c2 = arena.allocate(c1.byteSize()).copyFrom(c1);
                MemorySegment before = arena.allocate(c1.byteSize()).copyFrom(c1);
                s.gemmNT(m, n, k, a, 0, lda, b, 0, ldb, c1, 0, ldc, accumulate);
                v.gemmNT(m, n, k, a, 0, lda, b, 0, ldb, c2, 0, ldc, accumulate);
                // every species sums in the same fixed order: exact, padding columns of C untouched
                assertSameFloats(c1, c2, 0, (long) m * ldc, "gemmNT m=" + m + " n=" + n + " k=" + k + " acc=" + accumulate);
                for (int i = 0; i < m; i++) {
                    for (int j = 0; j < ldc; j++) {
                        long at = (long) i * ldc + j;
                        if (j >= n) {
                            assertEquals(Float.floatToRawIntBits(before.getAtIndex(F, at)), Float.floatToRawIntBits(c2.getAtIndex(F, at)),
                                    "gemmNT wrote outside C at " + i + "," + j);
                            continue;
                        }
                        double dot = accumulate ? before.getAtIndex(F, at) : 0;
                        for (int p = 0; p < k; p++) {
                            dot += (double) a.getAtIndex(F, (long) i * lda + p) * b.getAtIndex(F, (long) j * ldb + p);
                        }
                        assertEquals(dot, c2.getAtIndex(F, at), 1e-5 * (k + 1) * 4, "gemmNT definition at " + i + "," + j);
                    }
                }
            }
        }
    }

    /** (c, h, w, k, pad, extra ld): thesis conv shapes, widths around the vector lengths, and random ones. */
    static Stream<Arguments> transposeShapes() {
        // 16x16 tiles with overlapping last tiles (17, 31, 47, 120), single tiles, too narrow for a tile,
        // the dense layers' W shapes (MLP, CNN, LeNet), and 8-15 rows (spilling stores: one tile, an overlapping
        // last tile, 7 rows below the tile path)
        int[][] shapes = {{16, 16}, {17, 16}, {16, 17}, {31, 47}, {15, 64}, {64, 15}, {1, 1}, {128, 128}, {784, 128},
            {128, 10}, {10, 128}, {200, 128}, {400, 120}, {120, 84}, {8, 16}, {8, 17}, {9, 100}, {12, 47}, {10, 16},
            {15, 33}, {7, 40}};
        return species().flatMap(s -> Stream.of(shapes).map(a -> Arguments.of(s, a[0], a[1])));
    }

    @ParameterizedTest
    @MethodSource("transposeShapes")
    void shouldMatchScalarTransposeWithoutWritingOutsideTheResult(VectorSpecies<Float> species, int rows, int cols) {
        Kernels v = VectorKernels.of(species);
        Kernels s = Kernels.scalar();
        SplittableRandom r = new SplittableRandom(SEED ^ (rows * 977L + cols));
        try (Arena arena = Arena.ofConfined()) {
            long n = (long) rows * cols;
            MemorySegment src = random(arena, n, r).asSlice(0, n * Float.BYTES);
            // both results end exactly at their last element: a store past it would throw
            MemorySegment expected = arena.allocate(n * Float.BYTES);
            MemorySegment actual = arena.allocate(n * Float.BYTES);
            s.transpose(expected, 0, src, 0, rows, cols);
            v.transpose(actual, 0, src, 0, rows, cols);
            assertSameFloats(expected, actual, 0, n, "transpose " + rows + "x" + cols);
            // the same matrix with floats after it (as W inside the parameter vector): tiles whose loads
            // reach past the matrix run as vectors too
            MemorySegment roomy = random(arena, n + 16, r);
            roomy.asSlice(0, n * Float.BYTES).copyFrom(src);
            MemorySegment fromRoomy = arena.allocate(n * Float.BYTES);
            v.transpose(fromRoomy, 0, roomy, 0, rows, cols);
            assertSameFloats(expected, fromRoomy, 0, n, "transpose " + rows + "x" + cols + " with room after src");
        }
    }

    static Stream<Arguments> paddedTransposeShapes() {
        // rows, cols, ldd: the conv backward's dyᵀ (outC x P into P x padded outC) for the CNN, LeNet and
        // CIFAR layers, tiles with zero rows, overlapping last tiles, too few columns for a tile, and an
        // ldd that is not a multiple of 16 (element by element)
        int[][] shapes = {{4, 676, 16}, {8, 121, 16}, {6, 784, 16}, {16, 100, 16}, {32, 1024, 32}, {64, 64, 64},
            {3, 10, 16}, {20, 33, 32}, {1, 16, 16}, {17, 40, 48}, {5, 40, 7}, {16, 16, 16}};
        return species().flatMap(s -> Stream.of(shapes).map(a -> Arguments.of(s, a[0], a[1], a[2])));
    }

    @ParameterizedTest
    @MethodSource("paddedTransposeShapes")
    void shouldMatchScalarPaddedTransposeAndZeroThePadding(VectorSpecies<Float> species, int rows, int cols, int ldd) {
        Kernels v = VectorKernels.of(species);
        Kernels s = Kernels.scalar();
        SplittableRandom r = new SplittableRandom(SEED ^ (rows * 7919L + cols * 31L + ldd));
        try (Arena arena = Arena.ofConfined()) {
            long n = (long) rows * cols;
            long out = (long) cols * ldd;
            MemorySegment src = random(arena, n, r).asSlice(0, n * Float.BYTES);
            // results start full of noise (the padding must be written) and end at their last element
            MemorySegment expected = random(arena, out, r).asSlice(0, out * Float.BYTES);
            MemorySegment actual = random(arena, out, r).asSlice(0, out * Float.BYTES);
            s.transposePadded(expected, 0, ldd, src, 0, rows, cols);
            v.transposePadded(actual, 0, ldd, src, 0, rows, cols);
            assertSameFloats(expected, actual, 0, out, "transposePadded " + rows + "x" + cols + " ldd " + ldd);
            // the reference against the definition
            for (int c = 0; c < cols; c++) {
                for (int q = 0; q < ldd; q++) {
                    float want = q < rows ? src.getAtIndex(F, (long) q * cols + c) : 0f;
                    assertEquals(Float.floatToIntBits(want), Float.floatToIntBits(expected.getAtIndex(F, (long) c * ldd + q)),
                            "reference at column " + c + ", row " + q);
                }
            }
        }
    }

    static Stream<Arguments> convShapes() {
        SplittableRandom r = new SplittableRandom(SEED + 5);
        Stream<int[]> fixed = Stream.of(new int[] {1, 28, 28, 3, 0, 12}, new int[] {4, 13, 13, 3, 0, 7}, new int[] {1, 28, 28, 5, 2, 0},
                new int[] {6, 14, 14, 5, 0, 3}, new int[] {3, 32, 32, 3, 1, 0}, new int[] {1, 1, 1, 1, 0, 0}, new int[] {2, 5, 3, 3, 1, 1},
                new int[] {1, 4, 17, 2, 0, 0}, new int[] {2, 18, 18, 3, 0, 0}, new int[] {1, 9, 33, 3, 1, 5},
                // padded runs whose vector before the last one reaches into the right padding (the last,
                // overlapping vector must zero it) for 16, 8 and 4 lanes; CIFAR's 16x16 "same" layer
                new int[] {2, 6, 49, 5, 2, 0}, new int[] {1, 5, 25, 5, 2, 3}, new int[] {3, 4, 13, 5, 2, 0}, new int[] {32, 16, 16, 3, 1, 0},
                // valid rows copied as whole vectors that spill into the next row (16 lanes: one vector for 11-float
                // rows, two for 26): padding exactly as long as the last row's spill, and one float shorter
                new int[] {4, 13, 13, 3, 0, 5}, new int[] {4, 13, 13, 3, 0, 4}, new int[] {1, 28, 28, 3, 0, 6}, new int[] {1, 28, 28, 3, 0, 5},
                // "same" convolutions whose rows are not whole vectors, written as the shifted image (im2colSameShifted):
                // LeNet's first conv with a row width that leaves a scalar tail, several channels, w one above 16 and
                // one below 32, 8 lanes' 9-wide rows
                new int[] {1, 28, 28, 5, 2, 13}, new int[] {3, 28, 28, 5, 2, 4}, new int[] {2, 17, 17, 3, 1, 2}, new int[] {1, 31, 31, 5, 2, 1},
                new int[] {2, 9, 9, 3, 1, 0}, new int[] {1, 20, 20, 7, 3, 9});
        Stream<int[]> random = IntStream.range(0, 10).mapToObj(i -> {
            int k = 1 + r.nextInt(5);
            int pad = r.nextInt(k);
            return new int[] {1 + r.nextInt(4), k + r.nextInt(36), k + r.nextInt(36), k, pad, r.nextInt(20)};
        });
        java.util.List<int[]> all = Stream.concat(fixed, random).toList();
        return species().flatMap(s -> all.stream().map(a -> Arguments.of(s, a[0], a[1], a[2], a[3], a[4], a[5])));
    }

    @ParameterizedTest
    @MethodSource("convShapes")
    void shouldMatchScalarIm2colAndCol2imWithoutWritingOutsideTheirRows(VectorSpecies<Float> species, int c, int h, int w, int k, int pad,
                                                                       int extra) {
        Kernels v = VectorKernels.of(species);
        Kernels s = Kernels.scalar();
        SplittableRandom r = new SplittableRandom(SEED ^ (c * 1_000_003L + h * 1009L + w * 31L + k * 7L + pad));
        int oh = h + 2 * pad - k + 1;
        int ow = w + 2 * pad - k + 1;
        int ld = oh * ow + extra;
        long colFloats = (long) c * k * k * ld;
        int guard = 40;
        try (Arena arena = Arena.ofConfined()) {
            // x ends exactly at the image's last element: a vector load past it must not happen
            MemorySegment x = random(arena, (long) c * h * w, r).asSlice(0, (long) c * h * w * Float.BYTES);
            MemorySegment col1 = random(arena, colFloats + 2L * guard, r).asSlice(0, (colFloats + 2L * guard) * Float.BYTES);
            MemorySegment col2 = arena.allocate(col1.byteSize()).copyFrom(col1);
            s.im2col(col1, guard, ld, ld, x, 0, c, h, w, k, pad);
            v.im2col(col2, guard, ld, ld, x, 0, c, h, w, k, pad);
            assertSameFloats(col1, col2, 0, colFloats + 2L * guard, "im2col (guards included)");
            for (int row = 0; row < c * k * k; row++) {
                for (int t = oh * ow; t < ld; t++) {
                    assertEquals(0f, col1.getAtIndex(F, guard + (long) row * ld + t), "padding column " + t + " of row " + row);
                }
            }
            // again from an image followed by more data (the next example of a batch): vectors may now read past the
            // image, and must still write nothing past the last row's padding
            MemorySegment xMore = random(arena, (long) c * h * w + 64, r).copyFrom(x);
            MemorySegment col3 = arena.allocate(col1.byteSize()).copyFrom(col2);
            v.im2col(col3, guard, ld, ld, xMore, 0, c, h, w, k, pad);
            assertSameFloats(col1, col3, 0, colFloats + 2L * guard, "im2col from an image with data after it (guards included)");
            // one example's block in rows of a batch (width ld < row stride): the same values, and the floats from
            // width to the next row (other examples' columns) are left as they were, by both implementations
            int stride = ld + 1 + r.nextInt(40);
            long wideFloats = (long) c * k * k * stride + 2L * guard;
            MemorySegment before = random(arena, wideFloats, r);
            MemorySegment wide1 = arena.allocate(before.byteSize()).copyFrom(before);
            MemorySegment wide2 = arena.allocate(before.byteSize()).copyFrom(before);
            s.im2col(wide1, guard, stride, ld, x, 0, c, h, w, k, pad);
            v.im2col(wide2, guard, stride, ld, xMore, 0, c, h, w, k, pad);
            assertSameFloats(wide1, wide2, 0, wideFloats, "im2col of a block " + ld + " wide in rows of " + stride);
            for (int row = 0; row < c * k * k; row++) {
                long at = guard + (long) row * stride;
                assertSameFloats(col1.asSlice((guard + (long) row * ld) * Float.BYTES), wide1.asSlice(at * Float.BYTES), 0, ld,
                        "block row " + row);
                assertSameFloats(before.asSlice((at + ld) * Float.BYTES), wide1.asSlice((at + ld) * Float.BYTES), 0, stride - ld,
                        "floats past the block's width in row " + row);
            }
            assertThrows(IllegalArgumentException.class, () -> v.im2col(wide2, guard, stride, oh * ow - 1, x, 0, c, h, w, k, pad));
            assertThrows(IllegalArgumentException.class, () -> s.im2col(wide1, guard, ld, ld + 1, x, 0, c, h, w, k, pad));
            // col2im on random columns, into a dx with random contents (it accumulates)
            MemorySegment cols = random(arena, colFloats, r);
            MemorySegment dx1 = random(arena, (long) c * h * w + 3, r);
            MemorySegment dx2 = arena.allocate(dx1.byteSize()).copyFrom(dx1);
            s.col2imAccumulate(dx1, 1, cols, 0, ld, c, h, w, k, pad);
            v.col2imAccumulate(dx2, 1, cols, 0, ld, c, h, w, k, pad);
            assertSameFloats(dx1, dx2, 0, (long) c * h * w + 3, "col2imAccumulate");
            // again into a dx that ends exactly at the image: the last runs' masked vectors would reach past it
            MemorySegment dx3 = arena.allocate((long) c * h * w * Float.BYTES).copyFrom(dx1.asSlice(Float.BYTES, (long) c * h * w * Float.BYTES));
            MemorySegment dx4 = arena.allocate(dx3.byteSize()).copyFrom(dx3);
            s.col2imAccumulate(dx3, 0, cols, 0, ld, c, h, w, k, pad);
            v.col2imAccumulate(dx4, 0, cols, 0, ld, c, h, w, k, pad);
            assertSameFloats(dx3, dx4, 0, (long) c * h * w, "col2imAccumulate into an exact-size dx");
            // col inside a larger segment and dx with floats after it, where valid convolutions with rows of at most a
            // vector take col2imValidInRegisters (every col row and dx row loaded as whole vectors); dx holds -0 and
            // random values, which lanes outside a contribution must keep
            MemorySegment colsAt = random(arena, colFloats + 2L * guard, r);
            MemorySegment.copy(cols, 0, colsAt, (long) guard * Float.BYTES, colFloats * Float.BYTES);
            MemorySegment dx5 = random(arena, (long) c * h * w + 40, r);
            for (long i = 0; i < dx5.byteSize() / Float.BYTES; i += 3) {
                dx5.setAtIndex(F, i, -0f);
            }
            MemorySegment dx6 = arena.allocate(dx5.byteSize()).copyFrom(dx5);
            s.col2imAccumulate(dx5, 2, colsAt, guard, ld, c, h, w, k, pad);
            v.col2imAccumulate(dx6, 2, colsAt, guard, ld, c, h, w, k, pad);
            assertSameFloats(dx5, dx6, 0, (long) c * h * w + 40, "col2imAccumulate with col at an offset and room after dx");
            // the reference itself: col2im is the adjoint of im2col, <im2col(x), C> = <x, col2im(C)>
            MemorySegment zeroDx = arena.allocate((long) c * h * w * Float.BYTES);
            s.col2imAccumulate(zeroDx, 0, cols, 0, ld, c, h, w, k, pad);
            double left = 0;
            double right = 0;
            double scale = 0;
            for (long i = 0; i < colFloats; i++) {
                double term = (double) col1.getAtIndex(F, guard + i) * cols.getAtIndex(F, i);
                left += term;
                scale += Math.abs(term);
            }
            for (long i = 0; i < (long) c * h * w; i++) {
                right += (double) x.getAtIndex(F, i) * zeroDx.getAtIndex(F, i);
            }
            assertEquals(left, right, 1e-5 * Math.max(1, scale), "adjoint identity");
        }
    }

    @ParameterizedTest
    @MethodSource("convShapes")
    void shouldConvolveWithTheBitsOfIm2colThenGemm(VectorSpecies<Float> species, int c, int h, int w, int k, int pad, int extra) {
        Kernels v = VectorKernels.of(species);
        Kernels s = Kernels.scalar();
        SplittableRandom r = new SplittableRandom(SEED ^ (c * 1_000_033L + h * 1013L + w * 37L + k * 11L + pad));
        int oh = h + 2 * pad - k + 1;
        int ow = w + 2 * pad - k + 1;
        int width = oh * ow + extra;
        int ld = width + r.nextInt(20);
        int kk = c * k * k;
        int guard = 40;
        try (Arena arena = Arena.ofConfined()) {
            // x ends exactly at the image's last element, and a third of it is -0 (a masked lane must give gemm's +0
            // col entry, not the pixel's -0)
            MemorySegment x = random(arena, (long) c * h * w, r).asSlice(0, (long) c * h * w * Float.BYTES);
            for (long i = 0; i < (long) c * h * w; i += 3) {
                x.setAtIndex(F, i, -0f);
            }
            MemorySegment xMore = random(arena, (long) c * h * w + 64, r).copyFrom(x);
            MemorySegment col = arena.allocate((long) kk * width * Float.BYTES);
            s.im2col(col, 0, width, width, x, 0, c, h, w, k, pad);
            for (int outC : new int[] {1, 6, 8, 14, 16}) {
                MemorySegment wt = random(arena, (long) outC * kk + 3, r);
                for (long i = 0; i < (long) outC * kk + 3; i += 5) {
                    wt.setAtIndex(F, i, -0f);
                }
                long rowsFloats = (long) outC * ld + 2L * guard;
                MemorySegment before = random(arena, rowsFloats, r);
                MemorySegment expected = arena.allocate(before.byteSize()).copyFrom(before);
                MemorySegment scalar = arena.allocate(before.byteSize()).copyFrom(before);
                MemorySegment vector = arena.allocate(before.byteSize()).copyFrom(before);
                MemorySegment vectorMore = arena.allocate(before.byteSize()).copyFrom(before);
                s.gemm(outC, width, kk, wt, 3, kk, 1, col, 0, width, expected, guard, ld, false);
                s.convolve(outC, wt, 3, x, 0, c, h, w, k, pad, scalar, guard, ld, width);
                v.convolve(outC, wt, 3, x, 0, c, h, w, k, pad, vector, guard, ld, width);
                v.convolve(outC, wt, 3, xMore, 0, c, h, w, k, pad, vectorMore, guard, ld, width);
                String what = outC + " filters over " + c + "x" + h + "x" + w + " k " + k + " pad " + pad + ", width " + width + " ld " + ld;
                assertSameFloats(expected, scalar, 0, rowsFloats, "scalar convolve against im2col + gemm, " + what);
                assertSameFloats(expected, vector, 0, rowsFloats, "vector convolve, " + what);
                assertSameFloats(expected, vectorMore, 0, rowsFloats, "vector convolve of an image with data after it, " + what);
                // floats past each row's width (another example's, in a batch's rows) are left as they were
                for (int co = 0; co < outC; co++) {
                    long at = guard + (long) co * ld + width;
                    assertSameFloats(before.asSlice(at * Float.BYTES), vector.asSlice(at * Float.BYTES), 0, ld - width, "past row " + co);
                }
            }
            MemorySegment rows = arena.allocate((long) ld * Float.BYTES);
            assertThrows(IllegalArgumentException.class, () -> v.convolve(1, col, 0, x, 0, c, h, w, k, pad, rows, 0, ld, oh * ow - 1));
            assertThrows(IllegalArgumentException.class, () -> s.convolve(1, col, 0, x, 0, c, h, w, k, pad, rows, 0, ld, ld + 1));
        }
    }

    static Stream<Arguments> weightGradientShapes() {
        // c, h, w, k, pad, count, extra columns per example: LeNet's first conv (a chunk of one and of several
        // examples); the thesis CNN's two valid convs with their layers' padding columns (676 -> 688, 121 -> 128);
        // other "same" shapes, several channels, rows narrower than a vector, a 3-wide kernel, padding columns after
        // a "same" conv's positions (CIFAR's first conv has 1024 + 16); valid convs with rows under a vector and over
        // one; shapes the vector path leaves to the reference (positions or columns not a multiple of 16, k = 1)
        List<int[]> all = List.of(new int[] {1, 28, 28, 5, 2, 1, 0}, new int[] {1, 28, 28, 5, 2, 3, 0}, new int[] {1, 28, 28, 3, 0, 2, 12},
                new int[] {4, 13, 13, 3, 0, 3, 7}, new int[] {2, 8, 8, 3, 1, 2, 0}, new int[] {3, 4, 12, 5, 2, 2, 0},
                new int[] {1, 16, 16, 3, 1, 4, 0}, new int[] {3, 8, 8, 3, 1, 2, 16}, new int[] {2, 6, 7, 2, 0, 3, 2},
                new int[] {1, 20, 21, 3, 0, 2, 10}, new int[] {1, 2, 8, 1, 0, 3, 0}, new int[] {2, 9, 9, 3, 0, 2, 0},
                new int[] {1, 7, 7, 3, 1, 2, 0}, new int[] {2, 9, 9, 3, 0, 2, 1});
        return species().flatMap(s -> all.stream().map(a -> Arguments.of(s, a[0], a[1], a[2], a[3], a[4], a[5], a[6])));
    }

    @ParameterizedTest
    @MethodSource("weightGradientShapes")
    void shouldTakeTheWeightGradientDotProductsWithTheBitsOfIm2colThenGemmNT(VectorSpecies<Float> species, int c, int h, int w, int k,
                                                                             int pad, int count, int extra) {
        Kernels v = VectorKernels.of(species);
        Kernels s = Kernels.scalar();
        SplittableRandom r = new SplittableRandom(SEED ^ (c * 1_000_037L + h * 1019L + w * 41L + k * 13L + pad * 3L + count));
        int oh = h + 2 * pad - k + 1;
        int ow = w + 2 * pad - k + 1;
        int ld = oh * ow + extra;
        int kk = c * k * k;
        long wide = (long) count * ld;
        long inSize = (long) c * h * w;
        try (Arena arena = Arena.ofConfined()) {
            // the examples one after another, then nothing (a load past the last image must not happen); -0 in a third
            MemorySegment x = random(arena, count * inSize + 5, r).asSlice(0, (count * inSize + 5) * Float.BYTES);
            for (long i = 0; i < count * inSize + 5; i += 3) {
                x.setAtIndex(F, i, -0f);
            }
            MemorySegment cols = arena.allocate(kk * wide * Float.BYTES);
            for (int e = 0; e < count; e++) {
                s.im2col(cols, (long) e * ld, (int) wide, ld, x, 5 + e * inSize, c, h, w, k, pad);
            }
            for (int outC : new int[] {6, 12, 1, 4, 8}) {
                int ldd = (int) wide + r.nextInt(3);
                MemorySegment dys = random(arena, (long) outC * ldd + 2, r);
                for (int co = 0; co < outC; co++) { // dy's padding columns are zeros, as the layer writes them
                    for (int e = 0; e < count; e++) {
                        for (int t = oh * ow; t < ld; t++) {
                            dys.setAtIndex(F, 2 + (long) co * ldd + (long) e * ld + t, 0f);
                        }
                    }
                }
                int ldc = outC + r.nextInt(4);
                for (boolean accumulate : new boolean[] {false, true}) {
                    MemorySegment before = random(arena, (long) kk * ldc + 3, r);
                    MemorySegment expected = arena.allocate(before.byteSize()).copyFrom(before);
                    MemorySegment scalar = arena.allocate(before.byteSize()).copyFrom(before);
                    MemorySegment vector = arena.allocate(before.byteSize()).copyFrom(before);
                    s.gemmNT(kk, outC, (int) wide, cols, 0, (int) wide, dys, 2, ldd, expected, 1, ldc, accumulate);
                    s.convolveWeightGradient(outC, dys, 2, ldd, count, ld, x, 5, inSize, c, h, w, k, pad, scalar, 1, ldc, accumulate);
                    v.convolveWeightGradient(outC, dys, 2, ldd, count, ld, x, 5, inSize, c, h, w, k, pad, vector, 1, ldc, accumulate);
                    String what = outC + " filters, " + count + " examples of " + c + "x" + h + "x" + w + " k " + k + " pad " + pad
                            + ", ld " + ld + ", accumulate " + accumulate;
                    assertSameFloats(expected, scalar, 0, (long) kk * ldc + 3, "scalar reference against im2col + gemmNT, " + what);
                    assertSameFloats(expected, vector, 0, (long) kk * ldc + 3, "vector kernel, " + what);
                }
            }
        }
        if (species.length() == 16) { // the vector path itself, not its fallback
            // "same" convs over images of a multiple of 16 floats, or valid convs, whose examples are a multiple of 16
            // columns apart, with filters in sixes (over 4 col rows or more) or fours (col rows in fours and fives)
            boolean fits = ld % 16 == 0 && (ow == w && oh == h ? h * w % 16 == 0 : pad == 0);
            assertEquals(fits && kk >= 4, v.convolvesWeightGradientDirectly(6, c, h, w, k, pad, ld), "6 filters: which shapes take the vector path");
            assertEquals(fits && VectorKernels.fiveRowBlocks(kk) >= 0, v.convolvesWeightGradientDirectly(4, c, h, w, k, pad, ld),
                    "4 filters: which shapes take the vector path");
            assertFalse(v.convolvesWeightGradientDirectly(1, c, h, w, k, pad, ld), "1 filter takes the reference");
        }
    }

    @Test
    void shouldTakeTheThesisNetworksFirstConvsWeightGradientsFromTheImages() {
        // the dot-product weight gradients Conv2d sends to convolveWeightGradient at batches past a chunk: LeNet's first
        // conv and the thesis CNN's two (their layers' column strides), on 16 lanes
        Kernels v = VectorKernels.of(FloatVector.SPECIES_512);
        assertTrue(v.convolvesWeightGradientDirectly(6, 1, 28, 28, 5, 2, 784), "LeNet conv1");
        assertTrue(v.convolvesWeightGradientDirectly(4, 1, 28, 28, 3, 0, 688), "CNN conv1");
        assertTrue(v.convolvesWeightGradientDirectly(8, 4, 13, 13, 3, 0, 128), "CNN conv2");
        assertFalse(Kernels.scalar().convolvesWeightGradientDirectly(4, 1, 28, 28, 3, 0, 688), "the scalar reference");
    }

    @Test
    void shouldConvolveLeNetsShapesDirectlyWithTheVectorKernels() {
        // the layers whose forward takes convolve at batches past a chunk (Conv2d): LeNet's two, for every species
        // wide enough for their rows
        species().forEach(sp -> {
            Kernels v = VectorKernels.of(sp);
            assertTrue(v.convolvesDirectly(6, 1, 28, 28, 5, 2), "LeNet's first conv, " + sp);
            assertTrue(v.convolvesDirectly(16, 6, 14, 14, 5, 0), "LeNet's second conv, " + sp);
            assertFalse(v.convolvesDirectly(4, 1, 28, 28, 3, 0), "4 filters: no block of 6 or 8 rows, " + sp);
        });
        assertFalse(Kernels.scalar().convolvesDirectly(6, 1, 28, 28, 5, 2), "the scalar reference computes im2col + gemm");
    }

    @ParameterizedTest
    @MethodSource("shapes")
    void shouldMatchScalarRowBiasAndZero(VectorSpecies<Float> species, int m, int n, int k) {
        Kernels v = VectorKernels.of(species);
        Kernels s = Kernels.scalar();
        SplittableRandom r = new SplittableRandom(SEED ^ (m * 7L + n * 131L + k));
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment bias = random(arena, m + 2, r);
            for (boolean relu : new boolean[] {false, true}) {
                // in place (src is y, rows n floats apart)
                MemorySegment y1 = random(arena, (long) m * n + 4, r);
                MemorySegment y2 = arena.allocate(y1.byteSize()).copyFrom(y1);
                s.rowBiasActivation(y1, 2, y1, 2, n, bias, 1, m, n, relu);
                v.rowBiasActivation(y2, 2, y2, 2, n, bias, 1, m, n, relu);
                assertSameFloats(y1, y2, 0, (long) m * n + 4, "rowBiasActivation in place relu=" + relu);
                // from rows lds = n + 3 floats apart into dense y: the padding columns must not reach y
                final int lds = n + 3;
                MemorySegment src = random(arena, (long) m * lds + 5, r);
                MemorySegment out1 = random(arena, (long) m * n + 4, r);
                MemorySegment out2 = arena.allocate(out1.byteSize()).copyFrom(out1);
                s.rowBiasActivation(out1, 1, src, 5, lds, bias, 1, m, n, relu);
                v.rowBiasActivation(out2, 1, src, 5, lds, bias, 1, m, n, relu);
                assertSameFloats(out1, out2, 0, (long) m * n + 4, "rowBiasActivation lds=" + lds + " relu=" + relu);
            }
            long count = (long) m * k;
            MemorySegment z1 = random(arena, count + 4, r);
            MemorySegment z2 = arena.allocate(z1.byteSize()).copyFrom(z1);
            s.zero(z1, 3, count);
            v.zero(z2, 3, count);
            assertSameFloats(z1, z2, 0, count + 4, "zero");
            for (long i = 3; i < 3 + count; i++) {
                assertEquals(0, Float.floatToIntBits(z1.getAtIndex(F, i)), "zero at " + i);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("species")
    void shouldZeroExactlyItsRunWhenRunsAreShortOrEndNearTheSegmentEnd(VectorSpecies<Float> species) {
        Kernels v = VectorKernels.of(species);
        SplittableRandom r = new SplittableRandom(SEED + 77);
        try (Arena arena = Arena.ofConfined()) {
            for (int count = 0; count <= 40; count++) {
                for (int after : new int[] {0, 1, 15, 16, 40}) { // floats between the run's end and the segment's end
                    int off = 5;
                    long floats = off + count + after;
                    MemorySegment before = arena.allocate(floats * Float.BYTES);
                    for (long i = 0; i < floats; i++) {
                        before.setAtIndex(F, i, (float) r.nextGaussian());
                    }
                    MemorySegment z = arena.allocate(before.byteSize()).copyFrom(before);
                    v.zero(z, off, count);
                    for (long i = 0; i < floats; i++) {
                        boolean inRun = i >= off && i < off + count;
                        assertEquals(inRun ? 0 : Float.floatToIntBits(before.getAtIndex(F, i)), Float.floatToIntBits(z.getAtIndex(F, i)),
                                "float " + i + " after zero(" + off + ", " + count + ") with " + after + " floats after the run");
                    }
                }
            }
        }
    }

    /** Values for {@link #shouldMatchScalarMaxPoolBitForBit}: gaussian, many ties, signed zeros. */
    enum PoolValues {
        GAUSSIAN, TIES_0_1_2, SIGNED_ZEROS;

        float next(SplittableRandom r) {
            return switch (this) {
                case GAUSSIAN -> (float) r.nextGaussian();
                case TIES_0_1_2 -> r.nextInt(3);
                case SIGNED_ZEROS -> r.nextInt(4) == 0 ? 1f : (r.nextBoolean() ? -0f : 0f);
            };
        }
    }

    /**
     * (planes, h, w): the thesis pooling shapes per example (CNN 4x26x26 and 8x11x11, LeNet 6x28x28
     * and 16x10x10), the smallest windows, odd sizes, output widths just below, at and above 8 and 16
     * lanes (ow = 7, 8, 9, 15, 16, 17, 31, 33 with even and odd w), and random shapes.
     */
    static Stream<Arguments> poolShapes() {
        SplittableRandom r = new SplittableRandom(SEED + 11);
        Stream<int[]> fixed = Stream.of(new int[] {4, 26, 26}, new int[] {8, 11, 11}, new int[] {6, 28, 28}, new int[] {16, 10, 10},
                new int[] {1, 2, 2}, new int[] {3, 2, 2}, new int[] {1, 3, 3}, new int[] {5, 3, 2}, new int[] {2, 2, 3}, new int[] {2, 7, 5},
                new int[] {2, 4, 14}, new int[] {2, 5, 15}, new int[] {2, 4, 16}, new int[] {2, 3, 17}, new int[] {2, 4, 18}, new int[] {1, 5, 19},
                new int[] {3, 4, 30}, new int[] {2, 3, 31}, new int[] {2, 4, 32}, new int[] {2, 5, 33}, new int[] {3, 2, 34}, new int[] {2, 4, 35},
                new int[] {2, 3, 62}, new int[] {1, 4, 67});
        Stream<int[]> random = IntStream.range(0, 8).mapToObj(i -> new int[] {1 + r.nextInt(6), 2 + r.nextInt(30), 2 + r.nextInt(40)});
        java.util.List<int[]> all = Stream.concat(fixed, random).toList();
        return species().flatMap(s -> all.stream().flatMap(a -> Stream.of(PoolValues.values())
                .map(v -> Arguments.of(s, a[0], a[1], a[2], v))));
    }

    @ParameterizedTest
    @MethodSource("poolShapes")
    void shouldMatchScalarMaxPoolBitForBit(VectorSpecies<Float> species, int planes, int h, int w, PoolValues values) {
        Kernels v = VectorKernels.of(species);
        Kernels s = Kernels.scalar();
        SplittableRandom r = new SplittableRandom(SEED ^ (planes * 1_000_003L + h * 1009L + w * 31L + values.ordinal()));
        long outputs = (long) planes * (h / 2) * (w / 2);
        int xOff = 3;
        int guard = 37;
        try (Arena arena = Arena.ofConfined()) {
            // x ends exactly at the last plane's last element: a vector load past it must not happen
            long xFloats = xOff + (long) planes * h * w;
            MemorySegment x = arena.allocate(xFloats * Float.BYTES);
            for (long i = 0; i < xFloats; i++) {
                x.setAtIndex(F, i, values.next(r));
            }
            // y and argmax with guard elements on both sides: nothing outside the outputs may be written
            long outFloats = outputs + 2L * guard;
            MemorySegment y1 = random(arena, outFloats, r).asSlice(0, outFloats * Float.BYTES);
            MemorySegment y2 = arena.allocate(y1.byteSize()).copyFrom(y1);
            MemorySegment g1 = random(arena, outFloats, r).asSlice(0, outFloats * Integer.BYTES);
            MemorySegment g2 = arena.allocate(g1.byteSize()).copyFrom(g1);
            MemorySegment guards = arena.allocate(g1.byteSize()).copyFrom(g1);
            MemorySegment yGuards = arena.allocate(y1.byteSize()).copyFrom(y1);
            s.maxPool2x2(y1, guard, g1, guard, x, xOff, planes, h, w);
            v.maxPool2x2(y2, guard, g2, guard, x, xOff, planes, h, w);
            String what = "maxPool2x2 planes=" + planes + " h=" + h + " w=" + w + " " + values;
            assertSameFloats(y1, y2, 0, outFloats, what + " y");
            for (long i = 0; i < outFloats; i++) {
                int e = g1.getAtIndex(ValueLayout.JAVA_INT_UNALIGNED, i);
                int a = g2.getAtIndex(ValueLayout.JAVA_INT_UNALIGNED, i);
                assertEquals(e, a, what + " argmax differs at " + i);
                if (i < guard || i >= guard + outputs) {
                    assertEquals(guards.getAtIndex(ValueLayout.JAVA_INT_UNALIGNED, i), a, what + " argmax guard " + i + " written");
                    assertEquals(Float.floatToRawIntBits(yGuards.getAtIndex(F, i)), Float.floatToRawIntBits(y2.getAtIndex(F, i)),
                            what + " y guard " + i + " written");
                } else {
                    // the reference itself: y is x at argmax (bit for bit), the first maximum of its window
                    long o = i - guard;
                    long plane = o / ((h / 2) * (w / 2));
                    long py = o % ((h / 2) * (w / 2)) / (w / 2);
                    long px = o % (w / 2);
                    long origin = xOff + plane * h * w + 2 * py * w + 2 * px;
                    long[] window = {origin, origin + 1, origin + w, origin + w + 1};
                    float max = y1.getAtIndex(F, i);
                    assertEquals(Float.floatToRawIntBits(x.getAtIndex(F, e)), Float.floatToRawIntBits(max), what + " y = x[argmax] at " + i);
                    boolean seen = false;
                    for (long at : window) {
                        float value = x.getAtIndex(F, at);
                        if (at == e) {
                            seen = true;
                        } else {
                            assertTrue(seen ? !(value > max) : value < max, what + " argmax " + e + " is not the first maximum at " + i);
                        }
                    }
                    assertTrue(seen, what + " argmax " + e + " is outside the window of output " + i);
                }
            }
        }
    }

    @ParameterizedTest
    @MethodSource("poolShapes")
    void shouldRouteMaxPoolGradientsBitForBit(VectorSpecies<Float> species, int planes, int h, int w, PoolValues values) {
        Kernels v = VectorKernels.of(species);
        Kernels s = Kernels.scalar();
        SplittableRandom r = new SplittableRandom(SEED ^ (planes * 1_000_033L + h * 1013L + w * 37L + values.ordinal()));
        long inputs = (long) planes * h * w;
        long outputs = (long) planes * (h / 2) * (w / 2);
        int dxOff = 3;
        int guard = 37;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment x = arena.allocate((dxOff + inputs) * Float.BYTES);
            for (long i = 0; i < dxOff + inputs; i++) {
                x.setAtIndex(F, i, values.next(r));
            }
            // argmax and dy exactly as long as the outputs: a vector load past them must not happen
            MemorySegment y = arena.allocate(outputs * Float.BYTES);
            MemorySegment argmax = arena.allocate(outputs * Integer.BYTES);
            s.maxPool2x2(y, 0, argmax, 0, x, dxOff, planes, h, w);
            MemorySegment dy = random(arena, outputs, r).asSlice(0, outputs * Float.BYTES);
            for (long i = 0; i < outputs; i += 5) {
                dy.setAtIndex(F, i, -0f);
            }
            // dx with garbage in it (it needs no zeroing) and guards before and after: nothing outside the planes written
            long dxFloats = dxOff + inputs + guard;
            MemorySegment before = random(arena, dxFloats, r).asSlice(0, dxFloats * Float.BYTES);
            MemorySegment dx1 = arena.allocate(before.byteSize()).copyFrom(before);
            MemorySegment dx2 = arena.allocate(before.byteSize()).copyFrom(before);
            s.maxPool2x2Backward(dx1, dxOff, dy, 0, argmax, 0, planes, h, w);
            v.maxPool2x2Backward(dx2, dxOff, dy, 0, argmax, 0, planes, h, w);
            String what = "maxPool2x2Backward planes=" + planes + " h=" + h + " w=" + w + " " + values;
            assertSameFloats(dx1, dx2, 0, dxFloats, what);
            // the reference itself: dy at each output's argmax, +0 elsewhere in the planes, the guards untouched
            MemorySegment expected = arena.allocate(before.byteSize()).copyFrom(before);
            for (long i = dxOff; i < dxOff + inputs; i++) {
                expected.setAtIndex(F, i, 0f);
            }
            for (long o = 0; o < outputs; o++) {
                expected.setAtIndex(F, argmax.getAtIndex(ValueLayout.JAVA_INT_UNALIGNED, o), dy.getAtIndex(F, o));
            }
            assertSameFloats(expected, dx1, 0, dxFloats, what + " reference");
        }
    }
}
