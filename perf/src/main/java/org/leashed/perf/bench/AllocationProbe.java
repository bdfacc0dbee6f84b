package org.leashed.perf.bench;

import org.leashed.nn.model.Network;

import java.lang.management.ManagementFactory;

/**
 * Bytes a thesis network's gradient allocates, per call, in windows of 100 calls for {@code SECONDS} seconds: the
 * first window's and then the first of each following second, so the steady state shows after the warm-up. Unlike
 * JMH's {@code -prof gc}, the count is the calling thread's own ({@code ThreadMXBean.getCurrentThreadAllocatedBytes}),
 * with no harness bytes. The operands are {@link GradientBenchmark}'s: 1,024 examples of pixel bytes, uniform 0..255 ({@code bytes}) or 81 % zero
 * ({@code mnist-like}), or of Gaussian floats ({@code floats}).
 *
 * <pre>
 * java --add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED -cp perf/target/leashed.jar \
 *   org.leashed.perf.bench.AllocationProbe mlp|cnn|lenet|cifar BATCH SECONDS [bytes|mnist-like|floats]
 * </pre>
 */
public final class AllocationProbe {
    private AllocationProbe() {
    }

    /** The thesis network called {@code name}: mlp, cnn, lenet or cifar (the probes' network argument). */
    static Network network(String name) {
        return switch (name) {
            case "mlp" -> Network.mlp(784, 3, 128, 10);
            case "cnn" -> Network.cnn(1, 28, 28, 10);
            case "lenet" -> Network.lenet(1, 28, 28, 10);
            case "cifar" -> Network.cifarCnn(3, 32, 32, 10);
            default -> throw new IllegalArgumentException("network must be mlp, cnn, lenet or cifar, got '" + name + "'");
        };
    }

    public static void main(String[] args) {
        if (args.length != 3 && args.length != 4) {
            throw new IllegalArgumentException("usage: AllocationProbe mlp|cnn|lenet|cifar BATCH SECONDS [bytes|mnist-like|floats], got "
                    + args.length + " arguments");
        }
        Network net = network(args[0]);
        int batch = GradientAB.positive("BATCH", args[1]);
        int seconds = GradientAB.positive("SECONDS", args[2]);
        String storage = args.length == 4 ? args[3] : "bytes";
        // GradientBenchmark's operands: the same data (1,024 examples of the storage asked for), batch and parameters
        GradientBenchmark.Model model = new GradientBenchmark.Model() {
        };
        model.setUp(net, batch, storage);
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        try {
            StringBuilder out = new StringBuilder(net.describe() + ", batch " + batch + ", " + storage + ": bytes per gradient, a window a second:");
            long start = System.nanoTime();
            long end = start + seconds * 1_000_000_000L;
            long nextReport = start;
            while (System.nanoTime() < end) {
                long before = threads.getCurrentThreadAllocatedBytes();
                for (int i = 0; i < 100; i++) {
                    model.step();
                }
                long bytes = threads.getCurrentThreadAllocatedBytes() - before;
                if (System.nanoTime() >= nextReport) {
                    out.append(' ').append(bytes / 100);
                    nextReport += 1_000_000_000L;
                }
            }
            System.out.println(out);
        } finally {
            model.tearDown();
        }
    }
}
