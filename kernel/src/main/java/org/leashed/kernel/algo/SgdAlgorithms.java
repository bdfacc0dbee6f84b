package org.leashed.kernel.algo;

import java.lang.foreign.Arena;
import java.util.Objects;

import org.leashed.kernel.Objective;
import org.leashed.kernel.UpdateKernels;
import org.leashed.kernel.algo.internal.HogwildSgd;
import org.leashed.kernel.algo.internal.LeashedSgd;
import org.leashed.kernel.algo.internal.LockedAsyncSgd;
import org.leashed.kernel.algo.internal.SequentialSgd;
import org.leashed.kernel.algo.internal.SynchronousSgd;
import org.leashed.kernel.run.TrainingConfig;

/** Creates the algorithm a configuration names; the one place that dispatches on the kind. */
public final class SgdAlgorithms {
    private SgdAlgorithms() {
    }

    /**
     * Creates the algorithm and writes theta_0 (seeded by {@code config.seed()}) into its parameters.
     *
     * @param arena shared arena that owns theta and per-worker buffers for the run (closed by the caller
     *              after the workers are joined); Leashed-SGD allocates its pool separately
     */
    public static SgdAlgorithm create(TrainingConfig config, Objective objective, UpdateKernels kernels, Arena arena) {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(objective, "objective");
        Objects.requireNonNull(kernels, "kernels");
        Objects.requireNonNull(arena, "arena");
        final int m = config.threads();
        final boolean momentum = config.momentum() > 0;
        final long seed = config.seed();
        return switch (config.algorithm()) {
            case SEQ -> new SequentialSgd(objective, kernels, momentum, seed, arena);
            case SYNC -> new SynchronousSgd(objective, kernels, m, momentum, seed, arena);
            case ASYNC -> new LockedAsyncSgd(objective, kernels, m, momentum, seed, arena);
            case HOG -> new HogwildSgd(objective, kernels, m, momentum, seed, arena);
            case LSH -> new LeashedSgd(objective, kernels, m, momentum, seed, config.persistence(), config.poison());
        };
    }
}
