package org.leashed.kernel.run;

/** Staleness-adaptive step-size strategies. */
public enum StepSizeKind {
    /** Constant eta. */
    NONE,
    /** eta / tau (eta at tau = 0). */
    INVERSE,
    /** FLeet's exponential dampening e^(-beta tau), beta from tau_thres = m + 1 (Ch. C, footnote 3). */
    FLEET,
    /** TAIL-tau (Def. C.4.5): (1 + A(1 - 2F(tau))) eta with F the run's observed staleness CDF. */
    TAIL,
    /** MindTheStep (Ch. A) under a geometric, Poisson or CMP staleness model, mean-normalised (A.26). */
    MINDTHESTEP
}
