package org.leashed.kernel.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.util.List;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.leashed.kernel.Objective;
import org.leashed.kernel.UpdateKernels;
import org.leashed.memory.PersistenceBound;

class SYNCContractTest extends SgdAlgorithmContract {
    @Override
    AlgorithmKind algorithm() {
        return AlgorithmKind.SYNC;
    }

    private static float[] finalParams(Objective objective, AlgorithmKind algorithm, int threads, float momentum, RunResult[] out) {
        TrainingConfig c = new TrainingConfig(algorithm, threads, PersistenceBound.unbounded(), 3, 40, 0.4f, momentum,
                StepSizeConfig.none(), 1, List.of(0.5), 0, false);
        float[] params = new float[objective.dimension()];
        out[0] = new Trainer(objective, UpdateKernels.scalar(), c).run(new TrainingListener() {
            @Override
            public void onFinished(MemorySegment finalParams) {
                MemorySegment.copy(finalParams, LeastSquares.F, 0, params, 0, params.length);
            }
        });
        return params;
    }

    /** Thm A.3.1 made exact: with the same rows, SYNC(m, b) takes the very steps of SEQ(m * b). */
    @ParameterizedTest
    @ValueSource(ints = {2, 4})
    void shouldFollowSequentialTrajectoryWithBatchTimesWorkersWhenSamplesCoincide(int m) {
        LeastSquares base = new LeastSquares(12, 96, 1, 21);
        int b = 3;
        RunResult[] seq = new RunResult[1];
        RunResult[] sync = new RunResult[1];
        for (float momentum : new float[] {0f, 0.5f}) {
            float[] expected = finalParams(new CyclicLeastSquares(base, m * b, 1), AlgorithmKind.SEQ, 1, momentum, seq);
            float[] actual = finalParams(new CyclicLeastSquares(base, b, m), AlgorithmKind.SYNC, m, momentum, sync);
            double norm = 0;
            for (float x : expected) {
                norm = Math.max(norm, Math.abs(x));
            }
            assertTrue(norm > 0.1, "the trajectory moved");
            for (int j = 0; j < expected.length; j++) {
                assertEquals(expected[j], actual[j], 1e-5 * norm, "component " + j + " (momentum " + momentum + ")");
            }
            assertEquals(seq[0].appliedUpdates(), sync[0].appliedUpdates());
            assertEquals(seq[0].epochs().get(2).loss(), sync[0].epochs().get(2).loss(), 1e-6 * seq[0].initialLoss());
            assertArrayEquals(new long[] {3 * 40}, sync[0].stalenessHistogram());
            assertEquals(m + 1, sync[0].liveVectorsPeak(), "theta and m gradient buffers");
        }
    }
}
