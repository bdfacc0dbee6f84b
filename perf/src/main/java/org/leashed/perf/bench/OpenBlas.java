package org.leashed.perf.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * Single-threaded OpenBLAS {@code cblas_sgemm} through the FFM API: the same-run native baseline of
 * {@link GemmBenchmark}. Looks for {@code libopenblas.so.0} (Debian/Ubuntu: {@code apt-get install
 * libopenblas0-serial}); if it is missing, {@link #load()} throws with that instruction instead of
 * letting the benchmark skip silently.
 */
final class OpenBlas {
    static final int ROW_MAJOR = 101;
    static final int NO_TRANS = 111;
    static final int TRANS = 112;
    private static final List<String> NAMES = List.of("libopenblas.so.0", "libopenblas.so",
            "/usr/lib/x86_64-linux-gnu/libopenblas.so.0", "/usr/lib/aarch64-linux-gnu/libopenblas.so.0");

    private final MethodHandle sgemm;

    private OpenBlas(MethodHandle sgemm) {
        this.sgemm = sgemm;
    }

    /**
     * Binds {@code cblas_sgemm} and sets OpenBLAS to one thread.
     *
     * @throws IllegalStateException if no OpenBLAS library can be loaded
     */
    static OpenBlas load() {
        SymbolLookup lookup = null;
        StringBuilder tried = new StringBuilder();
        for (String name : NAMES) {
            try {
                lookup = name.startsWith("/") ? (Files.exists(Path.of(name)) ? SymbolLookup.libraryLookup(Path.of(name), Arena.global()) : null)
                        : SymbolLookup.libraryLookup(name, Arena.global());
                if (lookup != null) {
                    break;
                }
                tried.append(' ').append(name).append(" (absent)");
            } catch (IllegalArgumentException e) {
                tried.append(' ').append(name).append(" (").append(e.getMessage()).append(')');
            }
        }
        if (lookup == null) {
            throw new IllegalStateException("OpenBLAS baseline requested but no OpenBLAS library could be loaded; tried:" + tried
                    + ". Install one (apt-get install libopenblas0-serial) or exclude the benchmark (e.g. -e 'GemmBenchmark.openblas').");
        }
        Linker linker = Linker.nativeLinker();
        MemorySegment sgemmAddress = lookup.find("cblas_sgemm")
                .orElseThrow(() -> new IllegalStateException("the OpenBLAS library has no cblas_sgemm symbol"));
        MethodHandle sgemm = linker.downcallHandle(sgemmAddress, FunctionDescriptor.ofVoid(JAVA_INT, JAVA_INT, JAVA_INT,
                JAVA_INT, JAVA_INT, JAVA_INT, JAVA_FLOAT, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, JAVA_FLOAT, ADDRESS, JAVA_INT));
        lookup.find("openblas_set_num_threads").ifPresent(address -> {
            try {
                linker.downcallHandle(address, FunctionDescriptor.ofVoid(JAVA_INT)).invokeExact(1);
            } catch (Throwable e) {
                throw new IllegalStateException("openblas_set_num_threads(1) failed", e);
            }
        });
        return new OpenBlas(sgemm);
    }

    /** {@code cblas_sgemm(RowMajor, transA, NoTrans, m, n, k, 1, a, lda, b, ldb, beta, c, ldc)}. */
    void sgemm(int transA, int m, int n, int k, MemorySegment a, int lda, MemorySegment b, int ldb, float beta, MemorySegment c, int ldc) {
        sgemm(transA, NO_TRANS, m, n, k, a, lda, b, ldb, beta, c, ldc);
    }

    /** {@code cblas_sgemm(RowMajor, transA, transB, m, n, k, 1, a, lda, b, ldb, beta, c, ldc)}. */
    void sgemm(int transA, int transB, int m, int n, int k, MemorySegment a, int lda, MemorySegment b, int ldb, float beta,
               MemorySegment c, int ldc) {
        try {
            sgemm.invokeExact(ROW_MAJOR, transA, transB, m, n, k, 1f, a, lda, b, ldb, beta, c, ldc);
        } catch (Throwable e) {
            throw new IllegalStateException("cblas_sgemm failed", e);
        }
    }
}
