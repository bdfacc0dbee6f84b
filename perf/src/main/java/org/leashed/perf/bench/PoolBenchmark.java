package org.leashed.perf.bench;

import org.leashed.nn.data.Dataset;
import org.leashed.nn.model.Network;
import org.leashed.nn.model.Workspace;
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
 * {@link Kernels#maxPool2x2} (2x2/stride-2 max pooling forward) and {@link Kernels#maxPool2x2Backward}, vector against
 * scalar in one class so that ratios are same-run; {@code backwardZeroScatter} is the backward the layer ran before the
 * kernel (zero dx, then scatter dy). Shapes ({@code layer:PLANESxHxW}, planes = batch x channels) are the
 * thesis networks' pooling layers at batch 512 and 16: CNN {@code 4x26x26 -> 13x13} and
 * {@code 8x11x11 -> 5x5} (odd: last row and column dropped), LeNet {@code 6x28x28 -> 14x14} and
 * {@code 16x10x10 -> 5x5}, and the CIFAR CNN's {@code 32x32x32} and {@code 64x16x16} at batch 16; plus one wide shape (ow = 32,
 * whole vectors without spill) for comparison.
 * x, y and argmax are exactly as long as the operands (64-byte aligned, shared arena), as the
 * {@code Workspace} segments can be. Scores are us per call. Run with {@code -prof gc}: the vector
 * kernel must show ~0 B/op.
 *
 * <p>{@link #lossAndGradient}: T_c of the CNN and LeNet (as {@link GradientBenchmark}) with the
 * production kernels ({@code pool=vector}) or with the same kernels except a scalar
 * {@code maxPool2x2} and backward ({@code pool=scalar}), so the pooling kernels' share of T_c is a same-run ratio.
 *
 * <pre>
 * java --add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED -cp perf/target/leashed.jar \
 *   org.openjdk.jmh.Main 'PoolBenchmark\.(vector|scalar|backward.*)' -f 1 -wi 3 -i 5 -w 1 -r 1 -prof gc
 * java ... org.openjdk.jmh.Main PoolBenchmark.lossAndGradient -f 1 -wi 5 -i 5 -w 2 -r 2 -prof gc
 * </pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
        "-XX:+UnlockDiagnosticVMOptions", "-XX:MinInlineFrequencyRatio=0", "-XX:PerMethodRecompilationCutoff=1000",
        "-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch"})
public class PoolBenchmark {
    /** One pooling shape with its operands. */
    @State(Scope.Thread)
    public static class Operands {
        @Param({
                "cnn1:2048x26x26", "cnn2:4096x11x11", "lenet1:3072x28x28", "lenet2:8192x10x10",
                "cnn1:64x26x26", "cnn2:128x11x11", "lenet1:96x28x28", "lenet2:256x10x10",
                "cifar1:512x32x32", "cifar2:1024x16x16", "wide:64x32x64"})
        String shape;

        int planes;
        int h;
        int w;
        Arena arena;
        MemorySegment x;
        MemorySegment y;
        MemorySegment argmax;
        /** Backward's operands: dy (as y) and dx (as x). */
        MemorySegment dy;
        MemorySegment dx;
        Kernels vector;

        @Setup(Level.Trial)
        public void setUp() {
            String[] size = shape.split(":")[1].split("x");
            planes = Integer.parseInt(size[0]);
            h = Integer.parseInt(size[1]);
            w = Integer.parseInt(size[2]);
            vector = VectorCheck.requireVector(Kernels.get());
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
            dy = arena.allocate(outputs * Float.BYTES, 64);
            dx = arena.allocate(inputs * Float.BYTES, 64);
            for (long i = 0; i < outputs; i++) {
                dy.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) r.nextGaussian());
            }
            vector.maxPool2x2(y, 0, argmax, 0, x, 0, planes, h, w); // the argmax backward routes dy by
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

    /** The backward: dx from dy and the forward's argmax in one pass over dx. */
    @Benchmark
    public void backwardVector(Operands o) {
        o.vector.maxPool2x2Backward(o.dx, 0, o.dy, 0, o.argmax, 0, o.planes, o.h, o.w);
    }

