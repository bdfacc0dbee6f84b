package org.leashed.perf.cli;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** Data sets selectable with {@code --dataset}; {@link #spelling()} is the CLI and result-file name. */
public enum DatasetChoice {
    MNIST("MNIST"),
    FASHION_MNIST("FASHION-MNIST"),
    CIFAR10("CIFAR10");

    private final String spelling;

    DatasetChoice(String spelling) {
        this.spelling = spelling;
    }

    /** The name users type and result files record. */
    public String spelling() {
        return spelling;
    }

    /** All spellings, for help and error messages. */
    public static List<String> spellings() {
        return Arrays.stream(values()).map(DatasetChoice::spelling).toList();
    }

    /**
     * Parses a spelling, ignoring case and treating {@code _} like {@code -}.
     *
     * @throws IllegalArgumentException naming the value and the allowed spellings
     */
    public static DatasetChoice parse(String text) {
        final String normalised = text.strip().toUpperCase(Locale.ROOT).replace('_', '-');
        for (DatasetChoice choice : values()) {
            if (choice.spelling.equals(normalised)) {
                return choice;
            }
        }
        throw new IllegalArgumentException("expected one of " + spellings() + " (case-insensitive) but was '" + text + "'");
    }

    @Override
    public String toString() {
        return spelling;
    }
}
