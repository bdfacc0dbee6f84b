package org.leashed.perf.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** A probe's main in a fresh JVM: this JVM's java binary, flags and class path, stdout and stderr read together. */
final class ChildJvm {
    private ChildJvm() {
    }

    /**
     * Runs {@code main} with {@code args} in a fresh JVM and returns what it printed. The flags this JVM was started with
     * are passed on, except those starting with {@code dropFlagPrefix} (null: none dropped).
     *
     * @throws IllegalStateException if the child exits non-zero (the message names {@code what} and holds its output)
     */
    static String run(Class<?> main, List<String> args, String dropFlagPrefix, String what) {
        String java = ProcessHandle.current().info().command()
                .orElseThrow(() -> new IllegalStateException("cannot tell which java binary runs this JVM"));
        List<String> command = new ArrayList<>();
        command.add(java);
        for (String flag : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (dropFlagPrefix == null || !flag.startsWith(dropFlagPrefix)) {
                command.add(flag);
            }
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), main.getName()));
        command.addAll(args);
        try {
            Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int rc = child.waitFor();
            if (rc != 0) {
                throw new IllegalStateException(what + " failed in its JVM (exit " + rc + "):\n" + output);
            }
            return output;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start a JVM for " + what, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while " + what + " ran", e);
        }
    }
}
