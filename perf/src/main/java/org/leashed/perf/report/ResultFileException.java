package org.leashed.perf.report;

import java.nio.file.Path;

/**
 * A result file that cannot be used: unreadable, not JSON, or a field with a missing or wrong value.
 * The message names the file, the field (a JSON path such as {@code epochs[3].wall_s}), the value found
 * and what was expected, so that a user can fix the file or the tool that wrote it.
 */
public final class ResultFileException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final Path file;
    private final String field;

    /**
     * @param file        the offending file
     * @param field       JSON path of the offending field, or {@code "(file)"} for whole-file problems
     * @param value       the value found, as text ({@code "missing"} when absent)
     * @param expectation what the field must be
     */
    public ResultFileException(Path file, String field, String value, String expectation) {
        super(file + ": field '" + field + "' is " + value + " but must be " + expectation);
        this.file = file;
        this.field = field;
    }

    /** The file whose content was rejected. */
    public Path file() {
        return file;
    }

    /** JSON path of the rejected field. */
    public String field() {
        return field;
    }
}
