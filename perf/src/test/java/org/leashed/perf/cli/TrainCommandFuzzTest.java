package org.leashed.perf.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.leashed.kernel.run.TrainingConfig;

/**
 * Seeded randomized bad values for every numeric and enum flag of {@code leashed train}, run in-process
 * through picocli: each must end in exit status 2 with a message naming the flag (by any of its names),
 * never in a stack trace, a training run or another exit status.
 */
class TrainCommandFuzzTest {
    private static final long SEED = 0xC11L;
    private static final int CASES = 1500;

    @TempDir
    Path dir;

    private record Flag(List<String> names, Function<SplittableRandom, String> badValue) {
    }

    private static String garbage(SplittableRandom r) {
        final String[] pool = {"", " ", "abc", "1x", "0x10", "--", "1,2", "NaN", "nan", "Infinity", "-Infinity",
            "1e999", "99999999999999999999", "½", "١", "\u0000", "null", "true", "1 2"};
        if (r.nextInt(3) == 0) {
            final StringBuilder s = new StringBuilder();
            for (int i = 0, n = 1 + r.nextInt(6); i < n; i++) {
                s.append((char) (33 + r.nextInt(94)));
            }
            final String v = s.toString();
            return v.matches("[0-9.eE+-]*") ? v + "z" : v; // stay invalid for every flag
        }
        return pool[r.nextInt(pool.length)];
    }

    /** An integer flag valid in [min, max]: garbage, decimals, overflow, or out of range. */
    private static Function<SplittableRandom, String> intFlag(long min, long max) {
        return r -> switch (r.nextInt(5)) {
            case 0 -> Long.toString(min - 1 - r.nextInt(1000));
            case 1 -> max < Integer.MAX_VALUE ? Long.toString(max + 1 + r.nextInt(1000)) : "3000000000";
            case 2 -> (min + r.nextInt(5)) + ".5";
            default -> intGarbage(r);
        };
    }

    private static String intGarbage(SplittableRandom r) {
        String g;
        do {
            g = garbage(r);
        } while (g.matches("[0-9]+"));
        return g;
    }

    /** A real-valued flag valid in an interval: garbage, non-finite, or out of range. */
    private static Function<SplittableRandom, String> realFlag(Function<SplittableRandom, Double> outOfRange) {
        return r -> switch (r.nextInt(4)) {
            case 0 -> r.nextBoolean() ? "NaN" : "Infinity";
            case 1, 2 -> Double.toString(outOfRange.apply(r));
            default -> realGarbage(r);
        };
    }

    private static String realGarbage(SplittableRandom r) {
        String g;
        do {
            g = garbage(r);
        } while (g.matches("[0-9.]+"));
        return g;
    }

    private static Function<SplittableRandom, String> enumFlag() {
        return r -> {
            final String g = garbage(r);
            return g.isBlank() ? "NOPE" : g + "_NOT_A_CHOICE";
        };
    }

    private static List<Flag> flags() {
        final List<Flag> flags = new ArrayList<>();
        flags.add(new Flag(List.of("-n", "--threads"), intFlag(1, TrainingConfig.MAX_THREADS)));
        flags.add(new Flag(List.of("-L", "--layers"), intFlag(0, Integer.MAX_VALUE)));
        flags.add(new Flag(List.of("-U", "--units"), intFlag(1, Integer.MAX_VALUE)));
        flags.add(new Flag(List.of("-e", "--epochs"), intFlag(1, Integer.MAX_VALUE)));
        flags.add(new Flag(List.of("-b", "--batch"), intFlag(1, Integer.MAX_VALUE)));
        flags.add(new Flag(List.of("-r", "--rounds"), intFlag(1, Integer.MAX_VALUE)));
        flags.add(new Flag(List.of("-B", "--persistence"), r -> r.nextBoolean()
                ? Integer.toString(-1 - r.nextInt(1000)) : intGarbage(r).replace("inf", "imf")));
        flags.add(new Flag(List.of("--seed"), r -> intGarbage(r)));
        flags.add(new Flag(List.of("-l", "--lr"), realFlag(r -> -r.nextDouble() * 10)));
        flags.add(new Flag(List.of("--time-limit"), realFlag(r -> -1e-3 - r.nextDouble() * 100)));
        flags.add(new Flag(List.of("--tail-amplitude"), realFlag(r -> r.nextBoolean() ? -1e-6 - r.nextDouble() : 1.0001 + r.nextDouble())));
        flags.add(new Flag(List.of("--momentum"), realFlag(r -> r.nextBoolean() ? -1e-6 - r.nextDouble() : 1.0 + r.nextDouble())));
        flags.add(new Flag(List.of("--init-std"), realFlag(r -> -1e-6 - r.nextDouble())));
        flags.add(new Flag(List.of("--epsilon"), realFlag(r -> r.nextBoolean() ? -r.nextDouble() : 1.0 + r.nextDouble())));
        flags.add(new Flag(List.of("-a", "--algo"), enumFlag()));
        flags.add(new Flag(List.of("-A", "--arch"), enumFlag()));
        flags.add(new Flag(List.of("-D", "--dataset"), enumFlag()));
        flags.add(new Flag(List.of("-t", "--stepsize"), enumFlag()));
        flags.add(new Flag(List.of("--staleness-model"), enumFlag()));
        flags.add(new Flag(List.of("--input-scale"), enumFlag()));
        return flags;
    }

    @Test
    void shouldExitWithUsageErrorNamingTheFlagForEveryBadValue() {
        final SplittableRandom random = new SplittableRandom(SEED);
        final List<Flag> flags = flags();
        final Map<String, String> names = Map.of("-n", "--threads"); // documentation only
        assertTrue(names.size() == 1);
        for (int i = 0; i < CASES; i++) {
            final Flag flag = flags.get(random.nextInt(flags.size()));
            final String name = flag.names().get(random.nextInt(flag.names().size()));
            final String value = flag.badValue().apply(random);
            final boolean attached = random.nextBoolean() && name.startsWith("--");
            final List<String> args = new ArrayList<>(List.of("train", "--data-dir", dir.resolve("no-data").toString(),
                    "--out", dir.resolve("never.json").toString()));
            if (attached) {
                args.add(name + "=" + value);
            } else {
                args.add(name);
                args.add(value);
            }
            final StringWriter err = new StringWriter();
            final StringWriter out = new StringWriter();
            final picocli.CommandLine cli = LeashedCli.newCommandLine();
            cli.setErr(new PrintWriter(err));
            cli.setOut(new PrintWriter(out));
            final int code = cli.execute(args.toArray(String[]::new));
            final String what = "case " + i + " (seed " + SEED + "): " + args + " -> exit " + code + ", stderr:\n" + err;
            assertEquals(2, code, what);
            final String message = err.toString();
            assertTrue(flag.names().stream().anyMatch(message::contains), "message must name the flag: " + what);
            assertTrue(!message.contains("\tat ") && !message.contains("Exception in"), "no stack trace: " + what);
        }
    }
}
