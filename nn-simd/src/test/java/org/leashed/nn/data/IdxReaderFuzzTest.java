package org.leashed.nn.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded randomized hardening of {@link IdxReader}: truncated files, flipped bits anywhere (headers
 * included), and headers claiming huge counts or dimensions. The reader must either return a data set
 * consistent with the header or throw {@link DatasetFormatException} naming the offending file; never an
 * NPE, AIOOBE, NegativeArraySizeException or OutOfMemoryError.
 */
class IdxReaderFuzzTest {
    private static final long SEED = 0x1D8L;
    private static final int N = 7;
    private static final int ROWS = 5;
    private static final int COLS = 4;

    @TempDir
    Path dir;

    private static byte[] images() {
        final ByteBuffer b = ByteBuffer.allocate(16 + N * ROWS * COLS);
        b.putInt(IdxReader.IMAGES_MAGIC).putInt(N).putInt(ROWS).putInt(COLS);
        for (int i = 0; i < N * ROWS * COLS; i++) {
            b.put((byte) (i * 13));
        }
        return b.array();
    }

    private static byte[] labels() {
        final ByteBuffer b = ByteBuffer.allocate(8 + N);
        b.putInt(IdxReader.LABELS_MAGIC).putInt(N);
        for (int i = 0; i < N; i++) {
            b.put((byte) (i % 10));
        }
        return b.array();
    }

    /** Reads the pair; returns normally on success or a DatasetFormatException naming one of the files. */
    private void check(byte[] img, byte[] lab, String what) throws IOException {
        final Path imagesFile = dir.resolve("images.idx");
        final Path labelsFile = dir.resolve("labels.idx");
        Files.write(imagesFile, img);
        Files.write(labelsFile, lab);
        try {
            final Dataset d = IdxReader.read(imagesFile, labelsFile, 10, 1.0f);
            assertEquals(ByteBuffer.wrap(img).getInt(4), d.count(), what + ": size must match the header");
        } catch (DatasetFormatException e) {
            assertTrue(e.getMessage().contains(imagesFile.toString()) || e.getMessage().contains(labelsFile.toString()),
                    what + ": message must name the file: " + e.getMessage());
            assertTrue(e.getMessage().contains("field '"), what + ": message must name the field: " + e.getMessage());
        } catch (RuntimeException | Error e) {
            fail(what + ": undocumented " + e, e);
        }
    }

    @Test
    void shouldRejectTruncatedFilesWithFormatErrorNamingTheFile() throws IOException {
        final SplittableRandom random = new SplittableRandom(SEED);
        final byte[] img = images();
        final byte[] lab = labels();
        for (int i = 0; i < 1000; i++) {
            if (random.nextBoolean()) {
                check(Arrays.copyOf(img, random.nextInt(img.length)), lab, "truncated images, case " + i);
            } else {
                check(img, Arrays.copyOf(lab, random.nextInt(lab.length)), "truncated labels, case " + i);
            }
        }
    }

    @Test
    void shouldSurviveBitFlipsInHeadersAndBodies() throws IOException {
        final SplittableRandom random = new SplittableRandom(SEED + 1);
        for (int i = 0; i < 2000; i++) {
            final byte[] img = images();
            final byte[] lab = labels();
            final boolean header = random.nextInt(4) != 0; // mostly headers: that is where the danger is
            final byte[] target = random.nextBoolean() ? img : lab;
            final int limit = header ? (target == img ? 16 : 8) : target.length;
            final int flips = 1 + random.nextInt(3);
            for (int k = 0; k < flips; k++) {
                target[random.nextInt(limit)] ^= (byte) (1 << random.nextInt(8));
            }
            check(img, lab, "bit flips (seed " + (SEED + 1) + ", case " + i + ")");
        }
    }

    @Test
    void shouldRejectOversizedHeaderValuesBeforeAllocating() throws IOException {
        final SplittableRandom random = new SplittableRandom(SEED + 2);
        final int[] extremes = {Integer.MAX_VALUE, Integer.MIN_VALUE, -1, 0, 1 << 30, 65_536, 4097, 4096};
        for (int i = 0; i < 1000; i++) {
            final byte[] img = images();
            final byte[] lab = labels();
            final ByteBuffer ib = ByteBuffer.wrap(img);
            final int field = 4 * (1 + random.nextInt(3)); // count, rows or cols
            ib.putInt(field, random.nextBoolean() ? extremes[random.nextInt(extremes.length)] : random.nextInt());
            if (random.nextBoolean()) {
                ByteBuffer.wrap(lab).putInt(4, ib.getInt(4)); // labels agree with the huge count
            }
            check(img, lab, "oversized header (seed " + (SEED + 2) + ", case " + i + ")");
        }
    }

    @Test
    void shouldRejectFileLargerThanOneArrayBeforeReadingIt() throws IOException {
        final Path imagesFile = dir.resolve("huge-images.idx");
        final Path labelsFile = dir.resolve("labels.idx");
        Files.write(labelsFile, labels());
        try (RandomAccessFile f = new RandomAccessFile(imagesFile.toFile(), "rw")) {
            f.writeInt(IdxReader.IMAGES_MAGIC);
            f.writeInt(Integer.MAX_VALUE);
            f.setLength(3L << 30); // sparse: costs no disk, but cannot fit one Java array
        }
        final DatasetFormatException e = assertThrows(DatasetFormatException.class,
                () -> IdxReader.read(imagesFile, labelsFile, 10, 1.0f));
        assertTrue(e.getMessage().contains(imagesFile.toString()) && e.getMessage().contains("'size'"), e.getMessage());
    }
}