    /** The backward as the layer did it before the kernel: dx zeroed by the vector kernels, then dy scattered. */
    @Benchmark
    public void backwardZeroScatter(Operands o) {
        o.vector.zero(o.dx, 0, (long) o.planes * o.h * o.w);
        final long outputs = (long) o.planes * (o.h / 2) * (o.w / 2);
        for (long i = 0; i < outputs; i++) {
            o.dx.setAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, o.argmax.getAtIndex(ValueLayout.JAVA_INT_UNALIGNED, i),
                    o.dy.getAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, i));
        }
    }

    @Benchmark
    public void backwardScalar(Operands o) {
        Kernels.scalar().maxPool2x2Backward(o.dx, 0, o.dy, 0, o.argmax, 0, o.planes, o.h, o.w);
    }

    /** The production kernels with {@code maxPool2x2} and its backward replaced by the scalar reference. */
    static final class ScalarPoolKernels implements Kernels {
        private final Kernels k;

        ScalarPoolKernels(Kernels k) {
            this.k = k;
        }

        @Override
        public void gemm(int m, int n, int kk, MemorySegment a, long aOff, int aRowStride, int aColStride, MemorySegment b, long bOff,
                         int ldb, MemorySegment c, long cOff, int ldc, boolean accumulate) {
            k.gemm(m, n, kk, a, aOff, aRowStride, aColStride, b, bOff, ldb, c, cOff, ldc, accumulate);
        }

        @Override
        public void gemmNT(int m, int n, int kk, MemorySegment a, long aOff, int lda, MemorySegment b, long bOff, int ldb,
                           MemorySegment c, long cOff, int ldc, boolean accumulate) {
            k.gemmNT(m, n, kk, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate);
        }

        @Override
        public int nonzeroIndex(MemorySegment idx, long idxOff, MemorySegment a, long aOff, int lda, int rows, int cols, long maxNonzeros) {
            return k.nonzeroIndex(idx, idxOff, a, aOff, lda, rows, cols, maxNonzeros);
        }

        @Override
        public long countNonzeros(MemorySegment a, long off, long count) {
            return k.countNonzeros(a, off, count);
        }

        @Override
        public void gemmSparse(int m, int n, MemorySegment a, long aOff, int lda, MemorySegment idx, long idxOff, MemorySegment b,
                               long bOff, int ldb, MemorySegment c, long cOff, int ldc) {
            k.gemmSparse(m, n, a, aOff, lda, idx, idxOff, b, bOff, ldb, c, cOff, ldc);
        }

        @Override
        public void gemmSparseTransposed(int kk, int n, int m, MemorySegment a, long aOff, int lda, MemorySegment idx, long idxOff,
                                         MemorySegment b, long bOff, int ldb, MemorySegment c, long cOff, int ldc) {
            k.gemmSparseTransposed(kk, n, m, a, aOff, lda, idx, idxOff, b, bOff, ldb, c, cOff, ldc);
        }

        @Override
        public void convolve(int outC, MemorySegment wt, long wOff, MemorySegment x, long xOff, int c, int h, int w, int kk, int pad,
                             MemorySegment rows, long rowsOff, int ld, int width) {
            k.convolve(outC, wt, wOff, x, xOff, c, h, w, kk, pad, rows, rowsOff, ld, width);
        }

        @Override
        public boolean convolvesDirectly(int outC, int c, int h, int w, int kk, int pad) {
            return k.convolvesDirectly(outC, c, h, w, kk, pad);
        }

        @Override
        public void convolveWeightGradient(int outC, MemorySegment dys, long dysOff, int ldd, int count, int ld, MemorySegment x, long xOff,
                                           long xStride, int c, int h, int w, int kk, int pad, MemorySegment dWT, long dWTOff, int ldc,
                                           boolean accumulate) {
            k.convolveWeightGradient(outC, dys, dysOff, ldd, count, ld, x, xOff, xStride, c, h, w, kk, pad, dWT, dWTOff, ldc, accumulate);
        }

        @Override
        public boolean convolvesWeightGradientDirectly(int outC, int c, int h, int w, int kk, int pad, int ld) {
            return k.convolvesWeightGradientDirectly(outC, c, h, w, kk, pad, ld);
        }

        @Override
        public void transpose(MemorySegment dst, long dstOff, MemorySegment src, long srcOff, int rows, int cols) {
            k.transpose(dst, dstOff, src, srcOff, rows, cols);
        }

        @Override
        public void transposePadded(MemorySegment dst, long dstOff, int ldd, MemorySegment src, long srcOff, int rows, int cols) {
            k.transposePadded(dst, dstOff, ldd, src, srcOff, rows, cols);
        }

        @Override
        public void biasActivation(MemorySegment y, long yOff, MemorySegment bias, long biasOff, int rows, int cols, boolean relu) {
            k.biasActivation(y, yOff, bias, biasOff, rows, cols, relu);
        }

        @Override
        public void reluBackward(MemorySegment dy, long dyOff, MemorySegment activation, long activationOff, long count) {
            k.reluBackward(dy, dyOff, activation, activationOff, count);
        }

        @Override
        public void columnSums(MemorySegment db, long dbOff, MemorySegment dy, long dyOff, int rows, int cols) {
            k.columnSums(db, dbOff, dy, dyOff, rows, cols);
        }

        @Override
        public void axpy(long count, float a, MemorySegment x, long xOff, MemorySegment y, long yOff) {
            k.axpy(count, a, x, xOff, y, yOff);
        }

        @Override
        public void copyAxpy(long count, MemorySegment dst, long dstOff, MemorySegment src, long srcOff, float a, MemorySegment x,
                             long xOff) {
            k.copyAxpy(count, dst, dstOff, src, srcOff, a, x, xOff);
        }

        @Override
        public void im2col(MemorySegment col, long colOff, int ld, int width, MemorySegment x, long xOff, int c, int h, int w, int kernel, int pad) {
            k.im2col(col, colOff, ld, width, x, xOff, c, h, w, kernel, pad);
        }

        @Override
        public void col2imAccumulate(MemorySegment dx, long dxOff, MemorySegment col, long colOff, int ld, int c, int h, int w,
                                     int kernel, int pad) {
            k.col2imAccumulate(dx, dxOff, col, colOff, ld, c, h, w, kernel, pad);
        }

        @Override
        public void zero(MemorySegment s, long off, long count) {
            k.zero(s, off, count);
        }

        @Override
        public void unsignedBytesToFloats(MemorySegment dst, long dstOff, MemorySegment src, long srcOff, long count, float scale) {
            k.unsignedBytesToFloats(dst, dstOff, src, srcOff, count, scale);
        }

        @Override
        public double softmaxCrossEntropy(MemorySegment logits, long logitsOff, int n, int classes, int[] labels, MemorySegment delta,
                                          long deltaOff, float gradScale, long[] correct, MemorySegment scratch) {
            return k.softmaxCrossEntropy(logits, logitsOff, n, classes, labels, delta, deltaOff, gradScale, correct, scratch);
        }

        @Override
        public void rowBiasActivation(MemorySegment y, long yOff, MemorySegment src, long srcOff, int lds, MemorySegment bias, long biasOff,
                                      int rows, int cols, boolean relu) {
            k.rowBiasActivation(y, yOff, src, srcOff, lds, bias, biasOff, rows, cols, relu);
        }

        @Override
        public void maxPool2x2(MemorySegment y, long yOff, MemorySegment argmax, long argOff, MemorySegment x, long xOff, int planes,
                               int h, int w) {
            Kernels.scalar().maxPool2x2(y, yOff, argmax, argOff, x, xOff, planes, h, w);
        }

        @Override
        public void maxPool2x2Backward(MemorySegment dx, long dxOff, MemorySegment dy, long dyOff, MemorySegment argmax, long argOff,
                                       int planes, int h, int w) {
            Kernels.scalar().maxPool2x2Backward(dx, dxOff, dy, dyOff, argmax, argOff, planes, h, w);
        }

        @Override
        public String description() {
            return k.description() + " with scalar maxPool2x2 and its backward";
        }
    }

    /** CNN or LeNet on random data (as {@link GradientBenchmark}), with vector or scalar pooling. */
    @State(Scope.Thread)
    public static class Model {
        @Param({"cnn", "lenet"})
        String network;
        @Param({"512", "16"})
        int batchSize;
        @Param({"vector", "scalar"})
        String pool;

        Network net;
        Dataset data;
        Workspace ws;
        Arena arena;
        MemorySegment params;
        MemorySegment grad;
        int[] batch;

        @Setup(Level.Trial)
        public void setUp() {
            Network base = switch (network) {
                case "cnn" -> Network.cnn(1, 28, 28, 10);
                case "lenet" -> Network.lenet(1, 28, 28, 10);
                default -> throw new IllegalArgumentException("network must be cnn or lenet, got " + network);
            };
            net = switch (pool) {
                case "vector" -> base;
                case "scalar" -> base.withKernels(new ScalarPoolKernels(base.kernels()));
                default -> throw new IllegalArgumentException("pool must be vector or scalar, got " + pool);
            };
            VectorCheck.requireVector(net.kernels());
            var in = net.inputShape();
            SplittableRandom r = new SplittableRandom(11);
            float[] x = new float[GradientBenchmark.EXAMPLES * in.size()];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) r.nextGaussian();
            }
            byte[] labels = new byte[GradientBenchmark.EXAMPLES];
            for (int i = 0; i < labels.length; i++) {
                labels[i] = (byte) r.nextInt(net.classes());
            }
            data = Dataset.fromFloats("random", x, labels, in.channels(), in.height(), in.width(), net.classes());
            batch = new int[batchSize];
            for (int i = 0; i < batchSize; i++) {
                batch[i] = r.nextInt(GradientBenchmark.EXAMPLES);
            }
            arena = Arena.ofShared();
            params = arena.allocate(net.parameterCount() * Float.BYTES, 64);
            grad = arena.allocate(net.parameterCount() * Float.BYTES, 64);
            net.initialize(params, 5, 0.05f);
            ws = net.newWorkspace(batchSize);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            ws.close();
            arena.close();
        }
    }

    @Benchmark
    public float lossAndGradient(Model model) {
        return model.net.lossAndGradient(model.ws, model.params, model.grad, model.data, model.batch, model.batchSize);
    }
}
