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
 * {@link Kernels#im2col} and {@link Kernels#col2imAccumulate} for one example of each convolution of
 * the thesis networks, vector against scalar in one class so that ratios are same-run. Shapes
 * ({@code net:CxHxW:kK:pP}): the CNN's {@code 1x28x28} and {@code 4x13x13} with 3x3 kernels and no
 * padding (output runs of 26 and 11 floats: one vector and an overlapping one, or less than a vector),
 * LeNet's {@code 1x28x28} 5x5 with padding 2 and {@code 6x14x14} 5x5 without, and the CIFAR CNN's four
 * 3x3 "same" convs, {@code 3x32x32}, {@code 32x32x32}, {@code 32x16x16} and {@code 64x16x16}. The col leading
 * dimension is the layer's: P = oh*ow rounded up to 16 floats, 16 more at a multiple of 1024 (1,040 for CIFAR's
 * 32x32 outputs; 1,024 before NOTES 35). x, col and dx are exactly as long as the layer's operands (64-byte aligned),
 * so the kernels' end-of-segment paths run as in training. Scores are ns per call; run with
 * {@code -prof gc} (the vector kernels must show ~0 B/op). The {@code convolve*} benchmarks time one example's forward
 * with the layer's filter count (4, 8, 6, 16, 32, 32, 64, 64 in the order of the shapes): {@link Kernels#convolve} against the
 * im2col + gemm it replaces where a layer's column matrices are rebuilt in backward, and against its scalar reference;
 * the {@code weightGradient*} benchmarks time a conv's weight gradient over one rebuilt chunk the same way
 * ({@link Kernels#convolveWeightGradient} against im2col + gemmNT) for LeNet's first conv, the CNN's two and CIFAR's first.
 *
 * <pre>
 * java --add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED -cp perf/target/leashed.jar \
 *   org.openjdk.jmh.Main ConvKernelBenchmark -f 1 -wi 3 -i 5 -w 1 -r 1 -prof gc
 * </pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
        "-XX:+UnlockDiagnosticVMOptions", "-XX:MinInlineFrequencyRatio=0", "-XX:PerMethodRecompilationCutoff=1000",
        "-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch"})
public class ConvKernelBenchmark {
    /** One convolution's im2col operands. */
    @State(Scope.Thread)
    public static class Operands {
        @Param({"cnn1:1x28x28:k3:p0", "cnn2:4x13x13:k3:p0", "lenet1:1x28x28:k5:p2", "lenet2:6x14x14:k5:p0",
                "cifar1:3x32x32:k3:p1", "cifar2:32x32x32:k3:p1", "cifar3:32x16x16:k3:p1", "cifar4:64x16x16:k3:p1"})
        String shape;

        int c;
        int h;
        int w;
        int k;
        int pad;
        int ld;
        Arena arena;
        MemorySegment x;
        MemorySegment col;
        MemorySegment dx;
        /** col one line into a larger segment, as a chunk's column matrices sit in the layer's scratch. */
        MemorySegment colInBatch;
        /** dx with the next example's floats after it, as every example of a batch but the last has. */
        MemorySegment dxInBatch;
        Kernels vector;
        /** The layer's filters, W (filters, c*k*k) and its forward's rows (filters, ld). */
        int filters;
        MemorySegment weights;
        MemorySegment rows;

