package org.leashed.perf.data;

/**
 * A data set cannot be had: not cached, the registry cannot be reached, or what was fetched or found
 * does not verify. The message is meant for the user as is: it says what failed and what to do
 * (which files to place where by hand, with their SHA-256). The CLI exits with status 2.
 */
public final class DataUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public DataUnavailableException(String message) {
        super(message);
    }

    public DataUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
