package org.leashed.perf.sweep;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.leashed.perf.report.AtomicFiles;
import org.leashed.perf.report.ResultFileException;
import org.leashed.perf.report.ResultReader;
import org.leashed.perf.report.RunRecord;
import org.leashed.perf.report.SummaryTable;

/**
 * Runs a {@link SweepGrid} one configuration at a time into a directory:
 *
 * <pre>
 * DIR/sweep.json         the grid: arguments, axes, run ids (rewritten at start)
 * DIR/&lt;run-id&gt;.json      each run's result, written by the child's train --out
 * DIR/logs/&lt;run-id&gt;.log  each child's stdout and stderr
 * DIR/summary.csv/.json  one row per run so far (rewritten atomically after every run)
 * </pre>
 *
 * <p>Resume: a run whose {@code DIR/<run-id>.json} exists and passes {@link ResultReader} validation is
 * skipped; an invalid one (e.g. from a killed child) is run again. Single-threaded; the runner is the only
 * writer of the directory's summary files.
 */
public final class SweepRunner {
    private final SweepGrid grid;
    private final List<String> originalArgs;
    private final Path outDir;
    private final ChildLauncher launcher;
    private final Optional<Duration> runTimeout;
    private final PrintWriter progress;

    /** Totals of a sweep. */
    public record Totals(int completed, int skipped, int failed) {
    }

    public SweepRunner(SweepGrid grid, List<String> originalArgs, Path outDir, ChildLauncher launcher,
                       Optional<Duration> runTimeout, PrintWriter progress) {
        this.grid = grid;
        this.originalArgs = List.copyOf(originalArgs);
        this.outDir = outDir;
        this.launcher = launcher;
        this.runTimeout = runTimeout;
        this.progress = progress;
    }

    /** Runs (or skips) every configuration; never throws for a failed run, only for an unwritable DIR. */
    public Totals run() {
        final List<SweepGrid.Point> points = grid.points();
        writeManifest(points);
        final Map<String, RunRecord> done = new LinkedHashMap<>();
        final Map<String, SummaryTable.FailedRun> failed = new LinkedHashMap<>();
        int completed = 0;
        int skipped = 0;
        long ranNanos = 0;
        int ran = 0;
        for (int i = 0; i < points.size(); i++) {
            final SweepGrid.Point point = points.get(i);
            final String tag = String.format(Locale.ROOT, "[%d/%d] %s", i + 1, points.size(), point.id());
            final Path result = outDir.resolve(point.id() + ".json");
            final Optional<RunRecord> existing = validExisting(result, tag);
            if (existing.isPresent()) {
                done.put(point.id(), existing.get());
                skipped++;
                progress.println(tag + ": skipped, valid result exists (" + existing.get().outcome().jsonName() + ")");
                progress.flush();
                continue;
            }
            progress.println(tag + ": running " + String.join(" ", point.args()));
            progress.flush();
            final Path log = outDir.resolve("logs").resolve(point.id() + ".log");
            final ChildLauncher.Result child = launcher.run(point.args(), result, log, runTimeout);
            ran++;
            ranNanos += child.wall().toNanos();
            final String wall = seconds(child.wall().toNanos());
            final String eta = "ETA " + seconds((ranNanos / ran) * remainingToRun(points, i + 1));
            if (child.timedOut()) {
                failed.put(point.id(), new SummaryTable.FailedRun(point.id(), point.values(),
                        "killed after the run timeout of " + runTimeout.orElseThrow().toSeconds() + " s; log: " + log));
                progress.println(tag + ": FAILED, killed after " + wall + " (timeout); log " + log + "; " + eta);
            } else {
                try {
                    final RunRecord record = ResultReader.read(result);
                    done.put(point.id(), record);
                    completed++;
                    final double trainS = record.epochs().isEmpty() ? 0.0 : record.epochs().getLast().wallS();
                    progress.println(tag + ": " + record.outcome().jsonName() + " in " + wall + " (training "
                            + seconds((long) (trainS * 1e9)) + ", outside the training clock "
                            + seconds((long) ((child.wall().toNanos() / 1e9 - trainS) * 1e9)) + "), exit "
                            + child.exitCode() + "; " + eta);
                } catch (ResultFileException e) {
                    final String why = child.exitCode() != 0
                            ? "train exited with status " + child.exitCode() + ": " + lastLine(log)
                            : "train exited 0 but its result is unusable: " + e.getMessage();
                    failed.put(point.id(), new SummaryTable.FailedRun(point.id(), point.values(), why + " (log: " + log + ")"));
                    progress.println(tag + ": FAILED after " + wall + ", " + why + "; log " + log + "; " + eta);
                }
            }
            progress.flush();
            writeSummaries(points, done, failed);
        }
        writeSummaries(points, done, failed);
        final Totals totals = new Totals(completed, skipped, failed.size());
        progress.printf(Locale.ROOT, "sweep: %d run(s): %d completed, %d skipped (already done), %d failed; %s%n",
                points.size(), totals.completed(), totals.skipped(), totals.failed(), outDir.resolve("summary.csv"));
        progress.flush();
        return totals;
    }

