package org.leashed.nn.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.leashed.nn.data.Dataset;

/**
 * The thesis MLP's and LeNet's gradients at batch 16, and LeNet's at 512, each in a JVM of its own that runs nothing
 * else, started with the JVM flags this test's JVM got (the pom's {@code leashed.jvm.flags}, as the CLI and the
 * benchmarks use them). There,
 * without {@code -XX:MinInlineFrequencyRatio=0}, C2 left the 4x4 GEMM blocks' {@code asSlice} calls as real calls and
 * every gradient allocated its slices, 880-2,640 B, while the shared allocation test's JVM, which compiles many small
 * networks first, read 0 (NOTES 26.4). After the warm-up (at least 8 s and 800 gradients, and 2 s without a JIT
 * compilation), at most one window of gradients in the 4 s measured may allocate (a one-off recompilation); an
 * allocation per call shows in all of them.
 */
class FreshJvmAllocationTest {
    /**
     * The child JVM, {@code mlp}, {@code lenet}, {@code cnn} or {@code cifar} and the batch: prints {@code windows W allocating A} over 4 s after the
     * warm-up, in windows of {@link #gradientsPerWindow} gradients.
     */
    public static final class Probe {
        public static void main(String[] args) {
            com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
            boolean convolutional = !args[0].equals("mlp"); // LeNet's operands serve the thesis CNN too
            Network net = switch (args[0]) {
                case "lenet" -> Network.lenet(1, 28, 28, 10);
                case "cnn" -> Network.cnn(1, 28, 28, 10);
                case "cifar" -> Network.cifarCnn(3, 32, 32, 10); // a probe run by hand, not a test here (NOTES 35.3)
                default -> Network.mlp(784, 3, 128, 10);
            };
            var in = net.inputShape();
            SplittableRandom r = new SplittableRandom(11);
            // the MLP: 64 examples of uniform pixel bytes; LeNet: perf's GradientBenchmark operands (1,024 examples, 81 %
            // of the pixels zero, as MNIST's; the CIFAR CNN the same share on its 3 x 32 x 32 inputs)
            int examples = convolutional ? 1024 : 64;
            byte[] labels = new byte[examples];
            byte[] pixels = new byte[examples * in.size()];
            if (convolutional) {
                for (int i = 0; i < labels.length; i++) {
                    labels[i] = (byte) r.nextInt(10);
                }
                for (int i = 0; i < pixels.length; i++) {
                    pixels[i] = r.nextDouble() < 0.81 ? 0 : (byte) (1 + r.nextInt(255));
                }
            } else {
                for (int i = 0; i < pixels.length; i++) {
                    pixels[i] = (byte) r.nextInt(256);
                }
                for (int i = 0; i < labels.length; i++) {
                    labels[i] = (byte) r.nextInt(10);
                }
            }
            Dataset data = Dataset.fromBytes("pixels", pixels, labels, in.channels(), in.height(), in.width(), 10, 1f / 255);
            int batch = Integer.parseInt(args[1]);
            int perWindow = gradientsPerWindow(args[0], batch);
            int[] indices = r.ints(batch, 0, examples).toArray();
            try (Arena arena = Arena.ofConfined(); Workspace ws = net.newWorkspace(batch)) {
                MemorySegment p = arena.allocate(net.parameterCount() * Float.BYTES, 64);
                MemorySegment g = arena.allocate(net.parameterCount() * Float.BYTES, 64);
                net.initialize(p, 5, 0.05f);
                // warm-up: at least 8 s and 800 gradients, and until the JIT has compiled nothing for 2 s (LeNet's
                // kernels were still queued for C2 after 8 s on 2 cores, and their interpreted vector code allocates);
                // then 4 s measured. The 800: a method called once per gradient gets its C2 compile after at least
                // 600 calls (Tier4MinInvocationThreshold), and its C1 code boxes vectors until then (LeNet at batch
                // 512: 35,360 B per gradient over the first 300-500 calls; within 200 with that threshold at 100)
                java.lang.management.CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
                long start = System.nanoTime();
                long quietSince = start;
                long compiled = jit.getTotalCompilationTime();
                long measureFrom = Long.MAX_VALUE;
                int warmUpCalls = 0;
                int windows = 0;
                int allocating = 0;
                long bytes = 0;
                while (true) {
                    long before = threads.getCurrentThreadAllocatedBytes();
                    for (int i = 0; i < perWindow; i++) {
                        net.lossAndGradient(ws, p, g, data, indices, batch);
                    }
                    long allocated = threads.getCurrentThreadAllocatedBytes() - before;
                    long now = System.nanoTime();
                    if (measureFrom == Long.MAX_VALUE) {
                        long c = jit.getTotalCompilationTime();
                        if (c != compiled) {
                            compiled = c;
                            quietSince = now;
                        }
                        warmUpCalls += perWindow;
                        if (now - start >= 8_000_000_000L && warmUpCalls >= 800 && now - quietSince >= 2_000_000_000L
                                || now - start >= 60_000_000_000L) {
                            measureFrom = now;
                        }
                        continue;
                    }
                    windows++;
                    allocating += allocated > 0 ? 1 : 0;
                    bytes += allocated;
                    if (now - measureFrom >= 4_000_000_000L) {
                        break;
                    }
                }
                System.out.println("windows " + windows + " allocating " + allocating + " bytes " + bytes);
            }
        }
    }

