package org.leashed.kernel.run;

import java.util.List;
import java.util.Objects;

import org.leashed.kernel.elastic.ElasticConfig;
import org.leashed.memory.PersistenceBound;

/**
 * Everything a run needs besides the objective. Immutable, validated once.
 *
 * @param algorithm        which algorithm
 * @param threads          workers m (1 for SEQ)
 * @param persistence      Leashed-SGD persistence bound T_p
 * @param epochs           epochs to run at most
 * @param updatesPerEpoch  applied updates per epoch, across all workers
 * @param learningRate     base step size eta
 * @param momentum         momentum mu in [0, 1), per-worker state
 * @param stepSize         staleness-adaptive strategy
 * @param seed             run seed (worker w uses a stream split from it)
 * @param epsilons         targets as fractions of the initial loss, e.g. 0.5, 0.1, 0.025
 * @param timeLimitSeconds training wall-time limit; 0 means none
 * @param poison           debug: poison recycled vector memory and check every lease (LSH, and the
 *                         elastic frozen-gradient pool)
 * @param elastic          ELAsyncSGD settings, or null for a static run; when set, {@code threads} is the
 *                         maximum m-hat and the algorithm must be ASYNC, HOG or LSH
 */
public record TrainingConfig(AlgorithmKind algorithm, int threads, PersistenceBound persistence, int epochs,
                             long updatesPerEpoch, float learningRate, float momentum, StepSizeConfig stepSize,
                             long seed, List<Double> epsilons, double timeLimitSeconds, boolean poison,
                             ElasticConfig elastic) {
    /** Largest worker count accepted. */
    public static final int MAX_THREADS = 4096;

    public TrainingConfig {
        Objects.requireNonNull(algorithm, "algorithm");
        Objects.requireNonNull(persistence, "persistence");
        Objects.requireNonNull(stepSize, "stepSize");
        epsilons = List.copyOf(Objects.requireNonNull(epsilons, "epsilons"));
        if (threads < 1 || threads > MAX_THREADS) {
            throw new IllegalArgumentException("threads must be in [1, " + MAX_THREADS + "], got " + threads);
        }
        if (algorithm == AlgorithmKind.SEQ && threads != 1) {
            throw new IllegalArgumentException("threads must be 1 for algorithm SEQ, got " + threads);
        }
        if (epochs < 1) {
            throw new IllegalArgumentException("epochs must be >= 1, got " + epochs);
        }
        if (updatesPerEpoch < 1) {
            throw new IllegalArgumentException("updates per epoch must be >= 1, got " + updatesPerEpoch);
        }
        if (!(learningRate > 0) || Float.isInfinite(learningRate)) {
            throw new IllegalArgumentException("learning rate must be a positive finite number, got " + learningRate);
        }
        if (!(momentum >= 0 && momentum < 1)) {
            throw new IllegalArgumentException("momentum must be in [0, 1), got " + momentum);
        }
        for (double e : epsilons) {
            if (!(e > 0 && e < 1)) {
                throw new IllegalArgumentException("each epsilon must be in (0, 1) (a fraction of the initial loss), got " + e);
            }
        }
        if (!(timeLimitSeconds >= 0)) {
            throw new IllegalArgumentException("time limit must be >= 0 seconds, got " + timeLimitSeconds);
        }
        if (elastic != null) {
            if (algorithm == AlgorithmKind.SEQ || algorithm == AlgorithmKind.SYNC) {
                throw new IllegalArgumentException("elastic parallelism needs an asynchronous algorithm (ASYNC, HOG or LSH), got "
                        + algorithm);
            }
            elastic.validateAgainst(threads);
        }
    }

    /** A static (non-elastic) run: the components before {@code elastic}, with {@code elastic = null}. */
    public TrainingConfig(AlgorithmKind algorithm, int threads, PersistenceBound persistence, int epochs,
                          long updatesPerEpoch, float learningRate, float momentum, StepSizeConfig stepSize,
                          long seed, List<Double> epsilons, double timeLimitSeconds, boolean poison) {
        this(algorithm, threads, persistence, epochs, updatesPerEpoch, learningRate, momentum, stepSize, seed, epsilons,
                timeLimitSeconds, poison, null);
    }

    /**
     * The same configuration with elastic settings ({@code null} for a static run).
     *
     * @throws IllegalArgumentException as the canonical constructor
     */
    public TrainingConfig withElastic(ElasticConfig settings) {
        return new TrainingConfig(algorithm, threads, persistence, epochs, updatesPerEpoch, learningRate, momentum, stepSize,
                seed, epsilons, timeLimitSeconds, poison, settings);
    }
}
