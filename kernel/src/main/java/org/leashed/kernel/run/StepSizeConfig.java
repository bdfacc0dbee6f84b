package org.leashed.kernel.run;

import java.util.Objects;

/**
 * Step-size strategy and its parameters.
 *
 * @param kind          the strategy
 * @param tailAmplitude TAIL-tau amplitude A, in [0, 1]
 * @param model         MindTheStep staleness model
 * @param capFactor     MindTheStep cap: eta(tau) <= capFactor * eta (thesis A.6: 5)
 * @param maxStaleness  MindTheStep: gradients with larger tau are dropped (thesis A.6: 150)
 * @param tailShape     TAIL-tau's phi (Thm C.4.8); {@link TailShape#LINEAR} is Def. C.4.5
 */
public record StepSizeConfig(StepSizeKind kind, double tailAmplitude, StalenessModel model, double capFactor, int maxStaleness,
                             TailShape tailShape) {
    /** Thesis default cap factor. */
    public static final double DEFAULT_CAP_FACTOR = 5.0;
    /** Thesis default largest applied staleness. */
    public static final int DEFAULT_MAX_STALENESS = 150;

    public StepSizeConfig {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(tailShape, "tailShape");
        if (!(tailAmplitude >= 0 && tailAmplitude <= 1)) {
            throw new IllegalArgumentException("tail amplitude A must be in [0, 1], got " + tailAmplitude);
        }
        if (!(capFactor >= 1)) {
            throw new IllegalArgumentException("cap factor must be >= 1, got " + capFactor);
        }
        if (maxStaleness < 0) {
            throw new IllegalArgumentException("max staleness must be >= 0, got " + maxStaleness);
        }
    }

    /** With the linear phi of Def. C.4.5. */
    public StepSizeConfig(StepSizeKind kind, double tailAmplitude, StalenessModel model, double capFactor, int maxStaleness) {
        this(kind, tailAmplitude, model, capFactor, maxStaleness, TailShape.LINEAR);
    }

    /** Constant step size. */
    public static StepSizeConfig none() {
        return of(StepSizeKind.NONE);
    }

    /** {@code kind} with the thesis defaults (A = 1, CMP, cap 5, drop tau > 150). */
    public static StepSizeConfig of(StepSizeKind kind) {
        return new StepSizeConfig(kind, 1.0, StalenessModel.CMP, DEFAULT_CAP_FACTOR, DEFAULT_MAX_STALENESS);
    }
}
