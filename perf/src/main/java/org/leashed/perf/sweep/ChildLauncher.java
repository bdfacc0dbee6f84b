package org.leashed.perf.sweep;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Runs one {@code train} configuration in a child JVM of the same JDK and class path:
 * {@code java <jvm flags> -cp <this jar> <main> train <args> --out <file>}, with stdout and stderr
 * going to a per-run log file.
 *
 * <p>Why a child JVM per run rather than calling {@code train} in-process: each configuration starts
 * from a cold, identical JVM (no JIT profile, heap layout, off-heap pools or thread affinity inherited
 * from the previous configuration, so run order cannot bias timings), a crash (NaN is not a crash, but
 * an OOM, a native fault or a hang is) loses one run instead of the campaign, and {@code --time-limit}
 * can be backed by a hard kill. The price is JVM start-up and data loading per run, which the sweep
 * measures and prints (child wall time minus the run's own training time).
 *
 * @param java      the {@code java} launcher
 * @param jvmFlags  flags before {@code -cp}
 * @param classPath class path of the child
 * @param mainClass class whose {@code main} accepts {@code train ...}
 */
public record ChildLauncher(Path java, List<String> jvmFlags, String classPath, String mainClass) {
    /** Main class of the leashed jar. */
    public static final String CLI_MAIN = "org.leashed.perf.cli.LeashedCli";
    /** Flags every leashed JVM runs with (see the root pom's leashed.jvm.flags). */
    public static final List<String> LEASHED_JVM_FLAGS = List.of("--add-modules=jdk.incubator.vector",
            "--enable-native-access=ALL-UNNAMED", "-XX:+UnlockDiagnosticVMOptions", "-XX:MinInlineFrequencyRatio=0",
            "-XX:PerMethodRecompilationCutoff=1000",
            "-Djava.awt.headless=true");

    /** How a child ended. */
    public record Result(int exitCode, boolean timedOut, Duration wall) {
    }

    /**
     * A launcher for this JDK and the class path this code was loaded from (the shaded jar when run through
     * {@code ./leashed}, the test class path under Maven), with the standard flags plus {@code extraJvmFlags}.
     */
    public static ChildLauncher forThisJvm(String mainClass, List<String> extraJvmFlags) {
        final List<String> flags = new ArrayList<>(LEASHED_JVM_FLAGS);
        flags.addAll(extraJvmFlags);
        return new ChildLauncher(Path.of(System.getProperty("java.home"), "bin", "java"), flags,
                ownClassPath(), mainClass);
    }

    private static String ownClassPath() {
        try {
            final var source = ChildLauncher.class.getProtectionDomain().getCodeSource();
            if (source != null) {
                final Path location = Path.of(source.getLocation().toURI());
                if (Files.isRegularFile(location) && location.toString().endsWith(".jar")) {
                    return location.toString();
                }
            }
        } catch (URISyntaxException | SecurityException e) {
            // Fall through to the JVM's class path.
        }
        return System.getProperty("java.class.path");
    }

    /** The full command line for a run. */
    public List<String> command(List<String> trainArgs, Path out) {
        final List<String> command = new ArrayList<>();
        command.add(java.toString());
        command.addAll(jvmFlags);
        command.add("-cp");
        command.add(classPath);
        command.add(mainClass);
        command.add("train");
        command.addAll(trainArgs);
        command.add("--out");
        command.add(out.toString());
        return command;
    }

    /**
     * Runs a child to completion or until {@code timeout} (then it is destroyed, forcibly after 10 s).
     *
     * @param timeout empty for no limit
     * @throws UncheckedIOException if the child cannot be started or the log cannot be written
     */
    public Result run(List<String> trainArgs, Path out, Path log, Optional<Duration> timeout) {
        final List<String> command = command(trainArgs, out);
        final long start = System.nanoTime();
        try {
            Files.createDirectories(log.toAbsolutePath().getParent());
            Files.writeString(log, "# " + String.join(" ", command) + "\n");
            final Process process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .redirectInput(ProcessBuilder.Redirect.PIPE)
                    .start();
            process.getOutputStream().close();
            boolean finished;
            if (timeout.isPresent()) {
                finished = process.waitFor(timeout.get().toMillis(), TimeUnit.MILLISECONDS);
            } else {
                process.waitFor();
                finished = true;
            }
            if (!finished) {
                process.destroy();
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    process.waitFor();
                }
            }
            return new Result(process.exitValue(), !finished, Duration.ofNanos(System.nanoTime() - start));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + String.join(" ", command) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for " + out.getFileName(), e);
        }
    }
}
