package org.leashed.perf.sweep;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A grid of {@code train} configurations parsed from sweep arguments: flags with several values are
 * axes, the rest are fixed. Expansion is a cartesian product in the order the axes were given, the first
 * axis outermost (so {@code --algo A,B --seed 1,2} runs A/1, A/2, B/1, B/2).
 *
 * <p>Run ids are stable across invocations: the axis values (readable) plus 8 hex digits of a SHA-256 over
 * the canonical form of the run's full argument list (long flag names, sorted). The same grid re-run into
 * the same directory maps to the same files (resume); changing any fixed flag (say {@code --epochs}) yields
 * new ids, so results of a different experiment are never mistaken for finished runs.
 */
public final class SweepGrid {
    private final List<Axis> axes;
    private final Map<TrainFlag, String> fixed;
    private final List<TrainFlag> switches;

    /** A flag with its values in the order given. */
    public record Axis(TrainFlag flag, List<String> values) {
    }

    /**
     * One configuration of the grid.
     *
     * @param id     stable run id, safe as a file name
     * @param values flag key to value, for every flag with a value (axes and fixed)
     * @param args   the {@code train} arguments (without {@code --out})
     */
    public record Point(String id, Map<String, String> values, List<String> args) {
    }

    private SweepGrid(List<Axis> axes, Map<TrainFlag, String> fixed, List<TrainFlag> switches) {
        this.axes = List.copyOf(axes);
        this.fixed = fixed;
        this.switches = List.copyOf(switches);
    }

    /**
     * Parses sweep arguments ({@code --flag value}, {@code --flag=value}, switches).
     *
     * @throws IllegalArgumentException naming the argument and the expectation for an unknown or forbidden
     *                                  flag, a missing value, an empty grid value, or a flag given twice
     */
    public static SweepGrid parse(List<String> args) {
        final Map<TrainFlag, List<String>> values = new LinkedHashMap<>();
        final List<TrainFlag> switches = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            final String arg = args.get(i);
            final int eq = arg.startsWith("--") ? arg.indexOf('=') : -1;
            final String spelling = eq < 0 ? arg : arg.substring(0, eq);
            final TrainFlag flag = TrainFlag.find(spelling).orElseThrow(() -> new IllegalArgumentException(
                    "sweep: unknown argument '" + arg + "'; expected a train flag (" + String.join(", ",
                            TrainFlag.ALL.stream().filter(f -> f.kind() != TrainFlag.Kind.FORBIDDEN)
                                    .map(TrainFlag::longName).toList()) + ")"));
            if (values.containsKey(flag) || switches.contains(flag)) {
                throw new IllegalArgumentException("sweep: " + flag.longName() + " is given twice; give one "
                        + "value or a '" + flag.gridSeparator() + "'-separated grid once");
            }
            switch (flag.kind()) {
                case FORBIDDEN -> throw new IllegalArgumentException("sweep: " + flag.longName()
                        + " is not accepted: " + flag.forbiddenReason());
                case SWITCH -> {
                    if (eq >= 0) {
                        throw new IllegalArgumentException("sweep: " + flag.longName() + " takes no value, got '" + arg + "'");
                    }
                    switches.add(flag);
                }
                case VALUE, LIST_VALUE -> {
                    final String raw;
                    if (eq >= 0) {
                        raw = arg.substring(eq + 1);
                    } else if (i + 1 < args.size()) {
                        raw = args.get(++i);
                    } else {
                        throw new IllegalArgumentException("sweep: " + flag.longName() + " needs a value");
                    }
                    final List<String> split = new ArrayList<>();
                    for (String value : raw.split(java.util.regex.Pattern.quote(flag.gridSeparator()), -1)) {
                        final String v = value.strip();
                        if (v.isEmpty()) {
                            throw new IllegalArgumentException("sweep: " + flag.longName() + " value '" + raw
                                    + "' has an empty grid element; expected values separated by '"
                                    + flag.gridSeparator() + "'");
                        }
                        if (split.contains(v)) {
                            throw new IllegalArgumentException("sweep: " + flag.longName() + " value '" + raw
                                    + "' lists " + v + " twice");
                        }
                        split.add(v);
                    }
                    values.put(flag, split);
                }
            }
        }
        final List<Axis> axes = new ArrayList<>();
        final Map<TrainFlag, String> fixed = new LinkedHashMap<>();
        values.forEach((flag, v) -> {
            if (v.size() > 1) {
                axes.add(new Axis(flag, List.copyOf(v)));
            } else {
                fixed.put(flag, v.getFirst());
            }
        });
        return new SweepGrid(axes, fixed, switches);
    }

    /** The axes (flags with more than one value). */
    public List<Axis> axes() {
        return axes;
    }

    /** Number of configurations. */
    public int size() {
        int size = 1;
        for (Axis axis : axes) {
            size = Math.multiplyExact(size, axis.values().size());
        }
        return size;
    }

    /** Every configuration, first axis outermost. */
    public List<Point> points() {
        final List<Point> points = new ArrayList<>(size());
        final int[] index = new int[axes.size()];
        for (int n = 0; n < size(); n++) {
            int rest = n;
            for (int a = axes.size() - 1; a >= 0; a--) {
                index[a] = rest % axes.get(a).values().size();
                rest /= axes.get(a).values().size();
            }
            points.add(point(index));
        }
        return points;
    }

    private Point point(int[] index) {
        final Map<TrainFlag, String> chosen = new LinkedHashMap<>();
        for (int a = 0; a < axes.size(); a++) {
            chosen.put(axes.get(a).flag(), axes.get(a).values().get(index[a]));
        }
        final StringBuilder readable = new StringBuilder();
        chosen.forEach((flag, value) -> {
            if (!readable.isEmpty()) {
                readable.append('_');
            }
            readable.append(flag.key()).append('-').append(value);
        });
        final Map<TrainFlag, String> all = new LinkedHashMap<>(fixed);
        all.putAll(chosen);
        final List<String> args = new ArrayList<>();
        final Map<String, String> byKey = new LinkedHashMap<>();
        all.forEach((flag, value) -> {
            args.add(flag.longName());
            args.add(value);
            byKey.put(flag.key(), value);
        });
        switches.forEach(flag -> {
            args.add(flag.longName());
            byKey.put(flag.key(), "true");
        });
        final String prefix = readable.isEmpty() ? "run" : sanitise(readable.toString());
        return new Point(prefix + "-" + hash(byKey), Map.copyOf(byKey), List.copyOf(args));
    }

    /** Keeps ids portable file names: letters, digits, '.', '_', '-' only. */
    static String sanitise(String text) {
        final String cleaned = text.replaceAll("[^A-Za-z0-9._-]", "_");
        return cleaned.length() > 120 ? cleaned.substring(0, 120) : cleaned;
    }

    private static String hash(Map<String, String> values) {
        final StringBuilder canonical = new StringBuilder();
        new TreeMap<>(values).forEach((k, v) -> canonical.append(k).append('=').append(v).append('\n'));
        try {
            final byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest(canonical.toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 4);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JDK", e);
        }
    }
}
