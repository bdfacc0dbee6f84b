package org.leashed.perf.bench;

import org.leashed.nn.data.Dataset;
import org.leashed.nn.model.Network;
import org.leashed.nn.model.Workspace;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.util.SplittableRandom;

/**
 * Bytes a thesis network's gradient allocates, per call, in windows of 100 calls for {@code SECONDS} seconds: the
 * first window's and then the first of each following second, so the steady state shows after the warm-up. Unlike JMH's {@code -prof gc}, the
 * count is the calling thread's own ({@code ThreadMXBean.getCurrentThreadAllocatedBytes}), with no harness bytes. The
 * data are 1,024 examples of pixel bytes, uniform 0..255 ({@code bytes}) or 81 % zero ({@code mnist-like}).
 *
 * <pre>
 * java --add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED -cp perf/target/leashed.jar \
 *   org.leashed.perf.bench.AllocationProbe mlp|cnn|lenet BATCH SECONDS [bytes|mnist-like]
 * </pre>
 */
public final class AllocationProbe {
    private static final int EXAMPLES = 1024;

    private AllocationProbe() {
    }

    public static void main(String[] args) {
        if (args.length != 3 && args.length != 4) {
            throw new IllegalArgumentException("usage: AllocationProbe mlp|cnn|lenet BATCH SECONDS [bytes|mnist-like], got "
                    + args.length + " arguments");
        }
        Network net = switch (args[0]) {
            case "mlp" -> Network.mlp(784, 3, 128, 10);
            case "cnn" -> Network.cnn(1, 28, 28, 10);
            case "lenet" -> Network.lenet(1, 28, 28, 10);
            default -> throw new IllegalArgumentException("network must be mlp, cnn or lenet, got '" + args[0] + "'");
        };
        int batch = GradientAB.positive("BATCH", args[1]);
        int seconds = GradientAB.positive("SECONDS", args[2]);
        String storage = args.length == 4 ? args[3] : "bytes";
        if (!storage.equals("bytes") && !storage.equals("mnist-like")) {
            throw new IllegalArgumentException("storage must be bytes or mnist-like, got '" + storage + "'");
        }
        SplittableRandom r = new SplittableRandom(11);
        byte[] pixels = new byte[EXAMPLES * 784];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = storage.equals("bytes") ? (byte) r.nextInt(256) : r.nextDouble() < 0.81 ? 0 : (byte) (1 + r.nextInt(255));
        }
        byte[] labels = new byte[EXAMPLES];
        for (int i = 0; i < EXAMPLES; i++) {
            labels[i] = (byte) r.nextInt(10);
        }
        Dataset data = Dataset.fromBytes(storage, pixels, labels, 1, 28, 28, 10, 1f / 255);
        int[] indices = r.ints(batch, 0, EXAMPLES).toArray();
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        try (Arena arena = Arena.ofConfined(); Workspace ws = net.newWorkspace(batch)) {
            MemorySegment params = arena.allocate(net.parameterCount() * Float.BYTES, 64);
            MemorySegment grad = arena.allocate(net.parameterCount() * Float.BYTES, 64);
            net.initialize(params, 5, 0.05f);
            StringBuilder out = new StringBuilder(net.describe() + ", batch " + batch + ", " + storage + ": bytes per gradient, a window a second:");
            long start = System.nanoTime();
            long end = start + seconds * 1_000_000_000L;
            long nextReport = start;
            while (System.nanoTime() < end) {
                long before = threads.getCurrentThreadAllocatedBytes();
                for (int i = 0; i < 100; i++) {
                    net.lossAndGradient(ws, params, grad, data, indices, batch);
                }
                long bytes = threads.getCurrentThreadAllocatedBytes() - before;
                if (System.nanoTime() >= nextReport) {
                    out.append(' ').append(bytes / 100);
                    nextReport += 1_000_000_000L;
                }
            }
            System.out.println(out);
        }
    }
}
