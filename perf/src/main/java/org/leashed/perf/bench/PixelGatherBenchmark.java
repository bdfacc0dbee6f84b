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
 * The batch gather of a byte-backed data set: {@code batch} random examples of {@code features}
 * unsigned pixel bytes converted to floats into one input matrix, with
 * {@link Kernels#unsignedBytesToFloats} (vector, and the scalar reference), against the gather of a
 * float-backed set of the same examples ({@code floatCopy}: one {@code MemorySegment.copy} per row,
 * what every gather did before data sets kept bytes). Shapes: MNIST (784) and CIFAR-10 (3,072) rows
 * at batch 512 and 16, from a set of 4,096 examples (13-50 MB of floats: the float set does not fit
 * in cache, as MNIST's does not). Scores are us per gathered batch; run with {@code -prof gc}: ~0 B/op.
 *
 * <pre>
 * java --add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED -cp perf/target/leashed.jar \
 *   org.openjdk.jmh.Main PixelGatherBenchmark -f 2 -wi 3 -i 5 -w 1 -r 1 -prof gc
 * </pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
        "-XX:+UnlockDiagnosticVMOptions", "-XX:MinInlineFrequencyRatio=0", "-XX:PerMethodRecompilationCutoff=1000",
        "-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch"})
public class PixelGatherBenchmark {
    static final int EXAMPLES = 4096;

    @State(Scope.Thread)
    public static class Batch {
        @Param({"784", "3072"})
        int features;
        @Param({"512", "16"})
        int batch;

        Arena arena;
        MemorySegment bytes;
        MemorySegment floats;
        MemorySegment out;
        int[] rows;
        Kernels vector;
        Kernels scalar;

        @Setup(Level.Trial)
        public void setUp() {
            vector = VectorCheck.requireVector(Kernels.get());
            scalar = Kernels.scalar();
            arena = Arena.ofShared();
            SplittableRandom r = new SplittableRandom(3);
            bytes = arena.allocate((long) EXAMPLES * features, 64);
            floats = arena.allocate((long) EXAMPLES * features * Float.BYTES, 64);
            for (long i = 0; i < (long) EXAMPLES * features; i++) {
                byte b = (byte) r.nextInt(256);
                bytes.set(ValueLayout.JAVA_BYTE, i, b);
                floats.setAtIndex(ValueLayout.JAVA_FLOAT, i, (b & 0xFF) / 255f);
            }
            out = arena.allocate((long) batch * features * Float.BYTES, 64);
            rows = new int[batch];
            for (int i = 0; i < batch; i++) {
                rows[i] = r.nextInt(EXAMPLES);
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            arena.close();
        }
    }

    private static MemorySegment convert(Batch b, Kernels kernels) {
        final long features = b.features;
        for (int r = 0; r < b.batch; r++) {
            kernels.unsignedBytesToFloats(b.out, r * features, b.bytes, b.rows[r] * features, features, 1f / 255f);
        }
        return b.out;
    }

    @Benchmark
    public MemorySegment vector(Batch b) {
        return convert(b, b.vector);
    }

    @Benchmark
    public MemorySegment scalar(Batch b) {
        return convert(b, b.scalar);
    }

    @Benchmark
    public MemorySegment floatCopy(Batch b) {
        final long rowBytes = (long) b.features * Float.BYTES;
        for (int r = 0; r < b.batch; r++) {
            MemorySegment.copy(b.floats, b.rows[r] * rowBytes, b.out, r * rowBytes, rowBytes);
        }
        return b.out;
    }
}
