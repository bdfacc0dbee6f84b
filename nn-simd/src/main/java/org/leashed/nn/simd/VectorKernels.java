package org.leashed.nn.simd;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API kernels. Loaded only by name through {@link KernelProvider}. Each loop is: main vector
 * loop up to {@code species.loopBound(n)}, then a masked vector tail (GEMM, where a tail is a whole
 * 10-wide output layer) or a plain scalar tail. Elementwise kernels and GEMM use the same operation
 * order and the same FMA choice as {@link ScalarKernels}, so they match it bit for bit.
 *
 * <p>GEMM register blocking: 4 rows of C by 4 vectors of columns (16 accumulators, 4 B loads and 4
 * broadcasts per k step: fits the 32 AVX-512 registers), then 4x1, 1x4 and 1x1 edge blocks.
 */
public abstract sealed class VectorKernels implements Kernels permits VectorKernels.S64, VectorKernels.S128, VectorKernels.S256, VectorKernels.S512 {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();

    /*
     * The species must be a compile-time constant for C2 to intrinsify the Vector API: read from an
     * instance field it is not, and every vector op then allocates (measured: 3 GFLOP/s instead of
     * ~150 for the MLP GEMM). So each width is a final subclass whose species() returns a static final
     * field; in production only the preferred subclass is loaded, the call is monomorphic, inlined and
     * folded. Tests load all four (slower, still correct).
     */
    VectorKernels() {
    }

    /** The species these kernels run with. */
    abstract VectorSpecies<Float> species();

    /** Kernels over {@code species} (64, 128, 256 or 512 bits); tests use every width. */
    public static VectorKernels of(VectorSpecies<Float> species) {
        return switch (species.vectorBitSize()) {
            case 64 -> new S64();
            case 128 -> new S128();
            case 256 -> new S256();
            case 512 -> new S512();
            default -> throw new IllegalArgumentException("species must be 64, 128, 256 or 512 bits, got " + species);
        };
    }

    /** The platform's preferred species, or null when it is narrower than 128 bits. */
    public static VectorKernels preferred() {
        VectorSpecies<Float> s = FloatVector.SPECIES_PREFERRED;
        return s.vectorBitSize() < KernelProvider.MIN_VECTOR_BITS ? null : of(s);
    }

    static final class S64 extends VectorKernels {
        private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_64;

        @Override
        VectorSpecies<Float> species() {
            return SPECIES;
        }
    }

    static final class S128 extends VectorKernels {
        private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_128;

        @Override
        VectorSpecies<Float> species() {
            return SPECIES;
        }
    }

    static final class S256 extends VectorKernels {
        private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_256;

        @Override
        VectorSpecies<Float> species() {
            return SPECIES;
        }
    }

    static final class S512 extends VectorKernels {
        private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_512;

        @Override
        VectorSpecies<Float> species() {
            return SPECIES;
        }
    }

    private FloatVector load(MemorySegment s, long index) {
        return FloatVector.fromMemorySegment(species(), s, index * Float.BYTES, NATIVE);
    }

    private FloatVector load(MemorySegment s, long index, VectorMask<Float> mask) {
        return FloatVector.fromMemorySegment(species(), s, index * Float.BYTES, NATIVE, mask);
    }

    private FloatVector bcast(MemorySegment s, long index) {
        return FloatVector.broadcast(species(), s.getAtIndex(F, index));
    }

    @Override
    public void gemm(int m, int n, int k, MemorySegment a, long aOff, int aRowStride, int aColStride,
                     MemorySegment b, long bOff, int ldb, MemorySegment c, long cOff, int ldc, boolean accumulate) {
        final int lanes = species().length();
        final int wide = 4 * species().length();
        final int nWide = n - n % wide;
        final int nVec = n - n % species().length();
        final int m4 = m - m % 4;
        for (int i = 0; i < m4; i += 4) {
            int j = 0;
            for (; j < nWide; j += wide) {
                block4x4(k, a, aOff, aRowStride, aColStride, b, bOff, ldb, c, cOff, ldc, accumulate, i, j);
            }
            for (; j < nVec; j += species().length()) {
                block4x1(k, a, aOff, aRowStride, aColStride, b, bOff, ldb, c, cOff, ldc, accumulate, i, j, species().maskAll(true));
            }
            if (j < n) {
                block4x1(k, a, aOff, aRowStride, aColStride, b, bOff, ldb, c, cOff, ldc, accumulate, i, j, species().indexInRange(j, n));
            }
        }
        for (int i = m4; i < m; i++) {
            for (int j = 0; j < n; j += species().length()) {
                VectorMask<Float> mask = j + species().length() <= n ? species().maskAll(true) : species().indexInRange(j, n);
                block1x1(k, a, aOff + (long) i * aRowStride, aColStride, b, bOff, ldb, c, cOff + (long) i * ldc, accumulate, j, mask);
            }
        }
    }

