package org.leashed.perf.report;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * One row per run: its config, outcome, time to each epsilon, final loss, seconds per epoch,
 * staleness mean and p99, and test accuracy. Shared by the sweep ({@code summary.csv},
 * {@code summary.json}) and the report's HTML table, so both show the same numbers.
 *
 * <p>Column names: {@code run_id}, {@code setting}, {@code config.<key>} for every config key seen in
 * any run, {@code outcome}, {@code error}, {@code tte_<epsilon>} (seconds, empty = not reached),
 * {@code final_loss}, {@code s_per_epoch}, {@code staleness_mean}, {@code staleness_p99},
 * {@code test_accuracy}. Missing numbers are empty cells in CSV and {@code null} in JSON.
 */
public final class SummaryTable {
    private final List<String> columns;
    private final List<Map<String, Object>> rows;

    private SummaryTable(List<String> columns, List<Map<String, Object>> rows) {
        this.columns = List.copyOf(columns);
        this.rows = Collections.unmodifiableList(rows);
    }

    /** A run with no usable result file (the sweep's child failed before writing one). */
    public record FailedRun(String runId, Map<String, String> config, String error) {
    }

    /** Builds the table from completed runs only. */
    public static SummaryTable of(List<RunRecord> runs) {
        return of(runs, List.of());
    }

    /** Builds the table; failed runs get outcome {@code error} and their message in {@code error}. */
    public static SummaryTable of(List<RunRecord> runs, List<FailedRun> failed) {
        final Set<String> configKeys = new TreeSet<>();
        final Set<String> epsilons = new TreeSet<>((a, b) -> Double.compare(Double.parseDouble(b),
                Double.parseDouble(a)));
        runs.forEach(r -> {
            configKeys.addAll(r.config().keySet());
            epsilons.addAll(r.timeToEpsilon().keySet());
        });
        failed.forEach(f -> configKeys.addAll(f.config().keySet()));
        final List<String> columns = new ArrayList<>(List.of("run_id", "setting"));
        configKeys.forEach(k -> columns.add("config." + k));
        columns.add("outcome");
        columns.add("error");
        epsilons.forEach(e -> columns.add("tte_" + e));
        columns.addAll(List.of("final_loss", "s_per_epoch", "staleness_mean", "staleness_p99", "test_accuracy"));

        final List<String> varying = Settings.varyingKeys(runs);
        final List<Map<String, Object>> rows = new ArrayList<>();
        for (RunRecord run : runs) {
            final Map<String, Object> row = new LinkedHashMap<>();
            row.put("run_id", run.runId());
            row.put("setting", Settings.label(run, varying));
            configKeys.forEach(k -> row.put("config." + k, run.config().get(k)));
            row.put("outcome", run.outcome().jsonName());
            row.put("error", null);
            epsilons.forEach(e -> row.put("tte_" + e, run.timeToEpsilon().get(e)));
            row.put("final_loss", finiteOrNull(run.finalLoss()));
            row.put("s_per_epoch", finiteOrNull(run.secondsPerEpoch()));
            row.put("staleness_mean", finiteOrNull(run.stalenessMean()));
            row.put("staleness_p99", finiteOrNull(run.stalenessQuantile(0.99)));
            row.put("test_accuracy", run.test().map(t -> (Object) t.accuracy()).orElse(null));
            rows.add(row);
        }
        for (FailedRun f : failed) {
            final Map<String, Object> row = new LinkedHashMap<>();
            columns.forEach(c -> row.put(c, null));
            row.put("run_id", f.runId());
            row.put("setting", "");
            configKeys.forEach(k -> row.put("config." + k, f.config().get(k)));
            row.put("outcome", "error");
            row.put("error", f.error());
            rows.add(row);
        }
        return new SummaryTable(columns, rows);
    }

    private static Double finiteOrNull(double value) {
        return Double.isFinite(value) ? value : null;
    }

    /** Column names in order. */
    public List<String> columns() {
        return columns;
    }

    /** Rows (column name to String, Double or null). */
    public List<Map<String, Object>> rows() {
        return rows;
    }

    /** RFC 4180 CSV with a header row. */
    public String toCsv() {
        final StringBuilder out = new StringBuilder();
        out.append(String.join(",", columns.stream().map(SummaryTable::csvCell).toList())).append('\n');
        for (Map<String, Object> row : rows) {
            final List<String> cells = new ArrayList<>(columns.size());
            for (String column : columns) {
                cells.add(csvCell(format(row.get(column))));
            }
            out.append(String.join(",", cells)).append('\n');
        }
        return out.toString();
    }

    /** {@code {"columns": [...], "rows": [{...}, ...]}}. */
    public ObjectNode toJson() {
        final JsonNodeFactory factory = JsonNodeFactory.instance;
        final ObjectNode root = factory.objectNode();
        final ArrayNode columnsNode = root.putArray("columns");
        columns.forEach(columnsNode::add);
        final ArrayNode rowsNode = root.putArray("rows");
        for (Map<String, Object> row : rows) {
            final ObjectNode rowNode = rowsNode.addObject();
            for (String column : columns) {
                final Object value = row.get(column);
                if (value == null) {
                    rowNode.putNull(column);
                } else if (value instanceof Double d) {
                    rowNode.put(column, d);
                } else {
                    rowNode.put(column, value.toString());
                }
            }
        }
        return root;
    }

    /** Cell text: numbers with up to 6 significant digits, empty for null. */
    public static String format(Object value) {
        if (value == null) {
            return "";
        }
        if (value instanceof Double d) {
            return String.format(Locale.ROOT, "%.6g", d).replaceFirst("(\\.\\d*?)0+(e|$)", "$1$2")
                    .replaceFirst("\\.(e|$)", "$1");
        }
        return value.toString();
    }

    private static String csvCell(String text) {
        if (text.contains(",") || text.contains("\"") || text.contains("\n") || text.contains("\r")) {
            return '"' + text.replace("\"", "\"\"") + '"';
        }
        return text;
    }

    /** Distinct epsilon keys present, largest first (for callers that build their own views). */
    public List<String> epsilonColumns() {
        final Set<String> out = new LinkedHashSet<>();
        columns.stream().filter(c -> c.startsWith("tte_")).forEach(out::add);
        return List.copyOf(out);
    }
}
