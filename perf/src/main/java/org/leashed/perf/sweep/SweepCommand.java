package org.leashed.perf.sweep;

import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Unmatched;

/**
 * {@code leashed sweep --out-dir DIR [train flags with grids]}: runs every configuration of a grid of
 * {@code train} flags, one child JVM at a time, resumable. Exit status: 0 when every configuration has a
 * valid result, {@value #EXIT_RUNS_FAILED} when at least one failed (the others are still run and
 * summarised), {@value #EXIT_USAGE} for a bad command line.
 */
@Command(name = "sweep", mixinStandardHelpOptions = true,
        description = {"Run a grid of train configurations, one child JVM each, into --out-dir.",
            "Train flags take comma-separated values to form the grid, e.g.",
            "  --algo ASYNC,LSH --threads 1,2,4 --seed 1,2,3 --stepsize NONE,TAIL --persistence 0,inf",
            "--epsilon and --pin take lists themselves; separate their grid values with ';'.",
            "Results: DIR/<run-id>.json per run, DIR/summary.csv and DIR/summary.json, DIR/logs/.",
            "Re-running the same command skips runs whose result file is valid."},
        footer = {"Train flags accepted: --algo/-a --threads/-n --persistence/-B --arch/-A --layers/-L "
                + "--units/-U --dataset/-D --epochs/-e --rounds/-r --batch/-b --lr/-l --stepsize/-t --seed "
                + "--epsilon --time-limit --elastic --probe-interval --probe-duration --probe-window "
                + "--tail-amplitude --staleness-model --pin --data-dir --momentum --input-scale"})
public final class SweepCommand implements Callable<Integer> {
    /** At least one configuration failed to produce a valid result. */
    public static final int EXIT_RUNS_FAILED = 1;
    /** Bad command line. */
    public static final int EXIT_USAGE = 2;

    @Spec
    CommandSpec spec;

    @Option(names = "--out-dir", required = true, paramLabel = "DIR", description = "Directory for results.")
    Path outDir;

    @Option(names = "--jvm-arg", paramLabel = "FLAG",
            description = "Extra flag for each child JVM (repeatable), e.g. --jvm-arg=-Xmx8g.")
    List<String> jvmArgs = new ArrayList<>();

    @Option(names = "--run-timeout", paramLabel = "SECONDS",
            description = "Kill a child after this many seconds and record the run as failed (default: no limit).")
    Long runTimeoutSeconds;

    @Option(names = "--dry-run", description = "Print the run ids and train arguments without running anything.")
    boolean dryRun;

    @Option(names = "--train-main", hidden = true, defaultValue = ChildLauncher.CLI_MAIN,
            description = "Main class of the child JVM (tests substitute a stand-in).")
    String trainMain;

    @Unmatched
    List<String> trainArgs = new ArrayList<>();

    @Override
    public Integer call() {
        final PrintWriter out = spec.commandLine().getOut();
        final PrintWriter err = spec.commandLine().getErr();
        final SweepGrid grid;
        try {
            grid = SweepGrid.parse(trainArgs);
            if (runTimeoutSeconds != null && runTimeoutSeconds <= 0) {
                throw new IllegalArgumentException("sweep: --run-timeout must be > 0 seconds, was " + runTimeoutSeconds);
            }
        } catch (IllegalArgumentException e) {
            err.println(e.getMessage());
            err.flush();
            return EXIT_USAGE;
        }
        if (dryRun) {
            for (SweepGrid.Point point : grid.points()) {
                out.println(point.id() + "\t" + String.join(" ", point.args()));
            }
            out.flush();
            return 0;
        }
        try {
            final ChildLauncher launcher = ChildLauncher.forThisJvm(trainMain, jvmArgs);
            final SweepRunner.Totals totals = new SweepRunner(grid, trainArgs, outDir, launcher,
                    Optional.ofNullable(runTimeoutSeconds).map(Duration::ofSeconds), out).run();
            return totals.failed() == 0 ? 0 : EXIT_RUNS_FAILED;
        } catch (UncheckedIOException e) {
            err.println("sweep: " + e.getMessage());
            err.flush();
            return EXIT_RUNS_FAILED;
        }
    }
}
