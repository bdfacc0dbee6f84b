package org.leashed.perf.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

/**
 * GemmBenchmark's shapes are the GEMM calls training makes: the set {@link GemmCalls} records from one gradient of
 * each thesis network at its training batch sizes equals the benchmark's {@code @Param} list, so the GEMM table
 * measures every call the layers make and nothing they have stopped making.
 */
class GemmCallsTest {
    /**
     * The list is the calls on 512-bit vectors (16 lanes), every host of this project's machine kind: the layers choose
     * direct convolutions by the lane count, so on another width the calls differ and the test asks only that each
     * has a name in the notation (no call the benchmark could not express).
     */
    @Test
    void benchmarkListsExactlyTheCallsTrainingMakes() {
        Set<String> made = new LinkedHashSet<>(GemmCalls.trainingShapes());
        if (jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.length() != 16) {
            assertTrue(made.stream().noneMatch(c -> c.contains("no GemmBenchmark notation")), made.toString());
            return;
        }
        Set<String> listed = new LinkedHashSet<>(List.of(CpuTimeProbe.gemmShapes()));
        Set<String> unlisted = new LinkedHashSet<>(made);
        unlisted.removeAll(listed);
        Set<String> stale = new LinkedHashSet<>(listed);
        stale.removeAll(made);
        assertTrue(unlisted.isEmpty(), "calls the layers make that GemmBenchmark does not list: " + unlisted);
        assertTrue(stale.isEmpty(), "GemmBenchmark shapes no training gradient calls: " + stale);
        assertEquals(listed.size(), CpuTimeProbe.gemmShapes().length, "GemmBenchmark lists a shape twice");
    }

    @Test
    void callsAreNamedByTheirStridesNotOnlyTheirSizes() {
        // the CNN at batch 16 runs its first conv's forward per example over the batch's column matrix: B's rows are
        // the batch's 16 x 688 floats long, C's one example's 688
        List<GemmCalls.Call> calls = GemmCalls.record(new GemmCalls.Setting("cnn", 16), "bytes");
        GemmCalls.Call forward = calls.stream().filter(c -> c.shape().startsWith("convFwd:4x688x9")).findFirst().orElseThrow();
        assertEquals(new GemmCalls.Call("convFwd:4x688x9/11008/688", 16), forward);
        // a gradient's calls are all counted: the CNN's dense layers once each, the per-example forward once per example
        assertTrue(calls.contains(new GemmCalls.Call("dW:200x128x16", 1)), calls.toString());
    }

    @Test
    void convKernelBenchmarkCoversEveryDirectConvolutionTrainingMakes() {
        // ConvKernelBenchmark's layers as "CxHxW:kK:pP:fF" (forward) and "CxHxW:kK:pP:fF:nN" (weight gradient chunks)
        Set<String> forwards = new LinkedHashSet<>();
        for (String shape : CpuTimeProbe.paramValues(ConvKernelBenchmark.Operands.class, "shape")) {
            String[] parts = shape.split(":", 2);
            forwards.add(parts[1] + ":f" + ConvKernelBenchmark.Operands.filters(parts[0]));
        }
        Set<String> chunks = new LinkedHashSet<>();
        for (String layer : CpuTimeProbe.paramValues(ConvKernelBenchmark.ChunkWeightGradient.class, "layer")) {
            chunks.add(layer.split(":", 2)[1]);
        }
        int direct = 0;
        for (GemmCalls.Setting setting : GemmCalls.TRAINING) {
            for (GemmCalls.Call call : GemmCalls.record(setting, "bytes")) {
                if (call.isGemm()) {
                    continue;
                }
                java.util.Map<String, String> f = new java.util.HashMap<>();
                for (String word : call.shape().split(" ")) {
                    String[] kv = word.split("=");
                    if (kv.length == 2) {
                        f.put(kv[0], kv[1]);
                    }
                }
                String layer = f.get("c") + "x" + f.get("h") + "x" + f.get("w") + ":k" + f.get("k") + ":p" + f.get("pad") + ":f" + f.get("outC");
                if (call.shape().startsWith("other:convolve ")) {
                    assertTrue(forwards.contains(layer), setting + " convolves " + layer + ", which ConvKernelBenchmark does not: " + forwards);
                    direct++;
                } else if (call.shape().startsWith("other:convolveWeightGradient ") && !call.shape().endsWith("accumulating")) {
                    // the first chunk of a batch overwrites dWᵀ and is a full chunk
                    assertTrue(chunks.contains(layer + ":n" + f.get("count")), setting + "'s weight gradient over chunks of " + layer
                            + ":n" + f.get("count") + " is not one of ConvKernelBenchmark's: " + chunks);
                    direct++;
                }
            }
        }
        assertTrue(direct >= 10, "expected the direct convolutions of NOTES 33-34 in the training calls, found " + direct);
    }

    @Test
    void sparseInputsShowTheSparseKernelsOutsideTheNotation() {
        List<GemmCalls.Call> calls = GemmCalls.record(new GemmCalls.Setting("mlp", 16), "mnist-like");
        assertTrue(calls.stream().anyMatch(c -> !c.isGemm() && c.shape().contains("gemmSparse 16x128")), calls.toString());
        assertTrue(calls.stream().noneMatch(c -> c.shape().equals("fwd:16x128x784")), calls.toString());
    }
}
