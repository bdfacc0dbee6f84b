package org.leashed.perf.bench;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.leashed.nn.model.Network;
import org.leashed.nn.simd.Kernels;

/**
 * The GEMM calls one gradient of a network really makes, in {@link GemmBenchmark}'s shape notation, found by running
 * the gradient through kernels that record each call and pass it on. The GEMM table (NOTES 30.1, {@code CpuTimeProbe
 * gemm}) had counted calls that the layers had stopped making (the direct convolutions of NOTES 33 and 34 replaced
 * them): with this the table's training set is what the layers call now ({@code -Dleashed.probe.shapes=training}), and
 * {@code GemmCallsTest} fails when a layer makes a call the benchmark does not list.
 *
 * <p>A call's kind comes from the layer and the method that made it (the first {@code org.leashed.nn.layer} frame) and
 * its arguments; its notation is the one whose {@link GemmBenchmark.Operands#parse() parse} gives exactly the call's
 * sizes, strides, transposition and accumulation, so a listed shape is the same call, strides included. Calls that are
 * not dense GEMMs (the direct convolutions, the sparse first layer on MNIST) are recorded under their kernel's name and
 * arguments, outside the notation. Recording is a measurement tool's path: it walks the stack on every call.
 */
public final class GemmCalls {
    /** The training settings of the thesis networks: the MNIST networks at batch 512 and 16, the CIFAR CNN at 16. */
    static final List<Setting> TRAINING = List.of(new Setting("mlp", 512), new Setting("mlp", 16), new Setting("cnn", 512),
            new Setting("cnn", 16), new Setting("lenet", 512), new Setting("lenet", 16), new Setting("cifar", 16));
    private static final String OTHER = "other:";

    /** A network (by {@link AllocationProbe#network} name) at a batch size. */
    record Setting(String network, int batch) {
        @Override
        public String toString() {
            return network + " b" + batch;
        }
    }

    /**
     * One distinct call: its shape in GemmBenchmark's notation (or, for other kernels, {@code other:} and the kernel's
     * arguments), and how many times a gradient makes it.
     */
    record Call(String shape, int perGradient) {
        /** Whether this is a dense GEMM call (gemm or gemmNT) rather than another kernel. */
        boolean isGemm() {
            return !shape.startsWith(OTHER);
        }
    }

    private GemmCalls() {
    }

    /**
     * The distinct calls of one gradient of {@code setting}'s network on {@link GradientBenchmark}'s operands of
     * {@code storage} (bytes: dense inputs; mnist-like: the MLP's first layer goes sparse), in first-call order. The
     * second gradient is recorded, after one that warms nothing up but any first-call path.
     */
    static List<Call> record(Setting setting, String storage) {
        GradientBenchmark.Model model = new GradientBenchmark.Model() {
        };
        model.setUp(AllocationProbe.network(setting.network()), setting.batch(), storage);
        try {
            Recorder recorder = new Recorder(model.net.kernels());
            model.net = model.net.withKernels((Kernels) Proxy.newProxyInstance(Kernels.class.getClassLoader(),
                    new Class<?>[] {Kernels.class}, recorder));
            model.step();
            recorder.counts.clear();
            model.step();
            List<Call> calls = new ArrayList<>();
            recorder.counts.forEach((shape, count) -> calls.add(new Call(shape, count)));
            return calls;
        } finally {
            model.tearDown();
        }
    }

    /** The distinct dense GEMM shapes of every {@link #TRAINING} setting on dense inputs, in first-call order. */
    static List<String> trainingShapes() {
        LinkedHashMap<String, Boolean> shapes = new LinkedHashMap<>();
        for (Setting setting : TRAINING) {
            for (Call call : record(setting, "bytes")) {
                if (call.isGemm()) {
                    shapes.put(call.shape(), true);
                }
            }
        }
        return List.copyOf(shapes.keySet());
    }

    /** Counts each call by its shape and passes it on to the real kernels. */
    private static final class Recorder implements InvocationHandler {
        private static final StackWalker WALKER = StackWalker.getInstance();
        private final Kernels real;
        final Map<String, Integer> counts = new LinkedHashMap<>();

        Recorder(Kernels real) {
            this.real = real;
        }

        @Override
        public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
            String shape = switch (method.getName()) {
                case "gemm" -> gemmShape(caller(), args);
                case "gemmNT" -> gemmNTShape(caller(), args);
                case "convolve" -> OTHER + "convolve outC=" + args[0] + " c=" + args[5] + " h=" + args[6] + " w=" + args[7]
                        + " k=" + args[8] + " pad=" + args[9] + " ld=" + args[12] + " width=" + args[13];
                case "convolveWeightGradient" -> OTHER + "convolveWeightGradient outC=" + args[0] + " count=" + args[4]
                        + " ld=" + args[5] + " c=" + args[9] + " h=" + args[10] + " w=" + args[11] + " k=" + args[12]
                        + " pad=" + args[13] + (((Boolean) args[17]) ? " accumulating" : "");
                case "gemmSparse" -> OTHER + "gemmSparse " + args[0] + "x" + args[1];
                case "gemmSparseTransposed" -> OTHER + "gemmSparseTransposed " + args[0] + "x" + args[1] + "x" + args[2];
                default -> null;
            };
            if (shape != null) {
                counts.merge(shape, 1, Integer::sum);
            }
            try {
                return method.invoke(real, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        }

        /** The layer class and method that called the kernels, e.g. "Dense.backward". */
        private static String caller() {
            Optional<StackWalker.StackFrame> frame = WALKER.walk(s -> s
                    .filter(f -> f.getClassName().startsWith("org.leashed.nn.layer.")).findFirst());
            return frame.map(f -> f.getClassName().substring(f.getClassName().lastIndexOf('.') + 1) + "." + f.getMethodName())
                    .orElse("?");
        }
    }

