package org.leashed.perf.data;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Fetches tarballs with {@code npm pack name@version}, which downloads the package from the npm
 * registry (honouring the user's npm configuration: registry mirror, proxy, cache) without installing
 * it or running any of its scripts.
 */
public final class NpmPackageSource implements PackageSource {
    private static final long TIMEOUT_MINUTES = 15;
    private final String npmCommand;

    /** Uses {@code npm} from {@code PATH}. */
    public NpmPackageSource() {
        this("npm");
    }

    /** Uses the given npm executable. */
    public NpmPackageSource(String npmCommand) {
        this.npmCommand = npmCommand;
    }

    @Override
    public Path fetch(String name, String version, Path directory) {
        final String spec = name + "@" + version;
        final Path log = directory.resolve("npm-pack.log");
        final Process process;
        try {
            process = new ProcessBuilder(List.of(npmCommand, "pack", "--silent", spec))
                    .directory(directory.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
        } catch (IOException e) {
            throw new DataUnavailableException("cannot run '" + npmCommand + " pack " + spec + "' (" + e.getMessage()
                    + "): npm is not installed or not on PATH");
        }
        try {
            if (!process.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new DataUnavailableException("'npm pack " + spec + "' did not finish within " + TIMEOUT_MINUTES + " minutes");
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new DataUnavailableException("interrupted while running 'npm pack " + spec + "'");
        }
        if (process.exitValue() != 0) {
            throw new DataUnavailableException("'npm pack " + spec + "' failed with exit status " + process.exitValue()
                    + " (no network, or no access to the npm registry?): " + lastLines(log));
        }
        try (Stream<Path> files = Files.list(directory)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".tgz")).findFirst()
                    .orElseThrow(() -> new DataUnavailableException("'npm pack " + spec + "' succeeded but left no .tgz in "
                            + directory + ": " + lastLines(log)));
        } catch (IOException e) {
            throw new DataUnavailableException("cannot list " + directory + " after 'npm pack " + spec + "': " + e.getMessage());
        }
    }

    private static String lastLines(Path log) {
        try {
            final List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join(" | ", lines.subList(Math.max(0, lines.size() - 3), lines.size())).strip();
        } catch (IOException e) {
            return "(no npm output)";
        }
    }
}
