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
 * {@link Kernels#maxPool2x2} (2x2/stride-2 max pooling forward), vector against scalar in one class
 * so that ratios are same-run. Shapes ({@code layer:PLANESxHxW}, planes = batch x channels) are the
 * thesis networks' pooling layers at batch 512 and 16: CNN {@code 4x26x26 -> 13x13} and
 * {@code 8x11x11 -> 5x5} (odd: last row and column dropped), LeNet {@code 6x28x28 -> 14x14} and
 * {@code 16x10x10 -> 5x5}; plus one wide shape (ow = 32, whole vectors without spill) for comparison.
 * x, y and argmax are exactly as long as the operands (64-byte aligned, shared arena), as the
 * {@code Workspace} segments can be. Scores are us per call. Run with {@code -prof gc}: the vector
 * kernel must show ~0 B/op.
 *
 * <pre>
 * java --add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED -cp perf/target/leashed.jar \
 *   org.openjdk.jmh.Main PoolBenchmark -f 1 -wi 3 -i 5 -w 1 -r 1 -prof gc
 * </pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
        "-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch"})
public class PoolBenchmark {
    /** One pooling shape with its operands. */
    @State(Scope.Thread)
    public static class Operands {
        @Param({
                "cnn1:2048x26x26", "cnn2:4096x11x11", "lenet1:3072x28x28", "lenet2:8192x10x10",
                "cnn1:64x26x26", "cnn2:128x11x11", "lenet1:96x28x28", "lenet2:256x10x10",
                "wide:64x32x64"})
        String shape;

        int planes;
        int h;
        int w;
        Arena arena;
        MemorySegment x;
        MemorySegment y;
        MemorySegment argmax;
        Kernels vector;

        @Setup(Level.Trial)
        public void setUp() {
            String[] size = shape.split(":")[1].split("x");
            planes = Integer.parseInt(size[0]);
            h = Integer.parseInt(size[1]);
            w = Integer.parseInt(size[2]);
            vector = Kernels.get();
            if (!vector.description().startsWith("vector")) {
                throw new IllegalStateException("vector kernels are not active in the benchmark JVM: " + vector.description());
            }
            long inputs = (long) planes * h * w;
            long outputs = (long) planes * (h / 2) * (w / 2);
            arena = Arena.ofShared();
            x = arena.allocate(inputs * Float.BYTES, 64);
            SplittableRandom r = new SplittableRandom(17);
            for (long i = 0; i < inputs; i++) {
                // ReLU output, as in the networks: about half the inputs are 0 (ties)
                x.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) Math.max(0, r.nextGaussian()));
            }
            y = arena.allocate(outputs * Float.BYTES, 64);
            argmax = arena.allocate(outputs * Integer.BYTES, 64);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            arena.close();
        }
    }

    @Benchmark
    public void vector(Operands o) {
        o.vector.maxPool2x2(o.y, 0, o.argmax, 0, o.x, 0, o.planes, o.h, o.w);
    }

    @Benchmark
    public void scalar(Operands o) {
        Kernels.scalar().maxPool2x2(o.y, 0, o.argmax, 0, o.x, 0, o.planes, o.h, o.w);
    }
}
