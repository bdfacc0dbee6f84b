package org.leashed.perf.cli;

import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.ITypeConverter;

/**
 * Number converters for every flag: only ASCII digits count. {@link Integer#parseInt} and
 * {@link Double#parseDouble} accept any Unicode decimal digit ({@code "١"} parses as 1), so a value
 * pasted from a right-to-left document, or garbage that happens to contain such a digit, would be
 * taken silently. The fuzz test of {@code train} found exactly that.
 */
final class AsciiNumbers {
    private static final Pattern INTEGER = Pattern.compile("[+-]?[0-9]+");
    private static final Pattern REAL = Pattern.compile("[+-]?([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][+-]?[0-9]+)?|[+-]?(NaN|Infinity)");

    private AsciiNumbers() {
    }

    /** Registers the converters on {@code commandLine} and its subcommands. */
    static void register(CommandLine commandLine) {
        final ITypeConverter<Integer> ints = value -> (int) parseInteger(value, Integer.MIN_VALUE, Integer.MAX_VALUE, "an integer");
        final ITypeConverter<Long> longs = value -> parseInteger(value, Long.MIN_VALUE, Long.MAX_VALUE, "an integer");
        final ITypeConverter<Double> doubles = AsciiNumbers::parseReal;
        final ITypeConverter<Float> floats = value -> (float) parseReal(value);
        commandLine.registerConverter(Integer.class, ints).registerConverter(int.class, ints)
                .registerConverter(Long.class, longs).registerConverter(long.class, longs)
                .registerConverter(Double.class, doubles).registerConverter(double.class, doubles)
                .registerConverter(Float.class, floats).registerConverter(float.class, floats);
    }

    static long parseInteger(String value, long min, long max, String what) {
        if (value == null || !INTEGER.matcher(value).matches()) {
            throw new CommandLine.TypeConversionException("'" + value + "' is not " + what + " (ASCII digits expected)");
        }
        final long parsed;
        try {
            parsed = Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new CommandLine.TypeConversionException("'" + value + "' is out of range for " + what);
        }
        if (parsed < min || parsed > max) {
            throw new CommandLine.TypeConversionException("'" + value + "' is out of range for " + what
                    + " (expected " + min + ".." + max + ")");
        }
        return parsed;
    }

    static double parseReal(String value) {
        if (value == null || !REAL.matcher(value).matches()) {
            throw new CommandLine.TypeConversionException("'" + value + "' is not a number (ASCII decimal expected, e.g. 0.005 or 5e-3)");
        }
        return Double.parseDouble(value);
    }
}
