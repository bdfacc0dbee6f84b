package org.leashed.perf.report;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.leashed.kernel.fit.ModelFit;
import org.leashed.kernel.fit.StalenessModelFitter;

/**
 * The single self-contained {@code index.html}: figures embedded as base64 SVG {@code <img>}s (each
 * SVG stays an isolated document, so ids inside different charts cannot clash), run metadata, the
 * staleness-fit table and the per-run summary table. No scripts, no external resources.
 */
final class HtmlReport {
    private HtmlReport() {
    }

    record EmbeddedFigure(Figure figure, FigureWriter.Rendered rendered) {
    }

    static String render(List<Path> inputs, List<RunRecord> runs, List<EmbeddedFigure> figures,
                         List<String> omitted, Map<String, List<ModelFit>> fits, Map<String, Integer> fitWorkers,
                         SummaryTable summary, Instant generatedAt) {
        final StringBuilder h = new StringBuilder(1 << 20);
        h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n")
                .append("<title>leashed report</title>\n<style>\n")
                .append("body{font-family:sans-serif;margin:24px;color:#222;max-width:1400px}\n")
                .append("figure{margin:24px 0;border:1px solid #ddd;padding:8px}\n")
                .append("figure img{width:100%;max-width:960px;height:auto;display:block}\n")
                .append("figcaption{font-size:14px;color:#444;margin-top:6px}\n")
                .append("table{border-collapse:collapse;font-size:12px;margin:12px 0}\n")
                .append("td,th{border:1px solid #ccc;padding:3px 6px;text-align:right}\n")
                .append("th{background:#f3f3f3}td.l,th.l{text-align:left}\n")
                .append(".best{font-weight:bold;background:#eef7ee}\npre{background:#f7f7f7;padding:8px;font-size:12px;overflow:auto}\n")
                .append("</style></head><body>\n");
        h.append("<h1>leashed report</h1>\n<p>Generated ").append(escape(generatedAt.toString()))
                .append(" from ").append(runs.size()).append(" run(s) in ").append(inputs.size())
                .append(" input(s): ").append(escape(String.join(", ", inputs.stream().map(Path::toString).toList())))
                .append(".</p>\n");

        h.append("<h2 id=\"metadata\">Machines</h2>\n");
        final Set<String> machines = new LinkedHashSet<>();
        for (RunRecord run : runs) {
            final JsonNode machine = run.machine();
            if (!machine.isEmpty()) {
                machines.add(machine.toPrettyString());
            }
        }
        if (machines.isEmpty()) {
            h.append("<p>No run recorded a <code>machine</code> section.</p>\n");
        }
        for (String machine : machines) {
            h.append("<pre>").append(escape(machine)).append("</pre>\n");
        }

        h.append("<h2 id=\"figures\">Figures</h2>\n");
        for (EmbeddedFigure f : figures) {
            final String name = f.figure().name();
            h.append("<figure id=\"fig-").append(name).append("\"><img alt=\"").append(escape(name))
                    .append("\" src=\"data:image/svg+xml;base64,")
                    .append(Base64.getEncoder().encodeToString(f.rendered().svg())).append("\">\n<figcaption>")
                    .append(escape(f.figure().caption())).append(" Files: <code>").append(name)
                    .append(".png</code>, <code>").append(name).append(".svg</code>.</figcaption></figure>\n");
        }
        if (!omitted.isEmpty()) {
            h.append("<p>Not drawn (no run has the data): ").append(escape(String.join("; ", omitted))).append(".</p>\n");
        }

        h.append("<h2 id=\"staleness-fit\">Staleness model fit</h2>\n");
        if (fits.isEmpty()) {
            h.append("<p>No run recorded a staleness histogram.</p>\n");
        } else {
            h.append("<p>Best parameters of each model by Bhattacharyya distance D<sub>B</sub> to the pooled "
                    + "staleness distribution of each setting; CMP uses \u03bb = m<sup>\u03bd</sup> with m the "
                    + "setting's threads. The best model per setting is highlighted.</p>\n");
            h.append("<table id=\"fit-table\"><tr><th class=\"l\">setting</th><th>m</th><th class=\"l\">model</th>"
                    + "<th class=\"l\">parameters</th><th>D<sub>B</sub></th></tr>\n");
            fits.forEach((setting, modelFits) -> {
                final ModelFit best = StalenessModelFitter.best(modelFits);
                for (ModelFit fit : modelFits) {
                    h.append("<tr").append(fit == best ? " class=\"best\"" : "").append("><td class=\"l\">")
                            .append(escape(setting)).append("</td><td>").append(fitWorkers.get(setting))
                            .append("</td><td class=\"l\">").append(fit.model().family()).append("</td><td class=\"l\">");
                    final StringBuilder params = new StringBuilder();
                    new java.util.TreeMap<>(fit.model().parameters()).forEach((k, v) -> {
                        if (!params.isEmpty()) {
                            params.append(", ");
                        }
                        params.append(k).append(" = ").append(SummaryTable.format(v));
                    });
                    h.append(escape(params.toString())).append("</td><td>")
                            .append(SummaryTable.format(fit.distance())).append("</td></tr>\n");
                }
            });
            h.append("</table>\n");
        }

        h.append("<h2 id=\"summary\">Runs</h2>\n<table id=\"summary-table\"><tr>");
        for (String column : summary.columns()) {
            h.append("<th class=\"l\">").append(escape(column)).append("</th>");
        }
        h.append("</tr>\n");
        for (Map<String, Object> row : summary.rows()) {
            h.append("<tr>");
            for (String column : summary.columns()) {
                final Object value = row.get(column);
                h.append(value instanceof Double ? "<td>" : "<td class=\"l\">")
                        .append(escape(SummaryTable.format(value))).append("</td>");
            }
            h.append("</tr>\n");
        }
        h.append("</table>\n</body></html>\n");
        return h.toString();
    }

    static String escape(String text) {
        final StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            final char c = text.charAt(i);
            switch (c) {
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '&' -> out.append("&amp;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }
}
