package org.leashed.kernel.checkpoint;

/**
 * A checkpoint that cannot be used: unreadable, corrupted (bad magic, unknown version, wrong length,
 * checksum mismatch, a field out of range) or incompatible with the run that wants to resume from it.
 * The message names the file, the field, the value found and what was expected; it is meant to be
 * shown to the user as is (no stack trace needed).
 */
public final class CheckpointException extends Exception {
    private static final long serialVersionUID = 1L;

    public CheckpointException(String message) {
        super(message);
    }

    public CheckpointException(String message, Throwable cause) {
        super(message, cause);
    }
}
