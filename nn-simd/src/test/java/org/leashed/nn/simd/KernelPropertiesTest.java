package org.leashed.nn.simd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import com.sun.management.HotSpotDiagnosticMXBean;

import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

/** The GEMM's system properties: read strictly (a typo is an error, not a silent default), and what they turn into. */
class KernelPropertiesTest {
    @Test
    void switchesAreTrueOrFalseInAnyCaseAndTheFallbackWhenUnset() {
        assertTrue(VectorKernels.booleanProperty("leashed.gemm.packB", "TRUE", false));
        assertFalse(VectorKernels.booleanProperty("leashed.gemm.packB", "false", true));
        assertTrue(VectorKernels.booleanProperty("leashed.gemm.packB", null, true));
        assertFalse(VectorKernels.booleanProperty("leashed.gemm.packB", null, false));
    }

    @Test
    void aMistypedSwitchIsRefusedByName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> VectorKernels.booleanProperty("leashed.gemm.packB", "yes", true));
        assertEquals("system property leashed.gemm.packB is 'yes' but must be true or false", e.getMessage());
    }

    @Test
    void panelSizesAreWholeKibWithinRange() {
        assertEquals(32, VectorKernels.kibProperty("leashed.gemm.panelKiB", " 32", 0));
        assertEquals(0, VectorKernels.kibProperty("leashed.gemm.panelKiB", null, 0));
        for (String bad : new String[] {"-1", "32k", "1048577", ""}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> VectorKernels.kibProperty("leashed.gemm.panelKiB", bad, 0), bad);
            assertEquals("system property leashed.gemm.panelKiB is '" + bad
                    + "' but must be a whole number of KiB from 0 (no limit) to 1048576", e.getMessage());
        }
    }

    @Test
    void registerFilesAre16Or32AndTheCpuGuessWhenUnset() {
        assertEquals(16, VectorKernels.registersProperty(" 16", false));
        assertEquals(32, VectorKernels.registersProperty("32", true));
        assertEquals(16, VectorKernels.registersProperty(null, true));
        assertEquals(32, VectorKernels.registersProperty(null, false));
        for (String bad : new String[] {"8", "avx2", "", "64"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> VectorKernels.registersProperty(bad, true), bad);
            assertEquals("system property leashed.gemm.registers is '" + bad
                    + "' but must be 16 (AVX2-sized blocks) or 32 (AVX-512/NEON-sized blocks)", e.getMessage());
        }
        assertTrue(VectorKernels.isX86("amd64"));
        assertTrue(VectorKernels.isX86("x86_64"));
        assertFalse(VectorKernels.isX86("aarch64"));
        assertFalse(VectorKernels.isX86(null));
    }

    /** The child JVM of {@link #aBadPropertyFailsKernelsGetWithItsNameInsteadOfFallingBackToScalar}. */
    public static final class GetKernels {
        public static void main(String[] args) {
            for (int call = 1; call <= 2; call++) {
                try {
                    System.out.println("call " + call + " got " + Kernels.get().description());
                } catch (IllegalArgumentException e) {
                    System.out.println("call " + call + " refused: " + e.getMessage());
                }
            }
        }
    }

    @Test
    void aBadPropertyFailsKernelsGetWithItsNameInsteadOfFallingBackToScalar() throws IOException, InterruptedException {
        String java = ProcessHandle.current().info().command().orElseThrow();
        Process child = new ProcessBuilder(List.of(java, "--add-modules=jdk.incubator.vector", "-Dleashed.gemm.packB=yes",
                "-cp", System.getProperty("java.class.path"), GetKernels.class.getName())).redirectErrorStream(true).start();
        List<String> out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines()
                .filter(l -> l.startsWith("call ")).toList();
        assertEquals(0, child.waitFor());
        String refusal = "refused: system property leashed.gemm.packB is 'yes' but must be true or false";
        assertEquals(List.of("call 1 " + refusal, "call 2 " + refusal), out);
    }

    @Test
    void aPanelHoldsItsBytesOfFourVectorRowsAndZeroMeansTheWholeK() {
        assertEquals(128, VectorKernels.kBlockFor(FloatVector.SPECIES_512, 32)); // 32 KiB / 256 B per k step
        assertEquals(256, VectorKernels.kBlockFor(FloatVector.SPECIES_256, 32));
        assertEquals(Integer.MAX_VALUE, VectorKernels.kBlockFor(FloatVector.SPECIES_512, 0), "0 is no limit");
        assertThrows(IllegalArgumentException.class, () -> VectorKernels.of(FloatVector.SPECIES_256, true, 0));
    }

    @Test
    void theJitFlagsTheKernelsNeedAreNamedWhereMissing() {
        Map<String, String> defaults = Map.of("MinInlineFrequencyRatio", "0.008500", "PerMethodRecompilationCutoff", "400");
        assertEquals(List.of("-XX:+UnlockDiagnosticVMOptions -XX:MinInlineFrequencyRatio=0", "-XX:PerMethodRecompilationCutoff=1000"),
                KernelProvider.missingJitFlags(defaults::get));
        Map<String, String> set = Map.of("MinInlineFrequencyRatio", "0.000000", "PerMethodRecompilationCutoff", "20000");
        assertEquals(List.of(), KernelProvider.missingJitFlags(set::get));
        Map<String, String> lowCutoff = Map.of("MinInlineFrequencyRatio", "0", "PerMethodRecompilationCutoff", "999");
        assertEquals(List.of("-XX:PerMethodRecompilationCutoff=1000"), KernelProvider.missingJitFlags(lowCutoff::get));
        // a JVM without these options (not HotSpot): both named
        assertEquals(2, KernelProvider.missingJitFlags(name -> null).size());
    }

    @Test
    void thisTestJvmRunsWithTheJitFlagsThePomGivesEveryJvm() {
        HotSpotDiagnosticMXBean hotspot = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
        assertEquals(List.of(), KernelProvider.missingJitFlags(name -> hotspot.getVMOption(name).getValue()));
    }
}
