package org.leashed.perf.cli;

/** Pixel scaling selectable with {@code --input-scale}. */
public enum InputScale {
    /** Raw intensities 0..255, as in the thesis' experiments (eta = 0.005 for the MLP). */
    RAW(1.0f),
    /** Intensities scaled to 0..1; gradients of the first layer shrink by 255x, so raise eta. */
    UNIT(1.0f / 255.0f);

    private final float factor;

    InputScale(float factor) {
        this.factor = factor;
    }

    /** Multiplier applied to each 0..255 intensity. */
    public float factor() {
        return factor;
    }

    @Override
    public String toString() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
