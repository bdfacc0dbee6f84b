package org.leashed.kernel.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.leashed.kernel.Objective;
import org.leashed.kernel.UpdateKernels;
import org.leashed.memory.PersistenceBound;

/**
 * The update loop allocates nothing on the Java heap: each worker's sampler reads its own thread's
 * allocation counter at its 10,000th and 14,000th call (after JIT warm-up: interpreted
 * foreign-memory accessors may allocate), so the difference covers 4000 iterations of the
 * algorithm loop (gradient, step-size lookup, update, metrics) in the same epoch. The sampler itself
 * allocates nothing.
 */
class HotLoopAllocationTest {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private static final class Probe implements Objective {
        final LeastSquares base = new LeastSquares(32, 64, 1, 2);
        final AtomicLong bytes = new AtomicLong();
        final AtomicLong windows = new AtomicLong();

        @Override
        public int dimension() {
            return base.dimension();
        }

        @Override
        public void initialize(MemorySegment params, long seed) {
            base.initialize(params, seed);
        }

        @Override
        public double loss(MemorySegment params) {
            return base.loss(params);
        }

        @Override
        public Sampler newSampler(int workerId, long seed) {
            Sampler inner = base.newSampler(workerId, seed);
            return new Sampler() {
                long calls;
                long start;

                @Override
                public void reseed(long seed) {
                    inner.reseed(seed);
                }

                @Override
                public float sampleGradient(MemorySegment params, MemorySegment grad) {
                    calls++;
                    if (calls == 9_000) {
                        start = THREADS.getCurrentThreadAllocatedBytes(); // warms the probe itself up
                    } else if (calls == 10_000) {
                        start = THREADS.getCurrentThreadAllocatedBytes();
                    } else if (calls == 14_000) {
                        bytes.addAndGet(THREADS.getCurrentThreadAllocatedBytes() - start); // atomic RMW: test tally
                        windows.incrementAndGet();
                    }
                    return inner.sampleGradient(params, grad);
                }

                @Override
                public void close() {
                }
            };
        }
    }

    /**
     * SEQ, SYNC, HOG and LSH allocate nothing at all (LSH: once the pool has created all the slots the
     * run needs, which happens early). ASYNC's ReentrantLock allocates a wait node inside the JDK when a
     * thread has to queue; that stays far below a byte per update.
     */
    @ParameterizedTest
    @EnumSource(AlgorithmKind.class)
    void shouldNotAllocateWhenUpdateLoopRuns(AlgorithmKind algorithm) {
        int m = algorithm == AlgorithmKind.SEQ ? 1 : 2;
        Probe probe = new Probe();
        TrainingConfig c = new TrainingConfig(algorithm, m, PersistenceBound.unbounded(), 1, 40_000L, 0.05f, 0.5f,
                StepSizeConfig.of(StepSizeKind.TAIL), 1, List.of(0.5), 0, false);
        RunResult r = new Trainer(probe, UpdateKernels.scalar(), c).run(TrainingListener.NONE);
        assertTrue(probe.windows.get() >= 1, "at least one worker made 5000 gradient calls");
        double perUpdate = probe.bytes.get() / (4000.0 * probe.windows.get());
        System.out.printf("%s: %d bytes allocated over %d x 4000 loop iterations (%.3f B/iteration)%n",
                algorithm, probe.bytes.get(), probe.windows.get(), perUpdate);
        switch (algorithm) {
            case SEQ, SYNC, HOG, LSH -> assertEquals(0, probe.bytes.get(), algorithm + " allocated in its hot loop");
            case ASYNC -> assertTrue(perUpdate < 1, algorithm + ": " + perUpdate + " B per update");
        }
        assertEquals(Outcome.CONVERGED, r.outcome());
    }
}
