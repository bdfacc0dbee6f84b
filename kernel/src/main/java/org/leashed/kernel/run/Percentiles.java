package org.leashed.kernel.run;

/** Summary of a duration sample, in nanoseconds. */
public record Percentiles(double p50, double p99, double mean, long count) {
    /** No samples. */
    public static final Percentiles EMPTY = new Percentiles(0, 0, 0, 0);
}
