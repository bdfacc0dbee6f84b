package org.leashed.perf.report;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.leashed.perf.report.RunRecord.Elastic;
import org.leashed.perf.report.RunRecord.Epoch;
import org.leashed.perf.report.RunRecord.Latency;
import org.leashed.perf.report.RunRecord.Memory;
import org.leashed.perf.report.RunRecord.Outcome;
import org.leashed.perf.report.RunRecord.TestScore;
import org.leashed.perf.report.RunRecord.TimePoint;

/**
 * Reads result files (SPEC "Output") through Jackson's tree model, tolerating extra fields and the
 * reference implementation's aliases, and validating every field the report uses. Errors are
 * {@link ResultFileException}s naming file, field, value and expectation.
 *
 * <p>Numbers: JSON numbers, or the strings {@code "NaN"}, {@code "Infinity"}, {@code "-Infinity"} (how
 * Jackson writes non-finite doubles), or bare {@code NaN} tokens. Losses may be non-finite (a crashed
 * run); times, counts and probabilities may not.
 */
public final class ResultReader {
    /** File names a directory scan skips: the sweep's own summary and manifest. */
    public static final String SUMMARY_JSON = "summary.json";
    public static final String SWEEP_MANIFEST_JSON = "sweep.json";

    private static final JsonMapper MAPPER = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .build();

    private ResultReader() {
    }

    /**
     * Expands inputs: a directory contributes its {@code *.json} files (not recursive, without
     * {@value #SUMMARY_JSON} and {@value #SWEEP_MANIFEST_JSON}), in name order; a file is taken as is.
     *
     * @throws ResultFileException if an input does not exist or a directory cannot be listed
     */
    public static List<Path> expand(List<Path> inputs) {
        final List<Path> files = new ArrayList<>();
        for (Path input : inputs) {
            if (Files.isDirectory(input)) {
                try (Stream<Path> listing = Files.list(input)) {
                    listing.filter(p -> p.getFileName().toString().endsWith(".json"))
                            .filter(p -> !p.getFileName().toString().equals(SUMMARY_JSON)
                                    && !p.getFileName().toString().equals(SWEEP_MANIFEST_JSON))
                            .filter(Files::isRegularFile)
                            .sorted()
                            .forEach(files::add);
                } catch (IOException e) {
                    throw new ResultFileException(input, "(file)", "an unreadable directory (" + e + ")",
                            "a readable directory of result files");
                }
            } else if (Files.isRegularFile(input)) {
                files.add(input);
            } else {
                throw new ResultFileException(input, "(file)", "missing", "an existing result file or directory");
            }
        }
        return files;
    }

    /** Reads and validates one result file. */
    public static RunRecord read(Path file) {
        final JsonNode root;
        try {
            root = MAPPER.readTree(file.toFile());
        } catch (IOException e) {
            throw new ResultFileException(file, "(file)", "not parseable (" + firstLine(e.getMessage()) + ")",
                    "a JSON object");
        }
        return parse(file, root);
    }

    /** Validates an already parsed tree (used by {@link #read} and by the sweep's resume check). */
    public static RunRecord parse(Path file, JsonNode root) {
        final Fields f = new Fields(file);
        if (root == null || !root.isObject()) {
            throw new ResultFileException(file, "(root)", describe(root), "a JSON object");
        }
        final JsonNode configNode = f.requireObject(root, "config", "config");
        final Map<String, String> config = new TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = configNode.fields(); it.hasNext(); ) {
            final Map.Entry<String, JsonNode> entry = it.next();
            final JsonNode value = entry.getValue();
            config.put(normaliseKey(entry.getKey()), value.isValueNode() ? value.asText() : value.toString());
        }
        final JsonNode machine = root.path("machine").isObject()
                ? root.get("machine") : JsonNodeFactory.instance.objectNode();

        final JsonNode outcomeNode = root.get("outcome");
        if (outcomeNode == null || !outcomeNode.isTextual()) {
            throw new ResultFileException(file, "outcome", describe(outcomeNode),
                    "one of \"converged\", \"diverged\", \"crashed\"");
        }
        final Outcome outcome = switch (outcomeNode.asText()) {
            case "converged" -> Outcome.CONVERGED;
            case "diverged" -> Outcome.DIVERGED;
            case "crashed" -> Outcome.CRASHED;
            default -> throw new ResultFileException(file, "outcome", describe(outcomeNode),
                    "one of \"converged\", \"diverged\", \"crashed\"");
        };
        final double initialLoss = f.number(root.get("initial_loss"), "initial_loss", true, false);

