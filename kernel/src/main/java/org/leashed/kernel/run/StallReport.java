package org.leashed.kernel.run;

import java.util.Locale;

/**
 * A stall the trainer's watchdog saw: no update ticket was taken for longer than its threshold.
 *
 * @param worker    the worker that was inside its update section the longest (for ASYNC: the lock
 *                  holder everyone else waits for), or -1 if no worker was inside it (all computing)
 * @param seconds   how long that worker had been inside (or, with -1, how long no ticket was taken) when
 *                  last observed
 * @param epoch     the epoch it happened in
 * @param algorithm the run's algorithm (the message explains what a stall means for it)
 */
public record StallReport(int worker, double seconds, int epoch, AlgorithmKind algorithm) {
    /** One line for the user. */
    public String describe() {
        if (worker < 0) {
            return String.format(Locale.ROOT, "stall: no update ticket taken for %.1f s in epoch %d and no worker inside its "
                    + "update section (a gradient computation is stuck?)", seconds, epoch);
        }
        return String.format(Locale.ROOT, "stall: worker %d has been inside its update section for %.1f s in epoch %d and no "
                + "update ticket was taken meanwhile%s", worker, seconds, epoch,
                algorithm == AlgorithmKind.ASYNC ? " (ASYNC: the other workers wait for its lock)" : "");
    }
}
