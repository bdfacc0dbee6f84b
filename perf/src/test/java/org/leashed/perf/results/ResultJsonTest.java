package org.leashed.perf.results;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.leashed.kernel.run.EpochStats;
import org.leashed.perf.report.ResultReader;
import org.leashed.perf.report.RunRecord;

class ResultJsonTest {
    /** Every top-level name SPEC "Output"/"Interface" fixes, including the reference's aliases. */
    private static final List<String> FIXED_NAMES = List.of("config", "machine", "outcome", "initial_loss", "epochs",
            "epoch_loss", "epoch_time", "time_to_epsilon", "staleness_hist", "staleness_dist", "cas_tries_hist",
            "numtriesdist", "tc_ns", "tu_ns", "memory", "worker_seconds", "contention", "test");

    @TempDir
    Path dir;

    private static ResultDocument complete() {
        return ResultAssembler.complete(ResultFixtures.context(), ResultFixtures.finishedRun(),
                new ResultDocument.TestScore(0.21, 0.94, 10_000));
    }

    @Test
    void shouldWriteEveryFixedNameWhenSerialisingACompleteRun() throws IOException {
        final JsonNode root = new ObjectMapper().readTree(ResultJson.toJson(complete()));
        for (String name : FIXED_NAMES) {
            assertTrue(root.has(name), "missing " + name);
        }
        assertEquals("diverged", root.get("outcome").asText());
        assertTrue(root.get("machine").has("cores") && root.get("machine").has("jdk") && root.get("machine").has("pinning"));
        final JsonNode epoch = root.get("epochs").get(1);
        assertEquals(List.of("epoch", "loss", "wall_s", "updates"), fieldNames(epoch));
        assertEquals(234, epoch.get("updates").asLong());
        assertEquals(List.of("p50", "p99", "mean", "count"), fieldNames(root.get("tc_ns")));
        assertEquals(List.of("live_vectors_peak", "offheap_bytes_peak"), fieldNames(root.get("memory")));
        assertEquals(List.of("predicted_n_star", "measured_n_mean"), fieldNames(root.get("contention")));
        assertEquals(List.of("loss", "accuracy", "count"), fieldNames(root.get("test")));
        assertEquals(List.of("0.5", "0.1", "0.025"), fieldNames(root.get("time_to_epsilon")));
        assertTrue(root.get("time_to_epsilon").get("0.025").isNull());
        assertEquals(51, root.get("staleness_hist").get("3").asLong());
        assertTrue(root.get("staleness_hist").get("2") == null, "empty bins are left out");
        assertEquals(root.get("staleness_hist"), root.get("staleness_dist"));
        assertEquals(root.get("cas_tries_hist"), root.get("numtriesdist"));
        assertEquals("[1.0,0.3,0.2]", root.get("epoch_loss").toString());
        assertEquals("[1.5,3.0,4.5]", root.get("epoch_time").toString());
    }

    @Test
    void shouldReadBackEqualDocumentWhenRoundTripping() {
        final ResultDocument written = complete();
        final Path file = dir.resolve("run.json");
        ResultJson.write(file, written);
        final ResultDocument read = ResultJson.read(file);
        assertEquals(written.epochs(), read.epochs());
        assertEquals(written.timeToEpsilon(), read.timeToEpsilon());
        assertEquals(written.stalenessHist(), read.stalenessHist());
        assertEquals(written.tcNs(), read.tcNs());
        assertEquals(written.test(), read.test());
        assertEquals(written.machine(), read.machine());
        assertEquals(written.contention(), read.contention());
        assertEquals(written.initialLoss(), read.initialLoss());
        assertEquals(written.outcome(), read.outcome());
    }

    @Test
    void shouldBeReadableByReportWhenWritten() {
        final Path file = dir.resolve("run.json");
        ResultJson.write(file, complete());
        final RunRecord record = ResultReader.read(file);
        assertEquals(RunRecord.Outcome.DIVERGED, record.outcome());
        assertEquals(3, record.epochs().size());
        assertEquals(51, record.stalenessHist()[3]);
        assertEquals("LSH", record.config().get("algo"));
    }

    @Test
    void shouldWriteNonFiniteLossAsStringWhenRunCrashed() throws IOException {
        final ResultDocument crashed = ResultAssembler.partial(ResultFixtures.context(), 2.3,
                List.of(new EpochStats(1, Double.NaN, 1.0, 117)), null, false, "loss became NaN");
        final Path file = dir.resolve("crashed.json");
        ResultJson.write(file, crashed);
        assertTrue(Files.readString(file).contains("\"NaN\""));
        final ResultDocument read = ResultJson.read(file);
        assertEquals("crashed", read.outcome());
        assertTrue(Double.isNaN(read.epochs().getFirst().loss()));
        assertEquals(RunRecord.Outcome.CRASHED, ResultReader.read(file).outcome());
    }

