package org.leashed.nn.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Cifar10ReaderTest {
    @TempDir
    Path dir;

    /** Record r of a generated batch: label (seed + r) % 10, pixel j = (seed + r + j) % 256. */
    private static byte[] batch(int records, int seed) {
        byte[] bytes = new byte[records * Cifar10Reader.RECORD_BYTES];
        for (int r = 0; r < records; r++) {
            int at = r * Cifar10Reader.RECORD_BYTES;
            bytes[at] = (byte) ((seed + r) % 10);
            for (int j = 0; j < 3072; j++) {
                bytes[at + 1 + j] = (byte) ((seed + r + j) % 256);
            }
        }
        return bytes;
    }

    @Test
    void shouldConcatenateBatchesInOrderWhenFilesAreValid() throws IOException {
        Path a = Files.write(dir.resolve("data_batch_1.bin"), batch(3, 0));
        Path b = Files.write(dir.resolve("data_batch_2.bin"), batch(2, 7));
        Dataset data = Cifar10Reader.read(List.of(a, b), 0.5f);
        assertEquals(5, data.count());
        assertEquals(3, data.channels());
        assertEquals(32, data.height());
        assertEquals(32, data.width());
        assertEquals(10, data.classes());
        int[] seeds = {0, 0, 0, 7, 7};
        int[] records = {0, 1, 2, 0, 1};
        for (int i = 0; i < 5; i++) {
            int base = seeds[i] + records[i];
            assertEquals(base % 10, data.label(i));
            for (int j : new int[] {0, 1, 1023, 1024, 2048, 3071}) { // red, green and blue planes, CHW as stored
                float v = data.value(i, j);
                assertEquals(((base + j) % 256) * 0.5f, v, "image " + i + " pixel " + j);
            }
        }
        assertEquals(List.of(dir.resolve("test_batch.bin")), Cifar10Reader.testFiles(dir));
        assertEquals(5, Cifar10Reader.trainingFiles(dir).size());
    }

    @Test
    void shouldNameFileFieldValueAndExpectationWhenSizeIsWrong() throws IOException {
        byte[] bytes = batch(2, 0);
        Path file = Files.write(dir.resolve("short.bin"), java.util.Arrays.copyOf(bytes, bytes.length - 1));
        DatasetFormatException e = assertThrows(DatasetFormatException.class, () -> Cifar10Reader.read(List.of(file), 1f));
        assertTrue(e.getMessage().contains("short.bin") && e.getMessage().contains("'size'") && e.getMessage().contains("6145 bytes")
                && e.getMessage().contains("multiple of 3073"), e.getMessage());
        Path empty = Files.write(dir.resolve("empty.bin"), new byte[0]);
        assertThrows(DatasetFormatException.class, () -> Cifar10Reader.read(List.of(empty), 1f));
    }

    @Test
    void shouldNameRecordWhenLabelIsAboveNine() throws IOException {
        byte[] bytes = batch(3, 0);
        bytes[2 * Cifar10Reader.RECORD_BYTES] = 10;
        Path good = Files.write(dir.resolve("good.bin"), batch(1, 0));
        Path file = Files.write(dir.resolve("bad_label.bin"), bytes);
        DatasetFormatException e = assertThrows(DatasetFormatException.class, () -> Cifar10Reader.read(List.of(good, file), 1f));
        assertTrue(e.getMessage().contains("bad_label.bin") && e.getMessage().contains("label of record 2")
                && e.getMessage().contains("is 10") && e.getMessage().contains("0..9"), e.getMessage());
    }

    @Test
    void shouldNameFileWhenItIsMissing() {
        Path missing = dir.resolve("data_batch_9.bin");
        DatasetFormatException e = assertThrows(DatasetFormatException.class, () -> Cifar10Reader.read(List.of(missing), 1f));
        assertTrue(e.getMessage().contains("data_batch_9.bin") && e.getMessage().contains("missing"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Cifar10Reader.read(List.of(), 1f));
    }
}