    private void block4x4(int k, MemorySegment a, long aOff, int aRs, int aCs, MemorySegment b, long bOff, int ldb,
                          MemorySegment c, long cOff, int ldc, boolean accumulate, int i, int j) {
        final int L = species().length();
        FloatVector c00 = FloatVector.zero(species()), c01 = c00, c02 = c00, c03 = c00;
        FloatVector c10 = c00, c11 = c00, c12 = c00, c13 = c00;
        FloatVector c20 = c00, c21 = c00, c22 = c00, c23 = c00;
        FloatVector c30 = c00, c31 = c00, c32 = c00, c33 = c00;
        long a0 = aOff + (long) i * aRs;
        long a1 = a0 + aRs, a2 = a1 + aRs, a3 = a2 + aRs;
        long bp = bOff + j;
        for (int p = 0; p < k; p++, bp += ldb) {
            long ap = (long) p * aCs;
            FloatVector b0 = load(b, bp), b1 = load(b, bp + L), b2 = load(b, bp + 2L * L), b3 = load(b, bp + 3L * L);
            FloatVector x = bcast(a, a0 + ap);
            c00 = x.fma(b0, c00); c01 = x.fma(b1, c01); c02 = x.fma(b2, c02); c03 = x.fma(b3, c03);
            x = bcast(a, a1 + ap);
            c10 = x.fma(b0, c10); c11 = x.fma(b1, c11); c12 = x.fma(b2, c12); c13 = x.fma(b3, c13);
            x = bcast(a, a2 + ap);
            c20 = x.fma(b0, c20); c21 = x.fma(b1, c21); c22 = x.fma(b2, c22); c23 = x.fma(b3, c23);
            x = bcast(a, a3 + ap);
            c30 = x.fma(b0, c30); c31 = x.fma(b1, c31); c32 = x.fma(b2, c32); c33 = x.fma(b3, c33);
        }
        // Stores written out here: a vector passed to a helper that C2 does not inline gets boxed.
        final VectorSpecies<Float> sp = species();
        final long r0 = (cOff + (long) i * ldc + j) * Float.BYTES;
        final long row = (long) ldc * Float.BYTES;
        final long v = (long) L * Float.BYTES;
        if (accumulate) {
            c00 = c00.add(FloatVector.fromMemorySegment(sp, c, r0, NATIVE));
            c01 = c01.add(FloatVector.fromMemorySegment(sp, c, r0 + v, NATIVE));
            c02 = c02.add(FloatVector.fromMemorySegment(sp, c, r0 + 2 * v, NATIVE));
            c03 = c03.add(FloatVector.fromMemorySegment(sp, c, r0 + 3 * v, NATIVE));
            c10 = c10.add(FloatVector.fromMemorySegment(sp, c, r0 + row, NATIVE));
            c11 = c11.add(FloatVector.fromMemorySegment(sp, c, r0 + row + v, NATIVE));
            c12 = c12.add(FloatVector.fromMemorySegment(sp, c, r0 + row + 2 * v, NATIVE));
            c13 = c13.add(FloatVector.fromMemorySegment(sp, c, r0 + row + 3 * v, NATIVE));
            c20 = c20.add(FloatVector.fromMemorySegment(sp, c, r0 + 2 * row, NATIVE));
            c21 = c21.add(FloatVector.fromMemorySegment(sp, c, r0 + 2 * row + v, NATIVE));
            c22 = c22.add(FloatVector.fromMemorySegment(sp, c, r0 + 2 * row + 2 * v, NATIVE));
            c23 = c23.add(FloatVector.fromMemorySegment(sp, c, r0 + 2 * row + 3 * v, NATIVE));
            c30 = c30.add(FloatVector.fromMemorySegment(sp, c, r0 + 3 * row, NATIVE));
            c31 = c31.add(FloatVector.fromMemorySegment(sp, c, r0 + 3 * row + v, NATIVE));
            c32 = c32.add(FloatVector.fromMemorySegment(sp, c, r0 + 3 * row + 2 * v, NATIVE));
            c33 = c33.add(FloatVector.fromMemorySegment(sp, c, r0 + 3 * row + 3 * v, NATIVE));
        }
        c00.intoMemorySegment(c, r0, NATIVE);
        c01.intoMemorySegment(c, r0 + v, NATIVE);
        c02.intoMemorySegment(c, r0 + 2 * v, NATIVE);
        c03.intoMemorySegment(c, r0 + 3 * v, NATIVE);
        c10.intoMemorySegment(c, r0 + row, NATIVE);
        c11.intoMemorySegment(c, r0 + row + v, NATIVE);
        c12.intoMemorySegment(c, r0 + row + 2 * v, NATIVE);
        c13.intoMemorySegment(c, r0 + row + 3 * v, NATIVE);
        c20.intoMemorySegment(c, r0 + 2 * row, NATIVE);
        c21.intoMemorySegment(c, r0 + 2 * row + v, NATIVE);
        c22.intoMemorySegment(c, r0 + 2 * row + 2 * v, NATIVE);
        c23.intoMemorySegment(c, r0 + 2 * row + 3 * v, NATIVE);
        c30.intoMemorySegment(c, r0 + 3 * row, NATIVE);
        c31.intoMemorySegment(c, r0 + 3 * row + v, NATIVE);
        c32.intoMemorySegment(c, r0 + 3 * row + 2 * v, NATIVE);
        c33.intoMemorySegment(c, r0 + 3 * row + 3 * v, NATIVE);
    }

