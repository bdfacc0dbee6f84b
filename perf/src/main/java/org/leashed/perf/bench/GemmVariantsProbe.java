package org.leashed.perf.bench;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.util.SplittableRandom;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.leashed.nn.simd.Kernels;

/**
 * Four ways to run the forward GEMM {@code C(m, n) = A(m, k)·B(k, n)} (both row-major, {@code m % 4 == 0},
 * {@code n} a multiple of four vectors), timed side by side in thread CPU time (NOTES 17.6), and three ways
 * to run the weight gradient {@code C = Aᵀ·B} with A stored (k, m) (shapes {@code dW:MxNxK}: production,
 * in place, and {@link #packedTransposed}):
 * <ul>
 * <li>{@code production}: {@link Kernels#gemm}, which packs B itself from 64 rows of A where B packing is on
 * (every CPU but AMD by default, NOTES 17.6);</li>
 * <li>{@code inPlace}: 4x4 blocks that read B in place ({@code bp += ldb}) and A as {@code row + p * aCs},
 * the loop form {@link Kernels#gemm} runs where it does not pack;</li>
 * <li>{@code packed}: B's column block copied into a contiguous panel ({@code k} rows of four vectors) first,
 * then 4x4 blocks whose A index is {@code row + p} and panel index {@code p * 4L}: both have a constant
 * scale in the loop variable, so C2 can take the segments' bounds checks out of the loop;</li>
 * <li>{@code heap}: the same loop over {@code float[]} copies of A and the panel (array range checks).</li>
 * </ul>
 * Each output element is the same FMA chain in all four (p = 0..k-1 from zero), so the results are
 * bit-identical (GemmVariantsProbeTest). The question it answers: on Intel's server cores a 512-bit FMA
 * shares ports 0 and 5 with scalar work, and the production 6x4 loop carries ten 64-bit bounds checks and
 * five reloaded row offsets per k step (llvm-mca, icelake-server model: 20 cycles for 24 FMAs); does removing
 * them recover the gap to OpenBLAS that the 16-core Xeon showed? On AMD Zen 5 all four run near the peak.
 *
 * <p>The blocks repeat each other (and {@code VectorKernels}) on purpose: the loop's exact form is what is
 * measured, and a shared helper taking the accumulators would either box them (C2 does not inline a method
 * this large) or change the compiled loop.
 *
 * <pre>
 * java --add-modules=jdk.incubator.vector -cp perf/target/leashed.jar org.leashed.perf.bench.GemmVariantsProbe [production] [SHAPE...]
 * </pre>
 * With {@code production} first, only the production kernel is timed (one column), so that its system properties
 * ({@code leashed.gemm.packB}, {@code leashed.gemm.panelKiB}) can be swept one JVM each (perf/scripts/device-scaling.sh).
 */
public final class GemmVariantsProbe {
    private static final VectorSpecies<Float> SP = FloatVector.SPECIES_PREFERRED;
    private static final int L = SP.length();
    private static final int W = 4 * L;
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();
    private static final String[] SHAPES = {"fwd:512x128x784", "fwd:512x128x128", "fwd:16x128x784", "fwd:16x128x128",
        "dW:784x128x512", "dW:128x128x512", "dW:784x128x16", "dW:128x128x16"};
    private static volatile float sink;
    /** 1, read through a volatile so that C2 cannot fold the in-place variant's strides into constants. */
    private static volatile int opaqueOne = 1;

    private GemmVariantsProbe() {
    }

    /** The probe's own variants need these shapes; the production kernel takes any. */
    static void requireShape(int m, int n, int k) {
        if (m % 4 != 0 || n % W != 0 || k < 1) {
            throw new IllegalArgumentException("GemmVariantsProbe needs m % 4 == 0, n % " + W + " == 0, k >= 1; got m="
                    + m + " n=" + n + " k=" + k);
        }
    }

