package org.leashed.perf.topology;

import java.util.BitSet;

/**
 * The Linux "cpulist" text format ({@code "0,2,4-7"}), as used by {@code /sys} files, {@code taskset -c}
 * and the {@code --pin} flag.
 */
public final class CpuList {
    /** Largest CPU number accepted; far above any machine, small enough to catch typos like 100000. */
    public static final int MAX_CPU = 65_535;

    private CpuList() {
    }

    /**
     * Parses a cpulist. Elements are CPU numbers or inclusive ranges {@code a-b} with {@code a <= b},
     * separated by commas; whitespace around elements is ignored.
     *
     * @param text the list, e.g. {@code "0,2,4-7"}
     * @return the CPUs in ascending order as a set
     * @throws IllegalArgumentException naming the offending element and the expected form when the text is
     *                                  empty, an element is empty or not a number, a range is reversed, a CPU
     *                                  exceeds {@value #MAX_CPU}, or a CPU is listed twice
     */
    public static BitSet parse(String text) {
        final BitSet cpus = new BitSet();
        for (int cpu : parseOrdered(text)) {
            cpus.set(cpu);
        }
        return cpus;
    }

    /**
     * Parses a cpulist keeping the order in which CPUs are written ({@code "7,1,4-5"} gives 7, 1, 4, 5).
     *
     * @throws IllegalArgumentException as {@link #parse(String)}
     */
    public static int[] parseOrdered(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("CPU list is empty; expected e.g. \"0,2,4-7\"");
        }
        final BitSet cpus = new BitSet();
        final java.util.List<Integer> ordered = new java.util.ArrayList<>();
        for (String rawElement : text.split(",", -1)) {
            final String element = rawElement.strip();
            if (element.isEmpty()) {
                throw new IllegalArgumentException("CPU list \"" + text + "\" has an empty element; expected e.g. \"0,2,4-7\"");
            }
            final int dash = element.indexOf('-');
            final int first;
            final int last;
            if (dash < 0) {
                first = cpu(text, element, element);
                last = first;
            } else {
                first = cpu(text, element, element.substring(0, dash).strip());
                last = cpu(text, element, element.substring(dash + 1).strip());
                if (last < first) {
                    throw new IllegalArgumentException("CPU list \"" + text + "\": range \"" + element
                            + "\" is reversed; expected low-high such as \"" + last + "-" + first + "\"");
                }
            }
            for (int cpu = first; cpu <= last; cpu++) {
                if (cpus.get(cpu)) {
                    throw new IllegalArgumentException("CPU list \"" + text + "\" names CPU " + cpu
                            + " twice; expected each CPU once");
                }
                cpus.set(cpu);
                ordered.add(cpu);
            }
        }
        return ordered.stream().mapToInt(Integer::intValue).toArray();
    }

    private static int cpu(String text, String element, String number) {
        if (number.isEmpty() || !number.chars().allMatch(c -> c >= '0' && c <= '9') || number.length() > 6) {
            throw new IllegalArgumentException("CPU list \"" + text + "\": element \"" + element
                    + "\" is not a CPU number or range; expected e.g. \"3\" or \"4-7\"");
        }
        final int cpu = Integer.parseInt(number);
        if (cpu > MAX_CPU) {
            throw new IllegalArgumentException("CPU list \"" + text + "\": CPU " + cpu + " exceeds " + MAX_CPU);
        }
        return cpu;
    }

    /** Formats a set as a compact cpulist ({@code {0,1,2,5}} becomes {@code "0-2,5"}). */
    public static String format(BitSet cpus) {
        final StringBuilder out = new StringBuilder();
        int cpu = cpus.nextSetBit(0);
        while (cpu >= 0) {
            final int end = cpus.nextClearBit(cpu) - 1;
            if (!out.isEmpty()) {
                out.append(',');
            }
            out.append(cpu);
            if (end > cpu) {
                out.append('-').append(end);
            }
            cpu = cpus.nextSetBit(end + 1);
        }
        return out.toString();
    }
}