    /**
     * Gradients per measured window: 100, and 10 at batch 512 (32 times the examples per gradient) and for the CIFAR
     * CNN (about 50 times the MNIST CNN's flops per example).
     */
    static int gradientsPerWindow(String network, int batch) {
        return batch >= 512 || network.equals("cifar") ? 10 : 100;
    }

    @Test
    void theThesisMlpsGradientAllocatesNothingInAFreshJvmOnceCompiled() throws IOException, InterruptedException {
        assertNothingAllocatedInAFreshJvm("mlp", 16, 10);
    }

    /**
     * LeNet: its convolutions' and 84-wide layers' kernels, which the MLP does not run. This child did not reproduce
     * the per-block slice allocation of NOTES 27.5 (0 of 4 JVMs on the old code, against 6 of 13 for perf's
     * {@code AllocationProbe}, which that section measures with); it guards the rest.
     */
    @Test
    void leNetsGradientAllocatesNothingInAFreshJvmOnceCompiled() throws IOException, InterruptedException {
        assertNothingAllocatedInAFreshJvm("lenet", 16, 10);
    }

    /**
     * LeNet at batch 512, where the 16-filter weight gradient runs the 11-row strips. Without
     * {@code -XX:PerMethodRecompilationCutoff=1000} in the pom's flags, C2 compiled the last rows' FMAs with a
     * virtual-call fallback once the compile's summed decompile count passed 201, and those rows boxed their
     * accumulators in every step: 9-18 MB per gradient in some JVMs (NOTES 32).
     */
    @Test
    void leNetsGradientAtBatch512AllocatesNothingInAFreshJvmOnceCompiled() throws IOException, InterruptedException {
        assertNothingAllocatedInAFreshJvm("lenet", 512, 4);
    }

    /**
     * The thesis CNN at batch 512, where both convs take their weight gradients from copies of the image
     * ({@code Kernels#convolveWeightGradient}'s valid-conv path, 4x4 and 5x4 blocks resumed from group to group) and
     * the first pool's backward runs its vector path.
     */
    @Test
    void cnnsGradientAtBatch512AllocatesNothingInAFreshJvmOnceCompiled() throws IOException, InterruptedException {
        assertNothingAllocatedInAFreshJvm("cnn", 512, 4);
    }

    private static void assertNothingAllocatedInAFreshJvm(String network, int batch, int minWindows)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElseThrow());
        for (String flag : ManagementFactory.getRuntimeMXBean().getInputArguments()) { // the pom's JVM flags, not its agents or heap
            if (flag.startsWith("--add-modules") || flag.startsWith("--enable-native-access") || flag.startsWith("-XX:")) {
                command.add(flag);
            }
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), Probe.class.getName(), network, Integer.toString(batch)));
        Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
        List<String> out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines()
                .filter(l -> l.startsWith("windows ")).toList();
        assertEquals(0, child.waitFor(), "child JVM " + command);
        assertEquals(1, out.size(), "child JVM printed no result: " + command);
        String[] words = out.get(0).split(" ");
        int windows = Integer.parseInt(words[1]);
        int allocating = Integer.parseInt(words[3]);
        assertTrue(windows >= minWindows, "too few windows in the 4 s measured: " + out.get(0));
        assertTrue(allocating <= 1, network + "'s gradient at batch " + batch + " allocated in a fresh JVM with "
                + command.subList(1, command.size() - 5) + ": " + out.get(0) + " (windows of " + gradientsPerWindow(network, batch) + " gradients)");
    }
}
