package org.leashed.perf.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.leashed.kernel.run.AlgorithmKind;
import org.leashed.kernel.run.StalenessModel;
import org.leashed.kernel.run.StepSizeKind;
import org.leashed.memory.PersistenceBound;
import picocli.CommandLine;

/** Parsing and validation of {@code leashed train}; nothing here trains or touches the network. */
class TrainCommandTest {

    private static TrainSettings parse(String... args) {
        final CommandLine cli = LeashedCli.newCommandLine();
        final String[] full = new String[args.length + 1];
        full[0] = "train";
        System.arraycopy(args, 0, full, 1, args.length);
        cli.parseArgs(full);
        final TrainCommand train = cli.getSubcommands().get("train").getCommand();
        return train.settings();
    }

    /** Runs the CLI and returns exit code and stderr. */
    private record Run(int exitCode, String err) {
    }

    private static Run execute(String... args) {
        final CommandLine cli = LeashedCli.newCommandLine();
        final StringWriter err = new StringWriter();
        final StringWriter out = new StringWriter();
        cli.setErr(new PrintWriter(err));
        cli.setOut(new PrintWriter(out));
        final int code = cli.execute(args);
        return new Run(code, err.toString());
    }

    @Test
    void shouldApplyThesisDefaultsWhenNoFlagIsGiven() {
        final TrainSettings s = parse("--data-dir", "/tmp/d");
        assertEquals(AlgorithmKind.SEQ, s.algo());
        assertEquals(1, s.threads());
        assertEquals(PersistenceBound.unbounded(), s.persistence());
        assertEquals(Architecture.MLP, s.arch());
        assertEquals(3, s.layers());
        assertEquals(128, s.units());
        assertEquals(DatasetChoice.MNIST, s.dataset());
        assertEquals(10, s.epochs());
        assertEquals(OptionalLong.empty(), s.rounds());
        assertEquals(512, s.batch());
        assertEquals(0.005f, s.lr());
        assertEquals(StepSizeKind.NONE, s.stepsize());
        assertEquals(1, s.seed());
        assertEquals(List.of(0.5, 0.1, 0.025), s.epsilons());
        assertEquals(0.0, s.timeLimitSeconds());
        assertEquals(Optional.empty(), s.out());
        assertEquals(1.0, s.tailAmplitude());
        assertEquals(StalenessModel.CMP, s.stalenessModel());
        assertEquals("none", s.pin().spelling());
        assertEquals(0f, s.momentum());
        assertEquals(InputScale.RAW, s.inputScale());
        assertEquals(0.01f, s.initStd());
        assertEquals(117, TrainSettings.defaultUpdatesPerEpoch(60_000, 512));
    }

    @Test
    void shouldAcceptEveryLongFlagWhenValuesAreValid() {
        final TrainSettings s = parse("--algo", "lsh", "--threads", "4", "--persistence", "1", "--arch", "mlp", "--layers", "2",
                "--units", "64", "--dataset", "mnist", "--epochs", "3", "--rounds", "50", "--batch", "128", "--lr", "0.01",
                "--stepsize", "tail", "--seed", "9", "--epsilon", "0.4,0.2", "--time-limit", "30", "--out", "x/r.json",
                "--tail-amplitude", "0.5", "--staleness-model", "poisson", "--pin", "none", "--data-dir", "/tmp/d",
                "--momentum", "0.9", "--input-scale", "UNIT", "--init-std", "0.02");
        assertEquals(AlgorithmKind.LSH, s.algo());
        assertEquals(4, s.threads());
        assertEquals(PersistenceBound.of(1), s.persistence());
        assertEquals(2, s.layers());
        assertEquals(64, s.units());
        assertEquals(3, s.epochs());
        assertEquals(OptionalLong.of(50), s.rounds());
        assertEquals(128, s.batch());
        assertEquals(0.01f, s.lr());
        assertEquals(StepSizeKind.TAIL, s.stepsize());
        assertEquals(9, s.seed());
        assertEquals(List.of(0.4, 0.2), s.epsilons());
        assertEquals(30.0, s.timeLimitSeconds());
        assertEquals(Optional.of(Path.of("x/r.json")), s.out());
        assertEquals(0.5, s.tailAmplitude());
        assertEquals(StalenessModel.POISSON, s.stalenessModel());
        assertEquals(Path.of("/tmp/d"), s.dataDir());
        assertEquals(0.9f, s.momentum());
        assertEquals(InputScale.UNIT, s.inputScale());
        assertEquals(0.02f, s.initStd());
    }

