package org.leashed.perf.bench;

import org.leashed.nn.layer.Dense;
import org.leashed.nn.layer.Shape;
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
 * The forward pass of a narrow dense layer (the thesis networks' 10-class output layer), whole, so that
 * the transposes around its feature-major GEMM are paid for in the figure. {@link #featureMajor}:
 * {@link Dense#forward} as the layer runs it ({@code xᵀ}, {@code yᵀ = Wᵀ·xᵀ}, {@code y = (yᵀ)ᵀ}, bias).
 * {@link #rowMajor}: the same layer's forward as it ran before (NOTES 16.15), kept here as the same-run
 * baseline: {@code W} transposed out of the stored {@code Wᵀ}, {@code y = x·W} ({@code n = out}), bias.
 * Both give the same bits ({@code LayerGradientTest} checks the layer against the single FMA chain).
 * Shapes {@code INxOUT:BATCH}: the MLP's 128x10 and LeNet's 84x10 at batch 512 and 16. Scores are ns
 * per call; run with {@code -prof gc} (both must show ~0 B/op).
 *
 * <pre>
 * java --add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED -cp perf/target/leashed.jar \
 *   org.openjdk.jmh.Main NarrowDenseBenchmark -f 2 -wi 3 -i 4 -w 1 -r 1 -prof gc
 * </pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 4, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
        "-XX:+UnlockDiagnosticVMOptions", "-XX:MinInlineFrequencyRatio=0", "-XX:PerMethodRecompilationCutoff=1000",
        "-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch"})
public class NarrowDenseBenchmark {
    /** One layer shape and batch with its operands. */
    @State(Scope.Thread)
    public static class Operands {
        @Param({"128x10:512", "128x10:16", "84x10:512", "84x10:16"})
        String shape;

        int in;
        int out;
        int batch;
        Dense dense;
        Arena arena;
        MemorySegment params;
        MemorySegment x;
        MemorySegment y;
        MemorySegment scratch;
        Kernels vector;

        @Setup(Level.Trial)
        public void setUp() {
            String[] parts = shape.split(":");
            String[] size = parts[0].split("x");
            if (parts.length != 2 || size.length != 2) {
                throw new IllegalArgumentException("shape must be INxOUT:BATCH, got " + shape);
            }
            in = Integer.parseInt(size[0]);
            out = Integer.parseInt(size[1]);
            batch = Integer.parseInt(parts[1]);
            dense = new Dense(Shape.flat(in), out, false);
            if (!dense.outMajor()) {
                throw new IllegalArgumentException("shape " + shape + " is not a narrow layer: out must be below "
                        + Dense.OUT_MAJOR_BELOW);
            }
            vector = VectorCheck.requireVector(Kernels.get());
            arena = Arena.ofShared();
            params = random(arena, dense.parameterCount(), 1);
            x = random(arena, (long) batch * in, 2);
            y = random(arena, (long) batch * out, 3);
            scratch = arena.allocate(Math.max(dense.scratchByteSize(batch), (long) in * out * Float.BYTES), 64);
        }

        private static MemorySegment random(Arena arena, long count, long seed) {
            MemorySegment s = arena.allocate(count * Float.BYTES, 64);
            SplittableRandom r = new SplittableRandom(seed);
            for (long i = 0; i < count; i++) {
                s.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) r.nextGaussian());
            }
            return s;
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            arena.close();
        }
    }

    @Benchmark
    public void featureMajor(Operands o) {
        o.dense.forward(o.vector, o.params, 0, o.x, o.y, o.batch, o.scratch);
    }

    @Benchmark
    public void rowMajor(Operands o) {
        final Kernels k = o.vector;
        k.transpose(o.scratch, 0, o.params, 0, o.out, o.in);
        k.gemm(o.batch, o.out, o.in, o.x, 0, o.in, 1, o.scratch, 0, o.out, o.y, 0, o.out, false);
        k.biasActivation(o.y, 0, o.params, (long) o.in * o.out, o.batch, o.out, false);
    }
}