    /** Packed-panel GEMM over segments; {@code panel} holds at least {@code k * 4L} floats. */
    static void packed(int m, int n, int k, MemorySegment a, MemorySegment b, MemorySegment c, MemorySegment panel) {
        requireShape(m, n, k);
        for (int j0 = 0; j0 < n; j0 += W) {
            for (int p = 0; p < k; p++) {
                MemorySegment.copy(b, ((long) p * n + j0) * Float.BYTES, panel, (long) p * W * Float.BYTES, (long) W * Float.BYTES);
            }
            for (int i = 0; i < m; i += 4) {
                block(k, a, (long) i * k, k, panel, c, (long) i * n + j0, n);
            }
        }
    }

    private static void block(int k, MemorySegment a, long a0, int lda, MemorySegment panel, MemorySegment c, long c0, int ldc) {
        final long a1 = a0 + lda, a2 = a1 + lda, a3 = a2 + lda;
        FloatVector c00 = FloatVector.zero(SP), c01 = c00, c02 = c00, c03 = c00;
        FloatVector c10 = c00, c11 = c00, c12 = c00, c13 = c00;
        FloatVector c20 = c00, c21 = c00, c22 = c00, c23 = c00;
        FloatVector c30 = c00, c31 = c00, c32 = c00, c33 = c00;
        final long v = (long) L * Float.BYTES;
        for (int p = 0; p < k; p++) {
            final long bo = (long) p * W * Float.BYTES;
            FloatVector b0 = FloatVector.fromMemorySegment(SP, panel, bo, NATIVE);
            FloatVector b1 = FloatVector.fromMemorySegment(SP, panel, bo + v, NATIVE);
            FloatVector b2 = FloatVector.fromMemorySegment(SP, panel, bo + 2 * v, NATIVE);
            FloatVector b3 = FloatVector.fromMemorySegment(SP, panel, bo + 3 * v, NATIVE);
            FloatVector x = FloatVector.broadcast(SP, a.getAtIndex(JAVA_FLOAT, a0 + p));
            c00 = x.fma(b0, c00); c01 = x.fma(b1, c01); c02 = x.fma(b2, c02); c03 = x.fma(b3, c03);
            x = FloatVector.broadcast(SP, a.getAtIndex(JAVA_FLOAT, a1 + p));
            c10 = x.fma(b0, c10); c11 = x.fma(b1, c11); c12 = x.fma(b2, c12); c13 = x.fma(b3, c13);
            x = FloatVector.broadcast(SP, a.getAtIndex(JAVA_FLOAT, a2 + p));
            c20 = x.fma(b0, c20); c21 = x.fma(b1, c21); c22 = x.fma(b2, c22); c23 = x.fma(b3, c23);
            x = FloatVector.broadcast(SP, a.getAtIndex(JAVA_FLOAT, a3 + p));
            c30 = x.fma(b0, c30); c31 = x.fma(b1, c31); c32 = x.fma(b2, c32); c33 = x.fma(b3, c33);
        }
        // stores written out: a vector passed to a helper that C2 does not inline gets boxed
        final long sv = (long) L * Float.BYTES, row = (long) ldc * Float.BYTES;
        long q = c0 * Float.BYTES;
        c00.intoMemorySegment(c, q, NATIVE); c01.intoMemorySegment(c, q + sv, NATIVE);
        c02.intoMemorySegment(c, q + 2 * sv, NATIVE); c03.intoMemorySegment(c, q + 3 * sv, NATIVE);
        q += row;
        c10.intoMemorySegment(c, q, NATIVE); c11.intoMemorySegment(c, q + sv, NATIVE);
        c12.intoMemorySegment(c, q + 2 * sv, NATIVE); c13.intoMemorySegment(c, q + 3 * sv, NATIVE);
        q += row;
        c20.intoMemorySegment(c, q, NATIVE); c21.intoMemorySegment(c, q + sv, NATIVE);
        c22.intoMemorySegment(c, q + 2 * sv, NATIVE); c23.intoMemorySegment(c, q + 3 * sv, NATIVE);
        q += row;
        c30.intoMemorySegment(c, q, NATIVE); c31.intoMemorySegment(c, q + sv, NATIVE);
        c32.intoMemorySegment(c, q + 2 * sv, NATIVE); c33.intoMemorySegment(c, q + 3 * sv, NATIVE);
    }

