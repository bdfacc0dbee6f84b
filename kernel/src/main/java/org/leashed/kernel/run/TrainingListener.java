package org.leashed.kernel.run;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

/** Callbacks from a run, all on the coordinating thread, all off the clock. */
public interface TrainingListener {
    /** After theta_0 was evaluated. */
    default void onStart(TrainingConfig config, double initialLoss) {
    }

    /** After each epoch's loss evaluation. */
    default void onEpoch(EpochStats epoch) {
    }

    /** Progress inside an epoch, at most about 10 times a second. */
    default void onProgress(long updatesDoneInEpoch, long updatesPerEpoch) {
    }

    /** The final parameters, before their memory is released (e.g. for test-set evaluation). */
    default void onFinished(MemorySegment finalParams) {
    }

    /** After a checkpoint was written at the end of {@code epoch}. */
    default void onCheckpoint(Path file, int epoch) {
    }

    /**
     * Something the user should know that does not end the run: a stall the watchdog saw, a checkpoint
     * that could not be written. One line, no trailing newline.
     */
    default void onWarning(String message) {
    }

    /** A listener that does nothing. */
    TrainingListener NONE = new TrainingListener() {
    };
}
