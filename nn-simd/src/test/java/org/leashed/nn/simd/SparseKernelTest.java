package org.leashed.nn.simd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import jdk.incubator.vector.VectorSpecies;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The nonzero index and the two sparse GEMMs: the vector kernels against the scalar reference, and both against the
 * dense {@link Kernels#gemm} they stand in for, bit for bit, on every species and on shapes around the vector length
 * and its eightfold (the 8-vector blocks), with rows of A and C that have gaps, and A holding -0.0 (not listed) and
 * NaN (listed, and propagated as by the dense GEMM).
 */
class SparseKernelTest {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final ValueLayout.OfInt I = ValueLayout.JAVA_INT_UNALIGNED;

    /** species, m (rows of A), k (columns of A), n (columns of B), density of A's nonzeros. */
    static Stream<Arguments> cases() {
        return KernelEquivalenceTest.species().flatMap(s -> {
            int l = s.length();
            int[][] shapes = {{1, 1, 1}, {3, 7, 5}, {16, 97, 8 * l}, {9, l - 1, 8 * l + 1}, {5, l + 1, 8 * l - 1},
                {12, 2 * l, l}, {7, 50, 9 * l + 3}, {4, 33, 17 * l}, {2, 130, 3}, {33, 40, 16 * l + l - 1}};
            return Stream.of(shapes).flatMap(sh -> Stream.of(0.0, 0.05, 0.2, 0.6, 1.0).map(d -> Arguments.of(s, sh[0], sh[1], sh[2], d)));
        });
    }

    @ParameterizedTest
    @MethodSource("cases")
    void shouldIndexAndMultiplyLikeTheDenseGemm(VectorSpecies<Float> species, int m, int k, int n, double density) {
        Kernels v = VectorKernels.of(species);
        Kernels s = Kernels.scalar();
        SplittableRandom r = new SplittableRandom(m * 1_000_003L + k * 1009L + n * 31L + Math.round(density * 100));
        int lda = k + 3;
        try (Arena arena = Arena.ofConfined()) {
            // A (m, k) in rows of lda from float 1; the gaps hold nonzeros that must not be listed
            MemorySegment a = arena.allocate(((long) m * lda + 1) * Float.BYTES);
            int nonzeros = 0;
            for (int i = 0; i < m; i++) {
                for (int p = 0; p < lda; p++) {
                    float value;
                    if (p >= k) {
                        value = 7f;
                    } else if (r.nextDouble() < density) {
                        value = r.nextInt(50) == 0 ? Float.NaN : (float) r.nextGaussian();
                        nonzeros++;
                    } else {
                        value = r.nextBoolean() ? 0f : -0f;
                    }
                    a.setAtIndex(F, 1 + (long) i * lda + p, value);
                }
            }
            // the count over A's rows and their gaps (3 sevens each): NaN counts, -0.0 does not
            assertEquals(nonzeros + 3L * m, v.countNonzeros(a, 1, (long) m * lda), "vector countNonzeros");
            assertEquals(nonzeros + 3L * m, s.countNonzeros(a, 1, (long) m * lda), "scalar countNonzeros");
            long ints = Kernels.nonzeroIndexInts(m, k) + 2;
            MemorySegment idxScalar = arena.allocate(ints * Integer.BYTES);
            MemorySegment idxVector = arena.allocate(ints * Integer.BYTES);
            assertEquals(nonzeros, s.nonzeroIndex(idxScalar, 2, a, 1, lda, m, k, Long.MAX_VALUE), "scalar count");
            assertEquals(nonzeros, v.nonzeroIndex(idxVector, 2, a, 1, lda, m, k, nonzeros), "vector count with the budget exactly met");
            for (long e = 0; e < m + 1 + nonzeros; e++) {
                assertEquals(idxScalar.getAtIndex(I, 2 + e), idxVector.getAtIndex(I, 2 + e), "index int " + e);
            }
            assertIndexListsExactlyTheNonzeros(idxScalar, 2, a, 1, lda, m, k);
            if (nonzeros > 0) {
                MemorySegment spoiled = arena.allocate(ints * Integer.BYTES);
                assertEquals(-1, v.nonzeroIndex(spoiled, 2, a, 1, lda, m, k, nonzeros - 1), "vector: one nonzero over the budget");
                assertEquals(-1, s.nonzeroIndex(spoiled, 2, a, 1, lda, m, k, nonzeros - 1), "scalar: one nonzero over the budget");
            }

            // C (m, n) = A·B against the dense GEMM; C's row gaps (ldc = n + 2) must keep their values
            int ldb = n + 1;
            MemorySegment b = random(arena, (long) Math.max(k, m) * ldb, r);
            int ldc = n + 2;
            MemorySegment c0 = random(arena, (long) Math.max(m, k) * ldc, r);
            MemorySegment dense = arena.allocate(c0.byteSize()).copyFrom(c0);
            MemorySegment cs = arena.allocate(c0.byteSize()).copyFrom(c0);
            MemorySegment cv = arena.allocate(c0.byteSize()).copyFrom(c0);
            s.gemm(m, n, k, a, 1, lda, 1, b, 0, ldb, dense, 0, ldc, false);
            s.gemmSparse(m, n, a, 1, lda, idxScalar, 2, b, 0, ldb, cs, 0, ldc);
            v.gemmSparse(m, n, a, 1, lda, idxVector, 2, b, 0, ldb, cv, 0, ldc);
            assertSameFloats(dense, cs, (long) m * ldc, "scalar gemmSparse vs dense gemm");
            assertSameFloats(dense, cv, (long) m * ldc, "vector gemmSparse vs dense gemm");

            // C (k, n) = Aᵀ·B for B (m, n)
            dense.copyFrom(c0);
            cs.copyFrom(c0);
            cv.copyFrom(c0);
            s.gemm(k, n, m, a, 1, 1, lda, b, 0, ldb, dense, 0, ldc, false);
            s.gemmSparseTransposed(k, n, m, a, 1, lda, idxScalar, 2, b, 0, ldb, cs, 0, ldc);
            v.gemmSparseTransposed(k, n, m, a, 1, lda, idxVector, 2, b, 0, ldb, cv, 0, ldc);
            assertSameFloats(dense, cs, (long) k * ldc, "scalar gemmSparseTransposed vs dense gemm");
            assertSameFloats(dense, cv, (long) k * ldc, "vector gemmSparseTransposed vs dense gemm");
            // and with C dense (ldc = n), the whole-block zeroing
            MemorySegment whole = random(arena, (long) k * n, r);
            MemorySegment wholeDense = random(arena, (long) k * n, r);
            v.gemmSparseTransposed(k, n, m, a, 1, lda, idxVector, 2, b, 0, ldb, whole, 0, n);
            s.gemm(k, n, m, a, 1, 1, lda, b, 0, ldb, wholeDense, 0, n, false);
            assertSameFloats(wholeDense, whole, (long) k * n, "vector gemmSparseTransposed, ldc = n");
        }
    }

    /** Independent of both kernels: row starts add up, each row's columns increase, and they are exactly the nonzeros. */
    private static void assertIndexListsExactlyTheNonzeros(MemorySegment idx, long off, MemorySegment a, long aOff, int lda, int m, int k) {
        long list = off + m + 1;
        for (int i = 0; i < m; i++) {
            int from = idx.getAtIndex(I, off + i), to = idx.getAtIndex(I, off + i + 1);
            int e = from;
            for (int p = 0; p < k; p++) {
                float x = a.getAtIndex(F, aOff + (long) i * lda + p);
                if (x != 0f) {
                    assertTrue(e < to, "row " + i + ": nonzero column " + p + " not listed");
                    assertEquals(p, idx.getAtIndex(I, list + e), "row " + i + " entry " + (e - from));
                    e++;
                }
            }
            assertEquals(to, e, "row " + i + " lists more than its nonzeros");
        }
    }

    private static MemorySegment random(Arena arena, long n, SplittableRandom r) {
        MemorySegment s = arena.allocate(Math.max(1, n) * Float.BYTES);
        for (long i = 0; i < Math.max(1, n); i++) {
            s.setAtIndex(F, i, (float) r.nextGaussian());
        }
        return s;
    }

    private static void assertSameFloats(MemorySegment expected, MemorySegment actual, long n, String what) {
        for (long i = 0; i < n; i++) {
            float e = expected.getAtIndex(F, i), g = actual.getAtIndex(F, i);
            assertEquals(Float.floatToIntBits(e), Float.floatToIntBits(g), what + " differs at " + i + ": " + e + " vs " + g);
        }
    }
}
