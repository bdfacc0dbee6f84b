package org.leashed.memory;

import java.lang.foreign.MemorySegment;

/**
 * The copy-and-update step of LAU-SPC (Alg. B.3, lines 27-30): writes a candidate from the latest
 * published vector, typically {@code destination = latest - eta * gradient} in one fused pass.
 * Implementations are created once per worker and keep their gradient and step size in fields, so
 * that calling them allocates nothing (no capturing lambda per update).
 */
@FunctionalInterface
public interface VectorUpdate {
    /**
     * @param destination    the candidate's {@code dimension} floats; owned by the caller, overwrite all
     * @param latest         the latest vector's {@code dimension} floats; leased, read only, valid
     *                       only during this call
     * @param latestSequence sequence number of {@code latest}; the candidate gets {@code latestSequence + 1}
     */
    void copyAndUpdate(MemorySegment destination, MemorySegment latest, long latestSequence);
}
