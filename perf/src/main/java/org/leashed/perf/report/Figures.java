package org.leashed.perf.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Paint;
import java.awt.Shape;
import java.awt.geom.Rectangle2D;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.LegendItem;
import org.jfree.chart.LegendItemCollection;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.CategoryLabelPositions;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.BoxAndWhiskerRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.renderer.xy.XYStepRenderer;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.statistics.DefaultBoxAndWhiskerCategoryDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.leashed.kernel.fit.ModelFit;
import org.leashed.perf.report.RunRecord.Latency;
import org.leashed.perf.report.RunRecord.Outcome;
import org.leashed.perf.report.RunRecord.TimePoint;

/**
 * Builds the report's charts from runs grouped by setting ({@link Settings#group}). Each method returns
 * the figures it can draw from the data present; a figure whose data no run has is left out (and the
 * HTML says so) rather than drawn empty.
 */
public final class Figures {
    /** Default step-size amplitude A of TAIL-tau when a run's config has no tail_amplitude. */
    public static final double DEFAULT_TAIL_AMPLITUDE = 1.0;

    private static final Paint[] PALETTE = {
        new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c), new Color(0xff7f0e),
        new Color(0x9467bd), new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f),
        new Color(0xbcbd22), new Color(0x17becf),
    };
    private static final Font TITLE_FONT = new Font(Font.SANS_SERIF, Font.BOLD, 16);
    private static final Shape NO_SHAPE = new Rectangle2D.Double(-2, -2, 4, 4);

    private final Map<String, List<RunRecord>> bySetting;
    private final Map<String, Paint> paints = new LinkedHashMap<>();

    /** @param bySetting runs grouped by setting label, in display order */
    public Figures(Map<String, List<RunRecord>> bySetting) {
        this.bySetting = bySetting;
        int i = 0;
        for (String setting : bySetting.keySet()) {
            paints.put(setting, PALETTE[i++ % PALETTE.length]);
        }
    }

    /** Loss against wall-clock time, log y, one line per run coloured by setting (Fig. D.3 style). */
    public Figure lossOverTime() {
        final XYSeriesCollection data = new XYSeriesCollection();
        final List<Paint> seriesPaint = new ArrayList<>();
        bySetting.forEach((setting, runs) -> {
            for (RunRecord run : runs) {
                final XYSeries series = new XYSeries(run.runId(), false, true);
                if (run.initialLoss() > 0.0 && Double.isFinite(run.initialLoss())) {
                    series.add(0.0, run.initialLoss());
                }
                for (RunRecord.Epoch epoch : run.epochs()) {
                    // A log axis cannot show 0, NaN or Infinity: a crashed run's line simply stops.
                    if (epoch.loss() > 0.0 && Double.isFinite(epoch.loss())) {
                        series.add(epoch.wallS(), epoch.loss());
                    }
                }
                data.addSeries(series);
                seriesPaint.add(paints.get(setting));
            }
        });
        final LogAxis yAxis = new LogAxis("training loss (log)");
        yAxis.setSmallestValue(1e-12);
        yAxis.setNumberFormatOverride(new CompactNumberFormat());
        final XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, true);
        for (int i = 0; i < seriesPaint.size(); i++) {
            renderer.setSeriesPaint(i, seriesPaint.get(i));
            renderer.setSeriesShape(i, NO_SHAPE);
            renderer.setSeriesStroke(i, new BasicStroke(1.4f));
        }
        final XYPlot plot = new XYPlot(data, new NumberAxis("wall-clock time (s)"), yAxis, renderer);
        plot.setFixedLegendItems(settingLegend());
        styleXY(plot);
        return new Figure("loss_over_time",
                "Training loss (log scale) against wall-clock seconds, one line per run, coloured by setting. "
                        + "Lines that stop early belong to crashed runs (non-finite loss).",
                chart("Loss over time", plot));
    }

    /**
     * Time to each epsilon as box plots per setting (Fig. B.3/B.5 style); the category label carries
     * the number of runs and how many diverged or crashed.
     */
    public Figure epsilonConvergence() {
        final DefaultBoxAndWhiskerCategoryDataset data = new DefaultBoxAndWhiskerCategoryDataset();
        final List<String> epsilons = new ArrayList<>();
        bySetting.values().forEach(runs -> runs.forEach(r -> r.timeToEpsilon().keySet().forEach(e -> {
            if (!epsilons.contains(e)) {
                epsilons.add(e);
            }
        })));
        epsilons.sort((a, b) -> Double.compare(Double.parseDouble(b), Double.parseDouble(a)));
        boolean any = false;
        for (Map.Entry<String, List<RunRecord>> entry : bySetting.entrySet()) {
            final List<RunRecord> runs = entry.getValue();
            final long diverged = runs.stream().filter(r -> r.outcome() == Outcome.DIVERGED).count();
            final long crashed = runs.stream().filter(r -> r.outcome() == Outcome.CRASHED).count();
            final String category = entry.getKey() + " (n=" + runs.size() + ", diverged " + diverged
                    + ", crashed " + crashed + ")";
            for (String epsilon : epsilons) {
                final List<Double> times = new ArrayList<>();
                for (RunRecord run : runs) {
                    final Double t = run.timeToEpsilon().get(epsilon);
                    if (t != null) {
                        times.add(t);
                    }
                }
                // An empty box keeps the category (and its diverged/crashed counts) on the axis.
                data.add(times, "\u03b5 = " + percent(epsilon), category);
                any |= !times.isEmpty();
            }
        }
        final BoxAndWhiskerRenderer renderer = new BoxAndWhiskerRenderer();
        renderer.setMeanVisible(false);
        renderer.setMaxOutlierVisible(true);
        renderer.setMinOutlierVisible(true);
        renderer.setFillBox(true);
        renderer.setMaximumBarWidth(0.08);
        for (int i = 0; i < epsilons.size(); i++) {
            renderer.setSeriesPaint(i, PALETTE[i % PALETTE.length]);
        }
        final CategoryAxis xAxis = categoryAxis("setting (runs, failures)");
        final boolean crowded = bySetting.size() > CROWDED_CATEGORIES;
        if (crowded) {
            // Horizontal labels of a dozen or more settings wrap into unreadable fragments: stand them up,
            // one line each, and give the figure room for them.
            xAxis.setCategoryLabelPositions(CategoryLabelPositions.UP_90);
            xAxis.setMaximumCategoryLabelLines(1);
            xAxis.setMaximumCategoryLabelWidthRatio(0.9f);
        }
        final NumberAxis yAxis = new NumberAxis("time to \u03b5-convergence (s)");
        yAxis.setAutoRangeIncludesZero(true);
        final CategoryPlot plot = new CategoryPlot(data, xAxis, yAxis, renderer);
        styleCategory(plot);
        return new Figure("epsilon_convergence",
                "Wall-clock seconds until the loss first fell below \u03b5 \u00d7 L(\u03b8\u2080), per setting "
                        + "(box: quartiles, line: median, whiskers: 1.5 IQR, circles: outliers). Runs that never reached an "
                        + "\u03b5 are absent from its box; the label counts diverged and crashed runs."
                        + (any ? "" : " No run reached any \u03b5."),
                chart("\u03b5-convergence", plot),
                crowded ? Math.max(Figure.WIDTH, 28 * bySetting.size()) : Figure.WIDTH,
                crowded ? Figure.HEIGHT + 600 : Figure.HEIGHT);
    }

    /** Observed staleness distribution per setting, all runs of a setting pooled (Fig. C.4 left). */
    public Figure stalenessDistribution() {
        return histogramFigure("staleness", "Staleness distribution", "staleness \u03c4",
                RunRecord::stalenessHist,
                "Fraction of updates with each staleness \u03c4 (updates published between a worker's read and "
                        + "its own update), pooled over the runs of each setting.");
    }

    /** CAS attempts per update (Leashed-SGD), pooled per setting. */
    public Figure casTriesDistribution() {
        return histogramFigure("cas_tries", "CAS attempts per update", "CAS attempts",
                RunRecord::casTriesHist,
                "Fraction of published updates that needed each number of compare-and-set attempts in the "
                        + "Leashed-SGD publication loop, pooled per setting; mass beyond 1 is contention.");
    }

    private Figure histogramFigure(String name, String title, String xLabel,
                                   java.util.function.Function<RunRecord, long[]> histogram, String caption) {
        final XYSeriesCollection data = new XYSeriesCollection();
        final List<Paint> seriesPaint = new ArrayList<>();
        bySetting.forEach((setting, runs) -> {
            final long[] pooled = pool(runs, histogram);
            final double total = sum(pooled);
            if (total > 0) {
                final XYSeries series = new XYSeries(setting, false, true);
                for (int tau = 0; tau < pooled.length; tau++) {
                    series.add(tau, pooled[tau] / total);
                }
                data.addSeries(series);
                seriesPaint.add(paints.get(setting));
            }
        });
        final XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, true);
        for (int i = 0; i < seriesPaint.size(); i++) {
            renderer.setSeriesPaint(i, seriesPaint.get(i));
            renderer.setSeriesShape(i, NO_SHAPE);
            renderer.setSeriesStroke(i, new BasicStroke(1.6f));
        }
        final NumberAxis xAxis = new NumberAxis(xLabel);
        xAxis.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        final XYPlot plot = new XYPlot(data, xAxis, new NumberAxis("fraction of updates"), renderer);
        styleXY(plot);
        return new Figure(name, caption, chart(title, plot));
    }

    /**
     * TAIL-tau scaling factor C_A(tau) = 1 + A (1 - 2 F(tau)) over each setting's observed distribution
     * (Fig. C.1 / C.4 right), with A from the setting's {@code tail_amplitude} (default 1).
     */
    public Figure tailScaling() {
        final XYSeriesCollection data = new XYSeriesCollection();
        final List<Paint> seriesPaint = new ArrayList<>();
        bySetting.forEach((setting, runs) -> {
            final long[] pooled = pool(runs, RunRecord::stalenessHist);
            final double total = sum(pooled);
            if (total > 0) {
                final double amplitude = tailAmplitude(runs.getFirst());
                final double[] scaling = tailScalingFactor(pooled, amplitude);
                final XYSeries series = new XYSeries(setting + " (A=" + SummaryTable.format(amplitude) + ")",
                        false, true);
                for (int tau = 0; tau < scaling.length; tau++) {
                    series.add(tau, scaling[tau]);
                }
                data.addSeries(series);
                seriesPaint.add(paints.get(setting));
            }
        });
        final XYStepRenderer renderer = new XYStepRenderer();
        for (int i = 0; i < seriesPaint.size(); i++) {
            renderer.setSeriesPaint(i, seriesPaint.get(i));
            renderer.setSeriesStroke(i, new BasicStroke(1.6f));
        }
        final NumberAxis xAxis = new NumberAxis("staleness \u03c4");
        xAxis.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        final XYPlot plot = new XYPlot(data, xAxis, new NumberAxis("step-size factor C_A(\u03c4)"), renderer);
        styleXY(plot);
        return new Figure("tail_scaling",
                "TAIL-\u03c4 step-size factor C_A(\u03c4) = 1 + A(1 \u2212 2F(\u03c4)) computed from each setting's "
                        + "observed staleness CDF F: fresher-than-typical updates get a factor above 1, stragglers "
                        + "below 1, and the factor stays within [1 \u2212 A, 1 + A].",
                chart("TAIL-\u03c4 scaling over the observed staleness", plot));
    }

    /** C_A(tau) = 1 + A (1 - 2 F(tau)) for tau = 0..hist.length-1, F the empirical CDF of {@code hist}. */
    public static double[] tailScalingFactor(long[] hist, double amplitude) {
        final double total = sum(hist);
        if (total <= 0) {
            throw new IllegalArgumentException("staleness histogram must have a positive total, was " + total);
        }
        final double[] out = new double[hist.length];
        double cumulative = 0.0;
        for (int tau = 0; tau < hist.length; tau++) {
            cumulative += hist[tau];
            out[tau] = 1.0 + amplitude * (1.0 - 2.0 * (cumulative / total));
        }
        return out;
    }

    static double tailAmplitude(RunRecord run) {
        final String text = run.config().get("tail_amplitude");
        if (text == null || text.isBlank() || text.equals("null")) {
            return DEFAULT_TAIL_AMPLITUDE;
        }
        try {
            return Double.parseDouble(text);
        } catch (NumberFormatException e) {
            throw new ResultFileException(run.source(), "config.tail_amplitude", "\"" + text + "\"", "a number");
        }
    }

    /** Parallelism level m^E(t) and asynchrony-induced noise xi(t) of elastic runs (Fig. D.3 style). */
    public List<Figure> elastic() {
        final XYSeriesCollection parallelism = new XYSeriesCollection();
        final XYSeriesCollection xi = new XYSeriesCollection();
        final List<Paint> pPaint = new ArrayList<>();
        final List<Paint> xPaint = new ArrayList<>();
        bySetting.forEach((setting, runs) -> {
            for (RunRecord run : runs) {
                if (run.elastic().isEmpty()) {
                    continue;
                }
                final RunRecord.Elastic e = run.elastic().get();
                if (!e.parallelism().isEmpty()) {
                    parallelism.addSeries(series(run.runId(), e.parallelism()));
                    pPaint.add(paints.get(setting));
                }
                if (!e.xi().isEmpty()) {
                    xi.addSeries(series(run.runId(), e.xi()));
                    xPaint.add(paints.get(setting));
                }
            }
        });
        final List<Figure> out = new ArrayList<>();
        if (parallelism.getSeriesCount() > 0) {
            final XYStepRenderer renderer = new XYStepRenderer();
            for (int i = 0; i < pPaint.size(); i++) {
                renderer.setSeriesPaint(i, pPaint.get(i));
                renderer.setSeriesStroke(i, new BasicStroke(1.6f));
            }
            final NumberAxis yAxis = new NumberAxis("active workers m\u1d31");
            yAxis.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
            final XYPlot plot = new XYPlot(parallelism, new NumberAxis("wall-clock time (s)"), yAxis, renderer);
            styleXY(plot);
            out.add(new Figure("elastic_parallelism",
                    "Number of active workers chosen by the elastic regulator over time, one line per elastic run"
                            + breakEvenNote() + ".",
                    chart("Elastic parallelism level", plot)));
        }
        if (xi.getSeriesCount() > 0) {
            final XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, true);
            for (int i = 0; i < xPaint.size(); i++) {
                renderer.setSeriesPaint(i, xPaint.get(i));
                renderer.setSeriesShape(i, NO_SHAPE);
            }
            final XYPlot plot = new XYPlot(xi, new NumberAxis("wall-clock time (s)"),
                    new NumberAxis("\u2016\u03be\u2016"), renderer);
            styleXY(plot);
            out.add(new Figure("elastic_xi",
                    "Asynchrony-induced noise \u03be measured by the regulator over time; spikes usually coincide "
                            + "with higher parallelism and with setbacks in the loss.",
                    chart("Asynchrony-induced noise \u03be", plot)));
        }
        return out;
    }

    private String breakEvenNote() {
        final List<String> notes = new ArrayList<>();
        bySetting.values().forEach(runs -> runs.forEach(r -> r.elastic().ifPresent(e -> {
            final OptionalDouble be = e.breakEvenS();
            if (be.isPresent()) {
                notes.add(r.runId() + " " + SummaryTable.format(be.getAsDouble()) + " s");
            }
        })));
        return notes.isEmpty() ? "" : "; break-even time: " + String.join(", ", notes);
    }

    /** T_c and T_u summaries (p50, p99, mean) per setting as grouped bars (Fig. B.9 from summaries). */
    public List<Figure> computeAndUpdateTimes() {
        final List<Figure> out = new ArrayList<>();
        latencyFigure("tc", "Gradient computation time T_c", RunRecord::tcNs).ifPresent(out::add);
        latencyFigure("tu", "Update application time T_u", RunRecord::tuNs).ifPresent(out::add);
        return out;
    }

    private java.util.Optional<Figure> latencyFigure(String name, String title,
            java.util.function.Function<RunRecord, java.util.Optional<Latency>> field) {
        double max = 0.0;
        final Map<String, double[]> means = new LinkedHashMap<>();
        for (Map.Entry<String, List<RunRecord>> entry : bySetting.entrySet()) {
            final double[] acc = new double[3];
            int n = 0;
            for (RunRecord run : entry.getValue()) {
                final java.util.Optional<Latency> latency = field.apply(run);
                if (latency.isPresent()) {
                    acc[0] += latency.get().p50();
                    acc[1] += latency.get().p99();
                    acc[2] += latency.get().mean();
                    n++;
                }
            }
            if (n > 0) {
                for (int i = 0; i < 3; i++) {
                    acc[i] /= n;
                    max = Math.max(max, acc[i]);
                }
                means.put(entry.getKey(), acc);
            }
        }
        if (means.isEmpty()) {
            return java.util.Optional.empty();
        }
        final boolean millis = max >= 1e6;
        final double scale = millis ? 1e-6 : 1e-3;
        final DefaultCategoryDataset data = new DefaultCategoryDataset();
        means.forEach((setting, v) -> {
            data.addValue(v[0] * scale, "p50", setting);
            data.addValue(v[1] * scale, "p99", setting);
            data.addValue(v[2] * scale, "mean", setting);
        });
        final CategoryPlot plot = barPlot(data, millis ? "time (ms)" : "time (\u00b5s)");
        return java.util.Optional.of(new Figure(name + "_times",
                title + " per setting: median, 99th percentile and mean, each averaged over the setting's runs. "
                        + "A p99 far above the median points at preemption, GC or contention.",
                chart(title, plot)));
    }

    /** Peak live parameter vectors and peak off-heap bytes per setting (Fig. B.10 as peaks). */
    public List<Figure> memory() {
        final DefaultCategoryDataset vectors = new DefaultCategoryDataset();
        final DefaultCategoryDataset bytes = new DefaultCategoryDataset();
        bySetting.forEach((setting, runs) -> {
            final long[] peaks = new long[2];
            boolean any = false;
            for (RunRecord run : runs) {
                if (run.memory().isPresent()) {
                    any = true;
                    peaks[0] = Math.max(peaks[0], run.memory().get().liveVectorsPeak());
                    peaks[1] = Math.max(peaks[1], run.memory().get().offheapBytesPeak());
                }
            }
            if (any) {
                final String threads = runs.getFirst().config().get("threads");
                final String algo = runs.getFirst().config().getOrDefault("algo", "");
                vectors.addValue(peaks[0], "live vectors (peak)", setting);
                if (threads != null && threads.matches("[1-9]\\d{0,5}")) {
                    final int m = Integer.parseInt(threads);
                    // Leashed-SGD: at most 3m (Lemma B.3.2); lock-based AsyncSGD and HOGWILD!: 2m + 1.
                    switch (algo) {
                        case "LSH" -> vectors.addValue(3 * m, "bound (LSH 3m, ASYNC/HOG 2m+1)", setting);
                        case "ASYNC", "HOG" -> vectors.addValue(2 * m + 1, "bound (LSH 3m, ASYNC/HOG 2m+1)", setting);
                        default -> { }
                    }
                }
                bytes.addValue(peaks[1] / (1024.0 * 1024.0), "off-heap MiB (peak)", setting);
            }
        });
        if (vectors.getColumnCount() == 0) {
            return List.of();
        }
        return List.of(
                new Figure("memory_vectors",
                        "Largest number of parameter vectors alive at once in any run of the setting, next to the "
                                + "algorithm's bound (Leashed-SGD at most 3m, AsyncSGD/HOGWILD! 2m + 1; m = threads).",
                        chart("Live parameter vectors (peak)", barPlot(vectors, "vectors"))),
                new Figure("memory_offheap",
                        "Largest off-heap footprint (MiB) observed in any run of the setting.",
                        chart("Off-heap memory (peak)", barPlot(bytes, "MiB"))));
    }

    /** Bhattacharyya distance of each fitted staleness model per setting (Fig. A.2 style). */
    public Figure stalenessFitDistances(Map<String, List<ModelFit>> fits) {
        final DefaultCategoryDataset data = new DefaultCategoryDataset();
        fits.forEach((setting, modelFits) -> {
            for (ModelFit fit : modelFits) {
                data.addValue(Double.isFinite(fit.distance()) ? fit.distance() : null,
                        fit.model().family().name(), setting);
            }
        });
        return new Figure("staleness_fit",
                "Bhattacharyya distance between each setting's observed staleness distribution and the best "
                        + "geometric, bounded-uniform, Poisson and CMP (\u03bb^(1/\u03bd) = m) model; lower is a better fit.",
                chart("Staleness model fit", barPlot(data, "Bhattacharyya distance")));
    }

    // --- helpers ---

    /** Tick labels like 2.3, 0.15, 1e-05: three significant digits, no trailing zeros. */
    private static final class CompactNumberFormat extends java.text.NumberFormat {
        private static final long serialVersionUID = 1L;

        @Override
        public StringBuffer format(double number, StringBuffer toAppendTo, java.text.FieldPosition pos) {
            final String text = Math.abs(number) >= 1e-3 && Math.abs(number) < 1e4
                    ? SummaryTable.format(Double.parseDouble(String.format(java.util.Locale.ROOT, "%.3g", number)))
                    : String.format(java.util.Locale.ROOT, "%.2g", number);
            return toAppendTo.append(text);
        }

        @Override
        public StringBuffer format(long number, StringBuffer toAppendTo, java.text.FieldPosition pos) {
            return toAppendTo.append(number);
        }

        @Override
        public Number parse(String source, java.text.ParsePosition parsePosition) {
            throw new UnsupportedOperationException("formatting only");
        }
    }

    private LegendItemCollection settingLegend() {
        final LegendItemCollection items = new LegendItemCollection();
        paints.forEach((setting, paint) -> {
            final LegendItem item = new LegendItem(setting, paint);
            items.add(item);
        });
        return items;
    }

    private static XYSeries series(String key, List<TimePoint> points) {
        final XYSeries series = new XYSeries(key, false, true);
        points.forEach(p -> series.add(p.t(), p.value()));
        return series;
    }

    static long[] pool(List<RunRecord> runs, java.util.function.Function<RunRecord, long[]> histogram) {
        int length = 0;
        for (RunRecord run : runs) {
            length = Math.max(length, histogram.apply(run).length);
        }
        final long[] pooled = new long[length];
        for (RunRecord run : runs) {
            final long[] h = histogram.apply(run);
            for (int i = 0; i < h.length; i++) {
                pooled[i] += h[i];
            }
        }
        return pooled;
    }

    private static double sum(long[] values) {
        double total = 0.0;
        for (long v : values) {
            total += v;
        }
        return total;
    }

    private static String percent(String epsilon) {
        return SummaryTable.format(Double.parseDouble(epsilon) * 100.0) + "%";
    }

    /** Settings beyond which a category axis stands its labels up. */
    private static final int CROWDED_CATEGORIES = 10;

    private static CategoryAxis categoryAxis(String label) {
        final CategoryAxis axis = new CategoryAxis(label);
        axis.setMaximumCategoryLabelLines(3);
        axis.setCategoryLabelPositions(CategoryLabelPositions.STANDARD);
        return axis;
    }

    private static CategoryPlot barPlot(DefaultCategoryDataset data, String valueLabel) {
        final BarRenderer renderer = new BarRenderer();
        renderer.setBarPainter(new StandardBarPainter());
        renderer.setShadowVisible(false);
        renderer.setMaximumBarWidth(0.08);
        for (int i = 0; i < data.getRowCount(); i++) {
            renderer.setSeriesPaint(i, PALETTE[i % PALETTE.length]);
        }
        final CategoryPlot plot = new CategoryPlot(data, categoryAxis("setting"), new NumberAxis(valueLabel), renderer);
        plot.setOrientation(PlotOrientation.VERTICAL);
        styleCategory(plot);
        return plot;
    }

    private static void styleXY(XYPlot plot) {
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(new Color(0xdddddd));
        plot.setRangeGridlinePaint(new Color(0xdddddd));
    }

    private static void styleCategory(CategoryPlot plot) {
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinePaint(new Color(0xdddddd));
    }

    private static JFreeChart chart(String title, org.jfree.chart.plot.Plot plot) {
        final JFreeChart chart = new JFreeChart(title, TITLE_FONT, plot, true);
        chart.setBackgroundPaint(Color.WHITE);
        chart.setAntiAlias(true);
        chart.setTextAntiAlias(true);
        return chart;
    }
}
