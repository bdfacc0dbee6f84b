package org.leashed.kernel.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.junit.jupiter.api.Test;
import org.leashed.kernel.UpdateKernels;
import org.leashed.memory.PersistenceBound;

class WorkerStartHookTest {
    private static TrainingConfig config(int threads) {
        return new TrainingConfig(AlgorithmKind.LSH, threads, PersistenceBound.unbounded(), 2, 20, 0.1f, 0f,
                StepSizeConfig.none(), 3, List.of(0.5), 0, false);
    }

    @Test
    void shouldCallHookOncePerWorkerOnItsOwnThreadWhenRunStarts() {
        Set<String> seen = ConcurrentHashMap.newKeySet();
        RunResult r = new Trainer(new LeastSquares(4, 32, 2, 1), UpdateKernels.scalar(), config(3))
                .onWorkerStart(id -> seen.add(id + "@" + Thread.currentThread().getName()))
                .run(TrainingListener.NONE);
        assertEquals(Set.of("0@leashed-worker-0", "1@leashed-worker-1", "2@leashed-worker-2"), seen);
        assertEquals(40, r.appliedUpdates());
    }

    @Test
    void shouldCrashCleanlyWhenHookFails() {
        RunResult r = new Trainer(new LeastSquares(4, 32, 2, 1), UpdateKernels.scalar(), config(2))
                .onWorkerStart(id -> {
                    if (id == 1) {
                        throw new IllegalStateException("cannot pin worker 1");
                    }
                })
                .run(TrainingListener.NONE);
        assertEquals(Outcome.CRASHED, r.outcome());
        assertTrue(r.crashReason().contains("cannot pin worker 1"), r.crashReason());
    }
}
