package org.leashed.perf.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.management.ManagementFactory;
import java.util.SplittableRandom;

import org.leashed.nn.data.Dataset;
import org.leashed.nn.model.Network;
import org.leashed.nn.model.Workspace;
import org.leashed.nn.simd.Kernels;

/**
 * Cross-check of the JMH suites in thread CPU time instead of wall time: on a machine shared with
 * other builds (the 2-vCPU guest of NOTES-nn.md, load average 30+) a wall-clock score includes the
 * time slices other processes got, a thread-CPU-time score does not (cache and memory-bandwidth
 * interference remain). Each figure is the best of 9 windows of about {@code 0.2 s} of CPU time
 * after a calibration window. Not a replacement for JMH: no forking, one JVM for everything.
 *
 * <pre>
 * OPENBLAS_NUM_THREADS=1 java --add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED \
 *   -cp perf/target/leashed.jar org.leashed.perf.bench.CpuTimeProbe gemm|update|gradient|peak
 * </pre>
 */
public final class CpuTimeProbe {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    /** GemmBenchmark's training shapes, read from its {@code @Param} so the two lists cannot drift apart. */
    private static final String[] SHAPES = gemmShapes();
    private static volatile float sink;

    private CpuTimeProbe() {
    }

    private static String[] gemmShapes() {
        try {
            return GemmBenchmark.Operands.class.getDeclaredField("shape").getAnnotation(org.openjdk.jmh.annotations.Param.class).value();
        } catch (NoSuchFieldException e) {
            throw new IllegalStateException("GemmBenchmark.Operands has no shape parameter", e);
        }
    }

    /** Best CPU nanoseconds per call over 9 windows of about {@code windowNs}. */
    static double bestCpuNs(Runnable op, long windowNs) {
        long calls = 1;
        while (true) {
            long t0 = THREADS.getCurrentThreadCpuTime();
            for (long i = 0; i < calls; i++) {
                op.run();
            }
            long dt = THREADS.getCurrentThreadCpuTime() - t0;
            if (dt > windowNs / 4) {
                calls = Math.max(1, calls * windowNs / Math.max(1, dt));
                break;
            }
            calls *= 2;
        }
        double best = Double.MAX_VALUE;
        for (int w = 0; w < 9; w++) {
            long t0 = THREADS.getCurrentThreadCpuTime();
            for (long i = 0; i < calls; i++) {
                op.run();
            }
            best = Math.min(best, (THREADS.getCurrentThreadCpuTime() - t0) / (double) calls);
        }
        return best;
    }

