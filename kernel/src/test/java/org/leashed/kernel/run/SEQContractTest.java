package org.leashed.kernel.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.leashed.kernel.UpdateKernels;

class SEQContractTest extends SgdAlgorithmContract {
    @Override
    AlgorithmKind algorithm() {
        return AlgorithmKind.SEQ;
    }

    @Test
    void shouldHaveZeroStalenessAndTwoVectorsWhenSequential() {
        LeastSquares problem = new LeastSquares(8, 128, 8, 5);
        RunResult r = new Trainer(problem, UpdateKernels.scalar(), config(1, StepSizeKind.TAIL, 4, 0.3f)).run(TrainingListener.NONE);
        assertArrayEquals(new long[] {4 * 200}, r.stalenessHistogram());
        assertEquals(2, r.liveVectorsPeak(), "theta and one gradient buffer");
        assertEquals(0, r.casTriesHistogram().length, "no CAS in SEQ");
        assertEquals(0, r.droppedUpdates());
    }
}
