package org.leashed.perf.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.leashed.perf.report.ResultReader;
import picocli.CommandLine;

class SweepCommandTest {
    @TempDir
    Path dir;

    private record Invocation(int exit, String out, String err) {
    }

    private static Invocation sweep(String... args) {
        final List<String> all = new ArrayList<>(List.of("--train-main", FakeTrain.class.getName()));
        all.addAll(List.of(args));
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final CommandLine cli = new CommandLine(new SweepCommand());
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        final int exit = cli.execute(all.toArray(String[]::new));
        return new Invocation(exit, out.toString(), err.toString());
    }

    @Test
    void shouldExpandCartesianGridWithStableIdsWhenFlagsHaveCommaValues() {
        final SweepGrid grid = SweepGrid.parse(List.of("--algo", "ASYNC,LSH", "-n", "1,2", "--seed=1,2,3",
                "--epochs", "5", "--epsilon", "0.5,0.1", "--pin", "compact;0-1", "--elastic"));
        assertEquals(24, grid.size());
        final List<SweepGrid.Point> points = grid.points();
        assertEquals(List.of("--epochs", "5", "--epsilon", "0.5,0.1", "--algo", "ASYNC", "--threads", "1",
                "--seed", "1", "--pin", "compact", "--elastic"), points.getFirst().args());
        assertTrue(points.getFirst().id().startsWith("algo-ASYNC_threads-1_seed-1_pin-compact-"), points.getFirst().id());
        assertTrue(points.get(1).id().startsWith("algo-ASYNC_threads-1_seed-1_pin-0-1-"), "last axis fastest");
        assertEquals(24, points.stream().map(SweepGrid.Point::id).distinct().count());
        // Same grid, flags in another order: same ids. Different fixed flag: different ids.
        final SweepGrid reordered = SweepGrid.parse(List.of("--elastic", "--epochs", "5", "--epsilon", "0.5,0.1",
                "--algo", "ASYNC,LSH", "--threads", "1,2", "--seed", "1,2,3", "--pin", "compact;0-1"));
        assertEquals(points.getFirst().id(), reordered.points().getFirst().id());
        final SweepGrid longer = SweepGrid.parse(List.of("--algo", "ASYNC,LSH", "-n", "1,2", "--seed=1,2,3",
                "--epochs", "6", "--epsilon", "0.5,0.1", "--pin", "compact;0-1", "--elastic"));
        assertNotEquals(points.getFirst().id(), longer.points().getFirst().id());
    }

    @Test
    void shouldRejectWithReasonWhenSweepArgumentsAreInvalid() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> SweepGrid.parse(List.of("--bogus", "1")))
                .getMessage().contains("unknown argument '--bogus'"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> SweepGrid.parse(List.of("--out", "x.json")))
                .getMessage().contains("--out-dir"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> SweepGrid.parse(List.of("--threads", "1,,2")))
                .getMessage().contains("empty grid element"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> SweepGrid.parse(List.of("-n", "1", "--threads", "2")))
                .getMessage().contains("given twice"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> SweepGrid.parse(List.of("--seed")))
                .getMessage().contains("needs a value"));
        final Invocation usage = sweep("--out-dir", dir.toString(), "--algo", "LSH", "--checkpoint", "c.bin");
        assertEquals(SweepCommand.EXIT_USAGE, usage.exit());
        assertTrue(usage.err().contains("--checkpoint is not accepted"), usage.err());
    }

    @Test
    void shouldRunEachConfigurationAndResumeWhenResultsExist() throws IOException {
        final Path out = dir.resolve("campaign");
        final String[] args = {"--out-dir", out.toString(), "--algo", "ASYNC,LSH", "--threads", "2,3", "--epochs", "6"};
        final Invocation first = sweep(args);
        assertEquals(SweepCommand.EXIT_RUNS_FAILED, first.exit(), first.out() + first.err());
        assertTrue(first.out().contains("[1/4]") && first.out().contains("[4/4]"), first.out());
        assertTrue(first.out().contains("2 completed, 0 skipped (already done), 2 failed"), first.out());
        assertTrue(first.out().contains("exited with status 7: boom: cannot run with 3 threads"), first.out());

        final List<String> csv = Files.readAllLines(out.resolve("summary.csv"));
        assertEquals(5, csv.size(), String.join("\n", csv));
        assertEquals(2, csv.stream().filter(l -> l.contains(",converged,")).count());
        assertEquals(2, csv.subList(1, csv.size()).stream().filter(l -> l.contains(",error,")).count());
        final JsonNode summary = ResultReader.mapper().readTree(out.resolve("summary.json").toFile());
        assertEquals(4, summary.get("rows").size());
        final JsonNode manifest = ResultReader.mapper().readTree(out.resolve("sweep.json").toFile());
        assertEquals(4, manifest.get("runs").size());

        final List<Path> results;
        try (var listing = Files.list(out)) {
            results = listing.filter(p -> p.getFileName().toString().startsWith("algo-")
                    && p.toString().endsWith(".json")).sorted().toList();
        }
        assertEquals(2, results.size(), "one JSON per successful run: " + results);
        final Path kept = results.get(0);
        final Path corrupted = results.get(1);
        final FileTime keptTime = FileTime.fromMillis(1_000_000L);
        Files.setLastModifiedTime(kept, keptTime);
        Files.writeString(corrupted, "{ truncated");
        final Path keptLog = out.resolve("logs").resolve(kept.getFileName().toString().replace(".json", ".log"));
        Files.delete(keptLog);

        final Invocation second = sweep(args);
        assertTrue(second.out().contains("1 completed, 1 skipped (already done), 2 failed"), second.out());
        assertTrue(second.out().contains("existing result is invalid, running again"), second.out());
        assertEquals(keptTime, Files.getLastModifiedTime(kept), "a valid result is not redone");
        assertTrue(Files.notExists(keptLog), "no child was started for the skipped run");
        ResultReader.read(corrupted);
    }

    @Test
    void shouldRecordFailureWhenChildWritesInvalidResultOrTimesOut() throws IOException {
        final Path out = dir.resolve("bad");
        final Invocation run = sweep("--out-dir", out.toString(), "--seed", "99,77", "--run-timeout", "2");
        assertEquals(SweepCommand.EXIT_RUNS_FAILED, run.exit());
        assertTrue(run.out().contains("exited 0 but its result is unusable") && run.out().contains("not parseable"),
                run.out());
        assertTrue(run.out().contains("(timeout)"), run.out());
        final List<String> csv = Files.readAllLines(out.resolve("summary.csv"));
        assertEquals(3, csv.size());
        assertTrue(csv.get(2).contains("killed after the run timeout of 2 s"), csv.get(2));
    }

    @Test
    void shouldListRunsWithoutRunningWhenDryRun() {
        final Invocation dry = sweep("--out-dir", dir.resolve("dry").toString(), "--dry-run", "--algo", "ASYNC,LSH",
                "--seed", "1,2");
        assertEquals(0, dry.exit());
        assertEquals(4, dry.out().lines().count(), dry.out());
        assertTrue(Files.notExists(dir.resolve("dry")));
    }
}
