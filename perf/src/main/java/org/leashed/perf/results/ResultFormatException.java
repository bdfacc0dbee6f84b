package org.leashed.perf.results;

import java.nio.file.Path;

/** A result file is unusable; the message names the file, the field, the value found and what was expected. */
public final class ResultFormatException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ResultFormatException(Path file, String field, String found, String expected) {
        super(file + ": field '" + field + "' is " + found + ", expected " + expected);
    }
}
