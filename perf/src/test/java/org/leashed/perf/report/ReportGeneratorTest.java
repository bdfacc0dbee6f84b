package org.leashed.perf.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.imageio.ImageIO;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import picocli.CommandLine;

class ReportGeneratorTest {
    /** Every figure the synthetic campaign has data for. */
    static final List<String> FIGURES = List.of("loss_over_time", "epsilon_convergence", "staleness", "tail_scaling",
            "cas_tries", "tc_times", "tu_times", "memory_vectors", "memory_offheap", "elastic_parallelism",
            "elastic_xi", "staleness_fit");
    private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', 0x0d, 0x0a, 0x1a, 0x0a};

    @TempDir
    static Path shared;
    static Path reportDir;

    @BeforeAll
    static void renderCampaign() throws IOException {
        System.setProperty("java.awt.headless", "true");
        final Path runs = shared.resolve("runs");
        SyntheticResults.writeCampaign(runs);
        reportDir = shared.resolve("report");
        final StringWriter out = new StringWriter();
        final CommandLine cli = new CommandLine(new ReportCommand());
        cli.setOut(new PrintWriter(out));
        final int exit = cli.execute(runs.toString(), "--out", reportDir.toString());
        assertEquals(0, exit, out.toString());
        assertTrue(out.toString().contains("10 run(s)"), out.toString());
    }

    @Test
    void shouldWriteValidPngAndSvgForEveryFigureWhenGivenSyntheticResults() throws Exception {
        final DocumentBuilderFactory xml = DocumentBuilderFactory.newInstance();
        // JFreeSVG writes a DOCTYPE naming the SVG 1.1 DTD; parse it without fetching anything.
        xml.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        xml.setExpandEntityReferences(false);
        for (String name : FIGURES) {
            final byte[] png = Files.readAllBytes(reportDir.resolve(name + ".png"));
            assertArrayEquals(PNG_SIGNATURE, java.util.Arrays.copyOf(png, 8), name + ".png signature");
            final BufferedImage image = ImageIO.read(new ByteArrayInputStream(png));
            assertNotNull(image, name + ".png decodes");
            assertEquals(Figure.WIDTH, image.getWidth(), name + ".png width");
            assertTrue(distinctColours(image) > 8, name + ".png has content");
            final Document svg = xml.newDocumentBuilder().parse(reportDir.resolve(name + ".svg").toFile());
            assertEquals("svg", svg.getDocumentElement().getLocalName() != null
                    ? svg.getDocumentElement().getLocalName() : svg.getDocumentElement().getTagName(), name + ".svg root");
            assertTrue(svg.getElementsByTagName("path").getLength() + svg.getElementsByTagName("line").getLength() > 5,
                    name + ".svg draws something");
        }
        try (var listing = Files.list(reportDir)) {
            final long pngs = listing.filter(p -> p.toString().endsWith(".png")).count();
            assertEquals(FIGURES.size(), pngs, "no unexpected figures");
        }
    }

    @Test
    void shouldWriteSummaryAndFitTablesWhenGivenSyntheticResults() throws IOException {
        final List<String> csv = Files.readAllLines(reportDir.resolve("summary.csv"));
        assertEquals(11, csv.size(), "header + 10 runs");
        final String header = csv.getFirst();
        for (String column : List.of("run_id", "config.algo", "config.threads", "outcome", "tte_0.5", "tte_0.1",
                "final_loss", "s_per_epoch", "staleness_mean", "staleness_p99", "test_accuracy")) {
            assertTrue(header.contains(column), "summary.csv column " + column + " in " + header);
        }
        assertEquals(1, csv.stream().filter(l -> l.contains(",diverged,")).count());
        assertEquals(1, csv.stream().filter(l -> l.contains(",crashed,")).count());
        final JsonNode json = ResultReader.mapper().readTree(reportDir.resolve("summary.json").toFile());
        assertEquals(10, json.get("rows").size());
        final List<String> fit = Files.readAllLines(reportDir.resolve("staleness_fit.csv"));
        // 4 settings x 4 models + header.
        assertEquals(17, fit.size(), String.join("\n", fit));
        final String html = Files.readString(reportDir.resolve("index.html"));
        assertTrue(html.contains("id=\"fit-table\"") && html.contains("id=\"summary-table\""));
        assertTrue(html.contains("&quot;cores&quot; : 2"), "machine metadata embedded");
    }

    @Test
    void shouldRenderIndexHtmlInHeadlessChromiumWhenReportIsWritten() throws Exception {
        final Path chromium = Chromium.find();
        final Path screenshot = shared.resolve("screenshot.png");
        final String url = reportDir.resolve("index.html").toUri().toString();
        final Chromium.Result shot = Chromium.run(chromium, shared.resolve("profile-shot"),
                "--screenshot=" + screenshot, "--window-size=1200,2000", url);
        assertEquals(0, shot.exitCode(), shot.output());
        final BufferedImage image = ImageIO.read(screenshot.toFile());
        assertNotNull(image, "screenshot is a PNG");
        assertEquals(1200, image.getWidth());
        assertTrue(distinctColours(image) > 64, "screenshot is not blank: " + distinctColours(image) + " colours");
        assertTrue(nonWhiteFraction(image) > 0.02, "screenshot has ink: " + nonWhiteFraction(image));

        final Chromium.Result dom = Chromium.run(chromium, shared.resolve("profile-dom"), "--dump-dom", url);
        assertEquals(0, dom.exitCode(), dom.output());
        for (String name : FIGURES) {
            assertTrue(dom.stdout().contains("id=\"fig-" + name + "\""), "figure " + name + " in the DOM");
        }
        final int images = dom.stdout().split("src=\"data:image/svg\\+xml;base64,", -1).length - 1;
        assertEquals(FIGURES.size(), images, "one embedded SVG per figure");
        assertTrue(dom.stdout().contains("id=\"summary-table\""));
    }

