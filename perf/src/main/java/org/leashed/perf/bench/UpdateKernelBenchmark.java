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
 * T_u, the cost of one fused copy-and-update {@code dst = src + a*x} ({@link Kernels#copyAxpy}) over a
 * whole parameter vector, against the floor it cannot beat: a plain {@link MemorySegment#copy} of the
 * same vector (issue 3 target: fused within 1.3x of the copy). Dimensions: the thesis MLP
 * (d = 134,794) and CNN (d = 27,354); both are non-multiples of the vector length. Segments are
 * 64-byte aligned, from a shared arena as in the parameter pool.
 *
 * <pre>
 * java --add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED -cp perf/target/leashed.jar \
 *   org.openjdk.jmh.Main UpdateKernelBenchmark -f 1 -wi 3 -i 5 -w 1 -r 1 -prof gc
 * </pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
        "-XX:+UnlockDiagnosticVMOptions", "-XX:MinInlineFrequencyRatio=0", "-XX:PerMethodRecompilationCutoff=1000",
        "-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch"})
@State(Scope.Thread)
public class UpdateKernelBenchmark {
    @Param({"134794", "27354"})
    int dimension;

    private Arena arena;
    private MemorySegment src;
    private MemorySegment x;
    private MemorySegment dst;
    private final Kernels vector = Kernels.get();
    private final Kernels scalar = Kernels.scalar();
    private final float a = -0.01f;

    @Setup(Level.Trial)
    public void setUp() {
        VectorCheck.requireVector(vector); // the scalar kernels describe themselves as "scalar ..."
        arena = Arena.ofShared();
        long bytes = (long) dimension * Float.BYTES;
        src = arena.allocate(bytes, 64);
        x = arena.allocate(bytes, 64);
        dst = arena.allocate(bytes, 64);
        SplittableRandom r = new SplittableRandom(42);
        for (long i = 0; i < dimension; i++) {
            src.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) r.nextGaussian());
            x.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) r.nextGaussian());
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        arena.close();
    }

    /** The floor: copy src to dst (reads d floats, writes d floats). */
    @Benchmark
    public void copy() {
        MemorySegment.copy(src, 0, dst, 0, (long) dimension * Float.BYTES);
    }

    /** Fused copy-and-update with the Vector API kernels (reads 2d floats, writes d). */
    @Benchmark
    public void vectorCopyAxpy() {
        vector.copyAxpy(dimension, dst, 0, src, 0, a, x, 0);
    }

    /** Fused copy-and-update with the scalar reference. */
    @Benchmark
    public void scalarCopyAxpy() {
        scalar.copyAxpy(dimension, dst, 0, src, 0, a, x, 0);
    }

    /** Unfused: copy, then axpy in place (what a non-fused implementation would do). */
    @Benchmark
    public void vectorCopyThenAxpy() {
        MemorySegment.copy(src, 0, dst, 0, (long) dimension * Float.BYTES);
        vector.axpy(dimension, a, x, 0, dst, 0);
    }
}
