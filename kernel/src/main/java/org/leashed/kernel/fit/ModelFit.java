package org.leashed.kernel.fit;

/**
 * The best model of one family for an observed staleness distribution.
 *
 * @param model    the fitted model, with its parameters
 * @param distance its Bhattacharyya distance to the observation, in [0, +Infinity]
 */
public record ModelFit(StalenessModel model, double distance) {
    /** @throws IllegalArgumentException if {@code model} is null or {@code distance} is NaN or negative */
    public ModelFit {
        if (model == null) {
            throw new IllegalArgumentException("model must not be null");
        }
        if (!(distance >= 0.0)) {
            throw new IllegalArgumentException("distance must be >= 0, was " + distance);
        }
    }
}