    @Test
    void shouldAcceptShortAliasesOfTheReferenceFrameworkWhenGiven() {
        final TrainSettings s = parse("-a", "ASYNC", "-n", "8", "-B", "0", "-A", "MLP", "-L", "4", "-U", "32", "-D", "MNIST",
                "-e", "20", "-r", "100", "-b", "256", "-l", "0.002", "-t", "MINDTHESTEP", "--data-dir", "/tmp/d");
        assertEquals(AlgorithmKind.ASYNC, s.algo());
        assertEquals(8, s.threads());
        assertEquals(PersistenceBound.of(0), s.persistence());
        assertEquals(Architecture.MLP, s.arch());
        assertEquals(4, s.layers());
        assertEquals(32, s.units());
        assertEquals(DatasetChoice.MNIST, s.dataset());
        assertEquals(20, s.epochs());
        assertEquals(OptionalLong.of(100), s.rounds());
        assertEquals(256, s.batch());
        assertEquals(0.002f, s.lr());
        assertEquals(StepSizeKind.MINDTHESTEP, s.stepsize());
    }

    @Test
    void shouldRecordEveryFlagWhenBuildingConfigMap() {
        final TrainSettings s = parse("--data-dir", "/tmp/d");
        final var config = s.toConfigMap(117, Path.of("r.json"));
        for (String key : List.of("algo", "threads", "persistence", "arch", "layers", "units", "dataset", "epochs", "rounds",
                "batch", "lr", "stepsize", "seed", "epsilon", "time_limit", "out", "elastic", "probe_interval",
                "probe_duration", "probe_window", "tail_amplitude", "staleness_model", "pin", "checkpoint",
                "checkpoint_every", "resume", "data_dir", "momentum", "input_scale", "init_std")) {
            assertTrue(config.containsKey(key), "config lacks " + key);
        }
        assertEquals(0.005, config.get("lr"));
        assertEquals("inf", config.get("persistence"));
        assertEquals(117L, config.get("rounds"));
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', value = {
        "--threads|x|'--threads'",
        "-n|0|'--threads'",
        "--algo|FOO|SEQ, SYNC, ASYNC, HOG, LSH",
        "-a|foo|'--algo'",
        "--persistence|-1|'--persistence'",
        "-B|lots|'--persistence'",
        "--arch|RNN|MLP, CNN, LENET, CIFARCNN",
        "--dataset|SVHN|FASHION-MNIST",
        "--epochs|0|'--epochs'",
        "--rounds|0|'--rounds'",
        "--batch|-5|'--batch'",
        "--lr|0|'--lr'",
        "-l|abc|'--lr'",
        "--stepsize|FAST|NONE, INVERSE, FLEET, TAIL, MINDTHESTEP",
        "--seed|1.5|'--seed'",
        "--epsilon|1.5|'--epsilon'",
        "--epsilon|0.5,x|'--epsilon'",
        "--time-limit|-1|'--time-limit'",
        "--tail-amplitude|2|'--tail-amplitude'",
        "--staleness-model|ZIPF|GEOM, POISSON, CMP",
        "--pin|everywhere|none, compact, scatter",
        "--momentum|1|'--momentum'",
        "--input-scale|half|RAW, UNIT",
        "--init-std|-0.1|'--init-std'",
        "--layers|-1|'--layers'",
        "--units|0|'--units'"})
    void shouldExitWithUsageErrorNamingFlagWhenValueIsInvalid(String flag, String value, String expectedText) {
        final Run run = execute("train", flag, value, "--data-dir", "/nonexistent");
        assertEquals(2, run.exitCode(), run.err());
        assertTrue(run.err().contains(expectedText), run.err());
        final String shown = value.substring(value.lastIndexOf(',') + 1); // a list flag names the bad element
        assertTrue(run.err().contains(shown), "the message shows the value: " + run.err());
    }

    @Test
    void shouldNameTheDirectoryAndTheFilesWhenCifar10IsMissing(@TempDir Path dataDir) {
        final Run run = execute("train", "--dataset", "CIFAR10", "--arch", "CIFARCNN", "--data-dir", dataDir.toString());
        assertEquals(2, run.exitCode(), run.err());
        assertTrue(run.err().contains("CIFAR-10 is not in " + dataDir.resolve("cifar10")), run.err());
        assertTrue(run.err().contains("data_batch_1.bin") && run.err().contains("test_batch.bin"), run.err());
    }

    @Test
    void shouldRequireOneThreadWhenAlgorithmIsSequential() {
        final Run run = execute("train", "--algo", "SEQ", "--threads", "2");
        assertEquals(2, run.exitCode());
        assertTrue(run.err().contains("'--threads'") && run.err().contains("SEQ"), run.err());
    }

    @Test
    void shouldFailAsUsageErrorWhenNoCommandIsGiven() {
        final Run run = execute();
        assertEquals(2, run.exitCode());
        assertTrue(run.err().contains("train"), run.err());
    }

    @Test
    void shouldListFlagsAndExitZeroWhenHelpIsAsked() {
        final CommandLine cli = LeashedCli.newCommandLine();
        final StringWriter out = new StringWriter();
        cli.setOut(new PrintWriter(out));
        assertEquals(0, cli.execute("train", "--help"));
        for (String flag : List.of("--algo", "--threads", "--persistence", "--arch", "--layers", "--units", "--dataset",
                "--epochs", "--rounds", "--batch", "--lr", "--stepsize", "--seed", "--epsilon", "--time-limit", "--out",
                "--elastic", "--probe-interval", "--probe-duration", "--probe-window", "--tail-amplitude",
                "--staleness-model", "--pin", "--checkpoint", "--checkpoint-every", "--resume", "--data-dir", "--momentum",
                "--input-scale", "--init-std")) {
            assertTrue(out.toString().contains(flag), "help lacks " + flag);
        }
        assertFalse(out.toString().contains("${"), "unexpanded help variable");
    }

    @Test
    void shouldCarryCheckpointFlagsIntoSettingsWhenGiven(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        final Path resume = java.nio.file.Files.writeString(dir.resolve("old.ckpt"), "x");
        final TrainSettings s = parse("--checkpoint", "run.ckpt", "--checkpoint-every", "30", "--resume", resume.toString(),
                "--epochs", "4", "--data-dir", "/tmp/d");
        assertEquals(Optional.of(Path.of("run.ckpt")), s.checkpoint());
        assertEquals(30.0, s.checkpointEverySeconds());
        assertEquals(Optional.of(resume), s.resume());
        final var config = s.toConfigMap(117, Path.of("r.json"));
        assertEquals("run.ckpt", config.get("checkpoint"));
        assertEquals(30.0, config.get("checkpoint_every"));
        assertEquals(resume.toString(), config.get("resume"));
        final TrainSettings defaults = parse("--checkpoint", "run.ckpt", "--data-dir", "/tmp/d");
        assertEquals(TrainSettings.DEFAULT_CHECKPOINT_EVERY_SECONDS, defaults.checkpointEverySeconds());
        assertEquals(Optional.empty(), defaults.resume());
        assertTrue(defaults.modelFields().keySet().containsAll(List.of("arch", "layers", "units", "dataset", "batch")));
        // checkpoints written before the narrow dense layers went out-major lack this field and are refused
        assertEquals("dense-out-major-below-16", defaults.modelFields().get("param_layout"));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "--checkpoint-every 60|--checkpoint-every|given without --checkpoint",
        "--checkpoint c.ckpt --checkpoint-every 0|--checkpoint-every|seconds > 0",
        "--checkpoint c.ckpt --checkpoint-every -5|--checkpoint-every|seconds > 0",
        "--checkpoint c.ckpt --checkpoint-every NaN|--checkpoint-every|seconds > 0",
        "--checkpoint c.ckpt --checkpoint-every Infinity|--checkpoint-every|seconds > 0",
        "--resume /nonexistent/c.ckpt|--resume|an existing checkpoint file",
        "--algo LSH --threads 2 --elastic --checkpoint c.ckpt|--checkpoint|with --elastic"})
    void shouldExitWithUsageErrorWhenCheckpointFlagsConflict(String args, String flag, String expected) {
        final List<String> argv = new java.util.ArrayList<>(List.of("train"));
        argv.addAll(List.of(args.split(" ")));
        argv.addAll(List.of("--data-dir", "/nonexistent"));
        final Run run = execute(argv.toArray(String[]::new));
        assertEquals(2, run.exitCode(), run.err());
        assertTrue(run.err().contains("'" + flag + "'") && run.err().contains(expected), run.err());
        assertTrue(!run.err().contains("\tat "), "no stack trace: " + run.err());
    }

    @Test
    void shouldExitWithUsageErrorBeforeTrainingWhenCheckpointCannotBeWritten(@org.junit.jupiter.api.io.TempDir Path dir) {
        final Run run = execute("train", "--out", dir.resolve("r.json").toString(), "--checkpoint", dir.toString(),
                "--data-dir", "/nonexistent");
        assertEquals(2, run.exitCode(), run.err());
        assertTrue(run.err().contains("--checkpoint " + dir) && run.err().contains("it is a directory"), run.err());
    }
}
