package org.leashed.perf.cli;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.leashed.kernel.elastic.ElasticConfig;
import java.util.Optional;
import java.util.OptionalLong;
import org.leashed.kernel.run.AlgorithmKind;
import org.leashed.kernel.run.StalenessModel;
import org.leashed.kernel.run.StepSizeKind;
import org.leashed.memory.PersistenceBound;
import org.leashed.perf.topology.PinningPolicy;

/**
 * Every {@code train} flag's value after parsing and validation: immutable, built once by
 * {@link TrainCommand}. {@link #toConfigMap} is what result files record as {@code config}.
 *
 * @param rounds updates per epoch when {@code --rounds} was given; empty means |D| / batch (see {@link #defaultUpdatesPerEpoch})
 * @param out    {@code --out}; empty means results/&lt;timestamp&gt;-&lt;algo&gt;-&lt;arch&gt;.json
 * @param checkpoint             {@code --checkpoint}; empty: no checkpoints
 * @param checkpointEverySeconds {@code --checkpoint-every} (default {@link #DEFAULT_CHECKPOINT_EVERY_SECONDS})
 * @param resume                 {@code --resume}; empty: a fresh run
 */
public record TrainSettings(
        AlgorithmKind algo,
        int threads,
        PersistenceBound persistence,
        Architecture arch,
        int layers,
        int units,
        DatasetChoice dataset,
        int epochs,
        OptionalLong rounds,
        int batch,
        float lr,
        StepSizeKind stepsize,
        long seed,
        List<Double> epsilons,
        double timeLimitSeconds,
        Optional<Path> out,
        double tailAmplitude,
        StalenessModel stalenessModel,
        PinningPolicy pin,
        Path dataDir,
        float momentum,
        InputScale inputScale,
        float initStd,
        Optional<ElasticConfig> elastic,
        Optional<Path> checkpoint,
        double checkpointEverySeconds,
        Optional<Path> resume) {

    /** Seconds between checkpoints when {@code --checkpoint} is given without {@code --checkpoint-every}. */
    public static final double DEFAULT_CHECKPOINT_EVERY_SECONDS = 600;
    /** The parameter layout in checkpoint fingerprints: dense layers below 16 outputs out-major ({@code Dense.OUT_MAJOR_BELOW}). */
    static final String PARAM_LAYOUT = "dense-out-major-below-" + org.leashed.nn.layer.Dense.OUT_MAJOR_BELOW;

    public TrainSettings {
        Objects.requireNonNull(algo, "algo");
        Objects.requireNonNull(persistence, "persistence");
        Objects.requireNonNull(arch, "arch");
        Objects.requireNonNull(dataset, "dataset");
        Objects.requireNonNull(rounds, "rounds");
        Objects.requireNonNull(stepsize, "stepsize");
        epsilons = List.copyOf(epsilons);
        Objects.requireNonNull(out, "out");
        Objects.requireNonNull(stalenessModel, "stalenessModel");
        Objects.requireNonNull(pin, "pin");
        Objects.requireNonNull(dataDir, "dataDir");
        Objects.requireNonNull(inputScale, "inputScale");
        Objects.requireNonNull(elastic, "elastic");
        Objects.requireNonNull(checkpoint, "checkpoint");
        Objects.requireNonNull(resume, "resume");
    }

    /**
     * The effective configuration keyed by long flag name in snake_case ({@code --time-limit} is
     * {@code time_limit}); {@code checkpoint_every} is null without {@code --checkpoint}.
     *
     * @param updatesPerEpoch the effective updates per epoch (after resolving the default)
     * @param outPath         the effective result file
     */
    public Map<String, Object> toConfigMap(long updatesPerEpoch, Path outPath) {
        final Map<String, Object> config = new LinkedHashMap<>();
        config.put("algo", algo.name());
        config.put("threads", threads);
        config.put("persistence", persistence.toString());
        config.put("arch", arch.name());
        config.put("layers", layers);
        config.put("units", units);
        config.put("dataset", dataset.spelling());
        config.put("epochs", epochs);
        config.put("rounds", updatesPerEpoch);
        config.put("rounds_from_flag", rounds.isPresent());
        config.put("batch", batch);
        config.put("lr", exact(lr));
        config.put("stepsize", stepsize.name());
        config.put("seed", seed);
        config.put("epsilon", epsilons);
        config.put("time_limit", timeLimitSeconds);
        config.put("out", outPath.toString());
        config.put("elastic", elastic.isPresent());
        config.put("probe_interval", elastic.map(e -> (Object) e.probeInterval()).orElse(null));
        config.put("probe_duration", elastic.map(e -> (Object) e.probeDuration()).orElse(null));
        config.put("probe_window", elastic.map(e -> (Object) e.probeWindow()).orElse(null));
        config.put("tail_amplitude", tailAmplitude);
        config.put("staleness_model", stalenessModel.name());
        config.put("pin", pin.spelling());
        config.put("checkpoint", checkpoint.map(Path::toString).orElse(null));
        config.put("checkpoint_every", checkpoint.isPresent() ? checkpointEverySeconds : null);
        config.put("resume", resume.map(Path::toString).orElse(null));
        config.put("data_dir", dataDir.toString());
        config.put("momentum", exact(momentum));
        config.put("input_scale", inputScale.toString());
        config.put("init_std", exact(initStd));
        return config;
    }

    /**
     * The model and data a checkpoint belongs to: resuming with another one is refused (the kernel adds the
     * algorithm and optimiser settings).
     */
    public java.util.Map<String, String> modelFields() {
        final Map<String, String> fields = new LinkedHashMap<>();
        fields.put("arch", arch.name());
        fields.put("layers", Integer.toString(layers));
        fields.put("units", Integer.toString(units));
        fields.put("dataset", dataset.spelling());
        fields.put("batch", Integer.toString(batch));
        fields.put("input_scale", inputScale.toString());
        fields.put("init_std", Float.toString(initStd));
        // where each weight lives in the vector: dense layers under 16 outputs are stored out-major since
        // this field exists; a checkpoint without it has them in-major and must not be resumed
        fields.put("param_layout", PARAM_LAYOUT);
        return fields;
    }

    /** The float as the user wrote it (0.005, not 0.004999999888241291). */
    private static double exact(float value) {
        return Double.parseDouble(Float.toString(value));
    }

    /**
     * Updates per epoch when {@code --rounds} is not given: |D| / b in integer division, at least 1 (117 for
     * MNIST's 60,000 examples at b = 512, the number SPEC and the reference use).
     */
    public static long defaultUpdatesPerEpoch(int trainingCount, int batch) {
        return Math.max(1, trainingCount / batch);
    }
}
