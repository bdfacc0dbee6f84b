package org.leashed.nn.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxReaderTest {
    @TempDir
    Path dir;

    private Path images(int magic, int n, int rows, int cols, int extra) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(16 + n * rows * cols + extra);
        b.putInt(magic).putInt(n).putInt(rows).putInt(cols);
        for (int i = 0; i < n * rows * cols; i++) {
            b.put((byte) (i * 13));
        }
        Path p = dir.resolve("images");
        Files.write(p, b.array());
        return p;
    }

    private Path labels(int magic, int n, int label) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(8 + n);
        b.putInt(magic).putInt(n);
        for (int i = 0; i < n; i++) {
            b.put((byte) (i == n - 1 ? label : i % 10));
        }
        Path p = dir.resolve("labels");
        Files.write(p, b.array());
        return p;
    }

    @Test
    void shouldReadPixelsAndLabelsWhenFilesAreValid() throws IOException {
        Dataset d = IdxReader.read(images(0x803, 3, 2, 2, 0), labels(0x801, 3, 7), 10, 1f);
        assertEquals(3, d.count());
        assertEquals(4, d.features());
        assertEquals(7, d.label(2));
        assertEquals((byte) (5 * 13) & 0xFF, d.value(1, 1), 0f); // flat index 5: example 1, feature 1
    }

    @Test
    void shouldNameFileAndFieldWhenInputIsBad() throws IOException {
        Path goodLabels = labels(0x801, 3, 1);
        assertTrue(assertThrows(DatasetFormatException.class, () -> IdxReader.read(images(0x802, 3, 2, 2, 0), goodLabels, 10, 1f))
                .getMessage().contains("'magic' is 0x00000802"));
        assertTrue(assertThrows(DatasetFormatException.class, () -> IdxReader.read(images(0x803, 3, 2, 2, 1), goodLabels, 10, 1f))
                .getMessage().contains("'size'"));
        assertTrue(assertThrows(DatasetFormatException.class, () -> IdxReader.read(images(0x803, 4, 2, 2, 0), goodLabels, 10, 1f))
                .getMessage().contains("'count' is 3, expected 4"));
        Path img = images(0x803, 3, 2, 2, 0);
        assertTrue(assertThrows(DatasetFormatException.class, () -> IdxReader.read(img, labels(0x801, 3, 12), 10, 1f))
                .getMessage().contains("'label[2]' is 12"));
        Files.write(img, new byte[5]);
        assertTrue(assertThrows(DatasetFormatException.class, () -> IdxReader.read(img, goodLabels, 10, 1f))
                .getMessage().contains(img.toString()));
    }
}
