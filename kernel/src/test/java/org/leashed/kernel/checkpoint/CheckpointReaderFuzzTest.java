package org.leashed.kernel.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Thousands of damaged checkpoints (fixed seed, logged on failure): random bit flips, truncations,
 * extensions, overwritten runs of bytes, random garbage behind a valid magic, and payload damage with
 * the checksum recomputed (so the field parser itself is exercised, not just the CRC). Each one must
 * either decode (only possible when the CRC was recomputed and the damage hit a value, not a count) or
 * fail with {@link CheckpointException} carrying a one-line message; never another exception type, an
 * OutOfMemoryError or a hang (the class timeout).
 */
@Timeout(120)
class CheckpointReaderFuzzTest {
    private static final long SEED = 0x5EED_C0DEL;
    private static final int CASES = 6000;

    @Test
    void shouldFailCleanlyOrDecodeWhenInputIsDamaged() {
        final SplittableRandom random = new SplittableRandom(SEED);
        final byte[][] goods = {
            CheckpointFile.encode(CheckpointFileTest.sample(1, 1, false)),
            CheckpointFile.encode(CheckpointFileTest.sample(33, 4, true)),
            CheckpointFile.encode(CheckpointFileTest.sample(257, 2, false)),
        };
        int rejected = 0;
        int decoded = 0;
        int crcRejected = 0;
        for (int i = 0; i < CASES; i++) {
            final byte[] good = goods[random.nextInt(goods.length)];
            final int kind = random.nextInt(7);
            final byte[] input = mutate(good, kind, random);
            final boolean recomputed = kind == 6;
            try {
                Checkpoint c = CheckpointFile.decode(input, "fuzz.ckpt");
                decoded++;
                assertTrue(recomputed || Arrays.equals(input, good), "case " + i + " (kind " + kind + ", seed " + SEED
                        + ") decoded damaged bytes without a recomputed CRC");
                assertEquals(c.parameters().length, c.dimension());
            } catch (CheckpointException e) {
                rejected++;
                if (e.getMessage().contains("checksum mismatch")) {
                    crcRejected++;
                }
                assertTrue(e.getMessage().startsWith("fuzz.ckpt: "), "names the file: " + e.getMessage());
                assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
                assertTrue(e.getMessage().length() < 600, "short: " + e.getMessage());
            } catch (RuntimeException | Error e) {
                fail("case " + i + " (kind " + kind + ", seed " + SEED + ", " + input.length + " bytes): " + e, e);
            }
        }
        System.out.printf("checkpoint fuzz: %d cases, %d rejected (%d by checksum), %d decoded%n", CASES, rejected,
                crcRejected, decoded);
        assertTrue(rejected > CASES * 0.9, "almost every damaged input is rejected: " + rejected);
        assertTrue(crcRejected > CASES / 5, "bit flips and overwrites (2 of 7 kinds) are caught by the checksum: " + crcRejected);
    }

    private static byte[] mutate(byte[] good, int kind, SplittableRandom r) {
        byte[] b;
        switch (kind) {
            case 0 -> { // 1..8 bit flips anywhere
                b = good.clone();
                int flips = 1 + r.nextInt(8);
                for (int k = 0; k < flips; k++) {
                    int bit = r.nextInt(b.length * 8);
                    b[bit / 8] ^= (byte) (1 << (bit % 8));
                }
            }
            case 1 -> b = Arrays.copyOf(good, r.nextInt(good.length)); // truncation
            case 2 -> { // extension with junk
                b = Arrays.copyOf(good, good.length + 1 + r.nextInt(4096));
                for (int k = good.length; k < b.length; k++) {
                    b[k] = (byte) r.nextInt(256);
                }
            }
            case 3 -> { // a run of overwritten bytes
                b = good.clone();
                int at = r.nextInt(b.length);
                int n = 1 + r.nextInt(Math.min(64, b.length - at));
                for (int k = 0; k < n; k++) {
                    b[at + k] = (byte) r.nextInt(256);
                }
            }
            case 4 -> { // garbage behind a valid magic and version
                b = new byte[r.nextInt(2048)];
                for (int k = 0; k < b.length; k++) {
                    b[k] = (byte) r.nextInt(256);
                }
                System.arraycopy(good, 0, b, 0, Math.min(12, b.length));
            }
            case 5 -> { // oversized length claims
                b = good.clone();
                java.nio.ByteBuffer.wrap(b).putLong(12, r.nextBoolean() ? -1L - r.nextInt(1000) : r.nextLong(1L << 40));
            }
            default -> { // payload damage with the CRC recomputed: the parser's own bounds checks
                b = good.clone();
                int flips = 1 + r.nextInt(4);
                for (int k = 0; k < flips; k++) {
                    int at = CheckpointFile.HEADER_BYTES + r.nextInt(b.length - CheckpointFile.HEADER_BYTES - 4);
                    b[at] = r.nextInt(4) == 0 ? (byte) 0xff : (byte) r.nextInt(256);
                }
                CheckpointFileTest.fixCrc(b);
            }
        }
        return b;
    }
}
