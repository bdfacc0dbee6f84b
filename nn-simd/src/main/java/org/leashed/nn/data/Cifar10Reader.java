package org.leashed.nn.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Reads CIFAR-10 binary batches ({@code data_batch_1.bin} .. {@code data_batch_5.bin},
 * {@code test_batch.bin}): each file is a sequence of 3,073-byte records, one label byte in
 * {@code 0..9} followed by 3,072 unsigned pixel bytes, 1,024 red, 1,024 green then 1,024 blue, each
 * plane row-major 32x32. That is already the CHW layout of {@link Dataset}, so pixels are copied as
 * they are. Every problem is a {@link DatasetFormatException} naming file, field, value and
 * expectation.
 */
public final class Cifar10Reader {
    /** Classes in CIFAR-10. */
    public static final int CLASSES = 10;
    /** Colour planes per image. */
    public static final int CHANNELS = 3;
    /** Image side in pixels. */
    public static final int SIDE = 32;
    /** Bytes per record: one label and 3x32x32 pixels. */
    public static final int RECORD_BYTES = 1 + CHANNELS * SIDE * SIDE;
    private static final int PIXELS = CHANNELS * SIDE * SIDE;

    private Cifar10Reader() {
    }

    /** The five training batches {@code dir/data_batch_1.bin .. data_batch_5.bin}. */
    public static List<Path> trainingFiles(Path dir) {
        return List.of(dir.resolve("data_batch_1.bin"), dir.resolve("data_batch_2.bin"), dir.resolve("data_batch_3.bin"),
                dir.resolve("data_batch_4.bin"), dir.resolve("data_batch_5.bin"));
    }

    /** The test batch {@code dir/test_batch.bin}. */
    public static List<Path> testFiles(Path dir) {
        return List.of(dir.resolve("test_batch.bin"));
    }

    /**
     * Reads and concatenates {@code batchFiles}, in order, into one data set of 3x32x32 images and 10
     * classes, named after the first file.
     *
     * @param scale multiplier for pixel intensities 0..255 (1 = raw, 1/255 = unit)
     * @throws IllegalArgumentException if the list is empty
     * @throws DatasetFormatException if a file is missing, is not a positive multiple of 3,073 bytes,
     *     or has a label above 9
     * @throws IOException if a file cannot be read
     */
    public static Dataset read(List<Path> batchFiles, float scale) throws IOException {
        if (batchFiles.isEmpty()) {
            throw new IllegalArgumentException("batchFiles is empty, expected at least one CIFAR-10 batch file");
        }
        long total = 0;
        for (Path file : batchFiles) {
            require(file, "file", "missing", "an existing CIFAR-10 binary batch", Files.isRegularFile(file));
            long size = Files.size(file);
            require(file, "size", size + " bytes", "a positive multiple of " + RECORD_BYTES + " (1 label byte + " + PIXELS
                    + " pixel bytes per image)", size > 0 && size % RECORD_BYTES == 0);
            total += size / RECORD_BYTES;
        }
        if (total * PIXELS > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(total + " images of " + PIXELS + " bytes do not fit one array");
        }
        byte[] pixels = new byte[(int) (total * PIXELS)];
        byte[] labels = new byte[(int) total];
        int image = 0;
        for (Path file : batchFiles) {
            byte[] bytes = Files.readAllBytes(file);
            require(file, "size", bytes.length + " bytes", "a positive multiple of " + RECORD_BYTES + " (changed while reading)",
                    bytes.length > 0 && bytes.length % RECORD_BYTES == 0);
            for (int record = 0; record < bytes.length / RECORD_BYTES; record++, image++) {
                int at = record * RECORD_BYTES;
                int label = bytes[at] & 0xFF;
                require(file, "label of record " + record + " (byte offset " + at + ")", label, "0.." + (CLASSES - 1), label < CLASSES);
                labels[image] = (byte) label;
                System.arraycopy(bytes, at + 1, pixels, image * PIXELS, PIXELS);
            }
        }
        return Dataset.fromBytes(batchFiles.get(0).getFileName().toString(), pixels, labels, CHANNELS, SIDE, SIDE, CLASSES, scale);
    }

    private static void require(Path file, String field, Object value, String expected, boolean ok) {
        if (!ok) {
            throw new DatasetFormatException(file + ": field '" + field + "' is " + value + ", expected " + expected);
        }
    }
}