        @Setup(Level.Trial)
        public void setUp() {
            String[] parts = shape.split(":");
            if (parts.length != 4) {
                throw new IllegalArgumentException("shape must be net:CxHxW:kK:pP, got " + shape);
            }
            int[] dims = convDims(parts, shape);
            c = dims[0];
            h = dims[1];
            w = dims[2];
            k = dims[3];
            pad = dims[4];
            int positions = (h + 2 * pad - k + 1) * (w + 2 * pad - k + 1);
            ld = rowStride(positions);
            vector = VectorCheck.requireVector(Kernels.get());
            arena = Arena.ofShared();
            long inputs = (long) c * h * w;
            long colFloats = (long) c * k * k * ld;
            x = arena.allocate(inputs * Float.BYTES, 64);
            dx = arena.allocate(inputs * Float.BYTES, 64);
            col = arena.allocate(colFloats * Float.BYTES, 64);
            colInBatch = arena.allocate((IN_BATCH_COL_OFFSET + colFloats) * Float.BYTES, 64);
            dxInBatch = arena.allocate(2 * inputs * Float.BYTES, 64);
            SplittableRandom r = new SplittableRandom(23);
            for (long i = 0; i < inputs; i++) {
                x.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) r.nextGaussian());
            }
            for (long i = 0; i < colFloats; i++) {
                col.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) r.nextGaussian());
            }
            MemorySegment.copy(col, 0, colInBatch, IN_BATCH_COL_OFFSET * Float.BYTES, colFloats * Float.BYTES);
            filters = filters(parts[0]);
            weights = arena.allocate((long) filters * c * k * k * Float.BYTES, 64);
            for (long i = 0; i < (long) filters * c * k * k; i++) {
                weights.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) r.nextGaussian());
            }
            rows = arena.allocate((long) filters * ld * Float.BYTES, 64);
        }

        /** The filters of the layer a shape's net part names. */
        static int filters(String net) {
            return switch (net) {
                case "cnn1" -> 4;
                case "cnn2" -> 8;
                case "lenet1" -> 6;
                case "lenet2" -> 16;
                case "cifar1", "cifar2" -> 32;
                case "cifar3", "cifar4" -> 64;
                default -> throw new IllegalArgumentException("shape's net must be cnn1, cnn2, lenet1, lenet2 or cifar1-4, got " + net);
            };
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            arena.close();
        }
    }

    /** Conv2d's row stride for {@code positions} output pixels: whole 64-byte lines, 16 floats more at a multiple of 1024. */
    static int rowStride(int positions) {
        int ld = (positions + 15) / 16 * 16;
        return ld % 1024 == 0 ? ld + 16 : ld;
    }

    @Benchmark
    public void im2colVector(Operands o) {
        o.vector.im2col(o.col, 0, o.ld, o.ld, o.x, 0, o.c, o.h, o.w, o.k, o.pad);
    }

    @Benchmark
    public void im2colScalar(Operands o) {
        Kernels.scalar().im2col(o.col, 0, o.ld, o.ld, o.x, 0, o.c, o.h, o.w, o.k, o.pad);
    }

    /** col2im into dx as training does it: zeroed first, then accumulated (dx stays bounded across calls). */
    @Benchmark
    public void col2imVector(Operands o) {
        o.vector.zero(o.dx, 0, (long) o.c * o.h * o.w);
        o.vector.col2imAccumulate(o.dx, 0, o.col, 0, o.ld, o.c, o.h, o.w, o.k, o.pad);
    }

    /**
     * {@link #col2imVector} on operands placed as in the middle of a batch: col 16 floats into its segment, dx followed
     * by another example. Where col2imVector's col starts its segment and dx ends one, a kernel that loads whole vectors
     * around a row must take its end-of-segment path; in training only the batch's last example does.
     */
    @Benchmark
    public void col2imVectorInBatch(Operands o) {
        o.vector.zero(o.dxInBatch, 0, (long) o.c * o.h * o.w);
        o.vector.col2imAccumulate(o.dxInBatch, 0, o.colInBatch, IN_BATCH_COL_OFFSET, o.ld, o.c, o.h, o.w, o.k, o.pad);
    }

    /** {@link #col2imVectorInBatch}'s call by the scalar reference. */
    @Benchmark
    public void col2imScalarInBatch(Operands o) {
        Kernels.scalar().zero(o.dxInBatch, 0, (long) o.c * o.h * o.w);
        Kernels.scalar().col2imAccumulate(o.dxInBatch, 0, o.colInBatch, IN_BATCH_COL_OFFSET, o.ld, o.c, o.h, o.w, o.k, o.pad);
    }

    /** One example's forward rows without a column matrix: the layer's call where it convolves directly. */
    @Benchmark
    public void convolveVector(Operands o) {
        o.vector.convolve(o.filters, o.weights, 0, o.x, 0, o.c, o.h, o.w, o.k, o.pad, o.rows, 0, o.ld, o.ld);
    }

    /** The same rows by im2col and gemm, as the layer computes them where it keeps the column matrices. */
    @Benchmark
    public void convolveByIm2colGemm(Operands o) {
        final int kk = o.c * o.k * o.k;
        o.vector.im2col(o.col, 0, o.ld, o.ld, o.x, 0, o.c, o.h, o.w, o.k, o.pad);
        o.vector.gemm(o.filters, o.ld, kk, o.weights, 0, kk, 1, o.col, 0, o.ld, o.rows, 0, o.ld, false);
    }

    @Benchmark
    public void convolveScalar(Operands o) {
        Kernels.scalar().convolve(o.filters, o.weights, 0, o.x, 0, o.c, o.h, o.w, o.k, o.pad, o.rows, 0, o.ld, o.ld);
    }

    /**
     * A conv's weight gradient over one chunk as backward rebuilds it at batches past the chunk, for the layers whose
     * weight gradient is dot products and which the vector kernels take from the images ({@code
     * net:CxHxW:kK:pP:fFILTERS:nEXAMPLES}, the examples Conv2d keeps per chunk): LeNet's first conv (21), the thesis
     * CNN's two (58 and 93) and the CIFAR CNN's first (8, at batch 16). Columns per example as the layer's: P rounded
     * up to 16, 16 more at a multiple of 1024; dy's padding columns zero, as backward writes them; dWᵀ rows padded to 16.
     */
    @State(Scope.Thread)
    public static class ChunkWeightGradient {
        @Param({"lenet1:1x28x28:k5:p2:f6:n21", "cnn1:1x28x28:k3:p0:f4:n58", "cnn2:4x13x13:k3:p0:f8:n93", "cifar1:3x32x32:k3:p1:f32:n8"})
        String layer;

        int c;
        int h;
        int w;
        int k;
        int pad;
        int filters;
        int examples;
        int ld;
        int patch;
        int wide;
        Arena arena;
        MemorySegment x;
        MemorySegment dys;
        MemorySegment cols;
        MemorySegment dWT;
        Kernels vector;

        @Setup(Level.Trial)
        public void setUp() {
            String[] parts = layer.split(":");
            if (parts.length != 6 || !parts[4].startsWith("f") || !parts[5].startsWith("n")) {
                throw new IllegalArgumentException("layer must be net:CxHxW:kK:pP:fFILTERS:nEXAMPLES, got " + layer);
            }
            int[] dims = convDims(parts, layer);
            c = dims[0];
            h = dims[1];
            w = dims[2];
            k = dims[3];
            pad = dims[4];
            filters = Integer.parseInt(parts[4].substring(1));
            examples = Integer.parseInt(parts[5].substring(1));
            int positions = (h + 2 * pad - k + 1) * (w + 2 * pad - k + 1);
            ld = rowStride(positions);
            patch = c * k * k;
            wide = examples * ld;
            long inputs = (long) c * h * w;
            vector = VectorCheck.requireVector(Kernels.get());
            arena = Arena.ofShared();
            x = arena.allocate(examples * inputs * Float.BYTES, 64);
            dys = arena.allocate((long) filters * wide * Float.BYTES, 64);
            cols = arena.allocate((long) patch * wide * Float.BYTES, 64);
            dWT = arena.allocate(patch * (long) ((filters + 15) / 16 * 16) * Float.BYTES, 64);
            SplittableRandom r = new SplittableRandom(29);
            for (long i = 0; i < examples * inputs; i++) {
                x.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) r.nextGaussian());
            }
            for (long i = 0; i < (long) filters * wide; i++) {
                dys.setAtIndex(ValueLayout.JAVA_FLOAT, i, i % ld < positions ? (float) r.nextGaussian() : 0f);
            }
        }

        int ldc() {
            return (filters + 15) / 16 * 16;
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            arena.close();
        }
    }

    /** The chunk's weight gradient from the images: the layer's call where the kernels take it directly. */
    @Benchmark
    public void weightGradientVector(ChunkWeightGradient o) {
        o.vector.convolveWeightGradient(o.filters, o.dys, 0, o.wide, o.examples, o.ld, o.x, 0, (long) o.c * o.h * o.w, o.c, o.h, o.w, o.k,
                o.pad, o.dWT, 0, o.ldc(), false);
    }

    /** The same by im2col per example and gemmNT over the chunk, as the layer computes it otherwise. */
    @Benchmark
    public void weightGradientByIm2colGemmNT(ChunkWeightGradient o) {
        final long inputs = (long) o.c * o.h * o.w;
        for (int e = 0; e < o.examples; e++) {
            o.vector.im2col(o.cols, (long) e * o.ld, o.wide, o.ld, o.x, e * inputs, o.c, o.h, o.w, o.k, o.pad);
        }
        o.vector.gemmNT(o.patch, o.filters, o.wide, o.cols, 0, o.wide, o.dys, 0, o.wide, o.dWT, 0, o.ldc(), false);
    }

    @Benchmark
    public void weightGradientScalar(ChunkWeightGradient o) {
        Kernels.scalar().convolveWeightGradient(o.filters, o.dys, 0, o.wide, o.examples, o.ld, o.x, 0, (long) o.c * o.h * o.w, o.c, o.h,
                o.w, o.k, o.pad, o.dWT, 0, o.ldc(), false);
    }

    /** C, H, W, k and pad from a parameter's {@code net:CxHxW:kK:pP..} parts. */
    static int[] convDims(String[] parts, String value) {
        String[] size = parts[1].split("x");
        if (size.length != 3 || !parts[2].startsWith("k") || !parts[3].startsWith("p")) {
            throw new IllegalArgumentException("expected net:CxHxW:kK:pP.., got " + value);
        }
        return new int[] {Integer.parseInt(size[0]), Integer.parseInt(size[1]), Integer.parseInt(size[2]),
                Integer.parseInt(parts[2].substring(1)), Integer.parseInt(parts[3].substring(1))};
    }

    /** Floats before col in {@link Operands#colInBatch}: one 64-byte line, so its rows stay aligned. */
    static final long IN_BATCH_COL_OFFSET = 16;

    @Benchmark
    public void col2imScalar(Operands o) {
        Kernels.scalar().zero(o.dx, 0, (long) o.c * o.h * o.w);
        Kernels.scalar().col2imAccumulate(o.dx, 0, o.col, 0, o.ld, o.c, o.h, o.w, o.k, o.pad);
    }
}