    private static MemorySegment random(Arena arena, long count, long seed) {
        MemorySegment s = arena.allocate(Math.max(1, count) * Float.BYTES, 64);
        SplittableRandom r = new SplittableRandom(seed);
        for (long i = 0; i < count; i++) {
            s.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) r.nextGaussian());
        }
        return s;
    }

    public static void main(String[] args) {
        String mode = args.length > 0 ? args[0] : "";
        Kernels vector = Kernels.get();
        System.out.println("kernels: " + vector.description() + "; JDK " + Runtime.version());
        try (Arena arena = Arena.ofShared()) {
            switch (mode) {
                case "peak" -> {
                    GemmBenchmark probe = new GemmBenchmark();
                    for (int w = 0; w < 3; w++) {
                        double ns = bestCpuNs(() -> sink += probe.peakFma(), 200_000_000);
                        System.out.printf("peakFma %.0f ns = %.1f GFLOP/s%n", ns, GemmBenchmark.PEAK_FLOPS / ns);
                    }
                }
                case "gemm" -> {
                    OpenBlas blas = OpenBlas.load();
                    System.out.println("| shape | vector GFLOP/s | OpenBLAS GFLOP/s | vector/OpenBLAS |");
                    for (String shape : SHAPES) {
                        GemmBenchmark.Operands g = new GemmBenchmark.Operands();
                        g.shape = shape;
                        g.setUp();
                        try {
                            double v = bestCpuNs(() -> g.run(g.vector), 200_000_000);
                            double o = bestCpuNs(() -> g.run(blas), 200_000_000);
                            System.out.printf("| %s | %.1f | %.1f | %.2f |%n", shape, g.flops() / v, g.flops() / o, o / v);
                        } finally {
                            g.tearDown();
                        }
                    }
                }
                case "update" -> {
                    for (int d : new int[] {134_794, 27_354}) {
                        MemorySegment src = random(arena, d, 1), x = random(arena, d, 2), dst = random(arena, d, 3);
                        double copy = bestCpuNs(() -> MemorySegment.copy(src, 0, dst, 0, (long) d * Float.BYTES), 200_000_000);
                        double fused = bestCpuNs(() -> vector.copyAxpy(d, dst, 0, src, 0, -0.01f, x, 0), 200_000_000);
                        double scalar = bestCpuNs(() -> Kernels.scalar().copyAxpy(d, dst, 0, src, 0, -0.01f, x, 0), 200_000_000);
                        System.out.printf("d=%d copy %.2f us, vector copyAxpy %.2f us (%.2fx copy), scalar %.2f us%n",
                                d, copy / 1e3, fused / 1e3, fused / copy, scalar / 1e3);
                    }
                }
                case "gradient" -> {
                    Object[][] nets = {{"mlp", Network.mlp(784, 3, 128, 10)}, {"cnn", Network.cnn(1, 28, 28, 10)},
                        {"lenet", Network.lenet(1, 28, 28, 10)}, {"cifar", Network.cifarCnn(3, 32, 32, 10)}};
                    for (Object[] entry : nets) {
                        Network net = (Network) entry[1];
                        for (int batch : entry[0].equals("cifar") ? new int[] {16} : new int[] {512, 16}) {
                            var in = net.inputShape();
                            int examples = 1024;
                            SplittableRandom r = new SplittableRandom(11);
                            float[] xs = new float[examples * in.size()];
                            for (int i = 0; i < xs.length; i++) {
                                xs[i] = (float) r.nextGaussian();
                            }
                            byte[] labels = new byte[examples];
                            for (int i = 0; i < examples; i++) {
                                labels[i] = (byte) r.nextInt(net.classes());
                            }
                            Dataset data = Dataset.fromFloats("random", xs, labels, in.channels(), in.height(), in.width(), net.classes());
                            int[] indices = r.ints(batch, 0, examples).toArray();
                            MemorySegment p = arena.allocate(net.parameterCount() * Float.BYTES, 64);
                            MemorySegment g = arena.allocate(net.parameterCount() * Float.BYTES, 64);
                            net.initialize(p, 5, 0.05f);
                            try (Workspace ws = net.newWorkspace(batch)) {
                                // plain loop, windows of a fixed call count: best of 15 windows
                                int calls = batch >= 512 ? 40 : 400;
                                double ns = Double.MAX_VALUE;
                                for (int w = 0; w < 15; w++) {
                                    long t0 = THREADS.getCurrentThreadCpuTime();
                                    float loss = 0;
                                    for (int i = 0; i < calls; i++) {
                                        loss += net.lossAndGradient(ws, p, g, data, indices, batch);
                                    }
                                    sink += loss;
                                    ns = Math.min(ns, (THREADS.getCurrentThreadCpuTime() - t0) / (double) calls);
                                }
                                MemorySegment src = random(arena, net.parameterCount(), 4);
                                MemorySegment dst = random(arena, net.parameterCount(), 5);
                                int d = (int) net.parameterCount();
                                double tu = bestCpuNs(() -> vector.copyAxpy(d, dst, 0, src, 0, -0.01f, g, 0), 200_000_000);
                                System.out.printf("%s batch %d (d=%d): T_c %.1f us, T_u %.2f us, T_c/T_u %.0f%n",
                                        entry[0], batch, d, ns / 1e3, tu / 1e3, ns / tu);
                            }
                        }
                    }
                }
                default -> throw new IllegalArgumentException("mode must be gemm, update, gradient or peak, got '" + mode + "'");
            }
        }
    }
}
