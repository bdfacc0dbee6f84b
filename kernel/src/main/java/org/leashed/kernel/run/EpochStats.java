package org.leashed.kernel.run;

/**
 * One epoch's record.
 *
 * @param epoch       1-based epoch number (0 = the initial point)
 * @param loss        full objective after the epoch, evaluated off the clock
 * @param wallSeconds cumulative training wall time (loss evaluation excluded)
 * @param updates     cumulative applied updates
 */
public record EpochStats(int epoch, double loss, double wallSeconds, long updates) {
}
