package org.leashed.nn.data;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Objects;

/**
 * An immutable labelled image set: {@code count} examples of {@code channels x height x width} floats
 * (already scaled), stored off-heap row-major, one example per row, and labels in
 * {@code [0, classes)}.
 *
 * <p>Ownership: the image segment comes from {@link Arena#ofAuto()}: it is freed by the garbage
 * collector once the data set is unreachable, and any thread may read it. Nobody writes it after
 * construction.
 */
public final class Dataset {
    private final String name;
    private final int count;
    private final int channels;
    private final int height;
    private final int width;
    private final int classes;
    private final MemorySegment images;
    private final byte[] labels;

    private Dataset(String name, int count, int channels, int height, int width, int classes, MemorySegment images, byte[] labels) {
        this.name = name;
        this.count = count;
        this.channels = channels;
        this.height = height;
        this.width = width;
        this.classes = classes;
        this.images = images;
        this.labels = labels;
    }

    /**
     * Builds a data set from raw unsigned pixel bytes ({@code count * channels * height * width}),
     * multiplying each intensity (0..255) by {@code scale}.
     *
     * @throws IllegalArgumentException if sizes disagree or a label is out of range
     */
    public static Dataset fromBytes(String name, byte[] pixels, byte[] labels, int channels, int height, int width, int classes, float scale) {
        Objects.requireNonNull(name, "name");
        int features = checkShape(channels, height, width, classes);
        if (pixels.length != (long) labels.length * features) {
            throw new IllegalArgumentException(name + ": pixel bytes " + pixels.length + " != labels " + labels.length
                    + " x features " + features);
        }
        checkLabels(name, labels, classes);
        MemorySegment images = Arena.ofAuto().allocate((long) pixels.length * Float.BYTES, 64);
        for (int i = 0; i < pixels.length; i++) {
            images.setAtIndex(ValueLayout.JAVA_FLOAT, i, (pixels[i] & 0xFF) * scale);
        }
        return new Dataset(name, labels.length, channels, height, width, classes, images, labels.clone());
    }

    /**
     * Builds a data set from floats (already scaled).
     *
     * @throws IllegalArgumentException if sizes disagree or a label is out of range
     */
    public static Dataset fromFloats(String name, float[] values, byte[] labels, int channels, int height, int width, int classes) {
        int features = checkShape(channels, height, width, classes);
        if (values.length != (long) labels.length * features) {
            throw new IllegalArgumentException(name + ": values " + values.length + " != labels " + labels.length
                    + " x features " + features);
        }
        checkLabels(name, labels, classes);
        MemorySegment images = Arena.ofAuto().allocate((long) values.length * Float.BYTES, 64);
        MemorySegment.copy(values, 0, images, ValueLayout.JAVA_FLOAT, 0, values.length);
        return new Dataset(name, labels.length, channels, height, width, classes, images, labels.clone());
    }

    private static int checkShape(int channels, int height, int width, int classes) {
        if (channels < 1 || height < 1 || width < 1 || classes < 2) {
            throw new IllegalArgumentException("shape must be positive with at least 2 classes, got channels=" + channels
                    + " height=" + height + " width=" + width + " classes=" + classes);
        }
        return Math.multiplyExact(Math.multiplyExact(channels, height), width);
    }

    private static void checkLabels(String name, byte[] labels, int classes) {
        for (int i = 0; i < labels.length; i++) {
            if ((labels[i] & 0xFF) >= classes) {
                throw new IllegalArgumentException(name + ": label " + i + " is " + (labels[i] & 0xFF)
                        + ", expected 0.." + (classes - 1));
            }
        }
    }

    /** The examples [from, from + n) as a new data set sharing nothing mutable. */
    public Dataset slice(int from, int n) {
        Objects.checkFromIndexSize(from, n, count);
        long bytes = (long) features() * Float.BYTES;
        MemorySegment copy = Arena.ofAuto().allocate(n * bytes, 64);
        MemorySegment.copy(images, from * bytes, copy, 0, n * bytes);
        byte[] l = new byte[n];
        System.arraycopy(labels, from, l, 0, n);
        return new Dataset(name, n, channels, height, width, classes, copy, l);
    }

    public String name() {
        return name;
    }

    public int count() {
        return count;
    }

    public int channels() {
        return channels;
    }

    public int height() {
        return height;
    }

    public int width() {
        return width;
    }

    /** Floats per example. */
    public int features() {
        return channels * height * width;
    }

    public int classes() {
        return classes;
    }

    /** {@code count * features} floats, row-major; read-only by convention. */
    public MemorySegment images() {
        return images;
    }

    /** Label of example {@code i}. */
    public int label(int i) {
        return labels[i] & 0xFF;
    }
}