    private void store(MemorySegment c, long at, FloatVector v, boolean accumulate) {
        if (accumulate) {
            v = load(c, at).add(v);
        }
        v.intoMemorySegment(c, at * Float.BYTES, NATIVE);
    }

    private void store(MemorySegment c, long at, FloatVector v, boolean accumulate, VectorMask<Float> mask) {
        if (accumulate) {
            v = load(c, at, mask).add(v);
        }
        v.intoMemorySegment(c, at * Float.BYTES, NATIVE, mask);
    }

    private void block4x1(int k, MemorySegment a, long aOff, int aRs, int aCs, MemorySegment b, long bOff, int ldb,
                          MemorySegment c, long cOff, int ldc, boolean accumulate, int i, int j, VectorMask<Float> mask) {
        FloatVector c0 = FloatVector.zero(species()), c1 = c0, c2 = c0, c3 = c0;
        long a0 = aOff + (long) i * aRs;
        long a1 = a0 + aRs, a2 = a1 + aRs, a3 = a2 + aRs;
        long bp = bOff + j;
        for (int p = 0; p < k; p++, bp += ldb) {
            long ap = (long) p * aCs;
            FloatVector b0 = load(b, bp, mask);
            c0 = bcast(a, a0 + ap).fma(b0, c0);
            c1 = bcast(a, a1 + ap).fma(b0, c1);
            c2 = bcast(a, a2 + ap).fma(b0, c2);
            c3 = bcast(a, a3 + ap).fma(b0, c3);
        }
        long r0 = cOff + (long) i * ldc + j;
        store(c, r0, c0, accumulate, mask);
        store(c, r0 + ldc, c1, accumulate, mask);
        store(c, r0 + 2L * ldc, c2, accumulate, mask);
        store(c, r0 + 3L * ldc, c3, accumulate, mask);
    }

    private void block1x1(int k, MemorySegment a, long aRow, int aCs, MemorySegment b, long bOff, int ldb,
                          MemorySegment c, long cRow, boolean accumulate, int j, VectorMask<Float> mask) {
        FloatVector acc = FloatVector.zero(species());
        long bp = bOff + j;
        for (int p = 0; p < k; p++, bp += ldb) {
            acc = bcast(a, aRow + (long) p * aCs).fma(load(b, bp, mask), acc);
        }
        store(c, cRow + j, acc, accumulate, mask);
    }

