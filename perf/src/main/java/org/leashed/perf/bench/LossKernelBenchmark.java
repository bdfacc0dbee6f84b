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
 * The loss end of a gradient: {@link Kernels#softmaxCrossEntropy} (vector, scalar, and {@code doubleExp}: the
 * per-row loop with two {@code Math.exp} calls per logit in double that {@code Network} ran before, the same-run
 * baseline) on {@code ROWSxCLASSES} logits, and {@link Kernels#columnSums} (the bias gradient, vector and scalar)
 * on {@code ROWSxCOLS} deltas: the thesis networks' batches of 512 and 16, 10 classes, 128 units. Scores are ns per
 * call; run with {@code -prof gc} (the vector kernels must show ~0 B/op).
 *
 * <pre>
 * java --add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED -cp perf/target/leashed.jar \
 *   org.openjdk.jmh.Main LossKernelBenchmark -f 1 -wi 3 -i 5 -w 1 -r 1 -prof gc
 * </pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
        "-XX:+UnlockDiagnosticVMOptions", "-XX:MinInlineFrequencyRatio=0", "-XX:PerMethodRecompilationCutoff=1000",
        "-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch"})
public class LossKernelBenchmark {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;

    /** {@code ROWSxCOLS}: logits (softmax) or deltas (column sums), with labels and scratch. */
    @State(Scope.Thread)
    public static class Operands {
        @Param({"512x10", "16x10", "512x128", "16x128"})
        String shape;

        int rows;
        int cols;
        int[] labels;
        Arena arena;
        MemorySegment in;
        MemorySegment out;
        MemorySegment scratch;
        Kernels vector;

        @Setup(Level.Trial)
        public void setUp() {
            int[] size = VectorCheck.rowsByCols(shape);
            rows = size[0];
            cols = size[1];
            vector = VectorCheck.requireVector(Kernels.get());
            arena = Arena.ofShared();
            in = arena.allocate((long) rows * cols * Float.BYTES, 64);
            out = arena.allocate((long) rows * cols * Float.BYTES, 64);
            scratch = arena.allocate(Kernels.softmaxScratchFloats(rows, cols) * Float.BYTES, 64);
            SplittableRandom r = new SplittableRandom(37);
            for (long i = 0; i < (long) rows * cols; i++) {
                in.setAtIndex(F, i, (float) (3 * r.nextGaussian()));
            }
            labels = r.ints(rows, 0, cols).toArray();
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            arena.close();
        }
    }

    @Benchmark
    public double softmaxVector(Operands o) {
        return o.vector.softmaxCrossEntropy(o.in, 0, o.rows, o.cols, o.labels, o.out, 0, 1f / o.rows, null, o.scratch);
    }

    @Benchmark
    public double softmaxScalar(Operands o) {
        return Kernels.scalar().softmaxCrossEntropy(o.in, 0, o.rows, o.cols, o.labels, o.out, 0, 1f / o.rows, null, o.scratch);
    }

    /** What {@code Network} computed before the kernel: per row, Math.exp twice per logit, in double. */
    @Benchmark
    public double softmaxDoubleExp(Operands o) {
        final MemorySegment logits = o.in;
        final int classes = o.cols;
        final float gradScale = 1f / o.rows;
        double sum = 0;
        for (int r = 0; r < o.rows; r++) {
            final long row = (long) r * classes;
            final int label = o.labels[r];
            float max = Float.NEGATIVE_INFINITY;
            for (int c = 0; c < classes; c++) {
                max = Math.max(max, logits.getAtIndex(F, row + c));
            }
            double norm = 0;
            for (int c = 0; c < classes; c++) {
                norm += Math.exp(logits.getAtIndex(F, row + c) - max);
            }
            final double logNorm = Math.log(norm) + max;
            sum += logNorm - logits.getAtIndex(F, row + label);
            for (int c = 0; c < classes; c++) {
                final double p = Math.exp(logits.getAtIndex(F, row + c) - logNorm);
                o.out.setAtIndex(F, row + c, (float) ((p - (c == label ? 1 : 0)) * gradScale));
            }
        }
        return sum;
    }

    @Benchmark
    public void columnSumsVector(Operands o) {
        o.vector.columnSums(o.out, 0, o.in, 0, o.rows, o.cols);
    }

    @Benchmark
    public void columnSumsScalar(Operands o) {
        Kernels.scalar().columnSums(o.out, 0, o.in, 0, o.rows, o.cols);
    }
}
