package org.leashed.perf.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.management.ManagementFactory;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * T_c of two builds in one JVM: each jar in a class loader of its own (its own Network, kernels and JIT profile),
 * their gradient calls in windows that alternate A, B, B, A, ... in thread CPU time, and the ratio B/A taken per
 * pair of neighbouring windows. On this machine kind the host's speed drifts 5-10 % between JVMs a minute apart
 * (NOTES 24), more than a 3 % change: one JVM per build cannot see it, a paired ratio in one JVM can. An A/A run
 * (the same jar twice) shows the harness's own spread. Warm-up: both builds, alternated, for 20 s.
 *
 * <pre>
 * java --add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED -cp perf/target/leashed.jar \
 *   org.leashed.perf.bench.GradientAB mlp|cnn|lenet|cifar BATCH WINDOWS A.jar B.jar [MNIST_DIR]
 * </pre>
 * The data are 1,024 examples of Gaussian noise (every input nonzero), or, with {@code MNIST_DIR} (a folder holding
 * {@code train-images-idx3-ubyte} and {@code train-labels-idx1-ubyte}, as the CLI's data directory's {@code mnist}),
 * the 60,000 MNIST training images scaled to [0, 1], of which about 81 % of the pixels are 0: the data the MLP's sparse
 * first layer is for. The batch's indices are drawn once and are the same for both builds.
 *
 * <p>One JVM's ratio also carries that JVM's luck: the build loaded second can run faster or slower than the first
 * for reasons of its own (where its memory and code land), and that differs from one JVM to the next (NOTES 30.2).
 * With {@code -Dleashed.ab.jvms=N} the comparison runs in N fresh JVMs, A loaded first in the 1st, 3rd, ... and B in
 * the 2nd, 4th, ...; each JVM's output is printed, then B/A as the geometric mean of the N JVMs' medians (each taken
 * as B/A) with its range, and the position effect, the geometric mean of second-loaded over first-loaded
 * ({@link #acrossJvms}). An even N divides a steady position effect out exactly.
 */
public final class GradientAB {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    private static final int EXAMPLES = 1024;

    private GradientAB() {
    }

    /** One build's network, data and workspace, called through method handles from its own class loader. */
    private static final class Build {
        final String jar;
        final MethodHandle gradient; // (Workspace, params, grad, Dataset, int[], int) -> float, bound to the network
        final Object workspace;
        final Object data;
        final MemorySegment params;
        final MemorySegment grad;
        final int[] indices;
        final int batch;

        Build(Path jar, String network, int batch, Path mnist) throws ReflectiveOperationException, MalformedURLException {
            this.jar = jar.getFileName().toString();
            this.batch = batch;
            ClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL()}, ClassLoader.getPlatformClassLoader());
            Class<?> networks = loader.loadClass("org.leashed.nn.model.Network");
            Class<?> datasets = loader.loadClass("org.leashed.nn.data.Dataset");
            Class<?> workspaces = loader.loadClass("org.leashed.nn.model.Workspace");
            Object net = switch (network) {
                case "mlp" -> networks.getMethod("mlp", int.class, int.class, int.class, int.class).invoke(null, 784, 3, 128, 10);
                case "cnn" -> networks.getMethod("cnn", int.class, int.class, int.class, int.class).invoke(null, 1, 28, 28, 10);
                case "lenet" -> networks.getMethod("lenet", int.class, int.class, int.class, int.class).invoke(null, 1, 28, 28, 10);
                case "cifar" -> networks.getMethod("cifarCnn", int.class, int.class, int.class, int.class).invoke(null, 3, 32, 32, 10);
                default -> throw new IllegalArgumentException("network must be mlp, cnn, lenet or cifar, got '" + network + "'");
            };
            Object shape = networks.getMethod("inputShape").invoke(net);
            int size = (Integer) shape.getClass().getMethod("size").invoke(shape);
            SplittableRandom r = new SplittableRandom(11); // the same data, labels and batch for both builds
            float[] xs = new float[EXAMPLES * size];
            for (int i = 0; i < xs.length; i++) {
                xs[i] = (float) r.nextGaussian();
            }
            byte[] labels = new byte[EXAMPLES];
            for (int i = 0; i < EXAMPLES; i++) {
                labels[i] = (byte) r.nextInt(10);
            }
            int channels = (Integer) shape.getClass().getMethod("channels").invoke(shape);
            int height = (Integer) shape.getClass().getMethod("height").invoke(shape);
            int width = (Integer) shape.getClass().getMethod("width").invoke(shape);
            if (mnist == null) {
                data = datasets.getMethod("fromFloats", String.class, float[].class, byte[].class, int.class, int.class, int.class, int.class)
                        .invoke(null, "random", xs, labels, channels, height, width, 10);
            } else {
                data = loader.loadClass("org.leashed.nn.data.IdxReader").getMethod("read", Path.class, Path.class, int.class, float.class)
                        .invoke(null, mnist.resolve("train-images-idx3-ubyte"), mnist.resolve("train-labels-idx1-ubyte"), 10, 1f / 255);
            }
            indices = r.ints(batch, 0, (Integer) datasets.getMethod("count").invoke(data)).toArray();
            long d = (Long) networks.getMethod("parameterCount").invoke(net);
            params = Arena.global().allocate(d * Float.BYTES, 64);
            grad = Arena.global().allocate(d * Float.BYTES, 64);
            networks.getMethod("initialize", MemorySegment.class, long.class, float.class).invoke(net, params, 5L, 0.05f);
            workspace = networks.getMethod("newWorkspace", int.class).invoke(net, batch);
            gradient = MethodHandles.publicLookup().findVirtual(networks, "lossAndGradient",
                    MethodType.methodType(float.class, workspaces, MemorySegment.class, MemorySegment.class, datasets, int[].class, int.class))
                    .bindTo(net);
        }

        /** CPU microseconds per gradient over {@code calls} calls. */
        double window(int calls) throws Throwable {
            long t0 = THREADS.getCurrentThreadCpuTime();
            for (int i = 0; i < calls; i++) {
                float loss = (float) gradient.invoke(workspace, params, grad, data, indices, batch);
                if (!Float.isFinite(loss)) {
                    throw new IllegalStateException(jar + ": loss " + loss);
                }
            }
            return (THREADS.getCurrentThreadCpuTime() - t0) / 1e3 / calls;
        }
    }

    public static void main(String[] args) throws Throwable {
        if (args.length != 5 && args.length != 6) {
            throw new IllegalArgumentException("usage: GradientAB mlp|cnn|lenet|cifar BATCH WINDOWS A.jar B.jar [MNIST_DIR], got "
                    + args.length + " arguments");
        }
        Path mnist = args.length == 6 ? Path.of(args[5]) : null;
        if (mnist != null && !Files.isRegularFile(mnist.resolve("train-images-idx3-ubyte"))) {
            throw new IllegalArgumentException("MNIST_DIR " + mnist + " holds no train-images-idx3-ubyte");
        }
        int batch = positive("BATCH", args[1]);
        int windows = positive("WINDOWS", args[2]);
        for (int b = 0; b < 2; b++) {
            Path jar = Path.of(args[3 + b]);
            if (!Files.isRegularFile(jar)) {
                throw new IllegalArgumentException("jar " + jar + " does not exist or is not a file");
            }
        }
        String jvms = System.getProperty("leashed.ab.jvms");
        if (jvms != null) {
            inJvms(args, positive("-Dleashed.ab.jvms", jvms));
            return;
        }
        Build[] builds = new Build[2];
        for (int b = 0; b < 2; b++) {
            builds[b] = new Build(Path.of(args[3 + b]), args[0], batch, mnist);
        }
        // warm-up: both builds alternated for 20 s of wall time (C2 compiles both), then windows of ~60 ms of work each
        final long warmUpEnd = System.nanoTime() + 20_000_000_000L;
        double perCall = Double.MAX_VALUE;
        while (System.nanoTime() < warmUpEnd) {
            perCall = Math.min(perCall, builds[0].window(1));
            builds[1].window(1);
        }
        int calls = Math.max(1, (int) Math.round(60_000 / perCall));
        double[][] us = new double[2][windows];
        double[] ratio = new double[windows];
        int faster = 0;
        for (int w = 0; w < windows; w++) {
            int first = w % 2; // A first in even pairs, B first in odd ones
            us[first][w] = builds[first].window(calls);
            us[1 - first][w] = builds[1 - first].window(calls);
            ratio[w] = us[1][w] / us[0][w];
            faster += ratio[w] < 1 ? 1 : 0;
        }
        for (int b = 0; b < 2; b++) {
            double[] sorted = us[b].clone();
            Arrays.sort(sorted);
            System.out.printf("%s %s batch %d: T_c best %.1f us, median %.1f us (%d windows of %d calls)%n", b == 0 ? "A" : "B",
                    builds[b].jar, batch, sorted[0], sorted[windows / 2], windows, calls);
        }
        Arrays.sort(ratio);
        System.out.printf("B/A per window pair: median %.3f, quartiles %.3f-%.3f; B faster in %d of %d%n",
                ratio[windows / 2], ratio[windows / 4], ratio[3 * windows / 4], faster, windows);
    }

    /**
     * The comparison in {@code n} fresh JVMs, A loaded first in the even-numbered ones (from 0) and B in the odd ones,
     * each JVM's output as it printed it, then {@link #acrossJvms}.
     */
    private static void inJvms(String[] args, int n) {
        String[] swapped = args.clone();
        swapped[3] = args[4];
        swapped[4] = args[3];
        double[] medians = new double[n];
        for (int i = 0; i < n; i++) {
            String output = inChildJvm(i % 2 == 0 ? args : swapped);
            System.out.print((i % 2 == 0 ? "JVM " + (i + 1) + ", A loaded first:\n" : "JVM " + (i + 1) + ", B loaded first (its A is B):\n")
                    + output);
            medians[i] = medianRatio(output);
        }
        double[] result = acrossJvms(medians);
        System.out.printf("B/A over %d JVMs: %.3f (geometric mean; per JVM %.3f-%.3f); position effect (second-loaded / first-loaded): %.3f%n",
                n, result[0], result[1], result[2], result[3]);
    }

    /**
     * From each JVM's median ratio of second-loaded over first-loaded build ({@code medians[i]}: B/A where i is even, A
     * loaded first; A/B where i is odd): {B/A as the geometric mean over the JVMs, the smallest and the largest JVM's
     * B/A, the position effect}. If the build loaded second takes p times what it would take loaded first, an even JVM
     * reads p x B/A and an odd one p x A/B: over an even number of JVMs p cancels out of the first figure, and the
     * geometric mean of the raw medians is p.
     */
    static double[] acrossJvms(double[] medians) {
        if (medians.length == 0) {
            throw new IllegalArgumentException("no JVMs' ratios");
        }
        double logRatio = 0, logPosition = 0, min = Double.MAX_VALUE, max = 0;
        for (int i = 0; i < medians.length; i++) {
            double r = medians[i];
            if (!(r > 0) || Double.isInfinite(r)) {
                throw new IllegalArgumentException("JVM " + (i + 1) + "'s ratio must be finite and > 0, got " + r);
            }
            double bOverA = i % 2 == 0 ? r : 1 / r;
            logRatio += Math.log(bOverA);
            logPosition += Math.log(r);
            min = Math.min(min, bOverA);
            max = Math.max(max, bOverA);
        }
        return new double[] {Math.exp(logRatio / medians.length), min, max, Math.exp(logPosition / medians.length)};
    }

    /** The median of the "B/A per window pair" line of one run's output. */
    static double medianRatio(String output) {
        final String prefix = "B/A per window pair: median ";
        for (String line : output.lines().toList()) {
            if (line.startsWith(prefix)) {
                return Double.parseDouble(line.substring(prefix.length(), line.indexOf(',', prefix.length())));
            }
        }
        throw new IllegalArgumentException("no '" + prefix + "' line in:\n" + output);
    }

    /** This class's main in a fresh JVM (this one's binary, flags and class path), comparing in itself; its output. */
    private static String inChildJvm(String[] args) {
        // without -Dleashed.ab.jvms the child compares in itself
        String output = ChildJvm.run(GradientAB.class, List.of(args), "-Dleashed.ab.jvms=", "GradientAB " + String.join(" ", args));
        return output.lines().filter(line -> !line.startsWith("WARNING: Using incubator")).map(line -> line + "\n")
                .reduce("", String::concat);
    }

    /** {@code value} as a whole number > 0, or an IllegalArgumentException naming {@code name} and the value. */
    static int positive(String name, String value) {
        try {
            int v = Integer.parseInt(value.trim());
            if (v > 0) {
                return v;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(name + " must be a whole number > 0, got '" + value + "'");
    }
}
