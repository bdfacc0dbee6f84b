package org.leashed.kernel.elastic;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The parallelism level over time, a step function, as its change points. Kept exactly up to
 * {@link #MAX_CHANGES} changes (then every other change point is dropped, which only coarsens the
 * plot: R^E is integrated exactly by {@link ResourceLedger}). {@link #points} bins it down to a
 * plotting budget with time-weighted mean levels. Confined to one thread at a time; grows its arrays
 * (rarely, amortised) on the regulator thread, never on a worker.
 */
final class StepSeries {
    static final int MAX_CHANGES = 1 << 16;
    private double[] t = new double[64];
    private int[] level = new int[64];
    private int size;

    StepSeries(int initialLevel) {
        t[0] = 0;
        level[0] = initialLevel;
        size = 1;
    }

    /** From {@code seconds} on the level is {@code newLevel}. */
    void change(double seconds, int newLevel) {
        double at = Math.max(seconds, t[size - 1]);
        if (level[size - 1] == newLevel) {
            return;
        }
        if (size == t.length) {
            if (size >= MAX_CHANGES) {
                int kept = 0;
                for (int k = 0; k < size; k += 2) {
                    t[kept] = t[k];
                    level[kept] = level[k];
                    kept++;
                }
                size = kept;
            } else {
                t = Arrays.copyOf(t, size * 2);
                level = Arrays.copyOf(level, size * 2);
            }
        }
        t[size] = at;
        level[size] = newLevel;
        size++;
    }

    int changes() {
        return size - 1;
    }

    /**
     * [t, m] points up to {@code endSeconds}: the exact step points (each change, and the end) when they
     * fit in {@code maxPoints}; otherwise {@code maxPoints} equal time bins with the time-weighted mean
     * level of each, stamped at the bin start.
     */
    List<double[]> points(double endSeconds, int maxPoints) {
        double end = Math.max(endSeconds, t[size - 1]);
        List<double[]> out = new ArrayList<>();
        if (size + 1 <= maxPoints) {
            for (int k = 0; k < size; k++) {
                out.add(new double[] {t[k], level[k]});
            }
            out.add(new double[] {end, level[size - 1]});
            return out;
        }
        double width = end / maxPoints;
        int k = 0;
        for (int b = 0; b < maxPoints; b++) {
            double lo = b * width;
            double hi = b == maxPoints - 1 ? end : lo + width;
            double area = 0;
            while (k + 1 < size && t[k + 1] <= lo) {
                k++;
            }
            for (int j = k; j < size && t[j] < hi; j++) {
                double segEnd = j + 1 < size ? t[j + 1] : end;
                double overlap = Math.min(segEnd, hi) - Math.max(t[j], lo);
                if (overlap > 0) {
                    area += overlap * level[j];
                }
            }
            out.add(new double[] {lo, hi > lo ? area / (hi - lo) : level[k]});
        }
        return out;
    }
}