    /** 4x4 blocks reading B in place with stride {@code n} and A through strides C2 does not know (element (i, p) at {@code i aRs + p aCs}). */
    static void inPlace(int m, int n, int k, MemorySegment a, int aRs, int aCs, MemorySegment b, MemorySegment c) {
        requireShape(m, n, k);
        for (int i = 0; i < m; i += 4) {
            for (int j0 = 0; j0 < n; j0 += W) {
                inPlaceBlock(k, a, (long) i * aRs, aRs, aCs, b, j0, n, c, (long) i * n + j0, n);
            }
        }
    }

    private static void inPlaceBlock(int k, MemorySegment a, long a0, int aRs, int aCs, MemorySegment b, long bp, int ldb,
                                     MemorySegment c, long c0, int ldc) {
        final long a1 = a0 + aRs, a2 = a1 + aRs, a3 = a2 + aRs;
        FloatVector c00 = FloatVector.zero(SP), c01 = c00, c02 = c00, c03 = c00;
        FloatVector c10 = c00, c11 = c00, c12 = c00, c13 = c00;
        FloatVector c20 = c00, c21 = c00, c22 = c00, c23 = c00;
        FloatVector c30 = c00, c31 = c00, c32 = c00, c33 = c00;
        for (int p = 0; p < k; p++, bp += ldb) {
            final long ap = (long) p * aCs;
            FloatVector b0 = FloatVector.fromMemorySegment(SP, b, bp * Float.BYTES, NATIVE);
            FloatVector b1 = FloatVector.fromMemorySegment(SP, b, (bp + L) * Float.BYTES, NATIVE);
            FloatVector b2 = FloatVector.fromMemorySegment(SP, b, (bp + 2L * L) * Float.BYTES, NATIVE);
            FloatVector b3 = FloatVector.fromMemorySegment(SP, b, (bp + 3L * L) * Float.BYTES, NATIVE);
            FloatVector x = FloatVector.broadcast(SP, a.getAtIndex(JAVA_FLOAT, a0 + ap));
            c00 = x.fma(b0, c00); c01 = x.fma(b1, c01); c02 = x.fma(b2, c02); c03 = x.fma(b3, c03);
            x = FloatVector.broadcast(SP, a.getAtIndex(JAVA_FLOAT, a1 + ap));
            c10 = x.fma(b0, c10); c11 = x.fma(b1, c11); c12 = x.fma(b2, c12); c13 = x.fma(b3, c13);
            x = FloatVector.broadcast(SP, a.getAtIndex(JAVA_FLOAT, a2 + ap));
            c20 = x.fma(b0, c20); c21 = x.fma(b1, c21); c22 = x.fma(b2, c22); c23 = x.fma(b3, c23);
            x = FloatVector.broadcast(SP, a.getAtIndex(JAVA_FLOAT, a3 + ap));
            c30 = x.fma(b0, c30); c31 = x.fma(b1, c31); c32 = x.fma(b2, c32); c33 = x.fma(b3, c33);
        }
        // stores written out: a vector passed to a helper that C2 does not inline gets boxed
        final long sv = (long) L * Float.BYTES, row = (long) ldc * Float.BYTES;
        long q = c0 * Float.BYTES;
        c00.intoMemorySegment(c, q, NATIVE); c01.intoMemorySegment(c, q + sv, NATIVE);
        c02.intoMemorySegment(c, q + 2 * sv, NATIVE); c03.intoMemorySegment(c, q + 3 * sv, NATIVE);
        q += row;
        c10.intoMemorySegment(c, q, NATIVE); c11.intoMemorySegment(c, q + sv, NATIVE);
        c12.intoMemorySegment(c, q + 2 * sv, NATIVE); c13.intoMemorySegment(c, q + 3 * sv, NATIVE);
        q += row;
        c20.intoMemorySegment(c, q, NATIVE); c21.intoMemorySegment(c, q + sv, NATIVE);
        c22.intoMemorySegment(c, q + 2 * sv, NATIVE); c23.intoMemorySegment(c, q + 3 * sv, NATIVE);
        q += row;
        c30.intoMemorySegment(c, q, NATIVE); c31.intoMemorySegment(c, q + sv, NATIVE);
        c32.intoMemorySegment(c, q + 2 * sv, NATIVE); c33.intoMemorySegment(c, q + 3 * sv, NATIVE);
    }