    private Optional<RunRecord> validExisting(Path result, String tag) {
        if (!Files.exists(result)) {
            return Optional.empty();
        }
        try {
            return Optional.of(ResultReader.read(result));
        } catch (ResultFileException e) {
            progress.println(tag + ": existing result is invalid, running again (" + e.getMessage() + ")");
            return Optional.empty();
        }
    }

    private int remainingToRun(List<SweepGrid.Point> points, int from) {
        int remaining = 0;
        for (int j = from; j < points.size(); j++) {
            if (!Files.exists(outDir.resolve(points.get(j).id() + ".json"))) {
                remaining++;
            }
        }
        return remaining;
    }

    private void writeManifest(List<SweepGrid.Point> points) {
        final ObjectNode manifest = JsonNodeFactory.instance.objectNode();
        final ArrayNode args = manifest.putArray("args");
        originalArgs.forEach(args::add);
        final ObjectNode axes = manifest.putObject("axes");
        grid.axes().forEach(a -> {
            final ArrayNode values = axes.putArray(a.flag().key());
            a.values().forEach(values::add);
        });
        final ArrayNode runs = manifest.putArray("runs");
        for (SweepGrid.Point point : points) {
            final ObjectNode run = runs.addObject();
            run.put("id", point.id());
            final ArrayNode runArgs = run.putArray("train_args");
            point.args().forEach(runArgs::add);
        }
        AtomicFiles.writeString(outDir.resolve(ResultReader.SWEEP_MANIFEST_JSON), manifest.toPrettyString());
    }

    private void writeSummaries(List<SweepGrid.Point> points, Map<String, RunRecord> done,
                                Map<String, SummaryTable.FailedRun> failed) {
        final List<RunRecord> records = new ArrayList<>();
        final List<SummaryTable.FailedRun> failures = new ArrayList<>();
        for (SweepGrid.Point point : points) {
            if (done.containsKey(point.id())) {
                records.add(done.get(point.id()));
            } else if (failed.containsKey(point.id())) {
                failures.add(failed.get(point.id()));
            }
        }
        final SummaryTable table = SummaryTable.of(records, failures);
        AtomicFiles.writeString(outDir.resolve("summary.csv"), table.toCsv());
        AtomicFiles.writeString(outDir.resolve("summary.json"), table.toJson().toPrettyString());
    }

    private static String lastLine(Path log) {
        try {
            final List<String> lines = Files.readAllLines(log);
            for (int i = lines.size() - 1; i >= 0; i--) {
                if (!lines.get(i).isBlank() && !lines.get(i).startsWith("#") && !lines.get(i).startsWith("WARNING:")) {
                    return lines.get(i).strip();
                }
            }
            return "(no output)";
        } catch (IOException e) {
            return "(log unreadable: " + e.getMessage() + ")";
        }
    }

    private static String seconds(long nanos) {
        final double s = nanos / 1e9;
        return s < 120 ? String.format(Locale.ROOT, "%.1f s", s)
                : String.format(Locale.ROOT, "%dm%02ds", (long) s / 60, (long) s % 60);
    }
}
