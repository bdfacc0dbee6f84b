package org.leashed.perf.report;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Writes files so that a reader (or a resumed sweep) sees either the old content or the complete new
 * content, never a torn file: write a temporary file in the same directory, then rename it over the
 * target with {@link StandardCopyOption#ATOMIC_MOVE}.
 */
public final class AtomicFiles {
    private AtomicFiles() {
    }

    /**
     * Atomically replaces {@code target} with {@code content}, creating parent directories.
     *
     * @throws UncheckedIOException naming the target if writing or the atomic rename fails (a file
     *                              system without atomic rename is reported, not silently tolerated)
     */
    public static void write(Path target, byte[] content) {
        final Path absolute = target.toAbsolutePath();
        final Path directory = absolute.getParent();
        Path temp = null;
        try {
            Files.createDirectories(directory);
            temp = Files.createTempFile(directory, "." + absolute.getFileName(), ".tmp");
            Files.write(temp, content);
            Files.move(temp, absolute, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            temp = null;
        } catch (AtomicMoveNotSupportedException e) {
            throw new UncheckedIOException("cannot write " + target
                    + " atomically: the file system does not support atomic rename", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + target + ": " + e.getMessage(), e);
        } finally {
            if (temp != null) {
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException ignored) {
                    // Best effort: the write already failed and that failure is what gets reported.
                }
            }
        }
    }

    /** {@link #write(Path, byte[])} for UTF-8 text. */
    public static void writeString(Path target, String content) {
        write(target, content.getBytes(StandardCharsets.UTF_8));
    }
}
