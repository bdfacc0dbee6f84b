package org.leashed.perf.sweep;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.leashed.perf.report.SyntheticResults;

/**
 * Stand-in for {@code leashed train} in sweep tests: accepts {@code train --flag value ... --out FILE},
 * writes a synthetic result with the flags as {@code config}. Scripted failures: {@code --threads 3}
 * exits 7 without a result; {@code --seed 99} exits 0 but writes a truncated file; {@code --seed 77}
 * sleeps (for the timeout test).
 */
public final class FakeTrain {
    private FakeTrain() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 0 || !args[0].equals("train")) {
            System.err.println("fake train: expected 'train' first, got " + List.of(args));
            System.exit(64);
        }
        final Map<String, String> flags = new HashMap<>();
        for (int i = 1; i < args.length; i++) {
            final String key = args[i].substring(2);
            final boolean hasValue = i + 1 < args.length && !args[i + 1].startsWith("--");
            flags.put(key, hasValue ? args[++i] : "true");
        }
        final Path out = Path.of(flags.get("out"));
        final String threads = flags.getOrDefault("threads", "1");
        final String seed = flags.getOrDefault("seed", "1");
        System.out.println("fake train " + flags);
        if (threads.equals("3")) {
            System.err.println("boom: cannot run with 3 threads");
            System.exit(7);
        }
        if (seed.equals("99")) {
            Files.writeString(out, "{\"config\": {");
            return;
        }
        if (seed.equals("77")) {
            Thread.sleep(60_000);
        }
        final ObjectNode run = SyntheticResults.run(flags.getOrDefault("algo", "ASYNC"), Integer.parseInt(threads),
                flags.getOrDefault("persistence", "inf"), Long.parseLong(seed), SyntheticResults.Kind.CONVERGED);
        final ObjectNode config = (ObjectNode) run.get("config");
        config.removeAll();
        flags.forEach((k, v) -> {
            if (!k.equals("out")) {
                config.put(k, v);
            }
        });
        final Path temp = out.resolveSibling(out.getFileName() + ".tmp");
        Files.writeString(temp, run.toPrettyString());
        Files.move(temp, out, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }
}
