package org.leashed.perf.bench;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.leashed.nn.simd.Kernels;
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
 * copy the layer makes); the thesis CNN's convolution GEMMs per example ({@code convFwd}: W·col,
 * {@code convDW}: col·dyᵀ accumulating, {@code convDX}: Wᵀ·dy, A transposed).
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
        "-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch"})
public class GemmBenchmark {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    /** FMA steps per accumulator in {@link #peakFma}. */
    static final int PEAK_STEPS = 8192;
    /** Independent accumulators in {@link #peakFma}: far more than FMA latency x issue width needs. */
    static final int PEAK_ACCUMULATORS = 12;
    /** Flops of one {@link #peakFma} call (2 per lane per FMA). */
    public static final long PEAK_FLOPS = 2L * PEAK_STEPS * PEAK_ACCUMULATORS * SPECIES.length();

    /** One GEMM shape with its operands, 64-byte aligned, from a shared arena. */
    @State(Scope.Thread)
    public static class Operands {
        @Param({
                "fwd:512x128x784", "fwd:512x128x128", "fwd:512x10x128",
                "dW:784x128x512", "dW:128x128x512", "dW:128x10x512",
                "dX:512x128x128", "dX:512x128x10",
                "fwd:16x128x784", "fwd:16x128x128", "fwd:16x10x128",
                "dW:784x128x16", "dW:128x128x16", "dW:128x10x16",
                "dX:16x128x128", "dX:16x128x10",
                "convFwd:4x688x9", "convFwd:8x128x36", "convDW:9x16x688", "convDW:36x16x128", "convDX:36x128x8"})
        String shape;

        int m;
        int n;
        int k;
        boolean transposedA;
        boolean accumulate;
        int aRowStride;
        int aColStride;
        Arena arena;
        MemorySegment a;
        MemorySegment b;
        MemorySegment c;
        Kernels vector;

        @Setup(Level.Trial)
        public void setUp() {
            String[] kindAndSize = shape.split(":");
            String[] size = kindAndSize[1].split("x");
            m = Integer.parseInt(size[0]);
            n = Integer.parseInt(size[1]);
            k = Integer.parseInt(size[2]);
            String kind = kindAndSize[0];
            transposedA = kind.equals("dW") || kind.equals("convDX");
            accumulate = kind.equals("convDW");
            if (!kind.matches("fwd|dW|dX|convFwd|convDW|convDX")) {
                throw new IllegalArgumentException("unknown GEMM kind " + kind + " in shape " + shape);
            }
            aRowStride = transposedA ? 1 : k;
            aColStride = transposedA ? m : 1;
            vector = Kernels.get();
            if (!vector.description().startsWith("vector")) {
                throw new IllegalStateException("vector kernels are not active in the benchmark JVM: " + vector.description());
            }
            arena = Arena.ofShared();
            a = random(arena, (long) m * k, 1);
            b = random(arena, (long) k * n, 2);
            c = random(arena, (long) m * n, 3);
        }

        private static MemorySegment random(Arena arena, long count, long seed) {
            MemorySegment s = arena.allocate(count * Float.BYTES, 64);
            SplittableRandom r = new SplittableRandom(seed);
            for (long i = 0; i < count; i++) {
                s.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) r.nextGaussian());
            }
            return s;
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
        o.vector.gemm(o.m, o.n, o.k, o.a, 0, o.aRowStride, o.aColStride, o.b, 0, o.n, o.c, 0, o.n, o.accumulate);
    }

    @Benchmark
    public void scalar(Operands o) {
        Kernels.scalar().gemm(o.m, o.n, o.k, o.a, 0, o.aRowStride, o.aColStride, o.b, 0, o.n, o.c, 0, o.n, o.accumulate);
    }

    @Benchmark
    public void openblas(Operands o, Blas blas) {
        blas.blas.sgemm(o.transposedA ? OpenBlas.TRANS : OpenBlas.NO_TRANS, o.m, o.n, o.k, o.a, o.transposedA ? o.m : o.k,
                o.b, o.n, o.accumulate ? 1f : 0f, o.c, o.n);
    }

    /**
     * Peak probe: {@link #PEAK_ACCUMULATORS} independent register-resident FMA chains of
     * {@link #PEAK_STEPS} steps ({@code acc = acc*m + x}, converging, no denormals). GFLOP/s =
     * {@link #PEAK_FLOPS} / score.
     */
    @Benchmark
    public float peakFma() {
        final FloatVector m = FloatVector.broadcast(SPECIES, 0.999f);
        final FloatVector x = FloatVector.broadcast(SPECIES, 0.001f);
        FloatVector a0 = FloatVector.broadcast(SPECIES, 0.10f), a1 = FloatVector.broadcast(SPECIES, 0.11f);
        FloatVector a2 = FloatVector.broadcast(SPECIES, 0.12f), a3 = FloatVector.broadcast(SPECIES, 0.13f);
        FloatVector a4 = FloatVector.broadcast(SPECIES, 0.14f), a5 = FloatVector.broadcast(SPECIES, 0.15f);
        FloatVector a6 = FloatVector.broadcast(SPECIES, 0.16f), a7 = FloatVector.broadcast(SPECIES, 0.17f);
        FloatVector a8 = FloatVector.broadcast(SPECIES, 0.18f), a9 = FloatVector.broadcast(SPECIES, 0.19f);
        FloatVector a10 = FloatVector.broadcast(SPECIES, 0.20f), a11 = FloatVector.broadcast(SPECIES, 0.21f);
        for (int i = 0; i < PEAK_STEPS; i++) {
            a0 = a0.fma(m, x); a1 = a1.fma(m, x); a2 = a2.fma(m, x); a3 = a3.fma(m, x);
            a4 = a4.fma(m, x); a5 = a5.fma(m, x); a6 = a6.fma(m, x); a7 = a7.fma(m, x);
            a8 = a8.fma(m, x); a9 = a9.fma(m, x); a10 = a10.fma(m, x); a11 = a11.fma(m, x);
        }
        return a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).add(a8).add(a9).add(a10).add(a11)
                .reduceLanes(jdk.incubator.vector.VectorOperators.ADD);
    }
}
