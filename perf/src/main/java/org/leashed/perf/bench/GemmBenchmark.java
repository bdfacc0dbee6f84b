package org.leashed.perf.bench;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.leashed.nn.simd.Kernels;
import org.leashed.nn.simd.VectorKernels;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * {@link Kernels#gemm} on the real training shapes, vector against scalar against single-threaded
 * OpenBLAS, plus a register-resident FMA peak probe, all in one class so that ratios are same-run.
 * Scores are ns per call; GFLOP/s = {@code 2*m*n*k / score} (the {@code shape} parameter names m, n, k),
 * and the peak probe does {@link #PEAK_FLOPS} flops per call.
 *
 * <p>Shapes ({@code kind:MxNxK}): the MLP 784-128-128-128-10 at batch 512 and 16, forward
 * {@code Y = X·W} ({@code fwd}), weight gradient {@code dW = Xᵀ·dY} (A read transposed through the
 * stride arguments: {@code dW}), input gradient {@code dX = dY·Wᵀ} ({@code dX}, B is the transposed
 * copy the layer makes); the 10-wide output layer stores W out-major ({@code Dense.OUT_MAJOR_BELOW}), so
 * its weight gradient is {@code dWᵀ = dYᵀ·X} ({@code dW:10x128xB}), its dX reads W as stored, and its forward
 * runs feature-major, {@code Yᵀ = Wᵀ·Xᵀ} ({@code fwd:10xBx128}: A is W as stored, B the transposed
 * activations; the two transposes around it are in {@code TransposeBenchmark}); the thesis CNN's convolution GEMMs per example ({@code convFwd}: W·col,
 * {@code convDW}: col·dyᵀ accumulating, {@code convDX}: Wᵀ·dy, A transposed; the first conv has 4 filters,
 * so its dW was {@code convDWnt}: {@link Kernels#gemmNT} of col
 * (9 x 676, rows padded to 688 floats as Conv2d pads them: 64-byte lines) and dy (4 x 676, unpadded, as the
 * layer's output is), accumulating into dWᵀ with rows padded to 16 floats). Every conv shape is the call
 * {@code Conv2d} makes, strides included: its forward runs over the padded width (688 and 128 columns, not
 * the 676 and 121 pixels) into scratch, since the unpadded call measured 1.2-2x slower (NOTES 19.1). Last, the
 * CNN's dense 200-128 layer at batch 512 and 16 ({@code fwd}, {@code dW}, {@code dX} as for the MLP; its dX is 200
 * wide, 12 vectors and an 8-column tail; the CNN's 10-wide output layer has the MLP's shapes). Since NOTES 35 the list
 * is exactly the distinct GEMM calls of one gradient of each thesis network at its training batch sizes (the MNIST
 * networks at 512 and 16, the CIFAR CNN at 16) on dense inputs, as {@link GemmCalls} records them, strides included;
 * {@code GemmCallsTest} fails when the two differ either way. (Before, it had kept the per-example conv calls that
 * NOTES 25 replaced by chunk calls, and the calls that the direct convolutions of NOTES 33 and 34 replaced.) A conv
 * shape may end in {@code /LD}: the row stride of the layer's col and rows matrices where it is wider than N (1,040
 * for the CIFAR CNN's 1,024 pixels, a chunk's width for a chunk's column matrix): B's and C's rows for {@code convFwd}
 * and {@code convDX}, A's rows for {@code convDW}, {@code convDWg} and {@code convDWc} (A's and B's rows). {@code /LDB/LDC}
 * gives B's and C's strides apart: a forward over one example's columns of the whole batch's column matrix. Kinds
 * of the conv backward on chunks of examples (NOTES 25): {@code convDWc} (gemmNT overwriting dWᵀ), {@code convDX}
 * with a chunk's width (dcol), and the weight gradient as a GEMM on dy transposed, {@code convDWg} (overwriting dWᵀ)
 * and {@code convDW} (adding to it); {@code convDWnt} is gemmNT accumulating, with A's rows padded to 16 floats.
 * The MNIST MLP's first layer multiplies only its input's nonzeros (NOTES 26): on MNIST its {@code fwd} and
 * {@code dW} calls are sparse kernels, {@code SparseGemmBenchmark}.
 *
 * <pre>
 * java --add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED -cp perf/target/leashed.jar \
 *   org.openjdk.jmh.Main GemmBenchmark -f 1 -wi 3 -i 5 -w 1 -r 1 -rf json -rff gemm.json
 * </pre>
 * {@code openblas} fails (does not skip) when libopenblas is not installed; exclude it with
 * {@code -e GemmBenchmark.openblas}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
        "-XX:+UnlockDiagnosticVMOptions", "-XX:MinInlineFrequencyRatio=0", "-XX:PerMethodRecompilationCutoff=1000",
        "-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch"})
public class GemmBenchmark {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    /** FMA steps per accumulator in {@link #peakFma}. */
    static final int PEAK_STEPS = 4096;
    /**
     * Independent accumulators in {@link #peakFma}: more than FMA latency x issue width needs, and fewer than the
     * vector registers: 24 of 32, or 10 of 16 where the kernels are sized for 16 (AVX2). With 24 chains on 16
     * registers C2 spills and the probe read 55-61 GFLOP/s on a Zen 3 host whose 10-chain loop ran at 103 (and a
     * C loop at 127: 32 flops per cycle at ~4 GHz); 12 chains read 90 there (NOTES 23).
     */
    static final int PEAK_ACCUMULATORS = VectorKernels.vectorRegisters() == 16 ? 10 : 24;
    /** Flops of one {@link #peakFma} call (2 per lane per FMA). */
    public static final long PEAK_FLOPS = 2L * PEAK_STEPS * PEAK_ACCUMULATORS * SPECIES.length();

    /** One GEMM shape with its operands, 64-byte aligned, from a shared arena. */
    @State(Scope.Thread)
    public static class Operands {
        @Param({
                // the MLP 784-128-128-128-10 at batch 512 and 16
                "fwd:512x128x784", "fwd:512x128x128", "fwd:10x512x128", "dW:10x128x512", "dX:512x128x10", "dW:128x128x512",
                "dX:512x128x128", "dW:784x128x512",
                "fwd:16x128x784", "fwd:16x128x128", "fwd:10x16x128", "dW:10x128x16", "dX:16x128x10", "dW:128x128x16",
                "dX:16x128x128", "dW:784x128x16",
                // the thesis CNN at batch 512: the first conv's forward per example, the dense layers, dcol of the second
                // conv over chunks of 93 examples (and the last of 47); its weight gradients and the second conv's forward
                // are direct (Kernels.convolve, convolveWeightGradient: CpuTimeProbe conv)
                "convFwd:4x688x9", "fwd:512x128x200", "dW:200x128x512", "dX:512x200x128", "convDX:36x11904x8", "convDX:36x6016x8",
                // the thesis CNN at batch 16: the convs' forward per example over the batch's column matrices, one chunk
                "convFwd:4x688x9/11008/688", "convFwd:8x128x36/2064/128", "fwd:16x128x200", "dW:200x128x16", "dX:16x200x128",
                "convDWc:36x8x2048/2064", "convDX:36x2048x8/2064", "convDWc:9x4x11008",
                // LeNet at batch 512: the dense 400-120-84-10, the second conv's weight gradient on dyᵀ over chunks of 25
                // examples (the first overwrites, convDWg; the last chunk has 12) and its dcol; the convs' forwards and the
                // first conv's weight gradient are direct
                "fwd:512x120x400", "fwd:512x84x120", "fwd:10x512x84", "dW:10x84x512", "dX:512x84x10", "dW:120x84x512",
                "dX:512x120x84", "dW:400x120x512", "dX:512x400x120", "convDWg:150x16x2800", "convDX:150x2800x16",
                "convDW:150x16x2800", "convDW:150x16x1344", "convDX:150x1344x16",
                // LeNet at batch 16
                "convFwd:6x784x25/12544/784", "convFwd:16x112x150/1792/112", "fwd:16x120x400", "fwd:16x84x120",
                "fwd:10x16x84", "dW:10x84x16", "dX:16x84x10", "dW:120x84x16", "dX:16x120x84", "dW:400x120x16",
                "dX:16x400x120", "convDWg:150x16x1792", "convDX:150x1792x16", "convDWc:25x6x12544",
                // the CIFAR CNN at batch 16: the first conv's forward per example, the dense 4096-256-10, the three later
                // convs' weight gradients on dyᵀ per example (the first overwrites, convDWg) out of column matrices of
                // chunks of 3 and 5 examples for the 64-filter convs (a last chunk of 1 has unpadded rows), and their dcol
                // per chunk; the later convs' forwards and the first conv's weight gradient are direct
                "convFwd:32x1024x27/1040", "fwd:16x256x4096", "fwd:10x16x256", "dW:10x256x16", "dX:16x256x10",
                "dW:4096x256x16", "dX:16x4096x256", "convDWg:576x64x256/768", "convDW:576x64x256/768", "convDX:576x768x64",
                "convDW:576x64x256", "convDX:576x256x64", "convDWg:288x64x256/1280", "convDW:288x64x256/1280",
                "convDX:288x1280x64", "convDW:288x64x256", "convDX:288x256x64", "convDWg:288x32x1024/1040",
                "convDX:288x1040x32", "convDW:288x32x1024/1040"})
        String shape;

        int m;
        int n;
        int k;
        boolean transposedA;
        boolean accumulate;
        /** {@code convDWnt} and {@code convDWc}: {@link Kernels#gemmNT}, B read as (n, k). */
        boolean dot;
        int aRowStride;
        int aColStride;
        /** B's row stride: n, k for convDWnt (B read as (n, k)), the conv's row stride where the shape gives one. */
        int ldb;
        /** C's row stride: n, except convDWnt's dWᵀ, whose rows Conv2d pads to 16 floats, and a given conv row stride. */
        int ldc;
        Arena arena;
        MemorySegment a;
        MemorySegment b;
        MemorySegment c;
        Kernels vector;

        @Setup(Level.Trial)
        public void setUp() {
            parse();
            vector = VectorCheck.requireVector(Kernels.get());
            arena = Arena.ofShared();
            a = random(arena, transposedA ? (long) m * k : (long) m * aRowStride, 1);
            b = random(arena, dot ? (long) n * ldb : (long) k * ldb, 2);
            c = random(arena, (long) m * ldc, 3);
        }

        /**
         * Sets the call's sizes, strides and flags from {@link #shape} without allocating its operands ({@link GemmCalls}
         * matches a network's real calls against them); an IllegalArgumentException names a malformed shape.
         */
        void parse() {
            if (!shape.matches("[A-Za-z]+:\\d+x\\d+x\\d+(/\\d+){0,2}")) {
                throw new IllegalArgumentException("shape must be kind:MxNxK, kind:MxNxK/LD or kind:MxNxK/LDB/LDC, got '" + shape + "'");
            }
            String[] kindAndSize = shape.split(":");
            String[] sizeAndStride = kindAndSize[1].split("/");
            String[] size = sizeAndStride[0].split("x");
            m = Integer.parseInt(size[0]);
            n = Integer.parseInt(size[1]);
            k = Integer.parseInt(size[2]);
            String kind = kindAndSize[0];
            final int ld = sizeAndStride.length > 1 ? Integer.parseInt(sizeAndStride[1]) : -1;
            // /LDB/LDC: B's and C's rows apart by different strides (a conv forward over one example's slice of a chunk's
            // column matrix, written into that example's rows)
            final int ldcGiven = sizeAndStride.length > 2 ? Integer.parseInt(sizeAndStride[2]) : ld;
            if (sizeAndStride.length > 2 && !kind.matches("convFwd|convDX")) {
                throw new IllegalArgumentException("two row strides (/LDB/LDC) are for convFwd and convDX, got " + shape);
            }
            if (ldcGiven >= 0 && ldcGiven < n) {
                throw new IllegalArgumentException("row stride " + ldcGiven + " is below the row's " + n + " floats in " + shape);
            }
            transposedA = kind.equals("dW") || kind.equals("convDX");
            final boolean chunk = kind.equals("convDWc");
            dot = kind.equals("convDWnt") || chunk;
            accumulate = kind.equals("convDW") || kind.equals("convDWnt"); // a chunk's (or a batch's only chunk's) dWᵀ overwrites
            if (!kind.matches("fwd|dW|dX|convFwd|convDW|convDWnt|convDWc|convDWg|convDX")) {
                throw new IllegalArgumentException("unknown GEMM kind " + kind + " in shape " + shape);
            }
            if (ld >= 0 && !kind.matches("convFwd|convDW|convDWc|convDWg|convDX")) {
                throw new IllegalArgumentException("a row stride (/LD) is for convFwd, convDW, convDWc, convDWg and convDX, got " + shape);
            }
            final boolean ldOnA = ld >= 0 && kind.matches("convDW|convDWc|convDWg"), ldOnBc = ld >= 0 && !ldOnA;
            if (ld >= 0 && ld < (ldOnA ? k : n)) {
                throw new IllegalArgumentException("row stride " + ld + " is below the row's " + (ldOnA ? k : n) + " floats in " + shape);
            }
            // convDWnt's A is Conv2d's col matrix, whose rows are padded to whole 64-byte lines (16 floats); convDWc's A
            // and B are a chunk's column matrices and dy rows, rows LD (or k) apart
            aRowStride = transposedA ? 1 : chunk ? (ld >= 0 ? ld : k) : dot ? (k + 15) / 16 * 16 : ldOnA ? ld : k;
            aColStride = transposedA ? m : 1;
            ldb = chunk ? aRowStride : dot ? k : ldOnBc ? ld : n;
            ldc = dot ? (n + 15) / 16 * 16 : ldOnBc ? ldcGiven : n;
        }

        private static MemorySegment random(Arena arena, long count, long seed) {
            MemorySegment s = arena.allocate(count * Float.BYTES, 64);
            SplittableRandom r = new SplittableRandom(seed);
            for (long i = 0; i < count; i++) {
                s.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) r.nextGaussian());
            }
            return s;
        }

        /** One GEMM of this shape with {@code kernels} (the vector or the scalar implementation). */
        void run(Kernels kernels) {
            if (dot) {
                kernels.gemmNT(m, n, k, a, 0, aRowStride, b, 0, ldb, c, 0, ldc, accumulate);
            } else {
                kernels.gemm(m, n, k, a, 0, aRowStride, aColStride, b, 0, ldb, c, 0, ldc, accumulate);
            }
        }

        /** The same GEMM by OpenBLAS. */
        void run(OpenBlas blas) {
            if (dot) {
                blas.sgemm(OpenBlas.NO_TRANS, OpenBlas.TRANS, m, n, k, a, aRowStride, b, ldb, accumulate ? 1f : 0f, c, ldc);
            } else {
                blas.sgemm(transposedA ? OpenBlas.TRANS : OpenBlas.NO_TRANS, m, n, k, a, transposedA ? m : aRowStride, b, ldb,
                        accumulate ? 1f : 0f, c, ldc);
            }
        }

        /** Flops of one call: {@code 2*m*n*k}. */
        public long flops() {
            return 2L * m * n * k;
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            arena.close();
        }
    }

    /** The OpenBLAS binding, loaded only by {@link #openblas}. */
    @State(Scope.Thread)
    public static class Blas {
        OpenBlas blas;

        @Setup(Level.Trial)
        public void setUp() {
            blas = OpenBlas.load();
        }
    }

    @Benchmark
    public void vector(Operands o) {
        o.run(o.vector);
    }

    @Benchmark
    public void scalar(Operands o) {
        o.run(Kernels.scalar());
    }

    @Benchmark
    public void openblas(Operands o, Blas blas) {
        o.run(blas.blas);
    }

    /**
     * Peak probe: {@link #PEAK_ACCUMULATORS} independent register-resident FMA chains of
     * {@link #PEAK_STEPS} steps ({@code acc = acc*b + x}, converging, no denormals). GFLOP/s =
     * {@link #PEAK_FLOPS} / score. 24 chains (10 on 16 registers), not 12: on the AMD host the 12-chain loop was latency-bound
     * at 104 GFLOP/s while this one and the 128-wide GEMMs ran at 170-210 (NOTES 16.8).
     */
    @Benchmark
    public float peakFma() {
        return PEAK_ACCUMULATORS == 10 ? peakFma10() : peakFma24();
    }

    /** {@link #peakFma} with 10 chains, for a 16-register file. */
    private static float peakFma10() {
        final FloatVector b = FloatVector.broadcast(SPECIES, 0.999f);
        final FloatVector x = FloatVector.broadcast(SPECIES, 0.001f);
        FloatVector c0 = FloatVector.broadcast(SPECIES, 0.10f), c1 = c0.add(x), c2 = c1.add(x), c3 = c2.add(x);
        FloatVector c4 = c3.add(x), c5 = c4.add(x), c6 = c5.add(x), c7 = c6.add(x);
        FloatVector c8 = c7.add(x), c9 = c8.add(x);
        for (int i = 0; i < PEAK_STEPS; i++) {
            c0 = c0.fma(b, x); c1 = c1.fma(b, x); c2 = c2.fma(b, x); c3 = c3.fma(b, x);
            c4 = c4.fma(b, x); c5 = c5.fma(b, x); c6 = c6.fma(b, x); c7 = c7.fma(b, x);
            c8 = c8.fma(b, x); c9 = c9.fma(b, x);
        }
        return c0.add(c1).add(c2).add(c3).add(c4).add(c5).add(c6).add(c7).add(c8).add(c9)
                .reduceLanes(jdk.incubator.vector.VectorOperators.ADD);
    }

    /** {@link #peakFma} with 24 chains, for a 32-register file. */
    private static float peakFma24() {
        final FloatVector b = FloatVector.broadcast(SPECIES, 0.999f);
        final FloatVector x = FloatVector.broadcast(SPECIES, 0.001f);
        FloatVector c0 = FloatVector.broadcast(SPECIES, 0.10f), c1 = c0.add(x), c2 = c1.add(x), c3 = c2.add(x);
        FloatVector c4 = c3.add(x), c5 = c4.add(x), c6 = c5.add(x), c7 = c6.add(x);
        FloatVector c8 = c7.add(x), c9 = c8.add(x), c10 = c9.add(x), c11 = c10.add(x);
        FloatVector c12 = c11.add(x), c13 = c12.add(x), c14 = c13.add(x), c15 = c14.add(x);
        FloatVector c16 = c15.add(x), c17 = c16.add(x), c18 = c17.add(x), c19 = c18.add(x);
        FloatVector c20 = c19.add(x), c21 = c20.add(x), c22 = c21.add(x), c23 = c22.add(x);
        for (int i = 0; i < PEAK_STEPS; i++) {
            c0 = c0.fma(b, x); c1 = c1.fma(b, x); c2 = c2.fma(b, x); c3 = c3.fma(b, x);
            c4 = c4.fma(b, x); c5 = c5.fma(b, x); c6 = c6.fma(b, x); c7 = c7.fma(b, x);
            c8 = c8.fma(b, x); c9 = c9.fma(b, x); c10 = c10.fma(b, x); c11 = c11.fma(b, x);
            c12 = c12.fma(b, x); c13 = c13.fma(b, x); c14 = c14.fma(b, x); c15 = c15.fma(b, x);
            c16 = c16.fma(b, x); c17 = c17.fma(b, x); c18 = c18.fma(b, x); c19 = c19.fma(b, x);
            c20 = c20.fma(b, x); c21 = c21.fma(b, x); c22 = c22.fma(b, x); c23 = c23.fma(b, x);
        }
        return c0.add(c1).add(c2).add(c3).add(c4).add(c5).add(c6).add(c7).add(c8).add(c9).add(c10).add(c11)
                .add(c12).add(c13).add(c14).add(c15).add(c16).add(c17).add(c18).add(c19).add(c20).add(c21).add(c22)
                .add(c23).reduceLanes(jdk.incubator.vector.VectorOperators.ADD);
    }
}