    @Test
    void shouldNameFieldWhenRequiredFieldIsMissing() throws IOException {
        final Path file = dir.resolve("bad.json");
        Files.writeString(file, ResultJson.toJson(complete()).replace("\"tu_ns\"", "\"tu_nanos\""));
        final ResultFormatException e = assertThrows(ResultFormatException.class, () -> ResultJson.read(file));
        assertTrue(e.getMessage().contains("bad.json") && e.getMessage().contains("'tu_ns'") && e.getMessage().contains("missing"),
                e.getMessage());
    }

    @Test
    void shouldListAllowedValuesWhenOutcomeIsUnknown() throws IOException {
        final Path file = dir.resolve("bad.json");
        Files.writeString(file, ResultJson.toJson(complete()).replace("\"diverged\"", "\"exploded\""));
        final ResultFormatException e = assertThrows(ResultFormatException.class, () -> ResultJson.read(file));
        assertTrue(e.getMessage().contains("'outcome'") && e.getMessage().contains("exploded")
                && e.getMessage().contains("converged, diverged, crashed"), e.getMessage());
    }

    @Test
    void shouldRejectHistogramKeyWhenNotAnInteger() throws IOException {
        final Path file = dir.resolve("bad.json");
        Files.writeString(file, ResultJson.toJson(complete()).replaceFirst("\"3\" : 51", "\"three\" : 51"));
        final ResultFormatException e = assertThrows(ResultFormatException.class, () -> ResultJson.read(file));
        assertTrue(e.getMessage().contains("staleness_hist.three"), e.getMessage());
    }

    @Test
    void shouldReplaceFileAtomicallyAndLeaveNoTemporaryWhenOverwriting() throws IOException {
        final Path file = dir.resolve("nested/deeper/run.json");
        ResultJson.write(file, ResultAssembler.partial(ResultFixtures.context(), 2.3, List.of(), null, true, "first"));
        ResultJson.write(file, complete());
        assertEquals("diverged", ResultJson.read(file).outcome());
        try (Stream<Path> files = Files.list(file.getParent())) {
            assertEquals(List.of("run.json"), files.map(p -> p.getFileName().toString()).toList());
        }
    }

    @Test
    void shouldDeriveOutcomeFromRecordedEpochsWhenRunWasInterrupted() {
        final ResultAssembler.Context context = ResultFixtures.context();
        final ResultDocument reached = ResultAssembler.partial(context, 2.0,
                List.of(new EpochStats(1, 0.5, 1.0, 117), new EpochStats(2, 0.04, 2.0, 234)), null, true, "SIGINT");
        assertEquals("converged", reached.outcome());
        assertEquals(Map.of("0.5", 1.0, "0.1", 2.0, "0.025", 2.0), reached.timeToEpsilon());
        assertTrue(reached.interrupted());
        final ResultDocument notReached = ResultAssembler.partial(context, 2.0, List.of(new EpochStats(1, 1.5, 1.0, 117)),
                null, true, "SIGINT");
        assertEquals("diverged", notReached.outcome());
        assertNull(notReached.timeToEpsilon().get("0.5"));
        final ResultDocument failed = ResultAssembler.partial(context, 2.0, List.of(new EpochStats(1, 0.01, 1.0, 117)),
                null, false, "worker failed");
        assertEquals("crashed", failed.outcome());
    }

    private static List<String> fieldNames(JsonNode node) {
        final List<String> names = new java.util.ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    @Test
    void shouldWriteAndReadStallWhenWatchdogReportedOne() throws IOException {
        final org.leashed.kernel.run.RunResult r = ResultFixtures.finishedRun();
        final org.leashed.kernel.run.RunResult stalled = new org.leashed.kernel.run.RunResult(r.config(), r.outcome(),
                r.initialLoss(), r.epochs(), r.timeToEpsilon(), r.stalenessHistogram(), r.casTriesHistogram(), r.tcNanos(),
                r.tuNanos(), r.liveVectorsPeak(), r.offHeapBytesPeak(), r.workerSeconds(), r.predictedNStar(),
                r.measuredNMean(), r.appliedUpdates(), r.droppedUpdates(), r.updateKernels(), r.trainingWallSeconds(),
                r.crashReason(), r.persistenceGamma(), r.predictedNStarGamma(), r.elastic(),
                new org.leashed.kernel.run.StallReport(1, 2.5, 3, org.leashed.kernel.run.AlgorithmKind.ASYNC), 0);
        final ResultDocument doc = ResultAssembler.complete(ResultFixtures.context(), stalled, null);
        final JsonNode stall = new ObjectMapper().readTree(ResultJson.toJson(doc)).get("stall");
        assertEquals(1, stall.get("worker").asInt());
        assertEquals(2.5, stall.get("seconds").asDouble());
        assertEquals(3, stall.get("epoch").asInt());
        assertTrue(stall.get("message").asText().contains("worker 1") && stall.get("message").asText().contains("lock"),
                stall.toString());
        final Path file = dir.resolve("stall.json");
        ResultJson.write(file, doc);
        assertEquals(doc.stall(), ResultJson.read(file).stall());
        assertNull(new ObjectMapper().readTree(ResultJson.toJson(complete())).get("stall"), "absent without a stall");
    }
}
