package org.leashed.perf.report;

import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code leashed report DIR_OR_FILES... --out DIR}: figures (PNG + SVG), {@code index.html} and summary
 * tables from result files. Exit status 0 on success, 1 when an input is unusable (every bad file is
 * named with its field, value and expectation) or the output cannot be written.
 */
@Command(name = "report", mixinStandardHelpOptions = true,
        description = {"Draw figures (PNG and SVG) and a self-contained index.html from result files.",
            "Directories contribute their *.json files except summary.json and sweep.json."})
public final class ReportCommand implements Callable<Integer> {
    /** Exit status when an input file is unusable or the output cannot be written. */
    public static final int EXIT_BAD_INPUT = 1;

    @Spec
    CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "DIR_OR_FILES", description = "Result files or directories of them.")
    List<Path> inputs;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Directory for the report.")
    Path out;

    @Override
    public Integer call() {
        // Before the first AWT class loads: charts render off-screen, no display needed.
        System.setProperty("java.awt.headless", "true");
        final PrintWriter err = spec.commandLine().getErr();
        final PrintWriter outWriter = spec.commandLine().getOut();
        try {
            final ReportGenerator.Report report = ReportGenerator.generate(inputs, out);
            outWriter.printf("report: %d run(s), %d figure file(s), %s%n", report.runs(),
                    report.figureFiles().size(), report.indexHtml());
            outWriter.flush();
            return 0;
        } catch (ResultFileException | UncheckedIOException e) {
            err.println("report: " + e.getMessage());
            err.flush();
            return EXIT_BAD_INPUT;
        }
    }
}
