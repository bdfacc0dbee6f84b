package org.leashed.perf.report;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Groups runs into "settings": runs whose configurations differ only in the seed (and in bookkeeping
 * such as output paths) are repetitions of one setting. A setting's label names just the config keys
 * that vary across the whole report, so labels stay short ("LSH ps=0 m=16 TAIL").
 */
public final class Settings {
    /** Keys that never distinguish settings: repetitions, file locations and resume bookkeeping. */
    static final Set<String> IGNORED_KEYS = Set.of("seed", "out", "out_dir", "data_dir", "checkpoint",
            "checkpoint_every", "resume", "help", "version");
    /** Keys shown first, in this order, when they vary. */
    static final List<String> LEADING_KEYS = List.of("algo", "persistence", "threads", "stepsize", "arch", "dataset");

    private Settings() {
    }

    /** Config keys whose values differ between runs, excluding {@link #IGNORED_KEYS}; display order. */
    public static List<String> varyingKeys(List<RunRecord> runs) {
        final Set<String> keys = new TreeSet<>();
        runs.forEach(r -> keys.addAll(r.config().keySet()));
        final List<String> varying = new ArrayList<>();
        for (String key : keys) {
            if (IGNORED_KEYS.contains(key)) {
                continue;
            }
            final Set<String> values = new TreeSet<>();
            runs.forEach(r -> values.add(r.config().getOrDefault(key, "(unset)")));
            if (values.size() > 1) {
                varying.add(key);
            }
        }
        varying.sort(Comparator.comparingInt((String k) -> {
            final int i = LEADING_KEYS.indexOf(k);
            return i < 0 ? LEADING_KEYS.size() : i;
        }).thenComparing(Comparator.naturalOrder()));
        return varying;
    }

    /** The run's setting label over {@code varyingKeys}; falls back to algorithm and threads. */
    public static String label(RunRecord run, List<String> varyingKeys) {
        final List<String> keys = varyingKeys.isEmpty() ? List.of("algo", "threads") : varyingKeys;
        final StringBuilder label = new StringBuilder();
        for (String key : keys) {
            final String value = run.config().get(key);
            // An unset option ("null") or a switch that is off says nothing about the setting; a switch
            // that is on is shown by its name alone ("elastic").
            if (value == null || value.equals("null") || value.equals("false")) {
                continue;
            }
            if (!label.isEmpty()) {
                label.append(' ');
            }
            label.append(switch (key) {
                case "algo", "stepsize", "arch", "dataset" -> value;
                case "persistence" -> "ps=" + value;
                case String k when value.equals("true") -> k;
                case "threads" -> "m=" + value;
                default -> key + "=" + value;
            });
        }
        return label.isEmpty() ? run.runId() : label.toString();
    }

    /** Runs grouped by setting label, settings in first-seen order. */
    public static Map<String, List<RunRecord>> group(List<RunRecord> runs) {
        final List<String> keys = varyingKeys(runs);
        final Map<String, List<RunRecord>> groups = new LinkedHashMap<>();
        for (RunRecord run : runs) {
            groups.computeIfAbsent(label(run, keys), k -> new ArrayList<>()).add(run);
        }
        return groups;
    }
}
