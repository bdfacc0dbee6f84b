package org.leashed.perf.results;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.leashed.perf.report.AtomicFiles;

/**
 * Writes and reads {@link ResultDocument}s. Writing is atomic (temporary file in the target directory,
 * then {@code ATOMIC_MOVE}), so a reader never sees a torn file. Reading validates the fields SPEC fixes
 * and tolerates extra ones.
 */
public final class ResultJson {
    /** Fields every result file has; a file without one of them is rejected by {@link #read}. */
    public static final List<String> REQUIRED_FIELDS = List.of("config", "machine", "outcome", "initial_loss", "epochs",
            "epoch_loss", "epoch_time", "time_to_epsilon", "staleness_hist", "staleness_dist", "cas_tries_hist",
            "numtriesdist", "tc_ns", "tu_ns", "memory", "worker_seconds", "contention", "test");

    private static final JsonMapper MAPPER = JsonMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .enable(JsonWriteFeature.WRITE_NAN_AS_STRINGS)
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    private ResultJson() {
    }

    /** The document as pretty-printed JSON text. */
    public static String toJson(ResultDocument document) {
        try {
            return MAPPER.writeValueAsString(document);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise the result document: " + e.getMessage(), e);
        }
    }

    /**
     * Writes {@code document} to {@code target} atomically, creating parent directories.
     *
     * @throws java.io.UncheckedIOException naming the target if it cannot be written
     */
    public static void write(Path target, ResultDocument document) {
        AtomicFiles.writeString(target, toJson(document) + "\n");
    }

    /**
     * Reads and validates a result file.
     *
     * @throws ResultFormatException naming file, field, value and expectation
     */
    public static ResultDocument read(Path file) {
        final JsonNode root;
        try {
            root = MAPPER.readTree(file.toFile());
        } catch (IOException e) {
            throw new ResultFormatException(file, "(file)", "unreadable or not JSON (" + firstLine(e.getMessage()) + ")",
                    "a JSON result file");
        }
        if (root == null || !root.isObject()) {
            throw new ResultFormatException(file, "(root)", describe(root), "a JSON object");
        }
        for (String field : REQUIRED_FIELDS) {
            if (!root.has(field)) {
                throw new ResultFormatException(file, field, "missing", "present (SPEC \"Output\")");
            }
        }
        final ResultDocument document;
        try {
            document = MAPPER.treeToValue(root, ResultDocument.class);
        } catch (IOException e) {
            throw new ResultFormatException(file, "(structure)", firstLine(e.getMessage()), "the result file layout");
        }
        validate(file, document);
        return document;
    }

    private static void validate(Path file, ResultDocument d) {
        if (!ResultDocument.OUTCOMES.contains(d.outcome())) {
            throw new ResultFormatException(file, "outcome", "\"" + d.outcome() + "\"", "one of " + ResultDocument.OUTCOMES);
        }
        if (d.config() == null) {
            throw new ResultFormatException(file, "config", "null", "an object of flag values");
        }
        if (d.epochs() == null || d.epochLoss() == null || d.epochTime() == null) {
            throw new ResultFormatException(file, "epochs", "null", "lists");
        }
        if (d.epochLoss().size() != d.epochs().size() || d.epochTime().size() != d.epochs().size()) {
            throw new ResultFormatException(file, "epoch_loss", d.epochLoss().size() + " entries (epoch_time "
                    + d.epochTime().size() + ")", d.epochs().size() + " entries, one per element of epochs");
        }
        double previous = 0;
        for (int i = 0; i < d.epochs().size(); i++) {
            final ResultDocument.Epoch e = d.epochs().get(i);
            if (e == null) {
                throw new ResultFormatException(file, "epochs[" + i + "]", "null", "an object {epoch, loss, wall_s, updates}");
            }
            if (d.epochTime().get(i) == null || !(d.epochTime().get(i) >= 0)) {
                throw new ResultFormatException(file, "epoch_time[" + i + "]", String.valueOf(d.epochTime().get(i)),
                        "seconds >= 0");
            }
            if (!(e.wallS() >= previous)) {
                throw new ResultFormatException(file, "epochs[" + i + "].wall_s", Double.toString(e.wallS()),
                        "a number >= the previous epoch's (" + previous + ")");
            }
            previous = e.wallS();
            if (e.updates() < 0) {
                throw new ResultFormatException(file, "epochs[" + i + "].updates", Long.toString(e.updates()), ">= 0");
            }
        }
        if (d.timeToEpsilon() == null) {
            throw new ResultFormatException(file, "time_to_epsilon", "null", "an object {\"epsilon\": seconds or null}");
        }
        for (var entry : d.timeToEpsilon().entrySet()) {
            if (entry.getValue() != null && !(entry.getValue() >= 0)) {
                throw new ResultFormatException(file, "time_to_epsilon." + entry.getKey(), entry.getValue().toString(),
                        "seconds >= 0 or null");
            }
        }
        checkHistogram(file, "staleness_hist", d.stalenessHist());
        checkHistogram(file, "cas_tries_hist", d.casTriesHist());
        if (d.test() != null && !(d.test().accuracy() >= 0 && d.test().accuracy() <= 1)) {
            throw new ResultFormatException(file, "test.accuracy", Double.toString(d.test().accuracy()), "a fraction in [0, 1]");
        }
    }

    private static void checkHistogram(Path file, String field, java.util.Map<String, Long> histogram) {
        if (histogram == null) {
            throw new ResultFormatException(file, field, "null", "an object {value: count}");
        }
        for (var entry : histogram.entrySet()) {
            final int key;
            try {
                key = Integer.parseInt(entry.getKey());
            } catch (NumberFormatException e) {
                throw new ResultFormatException(file, field + "." + entry.getKey(), "keyed \"" + entry.getKey() + "\"",
                        "keys that are non-negative integers");
            }
            if (key < 0 || entry.getValue() == null || entry.getValue() < 0) {
                throw new ResultFormatException(file, field + "." + entry.getKey(), String.valueOf(entry.getValue()),
                        "a count >= 0 under a key >= 0");
            }
        }
    }

    private static String describe(JsonNode node) {
        if (node == null) {
            return "missing";
        }
        final String text = node.toString();
        return text.length() > 60 ? text.substring(0, 57) + "..." : text;
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "no detail";
        }
        final int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}
