package org.leashed.perf.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.leashed.kernel.Objective;
import org.leashed.nn.data.Dataset;
import org.leashed.nn.model.Evaluation;
import org.leashed.nn.model.Network;
import org.leashed.nn.model.Workspace;

/** NetworkObjective on a small synthetic data set (seed 42): 10 examples of 1x3x4, 3 classes. */
class NetworkObjectiveTest {
    private static final long SEED = 42;
    private static final int COUNT = 10;
    private static final int BATCH = 4;

    private static Dataset synthetic() {
        final SplittableRandom random = new SplittableRandom(SEED);
        final float[] values = new float[COUNT * 12];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) random.nextDouble(-1, 1);
        }
        final byte[] labels = new byte[COUNT];
        for (int i = 0; i < COUNT; i++) {
            labels[i] = (byte) (i % 3);
        }
        return Dataset.fromFloats("synthetic", values, labels, 1, 3, 4, 3);
    }

    private static float[] toArray(MemorySegment segment) {
        return segment.toArray(ValueLayout.JAVA_FLOAT);
    }

    @Test
    void shouldMatchNetworkGradientWhenGivenTheSameBatch() {
        final Dataset data = synthetic();
        final Network network = Network.mlp(12, 1, 5, 3);
        final NetworkObjective objective = new NetworkObjective(network, data, BATCH, 0.5f);
        final int d = objective.dimension();
        assertEquals(network.parameterCount(), d);
        try (Arena arena = Arena.ofConfined();
             NetworkObjective.BatchSampler probe = (NetworkObjective.BatchSampler) objective.newSampler(0, 7);
             Objective.Sampler sampler = objective.newSampler(0, 7);
             Workspace ws = network.newWorkspace(BATCH)) {
            final MemorySegment params = arena.allocate((long) d * Float.BYTES, 64);
            objective.initialize(params, SEED);
            final MemorySegment expected = arena.allocate((long) d * Float.BYTES, 64);
            final MemorySegment actual = arena.allocate((long) d * Float.BYTES, 64);
            for (int step = 0; step < 5; step++) { // crosses a reshuffle (10 examples, batches of 4)
                final int[] batch = probe.nextBatch().clone();
                final float expectedLoss = network.lossAndGradient(ws, params, expected, data, batch, BATCH);
                final float actualLoss = sampler.sampleGradient(params, actual);
                assertEquals(expectedLoss, actualLoss, "loss at step " + step);
                assertArrayEquals(toArray(expected), toArray(actual), "gradient at step " + step);
            }
        }
    }

    @Test
    void shouldVisitEveryExampleOnceWhenWalkingOnePass() {
        final Dataset data = synthetic();
        final NetworkObjective objective = new NetworkObjective(Network.mlp(12, 1, 5, 3), data, 5, 0.01f);
        try (NetworkObjective.BatchSampler sampler = (NetworkObjective.BatchSampler) objective.newSampler(0, 3)) {
            final int[] seen = new int[COUNT];
            for (int b = 0; b < 2; b++) {
                for (int index : sampler.nextBatch()) {
                    seen[index]++;
                }
            }
            final int[] once = new int[COUNT];
            Arrays.fill(once, 1);
            assertArrayEquals(once, seen);
        }
    }

    @Test
    void shouldDrawDifferentOrdersWhenSeedsDiffer() {
        final NetworkObjective objective = new NetworkObjective(Network.mlp(12, 1, 5, 3), synthetic(), 5, 0.01f);
        try (NetworkObjective.BatchSampler a = (NetworkObjective.BatchSampler) objective.newSampler(0, 1);
             NetworkObjective.BatchSampler b = (NetworkObjective.BatchSampler) objective.newSampler(1, 2)) {
            final int[] first = new int[10];
            final int[] second = new int[10];
            System.arraycopy(a.nextBatch(), 0, first, 0, 5);
            System.arraycopy(a.nextBatch(), 0, first, 5, 5);
            System.arraycopy(b.nextBatch(), 0, second, 0, 5);
            System.arraycopy(b.nextBatch(), 0, second, 5, 5);
            assertNotEquals(Arrays.toString(first), Arrays.toString(second));
        }
    }

    @Test
    void shouldEqualFullEvaluationWhenComputingLoss() {
        final Dataset data = synthetic();
        final Network network = Network.mlp(12, 2, 6, 3);
        final NetworkObjective objective = new NetworkObjective(network, data, BATCH, 0.3f);
        try (Arena arena = Arena.ofConfined(); Workspace ws = network.newWorkspace(COUNT)) {
            final MemorySegment params = arena.allocate(network.parameterCount() * Float.BYTES, 64);
            objective.initialize(params, SEED);
            final Evaluation direct = network.evaluate(ws, params, data, 0, COUNT);
            assertEquals(direct.loss(), objective.loss(params), 1e-6 * Math.abs(direct.loss()));
            assertEquals(direct.accuracy(), objective.evaluate(params, data).accuracy());
        } finally {
            objective.closeEvaluation();
        }
    }

    @Test
    void shouldRejectConstructionWhenShapesOrBatchDisagree() {
        final Dataset data = synthetic();
        final IllegalArgumentException features = assertThrows(IllegalArgumentException.class,
                () -> new NetworkObjective(Network.mlp(13, 1, 5, 3), data, BATCH, 0.01f));
        assertEquals(true, features.getMessage().contains("12 features"), features.getMessage());
        final IllegalArgumentException batch = assertThrows(IllegalArgumentException.class,
                () -> new NetworkObjective(Network.mlp(12, 1, 5, 3), data, COUNT + 1, 0.01f));
        assertEquals(true, batch.getMessage().contains("expected 1..10"), batch.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new NetworkObjective(Network.mlp(12, 1, 5, 4), data, BATCH, 0.01f));
        assertThrows(IllegalArgumentException.class, () -> new NetworkObjective(Network.mlp(12, 1, 5, 3), data, BATCH, Float.NaN));
    }
}