    /**
     * {@code C = Aᵀ·B} for A stored (k, m) row-major (the weight gradient {@code dW = Xᵀ·dY}): every 4-vector
     * column block of B packed into {@code panels} ({@code k * n} floats) first, then per 4-row group A's 4
     * contiguous floats of each k step copied k-major into {@code rows} ({@code 4k} floats, one 128-bit move per
     * step), and 4x4 blocks whose A index is {@code 4p + r} and panel index {@code 4Lp}.
     */
    static void packedTransposed(int m, int n, int k, MemorySegment a, MemorySegment b, MemorySegment c, MemorySegment panels,
                                 MemorySegment rows) {
        requireShape(m, n, k);
        for (int j0 = 0; j0 < n; j0 += W) {
            for (int p = 0; p < k; p++) {
                MemorySegment.copy(b, ((long) p * n + j0) * Float.BYTES, panels, ((long) j0 * k + (long) p * W) * Float.BYTES,
                        (long) W * Float.BYTES);
            }
        }
        for (int i = 0; i < m; i += 4) {
            for (int p = 0; p < k; p++) {
                FloatVector.fromMemorySegment(FloatVector.SPECIES_128, a, ((long) p * m + i) * Float.BYTES, NATIVE)
                        .intoMemorySegment(rows, (long) p * 4 * Float.BYTES, NATIVE);
            }
            for (int j0 = 0; j0 < n; j0 += W) {
                kMajorBlock(k, rows, panels, (long) j0 * k, c, (long) i * n + j0, n);
            }
        }
    }

