package org.leashed.nn.simd;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.logging.Logger;

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

    private static Kernels fallback(String reason) {
        LOG.warning("leashed: using scalar kernels: " + reason);
        return new ScalarKernels("scalar (" + reason + ")");
    }
}