    /** {@code gemm(m, n, k, a, aOff, aRowStride, aColStride, b, bOff, ldb, c, cOff, ldc, accumulate)}'s shape. */
    static String gemmShape(String caller, Object[] args) {
        int m = (Integer) args[0], n = (Integer) args[1], k = (Integer) args[2];
        int aRow = (Integer) args[5], aCol = (Integer) args[6], ldb = (Integer) args[9], ldc = (Integer) args[12];
        boolean accumulate = (Boolean) args[13];
        boolean transposed = aCol != 1;
        boolean forward = caller.endsWith(".forward");
        String kind;
        if (caller.startsWith("Dense.")) {
            kind = transposed ? "dW" : forward ? "fwd" : "dX";
        } else if (caller.startsWith("Conv2d.")) {
            kind = forward ? "convFwd" : transposed ? "convDX" : accumulate ? "convDW" : "convDWg";
        } else {
            kind = "gemm(" + caller + ")";
        }
        return notation(kind, m, n, k, new int[] {aRow, ldb, ldc}, o -> !o.dot && o.transposedA == transposed
                && o.accumulate == accumulate && o.aRowStride == aRow && o.aColStride == aCol && o.ldb == ldb && o.ldc == ldc,
                "a strides " + aRow + "/" + aCol + ", ldb " + ldb + ", ldc " + ldc + (accumulate ? ", accumulating" : ""));
    }

    /** {@code gemmNT(m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate)}'s shape. */
    static String gemmNTShape(String caller, Object[] args) {
        int m = (Integer) args[0], n = (Integer) args[1], k = (Integer) args[2];
        int lda = (Integer) args[5], ldb = (Integer) args[8], ldc = (Integer) args[11];
        boolean accumulate = (Boolean) args[12];
        String kind = caller.startsWith("Conv2d.") ? (accumulate ? "convDWnt" : "convDWc") : "gemmNT(" + caller + ")";
        return notation(kind, m, n, k, new int[] {lda, ldb, ldc}, o -> o.dot && o.accumulate == accumulate
                && o.aRowStride == lda && o.ldb == ldb && o.ldc == ldc,
                "lda " + lda + ", ldb " + ldb + ", ldc " + ldc + (accumulate ? ", accumulating" : ""));
    }

    /**
     * {@code kind:MxNxK} or {@code kind:MxNxK/LD} (LD one of the call's strides), whichever GemmBenchmark parses into
     * exactly this call; where none does, the sizes and the strides in words, which no benchmark shape matches.
     */
    private static String notation(String kind, int m, int n, int k, int[] strides,
                                   java.util.function.Predicate<GemmBenchmark.Operands> sameCall, String words) {
        String base = kind + ":" + m + "x" + n + "x" + k;
        List<String> candidates = new ArrayList<>(List.of(base));
        for (int ld : strides) {
            candidates.add(base + "/" + ld);
        }
        candidates.add(base + "/" + strides[1] + "/" + strides[2]); // gemm: ldb and ldc apart
        for (String candidate : candidates) {
            GemmBenchmark.Operands o = new GemmBenchmark.Operands();
            o.shape = candidate;
            try {
                o.parse();
            } catch (IllegalArgumentException e) {
                continue;
            }
            if (o.m == m && o.n == n && o.k == k && sameCall.test(o)) {
                return candidate;
            }
        }
        return base + " (" + words + ": no GemmBenchmark notation)";
    }

    /**
     * {@code GemmCalls [mlp|cnn|lenet|cifar ...] [bytes|mnist-like]}: each training setting's calls per gradient, the
     * GEMM shapes marked with whether GemmBenchmark lists them.
     */
    public static void main(String[] args) {
        List<String> nets = new ArrayList<>();
        String storage = "bytes";
        for (String arg : args) {
            if (arg.equals("bytes") || arg.equals("mnist-like")) {
                storage = arg;
            } else {
                AllocationProbe.network(arg); // names a bad network before any work
                nets.add(arg);
            }
        }
        List<String> listed = List.of(CpuTimeProbe.gemmShapes());
        for (Setting setting : TRAINING) {
            if (!nets.isEmpty() && !nets.contains(setting.network())) {
                continue;
            }
            System.out.println("== " + setting + ", " + storage);
            for (Call call : record(setting, storage)) {
                System.out.printf("  %3d x %s%s%n", call.perGradient(), call.shape(),
                        call.isGemm() && !listed.contains(call.shape()) ? "   <- not in GemmBenchmark" : "");
            }
        }
    }
}
