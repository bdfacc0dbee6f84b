package org.leashed.perf.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TarGzTest {
    @TempDir
    Path dir;

    @Test
    void shouldExtractOnlyRequestedEntriesWhenArchiveHasSeveral() throws IOException {
        final byte[] big = new byte[1500];
        for (int i = 0; i < big.length; i++) {
            big[i] = (byte) (i * 7);
        }
        final Path tgz = TarFixtures.writeTgz(dir.resolve("p.tgz"),
                TarFixtures.entries("package/a.txt", "alpha", "package/data/big.bin", big, "package/c.txt", "gamma"));
        final Path target = dir.resolve("out.bin");
        final Map<String, Long> found = TarGz.extract(tgz, Map.of("package/data/big.bin", target));
        assertEquals(Map.of("package/data/big.bin", 1500L), found);
        assertArrayEquals(big, Files.readAllBytes(target));
        assertFalse(Files.exists(dir.resolve("a.txt")));
    }

    @Test
    void shouldUsePaxPathWhenNameIsLongerThanUstarField() throws IOException {
        final String longName = "package/" + "d".repeat(120) + "/file.json";
        final Path tgz = TarFixtures.writeTgz(dir.resolve("p.tgz"), TarFixtures.entries(longName, "{\"data\":[]}"));
        final Path target = dir.resolve("file.json");
        final Map<String, Long> found = TarGz.extract(tgz, Map.of(longName, target));
        assertTrue(found.containsKey(longName), "found " + found);
        assertEquals("{\"data\":[]}", Files.readString(target));
    }

    @Test
    void shouldReportTruncationWhenEndMarkerIsMissing() throws IOException {
        final Path tgz = dir.resolve("cut.tgz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(tgz))) {
            out.write(TarFixtures.tarBytes(TarFixtures.entries("package/a", "x"), false));
        }
        final IOException e = assertThrows(IOException.class, () -> TarGz.extract(tgz, Map.of()));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
        assertTrue(e.getMessage().contains("cut.tgz"), e.getMessage());
    }

    @Test
    void shouldRejectInputWhenItIsNotGzip() throws IOException {
        final Path notGzip = Files.writeString(dir.resolve("plain.tgz"), "not a tarball");
        assertThrows(IOException.class, () -> TarGz.extract(notGzip, Map.of()));
    }
}
