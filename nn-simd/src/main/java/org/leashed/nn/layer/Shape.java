package org.leashed.nn.layer;

/**
 * The shape of one example as a layer sees it: {@code channels x height x width} floats stored
 * channel-major (CHW), so a flat vector of {@code n} features is {@code (1, 1, n)}.
 *
 * @param channels feature maps (at least 1)
 * @param height rows per map (at least 1)
 * @param width columns per map (at least 1)
 */
public record Shape(int channels, int height, int width) {
    /**
     * @throws IllegalArgumentException if a side is not positive or the size overflows an int
     */
    public Shape {
        if (channels < 1 || height < 1 || width < 1) {
            throw new IllegalArgumentException("shape sides must be >= 1, got " + channels + "x" + height + "x" + width);
        }
        Math.multiplyExact(Math.multiplyExact(channels, height), width);
    }

    /** A flat vector of {@code features} floats. */
    public static Shape flat(int features) {
        return new Shape(1, 1, features);
    }

    /** Floats per example. */
    public int size() {
        return channels * height * width;
    }

    @Override
    public String toString() {
        return channels + "x" + height + "x" + width;
    }
}
