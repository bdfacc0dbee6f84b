package org.leashed.kernel.checkpoint;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

import org.leashed.kernel.run.EpochStats;
import org.leashed.kernel.run.TrainingConfig;

/**
 * The state of a run at an epoch boundary, enough to continue it as if it had not stopped: written by
 * the trainer while every worker is parked between epochs (so the snapshot is consistent and off the
 * clock), stored by {@link CheckpointFile}. Model-agnostic: the parameters are d floats, the model is
 * named only through {@link #fingerprint()} entries the caller adds.
 *
 * <p>Sampler randomness: the trainer restarts every worker's sampler at each epoch from a seed derived
 * from (run seed, worker, epoch) ({@link #epochSeed}), so a sampler's state at an epoch boundary is
 * that seed; {@link #workerSeeds()} holds the seeds of the next epoch.
 *
 * <p>Step sizes: a pure function of the configuration and the merged staleness histogram, rebuilt on
 * resume; {@link #stepSizes()} ({@code StepSizeTable.head}) is kept so that a resume can check that the
 * rebuilt table is the same one (a different build could compute it differently).
 *
 * @param fingerprint        configuration that must be equal on resume (key: field, value: as text)
 * @param completedEpochs    epochs completed (the run continues with epoch completedEpochs + 1)
 * @param appliedUpdates     cumulative applied updates
 * @param droppedUpdates     cumulative dropped gradients (give-ups and MindTheStep drops)
 * @param wallSeconds        cumulative training wall time
 * @param initialLoss        loss at theta_0 (epsilon targets are fractions of it)
 * @param history            one record per completed epoch, in order
 * @param workerSeeds        per-worker sampler seed of epoch completedEpochs + 1 (length m)
 * @param stalenessHistogram merged staleness histogram so far (trimmed)
 * @param stepSizes          the step-size table in force for the next epoch ({@code head(SIZE)})
 * @param stepDropAbove      its drop threshold ({@code StepSizeTable.dropAbove()})
 * @param parameters         the parameter vector (the latest published one for LSH; theta otherwise)
 * @param velocities         per-worker momentum state, m vectors of d floats, or empty without momentum
 */
public record Checkpoint(Map<String, String> fingerprint, int completedEpochs, long appliedUpdates, long droppedUpdates,
                         double wallSeconds, double initialLoss, List<EpochStats> history, long[] workerSeeds,
                         long[] stalenessHistogram, float[] stepSizes, int stepDropAbove, float[] parameters,
                         List<float[]> velocities) {

    /** Fingerprint key of the parameter dimension d. */
    public static final String DIMENSION = "dimension";
    /** Fingerprint key of the worker count m. */
    public static final String THREADS = "threads";

    public Checkpoint {
        fingerprint = Map.copyOf(Objects.requireNonNull(fingerprint, "fingerprint"));
        history = List.copyOf(Objects.requireNonNull(history, "history"));
        velocities = List.copyOf(Objects.requireNonNull(velocities, "velocities"));
        Objects.requireNonNull(workerSeeds, "workerSeeds");
        Objects.requireNonNull(stalenessHistogram, "stalenessHistogram");
        Objects.requireNonNull(stepSizes, "stepSizes");
        Objects.requireNonNull(parameters, "parameters");
        if (completedEpochs != history.size()) {
            throw new IllegalArgumentException("completedEpochs " + completedEpochs + " != history size " + history.size());
        }
        for (float[] v : velocities) {
            if (v.length != parameters.length) {
                throw new IllegalArgumentException("velocity length " + v.length + " != dimension " + parameters.length);
            }
        }
        if (!velocities.isEmpty() && velocities.size() != workerSeeds.length) {
            throw new IllegalArgumentException("velocities " + velocities.size() + " != workers " + workerSeeds.length);
        }
    }

    /**
     * The configuration a run must share with a checkpoint to resume from it: everything that changes
     * the trajectory (not the epoch count, time limit or epsilon targets, which only say when to stop
     * and what to report), plus the caller's model fields.
     */
    public static Map<String, String> fingerprintOf(TrainingConfig config, int dimension, Map<String, String> modelFields) {
        final Map<String, String> f = new LinkedHashMap<>();
        f.put("algorithm", config.algorithm().name());
        f.put(THREADS, Integer.toString(config.threads()));
        f.put(DIMENSION, Integer.toString(dimension));
        f.put("persistence", config.persistence().toString());
        f.put("updates_per_epoch", Long.toString(config.updatesPerEpoch()));
        f.put("learning_rate", Float.toString(config.learningRate()));
        f.put("momentum", Float.toString(config.momentum()));
        f.put("stepsize", config.stepSize().kind().name());
        f.put("tail_amplitude", Double.toString(config.stepSize().tailAmplitude()));
        f.put("staleness_model", config.stepSize().model().name());
        f.put("cap_factor", Double.toString(config.stepSize().capFactor()));
        f.put("max_staleness", Integer.toString(config.stepSize().maxStaleness()));
        f.put("seed", Long.toString(config.seed()));
        for (Map.Entry<String, String> e : modelFields.entrySet()) {
            if (f.containsKey(e.getKey())) {
                throw new IllegalArgumentException("model field '" + e.getKey() + "' collides with a run field");
            }
            f.put(e.getKey(), e.getValue());
        }
        return f;
    }

    /**
     * Checks that a run with {@code runFingerprint} may resume from this checkpoint.
     *
     * @param source where the checkpoint came from, for the message
     * @throws CheckpointException naming the first differing field (in name order), the checkpoint's
     *                             value and the run's value
     */
    public void requireCompatible(Map<String, String> runFingerprint, String source) throws CheckpointException {
        final TreeSet<String> keys = new TreeSet<>(fingerprint.keySet());
        keys.addAll(runFingerprint.keySet());
        final List<String> mismatches = new ArrayList<>();
        for (String key : keys) {
            final String saved = fingerprint.get(key);
            final String run = runFingerprint.get(key);
            if (!Objects.equals(saved, run)) {
                mismatches.add(String.format(Locale.ROOT, "%s: checkpoint %s, this run %s", key,
                        saved == null ? "(absent)" : saved, run == null ? "(absent)" : run));
            }
        }
        if (!mismatches.isEmpty()) {
            throw new CheckpointException(source + ": checkpoint does not match this run's configuration ("
                    + String.join("; ", mismatches) + "); resume with the same settings as the run that wrote it");
        }
    }

    /**
     * The sampler seed of {@code worker} in {@code epoch} (1-based; 0 = the sampler's creation): a fixed
     * mix of the three (SplitMix64's finaliser), so a resumed run draws the same mini-batches as an
     * uninterrupted one.
     */
    public static long epochSeed(long runSeed, int worker, int epoch) {
        long z = runSeed;
        z = mix64(z + 0x9E3779B97F4A7C15L * (worker + 1L));
        z = mix64(z + 0xD1B54A32D192ED03L * (epoch + 1L));
        return z;
    }

    private static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Number of workers m. */
    public int workers() {
        return workerSeeds.length;
    }

    /** Parameter dimension d. */
    public int dimension() {
        return parameters.length;
    }
}
