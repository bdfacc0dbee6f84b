package org.leashed.nn.data;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Objects;
import org.leashed.nn.simd.Kernels;

/**
 * An immutable labelled image set: {@code count} examples of {@code channels x height x width}
 * values, stored off-heap row-major, one example per row, and labels in {@code [0, classes)}.
 *
 * <p>Storage: a set read from pixel files keeps its pixels as the file's unsigned bytes plus one
 * scale factor, and {@link #copyExample} converts a row to floats when a batch is gathered (a
 * quarter of the float32 footprint: 47 MB instead of 188 MB for MNIST's training set, and the
 * conversion is a vector kernel). A set built from floats keeps floats. {@link #value} reads either.
 *
 * <p>Ownership: the segment comes from {@link Arena#ofAuto()}: it is freed by the garbage collector
 * once the data set is unreachable, and any thread may read it. Nobody writes it after construction.
 */
public final class Dataset {
    private final String name;
    private final int count;
    private final int channels;
    private final int height;
    private final int width;
    private final int classes;
    /** Unsigned bytes (then {@code scale} applies) when {@code bytes}, else floats. */
    private final MemorySegment values;
    private final boolean bytes;
    private final float scale;
    private final byte[] labels;

    private Dataset(String name, int count, int channels, int height, int width, int classes, MemorySegment values, boolean bytes,
                    float scale, byte[] labels) {
        this.name = name;
        this.count = count;
        this.channels = channels;
        this.height = height;
        this.width = width;
        this.classes = classes;
        this.values = values;
        this.bytes = bytes;
        this.scale = scale;
        this.labels = labels;
    }

    /**
     * Builds a data set from raw unsigned pixel bytes ({@code count * channels * height * width}); a
     * value is the intensity (0..255) times {@code scale}.
     *
     * @throws IllegalArgumentException if sizes disagree, the scale is not finite, or a label is out of range
     */
    public static Dataset fromBytes(String name, byte[] pixels, byte[] labels, int channels, int height, int width, int classes, float scale) {
        return fromBytes(name, pixels, 0, labels, channels, height, width, classes, scale);
    }

    /**
     * As {@link #fromBytes(String, byte[], byte[], int, int, int, int, float)}, with the pixels starting
     * at {@code pixels[offset]} (a file read whole, header included, needs no second copy).
     */
    public static Dataset fromBytes(String name, byte[] pixels, int offset, byte[] labels, int channels, int height, int width, int classes,
                                    float scale) {
        Objects.requireNonNull(name, "name");
        int features = checkShape(channels, height, width, classes);
        long needed = (long) labels.length * features;
        if (offset < 0 || pixels.length - (long) offset != needed) {
            throw new IllegalArgumentException(name + ": pixel bytes " + pixels.length + " from offset " + offset + " != labels "
                    + labels.length + " x features " + features);
        }
        if (!Float.isFinite(scale)) {
            throw new IllegalArgumentException(name + ": scale is " + scale + ", expected a finite number");
        }
        checkLabels(name, labels, classes);
        MemorySegment images = Arena.ofAuto().allocate(Math.max(1, needed), 64);
        MemorySegment.copy(pixels, offset, images, ValueLayout.JAVA_BYTE, 0, (int) needed);
        return new Dataset(name, labels.length, channels, height, width, classes, images, true, scale, labels.clone());
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
        MemorySegment images = Arena.ofAuto().allocate(Math.max(1, (long) values.length * Float.BYTES), 64);
        MemorySegment.copy(values, 0, images, ValueLayout.JAVA_FLOAT, 0, values.length);
        return new Dataset(name, labels.length, channels, height, width, classes, images, false, 1f, labels.clone());
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
        long rowBytes = (long) features() * elementBytes();
        MemorySegment copy = Arena.ofAuto().allocate(Math.max(1, n * rowBytes), 64);
        MemorySegment.copy(values, from * rowBytes, copy, 0, n * rowBytes);
        byte[] l = new byte[n];
        System.arraycopy(labels, from, l, 0, n);
        return new Dataset(name, n, channels, height, width, classes, copy, bytes, scale, l);
    }

    /**
     * Writes example {@code example}'s {@link #features()} floats to {@code dst} from float
     * {@code dstOff} on: a byte-backed set converts with {@code kernels}, a float-backed one copies.
     * Allocates nothing.
     *
     * @throws IndexOutOfBoundsException if {@code example} is not in {@code [0, count)}
     */
    public void copyExample(Kernels kernels, int example, MemorySegment dst, long dstOff) {
        Objects.checkIndex(example, count);
        final int features = features();
        if (bytes) {
            kernels.unsignedBytesToFloats(dst, dstOff, values, (long) example * features, features, scale);
        } else {
            final long rowBytes = (long) features * Float.BYTES;
            MemorySegment.copy(values, example * rowBytes, dst, dstOff * Float.BYTES, rowBytes);
        }
    }

    /** Value {@code feature} of example {@code example}, as {@link #copyExample} writes it. */
    public float value(int example, int feature) {
        Objects.checkIndex(example, count);
        Objects.checkIndex(feature, features());
        final long at = (long) example * features() + feature;
        return bytes ? (values.get(ValueLayout.JAVA_BYTE, at) & 0xFF) * scale : values.getAtIndex(ValueLayout.JAVA_FLOAT, at);
    }

    /** Bytes the stored values occupy off-heap (labels excluded). */
    public long storedBytes() {
        return values.byteSize();
    }

    private int elementBytes() {
        return bytes ? 1 : Float.BYTES;
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

    /** Label of example {@code i}. */
    public int label(int i) {
        return labels[i] & 0xFF;
    }
}