    @Override
    public void transpose(MemorySegment dst, long dstOff, MemorySegment src, long srcOff, int rows, int cols) {
        // Memory-bound and small next to the GEMM it feeds; blocked for cache, plain element moves.
        final int block = 16;
        for (int r0 = 0; r0 < rows; r0 += block) {
            int r1 = Math.min(rows, r0 + block);
            for (int c0 = 0; c0 < cols; c0 += block) {
                int c1 = Math.min(cols, c0 + block);
                for (int r = r0; r < r1; r++) {
                    for (int c = c0; c < c1; c++) {
                        dst.setAtIndex(F, dstOff + (long) c * rows + r, src.getAtIndex(F, srcOff + (long) r * cols + c));
                    }
                }
            }
        }
    }

    @Override
    public void biasActivation(MemorySegment y, long yOff, MemorySegment bias, long biasOff, int rows, int cols, boolean relu) {
        final int bound = species().loopBound(cols);
        final FloatVector zero = FloatVector.zero(species());
        for (int r = 0; r < rows; r++) {
            long row = yOff + (long) r * cols;
            int c = 0;
            for (; c < bound; c += species().length()) {
                FloatVector v = load(y, row + c).add(load(bias, biasOff + c));
                if (relu) {
                    v = v.max(zero);
                }
                v.intoMemorySegment(y, (row + c) * Float.BYTES, NATIVE);
            }
            for (; c < cols; c++) { // scalar tail
                float v = y.getAtIndex(F, row + c) + bias.getAtIndex(F, biasOff + c);
                y.setAtIndex(F, row + c, relu ? Math.max(v, 0f) : v);
            }
        }
    }

    @Override
    public void reluBackward(MemorySegment dy, long dyOff, MemorySegment activation, long activationOff, long count) {
        final long bound = species().loopBound(count);
        final FloatVector zero = FloatVector.zero(species());
        long i = 0;
        for (; i < bound; i += species().length()) {
            VectorMask<Float> active = load(activation, activationOff + i).compare(VectorOperators.GT, 0f);
            zero.blend(load(dy, dyOff + i), active).intoMemorySegment(dy, (dyOff + i) * Float.BYTES, NATIVE);
        }
        for (; i < count; i++) { // scalar tail
            if (!(activation.getAtIndex(F, activationOff + i) > 0f)) {
                dy.setAtIndex(F, dyOff + i, 0f);
            }
        }
    }

    @Override
    public void columnSums(MemorySegment db, long dbOff, MemorySegment dy, long dyOff, int rows, int cols) {
        final int bound = species().loopBound(cols);
        int c = 0;
        for (; c < bound; c += species().length()) {
            FloatVector sum = FloatVector.zero(species());
            for (int r = 0; r < rows; r++) {
                sum = sum.add(load(dy, dyOff + (long) r * cols + c));
            }
            sum.intoMemorySegment(db, (dbOff + c) * Float.BYTES, NATIVE);
        }
        for (; c < cols; c++) { // scalar tail
            float sum = 0f;
            for (int r = 0; r < rows; r++) {
                sum += dy.getAtIndex(F, dyOff + (long) r * cols + c);
            }
            db.setAtIndex(F, dbOff + c, sum);
        }
    }

    @Override
    public void axpy(long count, float a, MemorySegment x, long xOff, MemorySegment y, long yOff) {
        final long bound = species().loopBound(count);
        long i = 0;
        for (; i < bound; i += species().length()) {
            load(y, yOff + i).add(load(x, xOff + i).mul(a)).intoMemorySegment(y, (yOff + i) * Float.BYTES, NATIVE);
        }
        for (; i < count; i++) { // scalar tail
            y.setAtIndex(F, yOff + i, y.getAtIndex(F, yOff + i) + a * x.getAtIndex(F, xOff + i));
        }
    }

    @Override
    public void copyAxpy(long count, MemorySegment dst, long dstOff, MemorySegment src, long srcOff, float a, MemorySegment x, long xOff) {
        final long bound = species().loopBound(count);
        long i = 0;
        for (; i < bound; i += species().length()) {
            load(src, srcOff + i).add(load(x, xOff + i).mul(a)).intoMemorySegment(dst, (dstOff + i) * Float.BYTES, NATIVE);
        }
        for (; i < count; i++) { // scalar tail
            dst.setAtIndex(F, dstOff + i, src.getAtIndex(F, srcOff + i) + a * x.getAtIndex(F, xOff + i));
        }
    }

    @Override
    public String description() {
        return "vector(" + species().vectorBitSize() + "-bit, " + species().length() + " lanes)";
    }
}
