package org.leashed.perf.results;

import java.util.LinkedHashMap;
import java.util.Map;

/** Conversions between the kernel's histogram arrays and the result file's {value: count} objects. */
public final class Histograms {
    private Histograms() {
    }

    /**
     * {@code counts[v]} becomes {@code "v": counts[v]}, in ascending order, for non-zero bins only.
     * A null array gives an empty map.
     */
    public static Map<String, Long> toMap(long[] counts) {
        final Map<String, Long> map = new LinkedHashMap<>();
        if (counts != null) {
            for (int value = 0; value < counts.length; value++) {
                if (counts[value] != 0) {
                    map.put(Integer.toString(value), counts[value]);
                }
            }
        }
        return map;
    }
}
