package org.leashed.perf.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
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
 * after a warm-up that lasts until the speed stops improving ({@link #bestCpuNs}). Not a replacement for
 * JMH: one JVM per mode, except {@code gemm}, which runs each shape in a JVM of its own, as JMH forks do
 * ({@code gemm SHAPE} runs one shape in this JVM).
 *
 * <pre>
 * OPENBLAS_NUM_THREADS=1 java --add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED \
 *   -cp perf/target/leashed.jar org.leashed.perf.bench.CpuTimeProbe gemm [SHAPE]|windows SHAPE [N]|update|gradient [mlp|cnn|lenet|cifar...]|conv|peak
 * </pre>
 * The table ({@code gemm} without a shape) takes {@code -Dleashed.probe.jvms=N} (N JVMs per shape, the best row kept,
 * every JVM's share listed) and {@code -Dleashed.probe.shapes=A,B} (those shapes only).
 */
public final class CpuTimeProbe {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    /** GemmBenchmark's training shapes, read from its {@code @Param} so the two lists cannot drift apart. */
    private static final String[] SHAPES = gemmShapes();
    private static final int MAX_WARMUP_WINDOWS = 100;
    private static volatile float sink;

    private CpuTimeProbe() {
    }

    static String[] gemmShapes() {
        return paramValues(GemmBenchmark.Operands.class, "shape");
    }

    /** A JMH state's {@code @Param} values, so that a probe and its benchmark cannot drift apart. */
    static String[] paramValues(Class<?> state, String field) {
        try {
            return state.getDeclaredField(field).getAnnotation(org.openjdk.jmh.annotations.Param.class).value();
        } catch (NoSuchFieldException e) {
            throw new IllegalStateException(state.getSimpleName() + " has no " + field + " parameter", e);
        }
    }

    /**
     * Best CPU nanoseconds per call over 9 windows of about {@code windowNs}, after a warm-up that runs windows
     * until 3 in a row have neither beaten the best so far by 2 % nor seen the JIT compile anything (at most
     * {@link #MAX_WARMUP_WINDOWS}). A fixed calibration window is not enough: on a cold JVM the vector GEMM
     * stayed in the interpreter and C1 code for the whole first second (the compile queue is long with the
     * Vector API's own methods on 2 vCPUs) and the first measurement of fwd:512x128x128 read 12 GFLOP/s against
     * 206 for the same call after it. Nor is "3 windows without improvement" alone: with the other core busy,
     * C2 took until 5.5 s to compile {@code gemm} itself (its callees first), its C1 code was steadily slow,
     * and 3 flat windows ended the warm-up at ~5 s: convDW:36x16x128 read 0.8 GFLOP/s in 4 of 6 JVMs
     * (NOTES 18.5). The JIT's compile time must also stand still.
     */
    static double bestCpuNs(Runnable op, long windowNs) {
        long calls = 1;
        while (true) {
            long dt = cpuNs(op, calls);
            if (dt > windowNs / 4) {
                calls = Math.max(1, calls * windowNs / Math.max(1, dt));
                break;
            }
            calls *= 2;
        }
        final CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        double warmBest = Double.MAX_VALUE;
        for (int w = 0, stale = 0; w < MAX_WARMUP_WINDOWS && stale < 3; w++) {
            final long compiledBefore = jit.getTotalCompilationTime();
            long dt = cpuNs(op, calls);
            double perCall = dt / (double) calls;
            final boolean compiling = jit.getTotalCompilationTime() != compiledBefore;
            stale = perCall < warmBest * 0.98 || compiling ? 0 : stale + 1;
            warmBest = Math.min(warmBest, perCall);
            calls = Math.max(1, calls * windowNs / Math.max(1, dt)); // the call got faster: keep windows near windowNs
        }
        double best = Double.MAX_VALUE;
        for (int w = 0; w < 9; w++) {
            best = Math.min(best, cpuNs(op, calls) / (double) calls);
        }
        return best;
    }

    private static long cpuNs(Runnable op, long calls) {
        long t0 = THREADS.getCurrentThreadCpuTime();
        for (long i = 0; i < calls; i++) {
            op.run();
        }
        return THREADS.getCurrentThreadCpuTime() - t0;
    }

    private static MemorySegment random(Arena arena, long count, long seed) {
        MemorySegment s = arena.allocate(Math.max(1, count) * Float.BYTES, 64);
        SplittableRandom r = new SplittableRandom(seed);
        for (long i = 0; i < count; i++) {
            s.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) r.nextGaussian());
        }
        return s;
    }

    /**
     * The direct convolution kernels as GEMM variants (NOTES 33): per ConvKernelBenchmark shape the useful GFLOP/s
     * ({@code 2 x outC x oh*ow x c*k*k} per example, or over a rebuilt chunk for the weight gradient) of
     * {@link Kernels#convolve} / {@link Kernels#convolveWeightGradient} and of the im2col + gemm / gemmNT they replace,
     * run as ConvKernelBenchmark's own benchmark methods on its operands, and the kernel's share of this JVM's FMA peak
     * measured right after.
     */
    private static void convRows() {
        System.out.println("| call | direct GFLOP/s | im2col + GEMM GFLOP/s | direct / composition time | peak GFLOP/s, same JVM | direct/peak |");
        final ConvKernelBenchmark bench = new ConvKernelBenchmark();
        for (String shape : paramValues(ConvKernelBenchmark.Operands.class, "shape")) {
            final ConvKernelBenchmark.Operands o = new ConvKernelBenchmark.Operands();
            o.shape = shape;
            o.setUp();
            try {
                final double flops = 2.0 * o.filters * (o.h + 2 * o.pad - o.k + 1) * (o.w + 2 * o.pad - o.k + 1) * o.c * o.k * o.k;
                convRow("convolve:" + shape + ", " + o.filters + " filters", flops, () -> bench.convolveVector(o),
                        () -> bench.convolveByIm2colGemm(o));
            } finally {
                o.tearDown();
            }
        }
        for (String layer : paramValues(ConvKernelBenchmark.ChunkWeightGradient.class, "layer")) {
            final ConvKernelBenchmark.ChunkWeightGradient g = new ConvKernelBenchmark.ChunkWeightGradient();
            g.layer = layer;
            g.setUp();
            try {
                convRow("convolveWeightGradient:" + layer + " " + g.patch + "x" + g.filters + "x" + g.wide, 2.0 * g.patch * g.filters * g.wide,
                        () -> bench.weightGradientVector(g), () -> bench.weightGradientByIm2colGemmNT(g));
            } finally {
                g.tearDown();
            }
        }
    }

    private static void convRow(String call, double flops, Runnable direct, Runnable composed) {
        final double d = bestCpuNs(direct, 200_000_000);
        final double c = bestCpuNs(composed, 200_000_000);
        final double peak = peakFlops();
        System.out.printf("| %s | %.1f | %.1f | %.2f | %.1f | %.0f %% |%n", call, flops / d, flops / c, d / c, peak, 100 * flops / d / peak);
    }

    /**
     * One table row: the vector GEMM, OpenBLAS and the FMA peak probe on {@code shape}, all in this JVM, one after
     * the other. The host's speed drifts by 10-30 % over minutes (NOTES 18.4, 19.3), so the "share of peak"
     * is read against a peak measured seconds from the GEMM, not against one taken at the start of the table.
     */
    private static void gemmRow(String shape) {
        OpenBlas blas = openBlasOrNull();
        GemmBenchmark.Operands g = new GemmBenchmark.Operands();
        g.shape = shape;
        g.setUp();
        try {
            double v = bestCpuNs(() -> g.run(g.vector), 200_000_000);
            double o = blas == null ? Double.NaN : bestCpuNs(() -> g.run(blas), 200_000_000);
            final double peak = peakFlops();
            System.out.printf("| %s | %.1f | %s | %s | %.1f | %.0f %% |%n", shape, g.flops() / v,
                    blas == null ? "-" : String.format("%.1f", g.flops() / o), blas == null ? "-" : String.format("%.2f", o / v),
                    peak, 100 * g.flops() / v / peak);
        } finally {
            g.tearDown();
        }
    }

    /**
     * The vector GEMM of {@code shape} in {@code count} consecutive windows of 0.5 s of CPU time each, from a cold
     * start, one GFLOP/s figure per window, then the same JVM's FMA peak. The table's figure ({@link #gemmRow}) is
     * the best of 9 windows; where it reads low, this shows whether the JVM's code is slow throughout (the JIT) or
     * slow for a while and then at full speed again with the same code (the host: NOTES 29.2).
     */
    private static void windows(String shape, int count) {
        GemmBenchmark.Operands g = new GemmBenchmark.Operands();
        g.shape = shape;
        g.setUp();
        try {
            StringBuilder line = new StringBuilder(shape).append(" GFLOP/s per 0.5 s window:");
            for (double rate : windowRates(() -> g.run(g.vector), g.flops(), count, 500_000_000L)) {
                line.append(String.format(" %.0f", rate / 1e9));
            }
            final double peak = peakFlops();
            System.out.println(line.append(String.format("; peak %.1f GFLOP/s", peak)));
        } finally {
            g.tearDown();
        }
    }

    /** This JVM's FMA peak now, in FLOP/s: the register-resident probe, best of {@link #bestCpuNs}'s windows. */
    private static double peakFlops() {
        GemmBenchmark probe = new GemmBenchmark();
        return GemmBenchmark.PEAK_FLOPS / bestCpuNs(() -> sink += probe.peakFma(), 200_000_000);
    }

    /**
     * {@code op}'s rate in {@code count} consecutive windows of at least {@code windowNs} of this thread's CPU time,
     * from the first call on (no warm-up): {@code flopsPerCall} x calls / CPU seconds, one figure per window. The clock
     * is read between batches of calls, the batch doubled until one takes 5 ms (a read costs about a microsecond, as
     * much as a small GEMM: read per call, it had halved dW:400x120x16's figure).
     */
    static double[] windowRates(Runnable op, double flopsPerCall, int count, long windowNs) {
        final double[] rates = new double[count];
        long batch = 1;
        for (int w = 0; w < count; w++) {
            long calls = 0;
            final long t0 = THREADS.getCurrentThreadCpuTime();
            long dt = 0;
            while (dt < windowNs) {
                final long spent = cpuNs(op, batch);
                calls += batch;
                if (spent < 5_000_000L) {
                    batch *= 2;
                }
                dt = THREADS.getCurrentThreadCpuTime() - t0;
            }
            rates[w] = flopsPerCall * calls / (dt / 1e9);
        }
        return rates;
    }

    /**
     * The OpenBLAS baseline, or null where no OpenBLAS library is installed (the 16-core device machine of NOTES
     * 17 has none and no package manager that reaches a registry): the row then has the vector figure alone,
     * and stderr says why the baseline columns are empty.
     */
    private static OpenBlas openBlasOrNull() {
        try {
            return OpenBlas.load();
        } catch (IllegalStateException e) {
            System.err.println("CpuTimeProbe: no OpenBLAS baseline on this machine: " + e.getMessage());
            return null;
        }
    }

    /**
     * JVMs per shape in the table, {@code -Dleashed.probe.jvms=N} (default 1): the row printed is the one with the best
     * share of its JVM's peak, followed by every JVM's share. On a host whose speed drops for seconds at a time (NOTES
     * 29.2) one reading under 80 % can be a slow spell; two agreeing readings are not.
     */
    private static final int JVMS_PER_SHAPE = Integer.getInteger("leashed.probe.jvms", 1);

    /**
     * Of table rows of one shape (as {@link #gemmRow} prints them), the one with the highest vector/peak share, with the
     * shares of all of them appended as a last column when there is more than one.
     */
    static String bestRow(List<String> rows) {
        if (rows.isEmpty()) {
            throw new IllegalArgumentException("no rows to choose from");
        }
        String best = null;
        double bestShare = -1;
        StringBuilder shares = new StringBuilder();
        for (String row : rows) {
            final String[] cells = row.split("\\|");
            if (cells.length < 7 || !cells[6].trim().endsWith("%")) {
                throw new IllegalArgumentException("not a table row with a vector/peak share in its sixth cell: '" + row + "'");
            }
            final double share = Double.parseDouble(cells[6].trim().replace("%", "").trim());
            shares.append(shares.isEmpty() ? "" : ", ").append(cells[6].trim());
            if (share > bestShare) {
                bestShare = share;
                best = row;
            }
        }
        return rows.size() == 1 ? best : best + " " + shares + " |";
    }

    private static void gemmInChildJvm(String shape) {
        final List<String> rows = new ArrayList<>();
        for (int j = 0; j < Math.max(1, JVMS_PER_SHAPE); j++) {
            rows.add(gemmRowInChildJvm(shape));
        }
        System.out.println(bestRow(rows));
    }

    /**
     * {@link #gemmRow} in a fresh JVM (this one's binary, flags and class path), its row returned, so that each
     * shape's GEMM is compiled from its own profile, as in a JMH fork, and no recompilation caused by one shape's
     * branches falls in another shape's windows. (The 0.6 GFLOP/s reading of the 10-wide forward in NOTES 16.14 was the cold
     * start {@link #bestCpuNs} now warms up past: a JVM of its own alone still read 0.8.)
     */
    private static String gemmRowInChildJvm(String shape) {
        final String what = "CpuTimeProbe gemm " + shape;
        String output = ChildJvm.run(CpuTimeProbe.class, List.of("gemm", shape), null, what);
        return output.lines().filter(line -> line.startsWith("| " + shape + " |")).findFirst()
                .orElseThrow(() -> new IllegalStateException(what + " printed no row in its JVM:\n" + output));
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
                    if (args.length > 1) { // one shape, in this JVM
                        gemmRow(args[1]);
                        return;
                    }
                    final String only = System.getProperty("leashed.probe.shapes"); // a comma-separated subset
                    final List<String> shapes = only == null ? List.of(SHAPES) : List.of(only.split(","));
                    final List<String> known = List.of(SHAPES);
                    for (String shape : shapes) {
                        if (!known.contains(shape)) {
                            throw new IllegalArgumentException("leashed.probe.shapes names " + shape
                                    + ", not one of GemmBenchmark's shapes");
                        }
                    }
                    System.out.println("| shape | vector GFLOP/s | OpenBLAS GFLOP/s | vector/OpenBLAS | peak GFLOP/s, same JVM | vector/peak |"
                            + (JVMS_PER_SHAPE > 1 ? " vector/peak in each of " + JVMS_PER_SHAPE + " JVMs |" : ""));
                    for (String shape : shapes) {
                        gemmInChildJvm(shape);
                    }
                }
                case "conv" -> convRows();
                case "windows" -> { // windows SHAPE [N]: is a slow reading the JIT's code or the host's speed?
                    if (args.length < 2) {
                        throw new IllegalArgumentException("windows needs a shape, e.g. windows fwd:512x128x128 24");
                    }
                    windows(args[1], args.length > 2 ? Integer.parseInt(args[2]) : 24);
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
                        if (args.length > 1 && !List.of(args).subList(1, args.length).contains((String) entry[0])) {
                            continue; // "gradient mlp cnn" times those networks alone
                        }
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
                default -> throw new IllegalArgumentException("mode must be gemm, windows, update, gradient, conv or peak, got '" + mode + "'");
            }
        }
    }
}
