package org.leashed.perf.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.leashed.kernel.run.EpochStats;
import org.leashed.perf.results.ResultAssembler;
import org.leashed.perf.results.ResultDocument;
import org.leashed.perf.results.ResultJson;

class RunRecorderTest {
    @TempDir
    Path dir;

    private static ResultAssembler.Context context() {
        return new ResultAssembler.Context("test", "2025-01-01T00:00:00Z", new LinkedHashMap<>(),
                new ResultDocument.Machine(2, new ResultDocument.Topology(2, 2, 1, 1, "x"), "25", "vm", "Linux", 1, "none"),
                new ResultDocument.KernelInfo("scalar", "scalar"), 10, List.of(0.5, 0.1));
    }

    @Test
    void shouldWriteMeasuredEpochsOnceWhenInterruptedBeforeFinishing() {
        final Path out = dir.resolve("run.json");
        final RunRecorder recorder = new RunRecorder(context(), out, params -> new ResultDocument.TestScore(0, 1, 1));
        recorder.onStart(null, 2.0);
        recorder.onEpoch(new EpochStats(1, 0.9, 1.0, 117));
        final ResultDocument partial = recorder.writePartial(true, "interrupted");
        assertEquals(1, partial.epochs().size());
        assertEquals("diverged", partial.outcome());
        assertNull(recorder.writePartial(true, "second signal"), "a second partial write must do nothing");
        final ResultDocument later = ResultJson.read(out);
        assertFalse(recorder.writeFinal(later), "the final write after an interruption must not overwrite it");
        final ResultDocument onDisk = ResultJson.read(out);
        assertTrue(onDisk.interrupted());
        assertEquals("interrupted", onDisk.crashReason());
        assertEquals(2.0, onDisk.initialLoss());
    }

    @Test
    void shouldEvaluateTestSplitWhenTrainerFinishes() {
        final RunRecorder recorder = new RunRecorder(context(), dir.resolve("r.json"),
                params -> new ResultDocument.TestScore(0.25, 0.9, (int) params.byteSize()));
        assertNull(recorder.test());
        recorder.onFinished(MemorySegment.ofArray(new float[3]));
        assertEquals(new ResultDocument.TestScore(0.25, 0.9, 12), recorder.test());
    }

    /**
     * A signal that arrives while the run is still ending: the handler marks the interruption first, so
     * the main thread's final write (which may come while the handler waits for the checkpoint) is refused
     * and the handler's partial document, with {@code interrupted: true}, is the one on disk.
     */
    @Test
    void shouldRefuseFinalWriteWhenInterruptBegan() {
        final Path out = dir.resolve("run.json");
        final RunRecorder recorder = new RunRecorder(context(), out, params -> new ResultDocument.TestScore(0, 1, 1));
        assertFalse(recorder.started());
        recorder.onStart(null, 2.0);
        recorder.onEpoch(new EpochStats(1, 0.9, 1.0, 117));
        recorder.onCheckpoint(dir.resolve("c.ckpt"), 1);
        assertTrue(recorder.started());
        recorder.beginInterrupt();
        final ResultDocument partial = ResultAssembler.partial(context(), 2.0, List.of(), null, false, "x");
        assertFalse(recorder.writeFinal(partial), "refused once an interruption began");
        assertTrue(recorder.writePartial(true, "interrupted by a signal") != null);
        assertTrue(ResultJson.read(out).interrupted());
        assertEquals(1, recorder.lastCheckpointEpoch());
    }
}
