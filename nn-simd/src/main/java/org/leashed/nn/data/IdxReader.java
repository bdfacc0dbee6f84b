package org.leashed.nn.data;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads MNIST-style IDX files (unsigned-byte images {@code 0x00000803} and labels
 * {@code 0x00000801}), big-endian headers, with full validation: every problem is reported as a
 * {@link DatasetFormatException} naming the file, the field, the value found and what was expected.
 */
public final class IdxReader {
    /** Magic number of an unsigned-byte 3-D IDX file (images). */
    public static final int IMAGES_MAGIC = 0x0000_0803;
    /** Magic number of an unsigned-byte 1-D IDX file (labels). */
    public static final int LABELS_MAGIC = 0x0000_0801;
    private static final int MAX_SIDE = 4096;
    /** Largest file read into one array ({@code Integer.MAX_VALUE - 8}, the JDK's array size limit). */
    private static final long MAX_FILE_BYTES = Integer.MAX_VALUE - 8L;

    private IdxReader() {
    }

    /**
     * Reads an image file and its label file into a data set of {@code classes} classes.
     *
     * @param scale multiplier for pixel intensities 0..255 (1 = raw, 1/255 = unit)
     * @throws DatasetFormatException on any format problem
     * @throws IOException if a file cannot be read
     */
    public static Dataset read(Path images, Path labels, int classes, float scale) throws IOException {
        // Size checks come before any allocation: a file too large for one array is rejected here
        // rather than failing with OutOfMemoryError inside readAllBytes.
        final long imagesSize = Files.size(images);
        final long labelsSize = Files.size(labels);
        require(images, "size", imagesSize + " bytes", "at most " + MAX_FILE_BYTES + " bytes", imagesSize <= MAX_FILE_BYTES);
        require(labels, "size", labelsSize + " bytes", "at most " + MAX_FILE_BYTES + " bytes", labelsSize <= MAX_FILE_BYTES);
        byte[] img = Files.readAllBytes(images);
        byte[] lab = Files.readAllBytes(labels);
        ByteBuffer ib = ByteBuffer.wrap(img);
        ByteBuffer lb = ByteBuffer.wrap(lab);
        require(images, "header", img.length, "at least 16 bytes", img.length >= 16);
        require(labels, "header", lab.length, "at least 8 bytes", lab.length >= 8);
        int imagesMagic = ib.getInt();
        require(images, "magic", hex(imagesMagic), hex(IMAGES_MAGIC) + " (unsigned-byte images)", imagesMagic == IMAGES_MAGIC);
        int labelsMagic = lb.getInt();
        require(labels, "magic", hex(labelsMagic), hex(LABELS_MAGIC) + " (unsigned-byte labels)", labelsMagic == LABELS_MAGIC);
        int n = ib.getInt();
        int rows = ib.getInt();
        int cols = ib.getInt();
        require(images, "count", n, "> 0", n > 0);
        require(images, "rows", rows, "1.." + MAX_SIDE, rows > 0 && rows <= MAX_SIDE);
        require(images, "columns", cols, "1.." + MAX_SIDE, cols > 0 && cols <= MAX_SIDE);
        int labelCount = lb.getInt();
        require(labels, "count", labelCount, n + " (the image count of " + images.getFileName() + ")", labelCount == n);
        long expectedImageBytes = 16L + (long) n * rows * cols;
        require(images, "size", img.length + " bytes", expectedImageBytes + " bytes (16 + " + n + " x " + rows + " x " + cols + ")",
                img.length == expectedImageBytes);
        require(labels, "size", lab.length + " bytes", (8L + n) + " bytes", lab.length == 8L + n);
        byte[] labelBytes = new byte[n];
        lb.get(labelBytes);
        for (int i = 0; i < n; i++) {
            int l = labelBytes[i] & 0xFF;
            require(labels, "label[" + i + "]", l, "0.." + (classes - 1), l < classes);
        }
        return Dataset.fromBytes(images.getFileName().toString(), img, 16, labelBytes, 1, rows, cols, classes, scale);
    }

    private static String hex(int v) {
        return String.format("0x%08x", v);
    }

    private static void require(Path file, String field, Object value, String expected, boolean ok) {
        if (!ok) {
            throw new DatasetFormatException(file + ": field '" + field + "' is " + value + ", expected " + expected);
        }
    }
}
