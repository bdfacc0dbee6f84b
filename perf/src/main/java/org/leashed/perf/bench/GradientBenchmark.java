package org.leashed.perf.bench;

import org.leashed.nn.data.Dataset;
import org.leashed.nn.model.Network;
import org.leashed.nn.model.Workspace;
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
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * T_c, one {@link Network#lossAndGradient} (forward, loss, backward into a gradient segment) of each
 * thesis network on random data with a preallocated {@link Workspace}: the MLP 784-128x3-10, the CNN
 * and LeNet on 1x28x28 at batch 512 and 16, and the CIFAR CNN on 3x32x32 at batch 16 only (its own
 * method). The data set stores pixel bytes, as one read from files does, so T_c includes the gather's
 * byte-to-float conversion ({@code -p storage=floats} measures without it); uniform random ones ({@code bytes}) and
 * ones with MNIST's 81 % of zeros ({@code mnist-like}), on which the MLP's first layer runs its sparse GEMMs. Kernels: {@code Kernels.get()}, the production choice. Run with {@code -prof gc}: every
 * benchmark must show ~0 B/op.
 *
 * <pre>
 * java --add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED -cp perf/target/leashed.jar \
 *   org.openjdk.jmh.Main GradientBenchmark -f 1 -wi 3 -i 5 -w 1 -r 1 -prof gc
 * </pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
        "-XX:+UnlockDiagnosticVMOptions", "-XX:MinInlineFrequencyRatio=0", "-XX:PerMethodRecompilationCutoff=1000",
        "-Xms2g", "-Xmx2g", "-XX:+AlwaysPreTouch"})
public class GradientBenchmark {
    /** Examples in the random data set the batches are drawn from. */
    static final int EXAMPLES = 1024;

    /** A network, its parameters, gradient, workspace and a fixed random batch. */
    abstract static class Model {
        Network net;
        Dataset data;
        Workspace ws;
        Arena arena;
        MemorySegment params;
        MemorySegment grad;
        int[] batch;
        int examples;

        void setUp(Network network, int size, String storage) {
            net = network;
            examples = size;
            var in = net.inputShape();
            SplittableRandom r = new SplittableRandom(11);
            byte[] labels = new byte[EXAMPLES];
            for (int i = 0; i < EXAMPLES; i++) {
                labels[i] = (byte) r.nextInt(net.classes());
            }
            data = switch (storage) {
                case "bytes" -> { // as read from pixel files: converted to floats when a batch is gathered
                    byte[] pixels = new byte[EXAMPLES * in.size()];
                    for (int i = 0; i < pixels.length; i++) {
                        pixels[i] = (byte) r.nextInt(256);
                    }
                    yield Dataset.fromBytes("random-pixels", pixels, labels, in.channels(), in.height(), in.width(), net.classes(),
                            1f / 255f);
                }
                case "mnist-like" -> { // pixel bytes with MNIST's share of zeros, 81 %: the input the sparse first layer is for
                    byte[] pixels = new byte[EXAMPLES * in.size()];
                    for (int i = 0; i < pixels.length; i++) {
                        pixels[i] = r.nextDouble() < 0.81 ? 0 : (byte) (1 + r.nextInt(255));
                    }
                    yield Dataset.fromBytes("mnist-like-pixels", pixels, labels, in.channels(), in.height(), in.width(), net.classes(),
                            1f / 255f);
                }
                case "floats" -> {
                    float[] x = new float[EXAMPLES * in.size()];
                    for (int i = 0; i < x.length; i++) {
                        x[i] = (float) r.nextGaussian();
                    }
                    yield Dataset.fromFloats("random", x, labels, in.channels(), in.height(), in.width(), net.classes());
                }
                default -> throw new IllegalArgumentException("storage must be bytes, mnist-like or floats, got " + storage);
            };
            batch = new int[size];
            for (int i = 0; i < size; i++) {
                batch[i] = r.nextInt(EXAMPLES);
            }
            arena = Arena.ofShared();
            params = arena.allocate(net.parameterCount() * Float.BYTES, 64);
            grad = arena.allocate(net.parameterCount() * Float.BYTES, 64);
            net.initialize(params, 5, 0.05f);
            ws = net.newWorkspace(size);
            VectorCheck.requireVector(net.kernels());
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            ws.close();
            arena.close();
        }

        float step() {
            return net.lossAndGradient(ws, params, grad, data, batch, examples);
        }
    }

    /** The MNIST-sized thesis networks at both batch sizes. */
    @State(Scope.Thread)
    public static class Thesis extends Model {
        @Param({"mlp", "cnn", "lenet"})
        String network;
        @Param({"512", "16"})
        int batchSize;
        /**
         * bytes: pixel bytes as the production data sets store them, uniform 0..255 (nearly all nonzero); mnist-like: 81 %
         * of them 0, as in MNIST, which the MLP's first layer multiplies sparsely; floats: generated data sets.
         */
        @Param({"bytes", "mnist-like"})
        String storage;

        @Setup(Level.Trial)
        public void setUp() {
            setUp(switch (network) {
                case "mlp" -> Network.mlp(784, 3, 128, 10);
                case "cnn" -> Network.cnn(1, 28, 28, 10);
                case "lenet" -> Network.lenet(1, 28, 28, 10);
                default -> throw new IllegalArgumentException("network must be mlp, cnn or lenet, got " + network);
            }, batchSize, storage);
        }
    }

    /** The CIFAR-10 CNN (Fig. A.1), batch 16 only (d = 1,116,970). */
    @State(Scope.Thread)
    public static class Cifar extends Model {
        @Setup(Level.Trial)
        public void setUp() {
            setUp(Network.cifarCnn(3, 32, 32, 10), 16, "bytes");
        }
    }

    @Benchmark
    public float lossAndGradient(Thesis model) {
        return model.step();
    }

    @Benchmark
    public float cifarCnnBatch16(Cifar model) {
        return model.step();
    }
}
