package org.leashed.perf.bench;

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
 * {@link Kernels#transpose}, vector against scalar in one class so that ratios are same-run, on the W
 * matrices the dense layers transpose on every backward pass ({@code ROWSxCOLS} = in x out): the MLP's
 * 784x128, 128x128 and 128x10, the CNN's 200x128, LeNet's 400x120 and the CIFAR CNN's 4096x256; and the
 * activations the 10-wide output layer's feature-major forward transposes at batch 512 and 16 (x: 512x128,
 * 16x128; yᵀ back: 10x512, 10x16; {@code Dense}). Source
 * and destination are exactly as long as the matrix (64-byte aligned). {@code padded*}: {@link
 * Kernels#transposePadded} on the conv backward's dyᵀ (CNN, LeNet, CIFAR CNN layers; the scalar loop it
 * replaced in {@code Conv2d} moved elements like {@code paddedScalar}). Scores are ns per call; run
 * with {@code -prof gc} (the vector kernel must show ~0 B/op).
 *
 * <pre>
 * java --add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED -cp perf/target/leashed.jar \
 *   org.openjdk.jmh.Main TransposeBenchmark -f 1 -wi 3 -i 5 -w 1 -r 1 -prof gc
 * </pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
        "-XX:+UnlockDiagnosticVMOptions", "-XX:MinInlineFrequencyRatio=0", "-XX:PerMethodRecompilationCutoff=1000",
        "-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch"})
public class TransposeBenchmark {
    /** One matrix shape with its operands. */
    @State(Scope.Thread)
    public static class Operands {
        @Param({"784x128", "128x128", "10x128", "128x10", "200x128", "400x120", "4096x256", "512x128", "16x128", "10x512", "10x16"})
        String shape;

        int rows;
        int cols;
        Arena arena;
        MemorySegment src;
        MemorySegment dst;
        Kernels vector;

        @Setup(Level.Trial)
        public void setUp() {
            int[] size = VectorCheck.rowsByCols(shape);
            rows = size[0];
            cols = size[1];
            vector = VectorCheck.requireVector(Kernels.get());
            long n = (long) rows * cols;
            arena = Arena.ofShared();
            src = arena.allocate(n * Float.BYTES, 64);
            dst = arena.allocate(n * Float.BYTES, 64);
            SplittableRandom r = new SplittableRandom(29);
            for (long i = 0; i < n; i++) {
                src.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) r.nextGaussian());
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            arena.close();
        }
    }

    /** The conv backward's dyᵀ: dy_n (outC x P) into (P x padded outC), {@code OUTCxP:LDD}. */
    @State(Scope.Thread)
    public static class PaddedOperands {
        @Param({"4x676:16", "8x121:16", "6x784:16", "16x100:16", "32x1024:32", "64x256:64"})
        String shape;

        int rows;
        int cols;
        int ldd;
        Arena arena;
        MemorySegment src;
        MemorySegment dst;
        Kernels vector;

        @Setup(Level.Trial)
        public void setUp() {
            String[] parts = shape.split(":");
            String[] size = parts[0].split("x");
            if (parts.length != 2 || size.length != 2) {
                throw new IllegalArgumentException("shape must be OUTCxP:LDD, got " + shape);
            }
            rows = Integer.parseInt(size[0]);
            cols = Integer.parseInt(size[1]);
            ldd = Integer.parseInt(parts[1]);
            vector = VectorCheck.requireVector(Kernels.get());
            arena = Arena.ofShared();
            src = arena.allocate((long) rows * cols * Float.BYTES, 64);
            dst = arena.allocate((long) cols * ldd * Float.BYTES, 64);
            SplittableRandom r = new SplittableRandom(31);
            for (long i = 0; i < (long) rows * cols; i++) {
                src.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) r.nextGaussian());
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            arena.close();
        }
    }

    @Benchmark
    public void paddedVector(PaddedOperands o) {
        o.vector.transposePadded(o.dst, 0, o.ldd, o.src, 0, o.rows, o.cols);
    }

    @Benchmark
    public void paddedScalar(PaddedOperands o) {
        Kernels.scalar().transposePadded(o.dst, 0, o.ldd, o.src, 0, o.rows, o.cols);
    }

    @Benchmark
    public void vector(Operands o) {
        o.vector.transpose(o.dst, 0, o.src, 0, o.rows, o.cols);
    }

    @Benchmark
    public void scalar(Operands o) {
        Kernels.scalar().transpose(o.dst, 0, o.src, 0, o.rows, o.cols);
    }
}
