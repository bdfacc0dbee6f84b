package org.leashed.kernel.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.leashed.kernel.run.EpochStats;

class CheckpointFileTest {
    static Checkpoint sample(int d, int m, boolean momentum) {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("algorithm", "LSH");
        f.put(Checkpoint.THREADS, Integer.toString(m));
        f.put(Checkpoint.DIMENSION, Integer.toString(d));
        f.put("arch", "MLP \u00e9"); // non-ASCII survives
        float[] params = new float[d];
        for (int j = 0; j < d; j++) {
            params[j] = (float) Math.sin(j) * 1e3f;
        }
        List<float[]> velocities = new java.util.ArrayList<>();
        if (momentum) {
            for (int w = 0; w < m; w++) {
                float[] v = new float[d];
                java.util.Arrays.fill(v, w + 0.5f);
                velocities.add(v);
            }
        }
        long[] seeds = new long[m];
        for (int w = 0; w < m; w++) {
            seeds[w] = Checkpoint.epochSeed(7, w, 3);
        }
        return new Checkpoint(f, 2, 234, 5, 1.25, 2.3,
                List.of(new EpochStats(1, 1.5, 0.5, 117), new EpochStats(2, 0.9, 1.25, 234)), seeds,
                new long[] {100, 80, 54}, new float[] {0.01f, 0.005f, Float.MIN_VALUE}, 150, params, velocities);
    }

    @Test
    void shouldRoundTripEveryFieldWhenWrittenAndRead(@TempDir Path dir) throws Exception {
        Checkpoint c = sample(37, 3, true);
        Path file = dir.resolve("sub/run.ckpt");
        CheckpointFile.write(file, c);
        Checkpoint back = CheckpointFile.read(file);
        assertEquals(c.fingerprint(), back.fingerprint());
        assertEquals(c.completedEpochs(), back.completedEpochs());
        assertEquals(c.appliedUpdates(), back.appliedUpdates());
        assertEquals(c.droppedUpdates(), back.droppedUpdates());
        assertEquals(c.wallSeconds(), back.wallSeconds());
        assertEquals(c.initialLoss(), back.initialLoss());
        assertEquals(c.history(), back.history());
        assertArrayEquals(c.workerSeeds(), back.workerSeeds());
        assertArrayEquals(c.stalenessHistogram(), back.stalenessHistogram());
        assertArrayEquals(c.stepSizes(), back.stepSizes());
        assertEquals(c.stepDropAbove(), back.stepDropAbove());
        assertArrayEquals(c.parameters(), back.parameters());
        assertEquals(3, back.velocities().size());
        for (int w = 0; w < 3; w++) {
            assertArrayEquals(c.velocities().get(w), back.velocities().get(w));
        }
        try (var files = Files.list(file.getParent())) {
            assertEquals(List.of(file), files.toList(), "no temporary file left");
        }
    }

    @Test
    void shouldReplaceWholeFileWhenWrittenTwice(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("run.ckpt");
        CheckpointFile.write(file, sample(1000, 4, true));
        CheckpointFile.write(file, sample(5, 1, false));
        assertEquals(5, CheckpointFile.read(file).dimension());
    }

    @Test
    void shouldRejectWithChecksumMessageWhenAnyPayloadBitIsFlipped() {
        byte[] good = CheckpointFile.encode(sample(9, 2, true));
        for (int bit = CheckpointFile.HEADER_BYTES * 8; bit < good.length * 8; bit++) {
            byte[] bad = good.clone();
            bad[bit / 8] ^= (byte) (1 << (bit % 8));
            CheckpointException e = assertThrows(CheckpointException.class, () -> CheckpointFile.decode(bad, "f.ckpt"),
                    "bit " + bit);
            assertTrue(e.getMessage().startsWith("f.ckpt: checkpoint checksum mismatch"), e.getMessage());
        }
    }

    @Test
    void shouldRejectNamingTheProblemWhenHeaderIsDamaged() {
        byte[] good = CheckpointFile.encode(sample(9, 2, false));
        byte[] magic = good.clone();
        magic[0] = 'X';
        assertTrue(assertThrows(CheckpointException.class, () -> CheckpointFile.decode(magic, "f")).getMessage()
                .contains("not a leashed checkpoint"));
        byte[] version = good.clone();
        version[11] = 2;
        assertTrue(assertThrows(CheckpointException.class, () -> CheckpointFile.decode(version, "f")).getMessage()
                .contains("format version 2, this build reads version 1"));
        byte[] length = good.clone();
        length[12] = 0x7f; // claims a payload of ~2^62 bytes
        assertTrue(assertThrows(CheckpointException.class, () -> CheckpointFile.decode(length, "f")).getMessage()
                .contains("length mismatch"));
    }

    @Test
    void shouldRejectAsTruncatedWhenCutAtAnyLength() {
        byte[] good = CheckpointFile.encode(sample(9, 2, true));
        for (int n = 0; n < good.length; n++) {
            byte[] cut = java.util.Arrays.copyOf(good, n);
            CheckpointException e = assertThrows(CheckpointException.class, () -> CheckpointFile.decode(cut, "f"), "length " + n);
            String msg = e.getMessage();
            assertTrue(msg.contains("not a leashed checkpoint") || msg.contains("truncated"), msg);
        }
    }

    /** A payload whose CRC is right but whose counts lie (a bug or a hostile file) is still refused cleanly. */
    @Test
    void shouldRejectInconsistentCountsWhenChecksumIsRecomputed() {
        byte[] good = CheckpointFile.encode(sample(9, 2, false));
        ByteBuffer b = ByteBuffer.wrap(good);
        b.putInt(CheckpointFile.HEADER_BYTES, 1_000_000_000); // fingerprint entries
        fixCrc(good);
        CheckpointException e = assertThrows(CheckpointException.class, () -> CheckpointFile.decode(good, "f"));
        assertTrue(e.getMessage().contains("field fingerprint entries is 1000000000"), e.getMessage());
    }

    @Test
    void shouldRejectWithoutReadingWhenFileIsLargerThanAnyCheckpoint(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("huge.ckpt");
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(3L << 30); // sparse: costs no disk
        }
        CheckpointException e = assertThrows(CheckpointException.class, () -> CheckpointFile.read(file));
        assertTrue(e.getMessage().contains("larger than any checkpoint"), e.getMessage());
        assertTrue(assertThrows(CheckpointException.class, () -> CheckpointFile.read(dir.resolve("missing"))).getMessage()
                .contains("no such checkpoint file"));
    }

    @Test
    void shouldDeriveDistinctReproducibleSeedsWhenWorkerOrEpochDiffers() {
        assertEquals(Checkpoint.epochSeed(1, 2, 3), Checkpoint.epochSeed(1, 2, 3));
        java.util.Set<Long> seen = new java.util.HashSet<>();
        for (int w = 0; w < 32; w++) {
            for (int e = 0; e < 64; e++) {
                assertTrue(seen.add(Checkpoint.epochSeed(1, w, e)), "collision at worker " + w + ", epoch " + e);
            }
        }
    }

    static void fixCrc(byte[] bytes) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, bytes.length - 4);
        ByteBuffer.wrap(bytes).putInt(bytes.length - 4, (int) crc.getValue());
    }
}
