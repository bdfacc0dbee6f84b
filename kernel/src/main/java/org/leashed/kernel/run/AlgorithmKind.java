package org.leashed.kernel.run;

/** The parallel SGD algorithms (thesis Ch. B): sequential, synchronous, lock-based, HOGWILD!, Leashed-SGD. */
public enum AlgorithmKind {
    /** Sequential SGD, one worker. */
    SEQ,
    /** Synchronous parallel SGD: m gradients at the same theta, averaged, one update per round (Sec. 1.3.1). */
    SYNC,
    /** Lock-based AsyncSGD (Alg. B.2). */
    ASYNC,
    /** HOGWILD!: Alg. B.2 without locks, racy component-wise updates. */
    HOG,
    /** Leashed-SGD: lock-free consistent AsyncSGD (Alg. B.3). */
    LSH
}
