package org.leashed.kernel.elastic;

import java.util.ArrayList;
import java.util.List;

/**
 * A time series of at most {@code capacity} points that takes any number of samples in bounded memory:
 * each point is the mean time and mean value of a bucket of {@code stride} consecutive samples; when
 * the points fill up, neighbouring pairs are merged and the stride doubles. Confined to one thread at a
 * time; allocates only in {@link #points()}.
 */
final class DecimatingSeries {
    private final double[] t;
    private final double[] v;
    private int size;
    private long stride = 1;
    private long pendingCount;
    private double pendingT;
    private double pendingV;

    /**
     * @param capacity points kept, even, at least 2
     */
    DecimatingSeries(int capacity) {
        if (capacity < 2 || capacity % 2 != 0) {
            throw new IllegalArgumentException("capacity must be even and >= 2, got " + capacity);
        }
        t = new double[capacity];
        v = new double[capacity];
    }

    void add(double time, double value) {
        pendingT += time;
        pendingV += value;
        if (++pendingCount == stride) {
            if (size == t.length) {
                for (int k = 0; k < size / 2; k++) {
                    t[k] = 0.5 * (t[2 * k] + t[2 * k + 1]);
                    v[k] = 0.5 * (v[2 * k] + v[2 * k + 1]);
                }
                size /= 2;
                stride *= 2;
                if (pendingCount < stride) {
                    return; // keep filling the (now larger) bucket
                }
            }
            t[size] = pendingT / pendingCount;
            v[size] = pendingV / pendingCount;
            size++;
            pendingCount = 0;
            pendingT = 0;
            pendingV = 0;
        }
    }

    /** The points, plus the unfinished bucket, as [t, value] pairs. */
    List<double[]> points() {
        List<double[]> out = new ArrayList<>(size + 1);
        for (int k = 0; k < size; k++) {
            out.add(new double[] {t[k], v[k]});
        }
        if (pendingCount > 0) {
            out.add(new double[] {pendingT / pendingCount, pendingV / pendingCount});
        }
        return out;
    }
}
