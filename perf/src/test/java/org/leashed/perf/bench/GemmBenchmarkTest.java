package org.leashed.perf.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.leashed.nn.simd.Kernels;

/**
 * Every benchmarked GEMM shape, as {@link GemmBenchmark.Operands} sets it up (strides, accumulation, the dot-product
 * kind), runs inside its operands and computes the scalar reference's bits, so a GFLOP/s figure is never the speed of
 * a call that reads or writes the wrong elements.
 */
class GemmBenchmarkTest {
    static String[] shapes() {
        return CpuTimeProbe.gemmShapes();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("shapes")
    void benchmarkedCallMatchesTheScalarReference(String shape) {
        GemmBenchmark.Operands o = new GemmBenchmark.Operands();
        o.shape = shape;
        o.setUp();
        try {
            final float[] before = o.c.toArray(ValueLayout.JAVA_FLOAT);
            o.run(o.vector);
            final float[] vector = o.c.toArray(ValueLayout.JAVA_FLOAT);
            MemorySegment.copy(before, 0, o.c, ValueLayout.JAVA_FLOAT, 0, before.length);
            o.run(Kernels.scalar());
            final float[] scalar = o.c.toArray(ValueLayout.JAVA_FLOAT);
            assertArrayEquals(scalar, vector, shape);
        } finally {
            o.tearDown();
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"fwd:16x128x784/800", "convFwd:32x1024x288/1000", "convDW:27x32x1024/1000", "convFwd:4x688", "conv:4x688x9",
        "convFwd:4x688x9/", "convDWnt:9x4x676/700", "convDWc:36x8x2048/2000", "convDWg:150x16x1792/1000",
        "convFwd:4x688x9/11008/600", "convDW:150x16x2800/3000/3000", "fwd:16x128x784/800/800", "convDX:36x2048x8/2064/2064/2064"})
    void shouldRejectShapeWithBadKindSizeOrStride(String shape) {
        GemmBenchmark.Operands o = new GemmBenchmark.Operands();
        o.shape = shape;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, o::setUp);
        assertTrue(e.getMessage().contains(shape) || e.getMessage().contains("kind"), e.getMessage());
    }

    @Test
    void windowRatesCountCallsOverEachWindowsCpuTime() {
        // an op of known cost: about 2 ms of CPU per call, so the 20 ms windows see few calls and the rate must be
        // near 1 / 2 ms x flops, however the batches grew
        final double flopsPerCall = 1e6;
        double[] rates = CpuTimeProbe.windowRates(() -> {
            final long t0 = java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
            while (java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() - t0 < 2_000_000L) {
                Thread.onSpinWait();
            }
        }, flopsPerCall, 3, 20_000_000L);
        assertEquals(3, rates.length);
        for (double rate : rates) {
            // each window holds at least 10 calls of >= 2 ms: at most 0.5 GFLOP/s, and not far below it
            assertTrue(rate > 0.25e9 && rate <= 0.5e9 * 1.001, "rate " + rate + " for 1 MFLOP per 2 ms call");
        }
    }

    @Test
    void bestRowKeepsTheBestShareAndListsEveryReading() {
        final String slow = "| dX:16x128x10 | 108.0 | - | - | 209.2 | 52 % |";
        final String fast = "| dX:16x128x10 | 156.8 | 61.5 | 2.55 | 214.2 | 73 % |";
        assertEquals(fast + " 52 %, 73 % |", CpuTimeProbe.bestRow(java.util.List.of(slow, fast)));
        assertEquals(fast + " 73 %, 52 % |", CpuTimeProbe.bestRow(java.util.List.of(fast, slow)));
        assertEquals(slow, CpuTimeProbe.bestRow(java.util.List.of(slow)));
        assertThrows(IllegalArgumentException.class, () -> CpuTimeProbe.bestRow(java.util.List.of("kernels: vector(512-bit)")));
        assertThrows(IllegalArgumentException.class, () -> CpuTimeProbe.bestRow(java.util.List.of()));
    }
}