    private static void kMajorBlock(int k, MemorySegment rows, MemorySegment panel, long po, MemorySegment c, long c0, int ldc) {
        FloatVector c00 = FloatVector.zero(SP), c01 = c00, c02 = c00, c03 = c00;
        FloatVector c10 = c00, c11 = c00, c12 = c00, c13 = c00;
        FloatVector c20 = c00, c21 = c00, c22 = c00, c23 = c00;
        FloatVector c30 = c00, c31 = c00, c32 = c00, c33 = c00;
        final long v = (long) L * Float.BYTES;
        final long pb = po * Float.BYTES;
        for (int p = 0; p < k; p++) {
            final long bo = pb + (long) p * W * Float.BYTES;
            final long ao = (long) p * 4;
            FloatVector b0 = FloatVector.fromMemorySegment(SP, panel, bo, NATIVE);
            FloatVector b1 = FloatVector.fromMemorySegment(SP, panel, bo + v, NATIVE);
            FloatVector b2 = FloatVector.fromMemorySegment(SP, panel, bo + 2 * v, NATIVE);
            FloatVector b3 = FloatVector.fromMemorySegment(SP, panel, bo + 3 * v, NATIVE);
            FloatVector x = FloatVector.broadcast(SP, rows.getAtIndex(JAVA_FLOAT, ao));
            c00 = x.fma(b0, c00); c01 = x.fma(b1, c01); c02 = x.fma(b2, c02); c03 = x.fma(b3, c03);
            x = FloatVector.broadcast(SP, rows.getAtIndex(JAVA_FLOAT, ao + 1));
            c10 = x.fma(b0, c10); c11 = x.fma(b1, c11); c12 = x.fma(b2, c12); c13 = x.fma(b3, c13);
            x = FloatVector.broadcast(SP, rows.getAtIndex(JAVA_FLOAT, ao + 2));
            c20 = x.fma(b0, c20); c21 = x.fma(b1, c21); c22 = x.fma(b2, c22); c23 = x.fma(b3, c23);
            x = FloatVector.broadcast(SP, rows.getAtIndex(JAVA_FLOAT, ao + 3));
            c30 = x.fma(b0, c30); c31 = x.fma(b1, c31); c32 = x.fma(b2, c32); c33 = x.fma(b3, c33);
        }
        // stores written out: a vector passed to a helper that C2 does not inline gets boxed
        final long sv = (long) L * Float.BYTES, row = (long) ldc * Float.BYTES;
        long q = c0 * Float.BYTES;
        c00.intoMemorySegment(c, q, NATIVE); c01.intoMemorySegment(c, q + sv, NATIVE);
        c02.intoMemorySegment(c, q + 2 * sv, NATIVE); c03.intoMemorySegment(c, q + 3 * sv, NATIVE);
        q += row;
        c10.intoMemorySegment(c, q, NATIVE); c11.intoMemorySegment(c, q + sv, NATIVE);
        c12.intoMemorySegment(c, q + 2 * sv, NATIVE); c13.intoMemorySegment(c, q + 3 * sv, NATIVE);
        q += row;
        c20.intoMemorySegment(c, q, NATIVE); c21.intoMemorySegment(c, q + sv, NATIVE);
        c22.intoMemorySegment(c, q + 2 * sv, NATIVE); c23.intoMemorySegment(c, q + 3 * sv, NATIVE);
        q += row;
        c30.intoMemorySegment(c, q, NATIVE); c31.intoMemorySegment(c, q + sv, NATIVE);
        c32.intoMemorySegment(c, q + 2 * sv, NATIVE); c33.intoMemorySegment(c, q + 3 * sv, NATIVE);
    }

    /** The same packed GEMM over heap arrays; {@code panel} holds at least {@code k * 4L} floats. */
    static void heap(int m, int n, int k, float[] a, float[] b, float[] c, float[] panel) {
        requireShape(m, n, k);
        for (int j0 = 0; j0 < n; j0 += W) {
            for (int p = 0; p < k; p++) {
                System.arraycopy(b, p * n + j0, panel, p * W, W);
            }
            for (int i = 0; i < m; i += 4) {
                heapBlock(k, a, i * k, k, panel, c, i * n + j0, n);
            }
        }
    }