    @Test
    void shouldNameFileFieldAndValueWhenResultFileIsMalformed() throws IOException {
        final Path dir = Files.createDirectories(shared.resolve("malformed"));
        final ObjectNode run = SyntheticResults.run("LSH", 2, "0", 1, SyntheticResults.Kind.CONVERGED);
        ((ObjectNode) run.get("epochs").get(1)).put("wall_s", "abc");
        final Path bad = SyntheticResults.write(dir, "bad-wall", run);

        final ResultFileException e = assertThrows(ResultFileException.class, () -> ResultReader.read(bad));
        assertEquals("epochs[1].wall_s", e.field());
        assertTrue(e.getMessage().contains(bad.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("\"abc\"") && e.getMessage().contains("a number"), e.getMessage());

        final ObjectNode outcome = SyntheticResults.run("LSH", 2, "0", 2, SyntheticResults.Kind.CONVERGED);
        outcome.put("outcome", "exploded");
        SyntheticResults.write(dir, "bad-outcome", outcome);
        final StringWriter err = new StringWriter();
        final CommandLine cli = new CommandLine(new ReportCommand());
        cli.setErr(new PrintWriter(err));
        final int exit = cli.execute(dir.toString(), "--out", shared.resolve("malformed-out").toString());
        assertEquals(ReportCommand.EXIT_BAD_INPUT, exit);
        assertTrue(err.toString().contains("bad-outcome.json") && err.toString().contains("'outcome'")
                && err.toString().contains("\"exploded\""), err.toString());
        assertTrue(err.toString().contains("bad-wall.json"), "every bad file is reported: " + err);
        assertTrue(Files.notExists(shared.resolve("malformed-out").resolve("index.html")));
    }

    @Test
    void shouldRejectResultWhenRequiredFieldIsMissingOrNotJson() throws IOException {
        final Path dir = Files.createDirectories(shared.resolve("missing"));
        final ObjectNode run = SyntheticResults.run("ASYNC", 2, "inf", 1, SyntheticResults.Kind.CONVERGED);
        run.remove("initial_loss");
        final Path noInitial = SyntheticResults.write(dir, "no-initial", run);
        final ResultFileException missing = assertThrows(ResultFileException.class, () -> ResultReader.read(noInitial));
        assertEquals("initial_loss", missing.field());
        assertTrue(missing.getMessage().contains("missing"), missing.getMessage());

        final Path notJson = Files.writeString(dir.resolve("truncated.json"), "{\"config\": {");
        final ResultFileException parse = assertThrows(ResultFileException.class, () -> ResultReader.read(notJson));
        assertTrue(parse.getMessage().contains("truncated.json") && parse.getMessage().contains("JSON"),
                parse.getMessage());

        final ObjectNode hist = SyntheticResults.run("ASYNC", 2, "inf", 1, SyntheticResults.Kind.CONVERGED);
        ((ObjectNode) hist.get("staleness_hist")).put("-3", 5);
        final Path badHist = SyntheticResults.write(dir, "bad-hist", hist);
        final ResultFileException h = assertThrows(ResultFileException.class, () -> ResultReader.read(badHist));
        assertEquals("staleness_hist.-3", h.field());
    }

    @Test
    void shouldReadReferenceAliasesWhenSpecNamesAreAbsent() throws IOException {
        final Path dir = Files.createDirectories(shared.resolve("aliases"));
        final ObjectNode run = SyntheticResults.run("LSH", 4, "1", 1, SyntheticResults.Kind.CONVERGED);
        run.remove("epochs");
        run.set("staleness_dist", run.remove("staleness_hist"));
        run.remove("cas_tries_hist");
        run.putArray("numtriesdist").add(0).add(7).add(3);
        final RunRecord record = ResultReader.read(SyntheticResults.write(dir, "reference", run));
        assertEquals(6, record.epochs().size(), "epochs rebuilt from epoch_loss/epoch_time");
        assertEquals(run.get("epoch_time").get(5).asDouble(), record.epochs().getLast().wallS());
        assertTrue(record.stalenessHist().length > 4);
        assertArrayEquals(new long[] {0, 7, 3}, record.casTriesHist());
        assertEquals("0.5", record.config().get("tail_amplitude"));
    }

    @Test
    void shouldComputeTailScalingFromObservedCdfWhenAmplitudeIsGiven() {
        // F = 1/4, 3/4, 1 -> C = 1 + A(1 - 2F) with A = 0.5.
        assertArrayEquals(new double[] {1.25, 0.75, 0.5}, Figures.tailScalingFactor(new long[] {1, 2, 1}, 0.5), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> Figures.tailScalingFactor(new long[] {0, 0}, 1.0));
    }

    private static int distinctColours(BufferedImage image) {
        final Set<Integer> colours = new HashSet<>();
        for (int y = 0; y < image.getHeight(); y += 2) {
            for (int x = 0; x < image.getWidth(); x += 2) {
                colours.add(image.getRGB(x, y));
            }
        }
        return colours.size();
    }

    private static double nonWhiteFraction(BufferedImage image) {
        long ink = 0;
        long total = 0;
        for (int y = 0; y < image.getHeight(); y += 2) {
            for (int x = 0; x < image.getWidth(); x += 2) {
                total++;
                if ((image.getRGB(x, y) & 0xffffff) != 0xffffff) {
                    ink++;
                }
            }
        }
        return (double) ink / total;
    }
}
