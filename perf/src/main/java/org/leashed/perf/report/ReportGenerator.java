package org.leashed.perf.report;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.leashed.kernel.fit.ModelFit;
import org.leashed.kernel.fit.StalenessModelFitter;

/**
 * Turns result files into a report directory: one PNG and one SVG per figure, {@code index.html},
 * {@code summary.csv}/{@code summary.json} and {@code staleness_fit.csv}. Every file is written
 * atomically. Requires headless AWT; {@link ReportCommand} sets it before any AWT class loads.
 */
public final class ReportGenerator {
    private ReportGenerator() {
    }

    /** What was written. */
    public record Report(Path indexHtml, List<Path> figureFiles, int runs) {
    }

    /**
     * Reads every input (directories contribute their {@code *.json} except {@code summary.json}) and
     * writes the report to {@code outDir}.
     *
     * @throws ResultFileException listing every bad input when at least one is unusable, or when
     *                             the inputs contain no result file at all
     */
    public static Report generate(List<Path> inputs, Path outDir) {
        final List<Path> files = ResultReader.expand(inputs);
        if (files.isEmpty()) {
            throw new ResultFileException(inputs.getFirst(), "(file)", "a location without *.json result files",
                    "at least one result file");
        }
        final List<RunRecord> runs = new ArrayList<>();
        final List<String> errors = new ArrayList<>();
        for (Path file : files) {
            try {
                runs.add(ResultReader.read(file));
            } catch (ResultFileException e) {
                errors.add(e.getMessage());
            }
        }
        if (!errors.isEmpty()) {
            final ResultFileException first = firstError(files, errors);
            throw errors.size() == 1 ? first
                    : new ResultFileException(first.file(), first.field(),
                            "one of " + errors.size() + " problems:\n  " + String.join("\n  ", errors) + "\n",
                            "valid in every input");
        }
        return write(inputs, runs, outDir, Instant.now());
    }

    private static ResultFileException firstError(List<Path> files, List<String> errors) {
        for (Path file : files) {
            try {
                ResultReader.read(file);
            } catch (ResultFileException e) {
                return e;
            }
        }
        throw new IllegalStateException("errors without a failing file: " + errors);
    }

    /** Writes the report for already validated runs. */
    public static Report write(List<Path> inputs, List<RunRecord> runs, Path outDir, Instant generatedAt) {
        final Map<String, List<RunRecord>> bySetting = Settings.group(runs);
        final Figures figures = new Figures(bySetting);
        final List<Figure> toDraw = new ArrayList<>();
        final List<String> omitted = new ArrayList<>();
        final boolean anyEpochs = runs.stream().anyMatch(r -> !r.epochs().isEmpty());
        final boolean anyEpsilon = runs.stream().anyMatch(r -> !r.timeToEpsilon().isEmpty());
        final boolean anyStaleness = runs.stream().anyMatch(r -> r.stalenessHist().length > 0);
        final boolean anyCas = runs.stream().anyMatch(r -> r.casTriesHist().length > 0);
        addIf(anyEpochs, figures::lossOverTime, "loss over time (no epochs)", toDraw, omitted);
        addIf(anyEpsilon, figures::epsilonConvergence, "\u03b5-convergence (no time_to_epsilon)", toDraw, omitted);
        addIf(anyStaleness, figures::stalenessDistribution, "staleness (no staleness_hist)", toDraw, omitted);
        addIf(anyStaleness, figures::tailScaling, "TAIL-\u03c4 scaling (no staleness_hist)", toDraw, omitted);
        addIf(anyCas, figures::casTriesDistribution, "CAS attempts (no cas_tries_hist)", toDraw, omitted);
        addAll(figures.computeAndUpdateTimes(), "T_c/T_u (no tc_ns/tu_ns)", toDraw, omitted);
        addAll(figures.memory(), "memory (no memory)", toDraw, omitted);
        addAll(figures.elastic(), "elastic parallelism and \u03be (no elastic run)", toDraw, omitted);

        final Map<String, List<ModelFit>> fits = new LinkedHashMap<>();
        final Map<String, Integer> fitWorkers = new LinkedHashMap<>();
        bySetting.forEach((setting, settingRuns) -> {
            final long[] pooled = Figures.pool(settingRuns, RunRecord::stalenessHist);
            if (java.util.Arrays.stream(pooled).sum() > 0) {
                final int workers = workersFor(settingRuns.getFirst(), pooled);
                fits.put(setting, StalenessModelFitter.fitAll(pooled, workers));
                fitWorkers.put(setting, workers);
            }
        });
        if (!fits.isEmpty()) {
            toDraw.add(figures.stalenessFitDistances(fits));
        }

        final List<HtmlReport.EmbeddedFigure> embedded = new ArrayList<>();
        final List<Path> figureFiles = new ArrayList<>();
        for (Figure figure : toDraw) {
            embedded.add(new HtmlReport.EmbeddedFigure(figure, FigureWriter.write(figure, outDir)));
            figureFiles.add(outDir.resolve(figure.name() + ".png"));
            figureFiles.add(outDir.resolve(figure.name() + ".svg"));
        }
        final SummaryTable summary = SummaryTable.of(runs);
        AtomicFiles.writeString(outDir.resolve("summary.csv"), summary.toCsv());
        AtomicFiles.writeString(outDir.resolve("summary.json"), summary.toJson().toPrettyString());
        AtomicFiles.writeString(outDir.resolve("staleness_fit.csv"), fitCsv(fits, fitWorkers));
        final Path index = outDir.resolve("index.html");
        AtomicFiles.writeString(index, HtmlReport.render(inputs, runs, embedded, omitted, fits, fitWorkers,
                summary, generatedAt));
        return new Report(index, List.copyOf(figureFiles), runs.size());
    }

    /**
     * m for the CMP mode assumption: the config's {@code threads}; when absent or not an integer, the
     * observed mode + 1 (the value A.13 would imply).
     */
    static int workersFor(RunRecord run, long[] pooled) {
        final String threads = run.config().get("threads");
        if (threads != null && threads.matches("[1-9]\\d{0,6}")) {
            return Integer.parseInt(threads);
        }
        int mode = 0;
        for (int tau = 1; tau < pooled.length; tau++) {
            if (pooled[tau] > pooled[mode]) {
                mode = tau;
            }
        }
        return mode + 1;
    }

    private static String fitCsv(Map<String, List<ModelFit>> fits, Map<String, Integer> workers) {
        final StringBuilder csv = new StringBuilder("setting,m,model,parameters,bhattacharyya_distance\n");
        fits.forEach((setting, modelFits) -> {
            for (ModelFit fit : modelFits) {
                final StringBuilder params = new StringBuilder();
                new java.util.TreeMap<>(fit.model().parameters()).forEach((k, v) -> params
                        .append(params.isEmpty() ? "" : ";").append(k).append('=').append(SummaryTable.format(v)));
                csv.append('"').append(setting.replace("\"", "\"\"")).append("\",").append(workers.get(setting))
                        .append(',').append(fit.model().family()).append(',').append(params).append(',')
                        .append(SummaryTable.format(fit.distance())).append('\n');
            }
        });
        return csv.toString();
    }

    private static void addIf(boolean condition, java.util.function.Supplier<Figure> figure, String missing,
                              List<Figure> toDraw, List<String> omitted) {
        if (condition) {
            toDraw.add(figure.get());
        } else {
            omitted.add(missing);
        }
    }

    private static void addAll(List<Figure> figures, String missing, List<Figure> toDraw, List<String> omitted) {
        if (figures.isEmpty()) {
            omitted.add(missing);
        } else {
            toDraw.addAll(figures);
        }
    }
}
