package org.leashed.kernel.run;

/** Staleness distribution model assumed by MindTheStep (Ch. A). */
public enum StalenessModel {
    /** Geometric, P[tau] = p (1-p)^tau with p = 1/m (A.9, A.11). */
    GEOM,
    /** Poisson with lambda = m (CMP with nu = 1, A.13). */
    POISSON,
    /** Conway-Maxwell-Poisson with lambda^(1/nu) = m (A.12-A.14); nu fitted to the observed histogram. */
    CMP
}
