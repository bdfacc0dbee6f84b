package org.leashed.perf.results;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.leashed.perf.report.ResultFileException;
import org.leashed.perf.report.ResultReader;

/**
 * Seeded randomized hardening of both result readers ({@link ResultJson#read}, used by the sweep, and
 * {@link ResultReader#read}, used by {@code report}): truncated files, flipped bits and type-confused
 * fields. Each reader must either accept the file or throw its documented exception, whose message
 * names the file; never an NPE, AIOOBE, ClassCastException or OOM.
 */
class ResultReadersFuzzTest {
    private static final long SEED = 0x5EEDL;
    private static final int CASES_PER_KIND = 700;
    private static final ObjectMapper MAPPER = new ObjectMapper();

    @TempDir
    Path dir;

    private static byte[] validFile() {
        final ResultDocument doc = ResultAssembler.complete(ResultFixtures.context(), ResultFixtures.finishedRun(),
                new ResultDocument.TestScore(0.21, 0.94, 10_000));
        return ResultJson.toJson(doc).getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void shouldRejectTruncatedFilesWithDocumentedExceptionNamingTheFile() throws IOException {
        final byte[] valid = validFile();
        final SplittableRandom random = new SplittableRandom(SEED);
        for (int i = 0; i < CASES_PER_KIND; i++) {
            final int length = random.nextInt(valid.length);
            final byte[] cut = java.util.Arrays.copyOf(valid, length);
            check(cut, "truncated to " + length + " (seed " + SEED + ", case " + i + ")");
        }
    }

    @Test
    void shouldRejectOrAcceptBitFlippedFilesWithoutUndocumentedExceptions() throws IOException {
        final byte[] valid = validFile();
        final SplittableRandom random = new SplittableRandom(SEED + 1);
        for (int i = 0; i < CASES_PER_KIND; i++) {
            final byte[] flipped = valid.clone();
            final int flips = 1 + random.nextInt(3);
            for (int k = 0; k < flips; k++) {
                final int at = random.nextInt(flipped.length);
                flipped[at] ^= (byte) (1 << random.nextInt(8));
            }
            check(flipped, "bit-flipped x" + flips + " (seed " + (SEED + 1) + ", case " + i + ")");
        }
    }

    @Test
    void shouldRejectWrongTypesWithDocumentedExceptionNamingTheFile() throws IOException {
        final JsonNode original = MAPPER.readTree(validFile());
        final SplittableRandom random = new SplittableRandom(SEED + 2);
        for (int i = 0; i < CASES_PER_KIND; i++) {
            final JsonNode tree = original.deepCopy();
            final int mutations = 1 + random.nextInt(2);
            for (int k = 0; k < mutations; k++) {
                mutate(tree, random);
            }
            check(MAPPER.writeValueAsBytes(tree), "type-mutated (seed " + (SEED + 2) + ", case " + i + ")");
        }
    }

    /** Replaces one randomly chosen node (object field or array element) by a value of a random type. */
    private static void mutate(JsonNode root, SplittableRandom random) {
        final List<JsonNode> containers = new ArrayList<>();
        collect(root, containers);
        final JsonNode container = containers.get(random.nextInt(containers.size()));
        final JsonNode replacement = randomValue(random);
        if (container instanceof ObjectNode object && object.size() > 0) {
            final List<String> names = new ArrayList<>();
            object.fieldNames().forEachRemaining(names::add);
            final String name = names.get(random.nextInt(names.size()));
            switch (random.nextInt(3)) {
                case 0 -> object.remove(name);
                default -> object.set(name, replacement);
            }
        } else if (container instanceof ArrayNode array && array.size() > 0) {
            final int index = random.nextInt(array.size());
            if (random.nextBoolean()) {
                array.remove(index);
            } else {
                array.set(index, replacement);
            }
        }
    }

    private static void collect(JsonNode node, List<JsonNode> out) {
        if (node.isContainerNode() && node.size() > 0) {
            out.add(node);
            node.forEach(child -> collect(child, out));
        }
    }

    private static JsonNode randomValue(SplittableRandom random) {
        final JsonNodeFactory f = JsonNodeFactory.instance;
        return switch (random.nextInt(12)) {
            case 0 -> f.nullNode();
            case 1 -> f.textNode("x");
            case 2 -> f.numberNode(-1);
            case 3 -> f.numberNode(Long.MAX_VALUE);
            case 4 -> f.numberNode(1e308);
            case 5 -> f.numberNode(Double.NaN);
            case 6 -> f.booleanNode(true);
            case 7 -> f.arrayNode().add(1).addNull();
            case 8 -> f.objectNode().put("9999999", 1);
            case 9 -> f.objectNode().put("-3", 1);
            case 10 -> f.textNode("Infinity");
            default -> f.numberNode(0.5);
        };
    }

    private void check(byte[] content, String what) throws IOException {
        final Path file = dir.resolve("fuzz.json");
        Files.write(file, content);
        try {
            ResultJson.read(file);
        } catch (ResultFormatException e) {
            assertTrue(e.getMessage().contains(file.toString()), "message must name the file: " + e.getMessage());
        } catch (RuntimeException | Error e) {
            fail("ResultJson.read threw " + e + " on a " + what + " file:\n" + new String(content, StandardCharsets.UTF_8), e);
        }
        try {
            ResultReader.read(file);
        } catch (ResultFileException e) {
            assertTrue(e.getMessage().contains(file.toString()), "message must name the file: " + e.getMessage());
        } catch (RuntimeException | Error e) {
            fail("ResultReader.read threw " + e + " on a " + what + " file:\n" + new String(content, StandardCharsets.UTF_8), e);
        }
    }
}
