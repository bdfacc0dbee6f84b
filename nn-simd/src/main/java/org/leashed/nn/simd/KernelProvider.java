package org.leashed.nn.simd;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.logging.Logger;

import com.sun.management.HotSpotDiagnosticMXBean;

/**
 * Picks the kernel implementation once per JVM (holder idiom). The Vector API classes are loaded only
 * by name, so the scalar path runs on a JVM without {@code --add-modules=jdk.incubator.vector}.
 */
final class KernelProvider {
    private static final Logger LOG = Logger.getLogger(KernelProvider.class.getName());
    /** Narrowest vector width, in bits, worth using over scalar code. */
    static final int MIN_VECTOR_BITS = 128;

    private KernelProvider() {
    }

    /** The chosen kernels, or the configuration error that stopped the choice (kept, and thrown on every call). */
    static final class Holder {
        static final Kernels INSTANCE;
        static final IllegalArgumentException ERROR;

        static {
            Kernels chosen = null;
            IllegalArgumentException error = null;
            try {
                chosen = choose();
            } catch (IllegalArgumentException e) {
                error = e;
            }
            INSTANCE = chosen;
            ERROR = error;
        }

        private Holder() {
        }
    }

    /** {@link Kernels#get()}: the chosen kernels, or an IllegalArgumentException naming the bad property. */
    static Kernels get() {
        if (Holder.ERROR != null) {
            throw new IllegalArgumentException(Holder.ERROR.getMessage(), Holder.ERROR);
        }
        return Holder.INSTANCE;
    }

    private static Kernels choose() {
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
            return fallback("module jdk.incubator.vector is not in the boot layer (run with --add-modules=jdk.incubator.vector)");
        }
        try {
            Class<?> type = Class.forName("org.leashed.nn.simd.VectorKernels");
            Kernels kernels = (Kernels) MethodHandles.lookup()
                    .findStatic(type, "preferred", MethodType.methodType(type)).invoke();
            if (kernels == null) {
                return fallback("preferred vector width is below " + MIN_VECTOR_BITS + " bits");
            }
            warnIfJitFlagsMissing();
            return kernels;
        } catch (ExceptionInInitializerError e) {
            if (e.getCause() instanceof IllegalArgumentException bad) {
                throw bad; // a mistyped leashed.gemm.* property: an error naming it, not scalar kernels 100x slower
            }
            return fallback("Vector API unavailable: " + e);
        } catch (Throwable e) {
            return fallback("Vector API unavailable: " + e);
        }
    }

    /**
     * The JIT flags the vector kernels' zero allocation rests on (every JVM the project starts has them) that
     * {@code option} (a HotSpot option's value by name, null where the JVM has no such option) shows unset. Without
     * {@code MinInlineFrequencyRatio=0} C2 may leave a block's {@code asSlice} out of line as cold (NOTES 26.4). Under
     * a {@code PerMethodRecompilationCutoff} of 400, the default, a large compile that inlines methods with past
     * deoptimizations gets virtual-call fallbacks where the Vector API needs traps, and boxes (NOTES 32); a cutoff of
     * 1000 or more counts as set.
     */
    static List<String> missingJitFlags(UnaryOperator<String> option) {
        List<String> missing = new ArrayList<>();
        if (number(option.apply("MinInlineFrequencyRatio"), 1) != 0) {
            missing.add("-XX:+UnlockDiagnosticVMOptions -XX:MinInlineFrequencyRatio=0");
        }
        if (number(option.apply("PerMethodRecompilationCutoff"), 0) < 1_000) {
            missing.add("-XX:PerMethodRecompilationCutoff=1000");
        }
        return missing;
    }

    private static double number(String value, double absent) {
        try {
            return value == null ? absent : Double.parseDouble(value.trim());
        } catch (NumberFormatException e) {
            return absent;
        }
    }

    /** A warning, once, where this JVM lacks {@link #missingJitFlags}'s flags; silent where it cannot tell (no jdk.management). */
    private static void warnIfJitFlagsMissing() {
        List<String> missing;
        try {
            HotSpotDiagnosticMXBean hotspot = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
            missing = missingJitFlags(name -> {
                try {
                    return hotspot.getVMOption(name).getValue();
                } catch (IllegalArgumentException noSuchOption) {
                    return null;
                }
            });
        } catch (LinkageError | RuntimeException noManagement) {
            return;
        }
        if (!missing.isEmpty()) {
            LOG.warning("leashed: this JVM runs without " + String.join(" ", missing) + "; the vector kernels may then"
                    + " allocate per call where C2 compiles them differently (README, section JMH benchmarks)");
        }
    }

    private static Kernels fallback(String reason) {
        LOG.warning("leashed: using scalar kernels: " + reason);
        return new ScalarKernels("scalar (" + reason + ")");
    }
}
