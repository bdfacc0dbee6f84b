package org.leashed.perf.cli;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import org.leashed.kernel.run.EpochStats;
import org.leashed.kernel.run.TrainingConfig;
import org.leashed.kernel.run.TrainingListener;
import org.leashed.perf.results.ResultAssembler;
import org.leashed.perf.results.ResultDocument;
import org.leashed.perf.results.ResultJson;

/**
 * Records what a run has measured so far and owns the single write of its result file. The trainer's
 * coordinating thread feeds it through {@link TrainingListener}; the main thread writes the final document
 * ({@link #writeFinal}); a shutdown hook or the failure path writes a partial one ({@link #writePartial}).
 * Whichever comes first writes; later calls do nothing, so a file is never written twice or torn (the write
 * itself is atomic).
 *
 * <p>The held-out evaluation runs in {@link #onFinished}, on the final parameters, after the trainer
 * stopped its clock.
 *
 * <p>Thread safety: every method is {@code synchronized}; state is only touched under this monitor.
 */
final class RunRecorder implements TrainingListener {
    private final ResultAssembler.Context context;
    private final Path out;
    private final Function<MemorySegment, ResultDocument.TestScore> testEvaluator;
    private double initialLoss = Double.NaN;
    private final List<EpochStats> epochs = new ArrayList<>();
    private ResultDocument.TestScore test;
    private boolean written;
    private boolean started;
    private boolean interrupting;
    private int lastCheckpointEpoch;

    /**
     * @param context       run metadata for the document
     * @param out           the result file
     * @param testEvaluator evaluates final parameters on the held-out split
     */
    RunRecorder(ResultAssembler.Context context, Path out, Function<MemorySegment, ResultDocument.TestScore> testEvaluator) {
        this.context = Objects.requireNonNull(context, "context");
        this.out = Objects.requireNonNull(out, "out");
        this.testEvaluator = Objects.requireNonNull(testEvaluator, "testEvaluator");
    }

    @Override
    public synchronized void onStart(TrainingConfig config, double initialLoss) {
        this.initialLoss = initialLoss;
        this.started = true;
    }

    @Override
    public synchronized void onCheckpoint(java.nio.file.Path file, int epoch) {
        lastCheckpointEpoch = epoch;
    }

    /** Whether training started (the trainer reported its initial loss). */
    synchronized boolean started() {
        return started;
    }

    /** The epoch the last checkpoint was written after, 0 if none. */
    synchronized int lastCheckpointEpoch() {
        return lastCheckpointEpoch;
    }

    /**
     * A signal arrived: from now on {@link #writeFinal} writes nothing, so that the file the signal
     * handler writes ({@link #writePartial}, {@code interrupted: true}) is the one that stays, even if the
     * run reaches its end while the handler waits for the checkpoint.
     */
    synchronized void beginInterrupt() {
        interrupting = true;
    }

    @Override
    public synchronized void onEpoch(EpochStats epoch) {
        epochs.add(epoch);
    }

    @Override
    public synchronized void onFinished(MemorySegment finalParams) {
        test = testEvaluator.apply(finalParams);
    }

    /** The held-out score, or null before {@link #onFinished}. */
    synchronized ResultDocument.TestScore test() {
        return test;
    }

    /**
     * Writes the final document unless a partial one was already written (the run was interrupted).
     *
     * @return whether this call wrote the file
     */
    synchronized boolean writeFinal(ResultDocument document) {
        if (written || interrupting) {
            return false;
        }
        ResultJson.write(out, document);
        written = true;
        return true;
    }

    /**
     * Writes what was measured so far unless a document was already written.
     *
     * @param interrupted true for a signal, false for a failure
     * @param reason      recorded as {@code crash_reason}
     * @return the document written, or null if a file had been written already
     */
    synchronized ResultDocument writePartial(boolean interrupted, String reason) {
        if (written) {
            return null;
        }
        final ResultDocument document = ResultAssembler.partial(context, initialLoss, List.copyOf(epochs), test,
                interrupted, reason);
        ResultJson.write(out, document);
        written = true;
        return document;
    }
}
