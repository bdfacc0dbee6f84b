package org.leashed.perf.report;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs headless Chromium for the report test. Absence is a failure, not a skip (CI installs it). */
final class Chromium {
    private static final long TIMEOUT_SECONDS = 60;

    private Chromium() {
    }

    record Result(int exitCode, String stdout, String output) {
    }

    static Path find() {
        for (String candidate : List.of("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")) {
            final Path path = Path.of(candidate);
            if (Files.isExecutable(path)) {
                return path;
            }
        }
        final String env = System.getenv("CHROMIUM");
        if (env != null && Files.isExecutable(Path.of(env))) {
            return Path.of(env);
        }
        return fail("headless Chromium is required for the report rendering test and was not found "
                + "(looked in /usr/bin/chromium, /usr/bin/chromium-browser, /usr/bin/google-chrome and $CHROMIUM); "
                + "install it with: apt-get update && apt-get install -y chromium");
    }

    static Result run(Path chromium, Path profile, String... args) throws IOException, InterruptedException {
        final List<String> command = new ArrayList<>(List.of(chromium.toString(), "--headless", "--no-sandbox",
                "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
                "--user-data-dir=" + profile));
        command.addAll(List.of(args));
        final Path stdout = Files.createTempFile(profile.getParent(), "chromium-out", ".txt");
        final Path stderr = Files.createTempFile(profile.getParent(), "chromium-err", ".txt");
        final Process process = new ProcessBuilder(command)
                .redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
        if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
            fail("chromium did not finish within " + TIMEOUT_SECONDS + " s: " + command);
        }
        final String out = Files.readString(stdout, StandardCharsets.UTF_8);
        final String err = Files.readString(stderr, StandardCharsets.UTF_8);
        return new Result(process.exitValue(), out, "command: " + command + "\nstderr:\n" + err);
    }
}
