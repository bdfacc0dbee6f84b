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
 * The thesis MLP's gradient at batch 16 in a JVM of its own that runs nothing else, started with the JVM flags this
 * test's JVM got (the pom's {@code leashed.jvm.flags}, as the CLI and the benchmarks use them). There, without
 * {@code -XX:MinInlineFrequencyRatio=0}, C2 left the 4x4 GEMM blocks' {@code asSlice} calls as real calls and every
 * gradient allocated its slices, 880-2,640 B, while the shared allocation test's JVM, which compiles many small
 * networks first, read 0 (NOTES 26.4). After 8 s of warm-up, at most one window of 100 gradients in the last 4 s may
 * allocate (a one-off recompilation); an allocation per call shows in all of them.
 */
class FreshJvmAllocationTest {
    /** The child JVM: prints {@code windows W allocating A} over the last 4 of 12 seconds. */
    public static final class Probe {
        public static void main(String[] args) {
            com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
            Network net = Network.mlp(784, 3, 128, 10);
            SplittableRandom r = new SplittableRandom(11);
            byte[] pixels = new byte[64 * 784];
            for (int i = 0; i < pixels.length; i++) {
                pixels[i] = (byte) r.nextInt(256);
            }
            byte[] labels = new byte[64];
            for (int i = 0; i < labels.length; i++) {
                labels[i] = (byte) r.nextInt(10);
            }
            Dataset data = Dataset.fromBytes("pixels", pixels, labels, 1, 28, 28, 10, 1f / 255);
            int batch = 16;
            int[] indices = r.ints(batch, 0, 64).toArray();
            try (Arena arena = Arena.ofConfined(); Workspace ws = net.newWorkspace(batch)) {
                MemorySegment p = arena.allocate(net.parameterCount() * Float.BYTES, 64);
                MemorySegment g = arena.allocate(net.parameterCount() * Float.BYTES, 64);
                net.initialize(p, 5, 0.05f);
                long start = System.nanoTime();
                int windows = 0;
                int allocating = 0;
                long bytes = 0;
                while (System.nanoTime() - start < 12_000_000_000L) {
                    long before = threads.getCurrentThreadAllocatedBytes();
                    for (int i = 0; i < 100; i++) {
                        net.lossAndGradient(ws, p, g, data, indices, batch);
                    }
                    long allocated = threads.getCurrentThreadAllocatedBytes() - before;
                    if (System.nanoTime() - start >= 8_000_000_000L) {
                        windows++;
                        allocating += allocated > 0 ? 1 : 0;
                        bytes += allocated;
                    }
                }
                System.out.println("windows " + windows + " allocating " + allocating + " bytes " + bytes);
            }
        }
    }

    @Test
    void theThesisMlpsGradientAllocatesNothingInAFreshJvmOnceCompiled() throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElseThrow());
        for (String flag : ManagementFactory.getRuntimeMXBean().getInputArguments()) { // the pom's JVM flags, not its agents or heap
            if (flag.startsWith("--add-modules") || flag.startsWith("--enable-native-access") || flag.startsWith("-XX:")) {
                command.add(flag);
            }
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), Probe.class.getName()));
        Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
        List<String> out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines()
                .filter(l -> l.startsWith("windows ")).toList();
        assertEquals(0, child.waitFor(), "child JVM " + command);
        assertEquals(1, out.size(), "child JVM printed no result: " + command);
        String[] words = out.get(0).split(" ");
        int windows = Integer.parseInt(words[1]);
        int allocating = Integer.parseInt(words[3]);
        assertTrue(windows >= 10, "too few windows in the last 4 s: " + out.get(0));
        assertTrue(allocating <= 1, "the thesis MLP's gradient allocated in a fresh JVM with " + command.subList(1, command.size() - 3)
                + ": " + out.get(0) + " (of 100 gradients each)");
    }
}
