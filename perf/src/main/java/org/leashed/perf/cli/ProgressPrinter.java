package org.leashed.perf.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import org.leashed.kernel.run.EpochStats;
import org.leashed.kernel.run.TrainingConfig;
import org.leashed.kernel.run.TrainingListener;

/**
 * Training progress on stderr. On a terminal: one live line (epoch, updates, last loss) rewritten in place
 * and a permanent line per epoch. Otherwise (a file, a pipe, a sweep's log): one plain line per epoch.
 *
 * <p>Confined to the trainer's coordinating thread (all callbacks come from it).
 */
final class ProgressPrinter implements TrainingListener {
    private static final String CLEAR_LINE = "\r\033[K";
    private final PrintWriter err;
    private final boolean terminal;
    private final int epochs;
    private double initialLoss = Double.NaN;
    private double lastLoss = Double.NaN;
    private int epoch;
    private boolean liveLineShown;

    ProgressPrinter(PrintWriter err, boolean terminal, int epochs) {
        this.err = err;
        this.terminal = terminal;
        this.epochs = epochs;
    }

    @Override
    public void onStart(TrainingConfig config, double initialLoss) {
        this.initialLoss = initialLoss;
        this.lastLoss = initialLoss;
        err.printf(Locale.ROOT, "initial loss L0 = %.6f%n", initialLoss);
        err.flush();
    }

    @Override
    public void onProgress(long updatesDoneInEpoch, long updatesPerEpoch) {
        if (!terminal) {
            return;
        }
        err.printf(Locale.ROOT, "%sepoch %d/%d  updates %d/%d  loss %.6f", CLEAR_LINE, epoch + 1, epochs,
                updatesDoneInEpoch, updatesPerEpoch, lastLoss);
        err.flush();
        liveLineShown = true;
    }

    @Override
    public void onEpoch(EpochStats stats) {
        epoch = stats.epoch();
        lastLoss = stats.loss();
        if (liveLineShown) {
            err.print(CLEAR_LINE);
            liveLineShown = false;
        }
        err.printf(Locale.ROOT, "epoch %3d/%d  loss %.6f  (%5.1f%% of L0)  wall %8.3f s  updates %d%n", stats.epoch(), epochs,
                stats.loss(), 100.0 * stats.loss() / initialLoss, stats.wallSeconds(), stats.updates());
        err.flush();
    }

    @Override
    public void onCheckpoint(Path file, int epoch) {
        clearLiveLine();
        err.printf(Locale.ROOT, "checkpoint after epoch %d written to %s%n", epoch, file);
        err.flush();
    }

    @Override
    public void onWarning(String message) {
        clearLiveLine();
        err.println("warning: " + message);
        err.flush();
    }

    private void clearLiveLine() {
        if (liveLineShown) {
            err.print(CLEAR_LINE);
            liveLineShown = false;
        }
    }
}
