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
 * The MLP first layer's two GEMMs on inputs with {@code density} of them nonzero, dense ({@link Kernels#gemm}) against
 * sparse ({@link Kernels#nonzeroIndex} then {@link Kernels#gemmSparse} / {@link Kernels#gemmSparseTransposed}), in one
 * class so that the ratios are same-run: forward {@code y (b, 128) = x (b, 784) . W (784, 128)} and weight gradient
 * {@code dW (784, 128) = xᵀ . dy (b, 128)}, at batch 512 and 16. MNIST's pixels are 0.19 nonzero; 0.3 is
 * {@code Dense.SPARSE_MAX_DENSITY}, 0.5 shows the dense side of the crossover. The nonzeros are independent
 * (Bernoulli) here, where MNIST's lie in strokes: the kernels' work depends on the count per row only. The sparse
 * forward includes building the index, as the layer does; the sparse weight gradient reuses it, as backward does;
 * {@code index} is the index alone, and {@code scalarSparseForward} the scalar reference of the forward. Scores are us
 * per call. Run with {@code -prof gc}: the vector kernels must show ~0 B/op.
 *
 * <pre>
 * java --add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED -cp perf/target/leashed.jar \
 *   org.openjdk.jmh.Main SparseGemmBenchmark -f 1 -wi 3 -i 5 -w 1 -r 1 -prof gc
 * </pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
        "-XX:+UnlockDiagnosticVMOptions", "-XX:MinInlineFrequencyRatio=0", "-XX:PerMethodRecompilationCutoff=1000",
        "-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch"})
public class SparseGemmBenchmark {
    static final int IN = 784;
    static final int OUT = 128;

    /** One batch of inputs with its weights, output gradient and index. */
    @State(Scope.Thread)
    public static class Operands {
        @Param({"512", "16"})
        int batch;

        @Param({"0.19", "0.3", "0.5"})
        double density;

        Arena arena;
        MemorySegment x;
        MemorySegment w;
        MemorySegment y;
        MemorySegment dy;
        MemorySegment dw;
        MemorySegment index;
        Kernels vector;

        @Setup(Level.Trial)
        public void setUp() {
            vector = VectorCheck.requireVector(Kernels.get());
            arena = Arena.ofShared();
            SplittableRandom r = new SplittableRandom(19);
            x = arena.allocate((long) batch * IN * Float.BYTES, 64);
            for (long i = 0; i < (long) batch * IN; i++) {
                x.setAtIndex(ValueLayout.JAVA_FLOAT, i, r.nextDouble() < density ? (1 + r.nextInt(255)) / 255f : 0f);
            }
            w = gaussian((long) IN * OUT, 0.05f, r);
            dy = gaussian((long) batch * OUT, 0.01f, r);
            y = arena.allocate((long) batch * OUT * Float.BYTES, 64);
            dw = arena.allocate((long) IN * OUT * Float.BYTES, 64);
            index = arena.allocate(Kernels.nonzeroIndexInts(batch, IN) * Integer.BYTES, 64);
            if (vector.nonzeroIndex(index, 0, x, 0, IN, batch, IN, Long.MAX_VALUE) < 0) {
                throw new IllegalStateException("index without a budget failed");
            }
        }

        private MemorySegment gaussian(long n, float scale, SplittableRandom r) {
            MemorySegment s = arena.allocate(n * Float.BYTES, 64);
            for (long i = 0; i < n; i++) {
                s.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) r.nextGaussian() * scale);
            }
            return s;
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            arena.close();
        }
    }

    @Benchmark
    public void denseForward(Operands o) {
        o.vector.gemm(o.batch, OUT, IN, o.x, 0, IN, 1, o.w, 0, OUT, o.y, 0, OUT, false);
    }

    @Benchmark
    public void sparseForward(Operands o) {
        o.vector.nonzeroIndex(o.index, 0, o.x, 0, IN, o.batch, IN, Long.MAX_VALUE);
        o.vector.gemmSparse(o.batch, OUT, o.x, 0, IN, o.index, 0, o.w, 0, OUT, o.y, 0, OUT);
    }

    @Benchmark
    public void denseWeightGradient(Operands o) {
        o.vector.gemm(IN, OUT, o.batch, o.x, 0, 1, IN, o.dy, 0, OUT, o.dw, 0, OUT, false);
    }

    @Benchmark
    public void sparseWeightGradient(Operands o) {
        o.vector.gemmSparseTransposed(IN, OUT, o.batch, o.x, 0, IN, o.index, 0, o.dy, 0, OUT, o.dw, 0, OUT);
    }

    @Benchmark
    public int index(Operands o) {
        return o.vector.nonzeroIndex(o.index, 0, o.x, 0, IN, o.batch, IN, Long.MAX_VALUE);
    }

    @Benchmark
    public void scalarSparseForward(Operands o) {
        Kernels.scalar().nonzeroIndex(o.index, 0, o.x, 0, IN, o.batch, IN, Long.MAX_VALUE);
        Kernels.scalar().gemmSparse(o.batch, OUT, o.x, 0, IN, o.index, 0, o.w, 0, OUT, o.y, 0, OUT);
    }
}
