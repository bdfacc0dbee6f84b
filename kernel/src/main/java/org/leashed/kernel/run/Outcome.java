package org.leashed.kernel.run;

import java.util.Locale;

/** How a run ended. */
public enum Outcome {
    /** The smallest requested epsilon was reached. */
    CONVERGED,
    /** The run ended (epochs or time limit) without reaching the smallest requested epsilon. */
    DIVERGED,
    /** A loss or parameter became NaN or infinite, or a worker failed. */
    CRASHED;

    /** Lower-case name used in result files. */
    public String jsonName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
