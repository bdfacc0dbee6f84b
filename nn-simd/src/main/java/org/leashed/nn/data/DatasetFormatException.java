package org.leashed.nn.data;

/** A data file that does not have the expected format; the message names file, field, value and expectation. */
public final class DatasetFormatException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public DatasetFormatException(String message) {
        super(message);
    }

    public DatasetFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