    private static void heapBlock(int k, float[] a, int a0, int lda, float[] panel, float[] c, int c0, int ldc) {
        final int a1 = a0 + lda, a2 = a1 + lda, a3 = a2 + lda;
        FloatVector c00 = FloatVector.zero(SP), c01 = c00, c02 = c00, c03 = c00;
        FloatVector c10 = c00, c11 = c00, c12 = c00, c13 = c00;
        FloatVector c20 = c00, c21 = c00, c22 = c00, c23 = c00;
        FloatVector c30 = c00, c31 = c00, c32 = c00, c33 = c00;
        for (int p = 0; p < k; p++) {
            final int bo = p * W;
            FloatVector b0 = FloatVector.fromArray(SP, panel, bo);
            FloatVector b1 = FloatVector.fromArray(SP, panel, bo + L);
            FloatVector b2 = FloatVector.fromArray(SP, panel, bo + 2 * L);
            FloatVector b3 = FloatVector.fromArray(SP, panel, bo + 3 * L);
            FloatVector x = FloatVector.broadcast(SP, a[a0 + p]);
            c00 = x.fma(b0, c00); c01 = x.fma(b1, c01); c02 = x.fma(b2, c02); c03 = x.fma(b3, c03);
            x = FloatVector.broadcast(SP, a[a1 + p]);
            c10 = x.fma(b0, c10); c11 = x.fma(b1, c11); c12 = x.fma(b2, c12); c13 = x.fma(b3, c13);
            x = FloatVector.broadcast(SP, a[a2 + p]);
            c20 = x.fma(b0, c20); c21 = x.fma(b1, c21); c22 = x.fma(b2, c22); c23 = x.fma(b3, c23);
            x = FloatVector.broadcast(SP, a[a3 + p]);
            c30 = x.fma(b0, c30); c31 = x.fma(b1, c31); c32 = x.fma(b2, c32); c33 = x.fma(b3, c33);
        }
        int q = c0;
        c00.intoArray(c, q); c01.intoArray(c, q + L); c02.intoArray(c, q + 2 * L); c03.intoArray(c, q + 3 * L);
        q += ldc;
        c10.intoArray(c, q); c11.intoArray(c, q + L); c12.intoArray(c, q + 2 * L); c13.intoArray(c, q + 3 * L);
        q += ldc;
        c20.intoArray(c, q); c21.intoArray(c, q + L); c22.intoArray(c, q + 2 * L); c23.intoArray(c, q + 3 * L);
        q += ldc;
        c30.intoArray(c, q); c31.intoArray(c, q + L); c32.intoArray(c, q + 2 * L); c33.intoArray(c, q + 3 * L);
    }

    /** Fills {@code heap} with standard normal floats and {@code segment} with the same values. */
    static void fill(SplittableRandom r, float[] heap, MemorySegment segment) {
        for (int i = 0; i < heap.length; i++) {
            heap[i] = (float) r.nextGaussian();
            segment.setAtIndex(JAVA_FLOAT, i, heap[i]);
        }
    }