        final List<Epoch> epochs = readEpochs(f, root);
        final Map<String, Double> timeToEpsilon = readTimeToEpsilon(f, root);
        final long[] staleness = readHistogram(f, root, "staleness_hist", "staleness_dist");
        final long[] casTries = readHistogram(f, root, "cas_tries_hist", "numtriesdist");
        final Optional<Latency> tc = readLatency(f, root, "tc_ns");
        final Optional<Latency> tu = readLatency(f, root, "tu_ns");
        final Optional<Memory> memory = readMemory(f, root);
        final JsonNode workerSecondsNode = root.get("worker_seconds");
        final OptionalDouble workerSeconds = absent(workerSecondsNode) ? OptionalDouble.empty()
                : OptionalDouble.of(f.nonNegative(workerSecondsNode, "worker_seconds"));
        final Optional<TestScore> test = readTest(f, root);
        final Optional<Elastic> elastic = readElastic(f, root);

        final String name = file.getFileName().toString();
        final String runId = name.endsWith(".json") ? name.substring(0, name.length() - 5) : name;
        return new RunRecord(file, runId, Map.copyOf(config), machine, outcome, initialLoss, epochs,
                timeToEpsilon, staleness, casTries, tc, tu, memory, workerSeconds, test, elastic);
    }

    /** {@code "tail-amplitude"} and {@code "tailAmplitude"} both become {@code "tail_amplitude"}. */
    static String normaliseKey(String key) {
        final StringBuilder out = new StringBuilder(key.length() + 4);
        for (int i = 0; i < key.length(); i++) {
            final char c = key.charAt(i);
            if (c == '-') {
                out.append('_');
            } else if (Character.isUpperCase(c)) {
                if (i > 0 && out.charAt(out.length() - 1) != '_') {
                    out.append('_');
                }
                out.append(Character.toLowerCase(c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static List<Epoch> readEpochs(Fields f, JsonNode root) {
        final JsonNode epochsNode = root.get("epochs");
        final List<Epoch> epochs = new ArrayList<>();
        if (absent(epochsNode)) {
            // Reference-format fallback: parallel plain lists.
            final JsonNode losses = root.get("epoch_loss");
            final JsonNode times = root.get("epoch_time");
            if (absent(losses) || absent(times)) {
                throw new ResultFileException(f.file, "epochs", "missing",
                        "a list of {epoch, loss, wall_s, updates} (or both epoch_loss and epoch_time)");
            }
            f.requireArray(losses, "epoch_loss");
            f.requireArray(times, "epoch_time");
            if (losses.size() != times.size()) {
                throw new ResultFileException(f.file, "epoch_time", "a list of " + times.size() + " entries",
                        "as long as epoch_loss (" + losses.size() + " entries)");
            }
            for (int i = 0; i < losses.size(); i++) {
                epochs.add(new Epoch(i, f.number(losses.get(i), "epoch_loss[" + i + "]", true, true),
                        f.nonNegative(times.get(i), "epoch_time[" + i + "]"), 0));
            }
            return List.copyOf(epochs);
        }
        f.requireArray(epochsNode, "epochs");
        double previousWall = 0.0;
        for (int i = 0; i < epochsNode.size(); i++) {
            final JsonNode e = epochsNode.get(i);
            final String path = "epochs[" + i + "]";
            if (!e.isObject()) {
                throw new ResultFileException(f.file, path, describe(e), "an object {epoch, loss, wall_s, updates}");
            }
            final int epoch = (int) f.integer(e.get("epoch"), path + ".epoch");
            final double loss = f.number(e.get("loss"), path + ".loss", true, true);
            final double wall = f.nonNegative(e.get("wall_s"), path + ".wall_s");
            if (wall < previousWall) {
                throw new ResultFileException(f.file, path + ".wall_s", describe(e.get("wall_s")),
                        ">= the previous epoch's wall_s (" + previousWall + ")");
            }
            previousWall = wall;
            final long updates = f.integer(e.get("updates"), path + ".updates");
            epochs.add(new Epoch(epoch, loss, wall, updates));
        }
        return List.copyOf(epochs);
    }

    private static Map<String, Double> readTimeToEpsilon(Fields f, JsonNode root) {
        final JsonNode node = root.get("time_to_epsilon");
        final Map<String, Double> out = new LinkedHashMap<>();
        if (absent(node)) {
            return out;
        }
        if (!node.isObject()) {
            throw new ResultFileException(f.file, "time_to_epsilon", describe(node),
                    "an object {\"epsilon\": seconds or null}");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            final Map.Entry<String, JsonNode> entry = it.next();
            final String path = "time_to_epsilon." + entry.getKey();
            try {
                final double epsilon = Double.parseDouble(entry.getKey());
                if (!(epsilon > 0.0 && epsilon <= 1.0)) {
                    throw new NumberFormatException();
                }
            } catch (NumberFormatException e) {
                throw new ResultFileException(f.file, path, "keyed \"" + entry.getKey() + "\"",
                        "keyed by an epsilon in (0, 1] such as \"0.1\"");
            }
            final JsonNode value = entry.getValue();
            out.put(entry.getKey(), value.isNull() ? null : f.nonNegative(value, path));
        }
        return java.util.Collections.unmodifiableMap(out);
    }

    private static long[] readHistogram(Fields f, JsonNode root, String name, String alias) {
        String field = name;
        JsonNode node = root.get(name);
        if (absent(node)) {
            field = alias;
            node = root.get(alias);
        }
        if (absent(node)) {
            return new long[0];
        }
        final TreeMap<Integer, Long> counts = new TreeMap<>();
        if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                final Map.Entry<String, JsonNode> entry = it.next();
                final int tau = parseTau(entry.getKey());
                if (tau < 0 || tau > 10_000_000) {
                    throw new ResultFileException(f.file, field + "." + entry.getKey(),
                            "keyed \"" + entry.getKey() + "\"", "keyed by an integer 0..10000000");
                }
                counts.merge(tau, f.integer(entry.getValue(), field + "." + entry.getKey()), Long::sum);
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                counts.put(i, f.integer(node.get(i), field + "[" + i + "]"));
            }
        } else {
            throw new ResultFileException(f.file, field, describe(node),
                    "an object {value: count} or a list of counts");
        }
        if (counts.isEmpty()) {
            return new long[0];
        }
        final long[] out = new long[counts.lastKey() + 1];
        counts.forEach((tau, count) -> out[tau] = count);
        return out;
    }

    private static int parseTau(String key) {
        try {
            return Integer.parseInt(key);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static Optional<Latency> readLatency(Fields f, JsonNode root, String name) {
        final JsonNode node = root.get(name);
        if (absent(node)) {
            return Optional.empty();
        }
        if (!node.isObject()) {
            throw new ResultFileException(f.file, name, describe(node), "an object {p50, p99, mean} in ns");
        }
        return Optional.of(new Latency(f.nonNegative(node.get("p50"), name + ".p50"),
                f.nonNegative(node.get("p99"), name + ".p99"), f.nonNegative(node.get("mean"), name + ".mean")));
    }

    private static Optional<Memory> readMemory(Fields f, JsonNode root) {
        final JsonNode node = root.get("memory");
        if (absent(node)) {
            return Optional.empty();
        }
        if (!node.isObject()) {
            throw new ResultFileException(f.file, "memory", describe(node),
                    "an object {live_vectors_peak, offheap_bytes_peak}");
        }
        return Optional.of(new Memory(f.integer(node.get("live_vectors_peak"), "memory.live_vectors_peak"),
                f.integer(node.get("offheap_bytes_peak"), "memory.offheap_bytes_peak")));
    }

    private static Optional<TestScore> readTest(Fields f, JsonNode root) {
        final JsonNode node = root.get("test");
        if (absent(node)) {
            return Optional.empty();
        }
        if (!node.isObject()) {
            throw new ResultFileException(f.file, "test", describe(node), "an object {loss, accuracy}");
        }
        final double accuracy = f.number(node.get("accuracy"), "test.accuracy", false, false);
        if (accuracy < 0.0 || accuracy > 1.0) {
            throw new ResultFileException(f.file, "test.accuracy", describe(node.get("accuracy")),
                    "a fraction in [0, 1]");
        }
        return Optional.of(new TestScore(f.number(node.get("loss"), "test.loss", true, true), accuracy));
    }

    private static Optional<Elastic> readElastic(Fields f, JsonNode root) {
        final JsonNode node = root.get("elastic");
        if (absent(node)) {
            return Optional.empty();
        }
        if (!node.isObject()) {
            throw new ResultFileException(f.file, "elastic", describe(node),
                    "an object {parallelism, xi, break_even_s}");
        }
        final List<TimePoint> parallelism = readSeries(f, node.get("parallelism"), "elastic.parallelism");
        final List<TimePoint> xi = readSeries(f, node.get("xi"), "elastic.xi");
        final JsonNode breakEven = node.get("break_even_s");
        return Optional.of(new Elastic(parallelism, xi, absent(breakEven) ? OptionalDouble.empty()
                : OptionalDouble.of(f.nonNegative(breakEven, "elastic.break_even_s"))));
    }

    private static List<TimePoint> readSeries(Fields f, JsonNode node, String path) {
        if (absent(node)) {
            return List.of();
        }
        f.requireArray(node, path);
        final List<TimePoint> out = new ArrayList<>(node.size());
        for (int i = 0; i < node.size(); i++) {
            final JsonNode pair = node.get(i);
            final String at = path + "[" + i + "]";
            if (!pair.isArray() || pair.size() != 2) {
                throw new ResultFileException(f.file, at, describe(pair), "a pair [t_seconds, value]");
            }
            out.add(new TimePoint(f.nonNegative(pair.get(0), at + "[0]"),
                    f.number(pair.get(1), at + "[1]", false, false)));
        }
        return List.copyOf(out);
    }

    private static boolean absent(JsonNode node) {
        return node == null || node.isNull() || node.isMissingNode();
    }

    static String describe(JsonNode node) {
        if (node == null || node.isMissingNode()) {
            return "missing";
        }
        final String text = node.toString();
        return text.length() > 80 ? text.substring(0, 77) + "..." : text;
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "no detail";
        }
        final int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }

    /** Typed field access bound to one file, for error messages. */
    private record Fields(Path file) {
        JsonNode requireObject(JsonNode parent, String name, String path) {
            final JsonNode node = parent.get(name);
            if (node == null || !node.isObject()) {
                throw new ResultFileException(file, path, describe(node), "an object");
            }
            return node;
        }

        void requireArray(JsonNode node, String path) {
            if (node == null || !node.isArray()) {
                throw new ResultFileException(file, path, describe(node), "a list");
            }
        }

        /** A number; non-finite values allowed only if {@code allowNonFinite}; null only if {@code allowNull}. */
        double number(JsonNode node, String path, boolean allowNonFinite, boolean allowNull) {
            if (node == null || node.isMissingNode()) {
                throw new ResultFileException(file, path, "missing", "a number");
            }
            if (node.isNull()) {
                if (allowNull) {
                    return Double.NaN;
                }
                throw new ResultFileException(file, path, "null", "a number");
            }
            final double value;
            if (node.isNumber()) {
                value = node.asDouble();
            } else if (node.isTextual()) {
                value = switch (node.asText().toLowerCase(Locale.ROOT)) {
                    case "nan" -> Double.NaN;
                    case "infinity", "+infinity", "inf" -> Double.POSITIVE_INFINITY;
                    case "-infinity", "-inf" -> Double.NEGATIVE_INFINITY;
                    default -> throw new ResultFileException(file, path, describe(node), "a number");
                };
            } else {
                throw new ResultFileException(file, path, describe(node), "a number");
            }
            if (!allowNonFinite && !Double.isFinite(value)) {
                throw new ResultFileException(file, path, describe(node), "a finite number");
            }
            return value;
        }

        double nonNegative(JsonNode node, String path) {
            final double value = number(node, path, false, false);
            if (value < 0.0) {
                throw new ResultFileException(file, path, describe(node), "a finite number >= 0");
            }
            return value;
        }

        long integer(JsonNode node, String path) {
            final double value = nonNegative(node, path);
            if (value != Math.rint(value) || value > 9.0e15) {
                throw new ResultFileException(file, path, describe(node), "a non-negative integer");
            }
            return (long) value;
        }
    }

    /** For callers that only need the parser features (the sweep reads and rewrites JSON too). */
    public static JsonMapper mapper() {
        return MAPPER;
    }
}