    private static void row(String shape) {
        final boolean transposed = shape.startsWith("dW:");
        String[] dims = shape.substring(shape.indexOf(':') + 1).split("x");
        int m = Integer.parseInt(dims[0]), n = Integer.parseInt(dims[1]), k = Integer.parseInt(dims[2]);
        if (transposed) {
            transposedRow(shape, m, n, k);
            return;
        }
        Kernels vector = Kernels.get();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment a = arena.allocate((long) m * k * Float.BYTES, 64);
            MemorySegment b = arena.allocate((long) k * n * Float.BYTES, 64);
            MemorySegment c = arena.allocate((long) m * n * Float.BYTES, 64);
            MemorySegment panel = arena.allocate((long) k * W * Float.BYTES, 64);
            SplittableRandom r = new SplittableRandom(7);
            float[] ha = new float[m * k], hb = new float[k * n], hc = new float[m * n], hp = new float[k * W];
            fill(r, ha, a);
            fill(r, hb, b);
            double flops = 2.0 * m * n * k;
            double prod = CpuTimeProbe.bestCpuNs(() -> vector.gemm(m, n, k, a, 0, k, 1, b, 0, n, c, 0, n, false), 200_000_000);
            int aCs = opaqueOne;
            double in = CpuTimeProbe.bestCpuNs(() -> inPlace(m, n, k, a, k, aCs, b, c), 200_000_000);
            double pack = CpuTimeProbe.bestCpuNs(() -> packed(m, n, k, a, b, c, panel), 200_000_000);
            double arr = CpuTimeProbe.bestCpuNs(() -> heap(m, n, k, ha, hb, hc, hp), 200_000_000);
            sink += c.getAtIndex(JAVA_FLOAT, 0) + hc[0];
            System.out.printf("| %s | %.1f | %.1f | %.1f (%.2fx) | %.1f (%.2fx) |%n", shape, flops / prod, flops / in, flops / pack,
                    in / pack, flops / arr, in / arr);
        }
    }

    /** A dW row: production, in place and packed (B panels, A k-major) on {@code C = Aᵀ·B}, A stored (k, m). */
    private static void transposedRow(String shape, int m, int n, int k) {
        Kernels vector = Kernels.get();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment a = arena.allocate((long) m * k * Float.BYTES, 64);
            MemorySegment b = arena.allocate((long) k * n * Float.BYTES, 64);
            MemorySegment c = arena.allocate((long) m * n * Float.BYTES, 64);
            MemorySegment panels = arena.allocate((long) k * n * Float.BYTES, 64);
            MemorySegment rows = arena.allocate(4L * k * Float.BYTES, 64);
            SplittableRandom r = new SplittableRandom(7);
            fill(r, new float[m * k], a);
            fill(r, new float[k * n], b);
            double flops = 2.0 * m * n * k;
            double prod = CpuTimeProbe.bestCpuNs(() -> vector.gemm(m, n, k, a, 0, 1, m, b, 0, n, c, 0, n, false), 200_000_000);
            int aRs = opaqueOne;
            double in = CpuTimeProbe.bestCpuNs(() -> inPlace(m, n, k, a, aRs, m, b, c), 200_000_000);
            double pack = CpuTimeProbe.bestCpuNs(() -> packedTransposed(m, n, k, a, b, c, panels, rows), 200_000_000);
            sink += c.getAtIndex(JAVA_FLOAT, 0);
            System.out.printf("| %s | %.1f | %.1f | %.1f (%.2fx) | - |%n", shape, flops / prod, flops / in, flops / pack, in / pack);
        }
    }

    /** The production kernel alone on {@code shape} (fwd or dW), for sweeps of its settings one JVM each. */
    private static void productionRow(String shape) {
        final boolean transposed = shape.startsWith("dW:");
        String[] dims = shape.substring(shape.indexOf(':') + 1).split("x");
        int m = Integer.parseInt(dims[0]), n = Integer.parseInt(dims[1]), k = Integer.parseInt(dims[2]);
        Kernels vector = Kernels.get();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment a = arena.allocate((long) m * k * Float.BYTES, 64);
            MemorySegment b = arena.allocate((long) k * n * Float.BYTES, 64);
            MemorySegment c = arena.allocate((long) m * n * Float.BYTES, 64);
            SplittableRandom r = new SplittableRandom(7);
            fill(r, new float[m * k], a);
            fill(r, new float[k * n], b);
            double ns = transposed
                    ? CpuTimeProbe.bestCpuNs(() -> vector.gemm(m, n, k, a, 0, 1, m, b, 0, n, c, 0, n, false), 200_000_000)
                    : CpuTimeProbe.bestCpuNs(() -> vector.gemm(m, n, k, a, 0, k, 1, b, 0, n, c, 0, n, false), 200_000_000);
            sink += c.getAtIndex(JAVA_FLOAT, 0);
            System.out.printf("| %s | %.1f |%n", shape, 2.0 * m * n * k / ns);
        }
    }

    /** {@code [production] [SHAPE...]}: every variant on each shape, or with "production" the production kernel alone. */
    public static void main(String[] args) {
        System.out.println("kernels: " + Kernels.get().description() + "; JDK " + Runtime.version());
        final boolean productionOnly = args.length > 0 && args[0].equals("production");
        String[] shapes = productionOnly ? java.util.Arrays.copyOfRange(args, 1, args.length) : args;
        if (shapes.length == 0) {
            shapes = SHAPES;
        }
        System.out.println(productionOnly ? "| shape | production GFLOP/s |"
                : "| shape | production GFLOP/s | in place | packed segment (vs in place) | float[] (vs in place) |");
        for (String shape : shapes) {
            if (productionOnly) {
                productionRow(shape);
            } else {
                row(shape);
            }
        }
    }
}
