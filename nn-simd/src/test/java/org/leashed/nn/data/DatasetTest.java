package org.leashed.nn.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;

import org.leashed.nn.model.Network;
import org.leashed.nn.model.Workspace;
import org.leashed.nn.simd.Kernels;
import org.junit.jupiter.api.Test;

/** Byte-backed and float-backed data sets must be interchangeable for every reader of them. */
class DatasetTest {
    private static final float SCALE = 1f / 255f;

    private static byte[] pixels(int n, int features, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        byte[] p = new byte[n * features];
        for (int i = 0; i < p.length; i++) {
            p[i] = (byte) r.nextInt(256);
        }
        return p;
    }

    private static float[] scaled(byte[] p) {
        float[] f = new float[p.length];
        for (int i = 0; i < p.length; i++) {
            f[i] = (p[i] & 0xFF) * SCALE;
        }
        return f;
    }

    @Test
    void shouldStoreBytesAtAQuarterOfTheFloatFootprint() {
        byte[] p = pixels(50, 784, 1);
        byte[] labels = new byte[50];
        Dataset b = Dataset.fromBytes("b", p, labels, 1, 28, 28, 10, SCALE);
        Dataset f = Dataset.fromFloats("f", scaled(p), labels, 1, 28, 28, 10);
        assertEquals(50L * 784, b.storedBytes());
        assertEquals(4 * b.storedBytes(), f.storedBytes());
    }

    @Test
    void shouldCopyTheSameFloatsFromBytesAsFromFloats() {
        int features = 3 * 5 * 7; // not a multiple of any vector length
        byte[] p = pixels(9, features, 2);
        byte[] labels = {0, 1, 2, 0, 1, 2, 0, 1, 2};
        Dataset b = Dataset.fromBytes("b", p, labels, 3, 5, 7, 3, SCALE);
        Dataset f = Dataset.fromFloats("f", scaled(p), labels, 3, 5, 7, 3);
        try (Arena arena = Arena.ofConfined()) {
            for (Kernels kernels : new Kernels[] {Kernels.get(), Kernels.scalar()}) {
                MemorySegment fromBytes = arena.allocate((features + 2L) * Float.BYTES);
                MemorySegment fromFloats = arena.allocate((features + 2L) * Float.BYTES);
                for (int e = 0; e < 9; e++) {
                    fromBytes.fill((byte) 0x7f);
                    fromFloats.fill((byte) 0x7f);
                    b.copyExample(kernels, e, fromBytes, 1);
                    f.copyExample(kernels, e, fromFloats, 1);
                    assertEquals(-1L, fromBytes.mismatch(fromFloats), kernels.description() + ", example " + e);
                    for (int j = 0; j < features; j++) {
                        assertEquals(f.value(e, j), fromBytes.getAtIndex(ValueLayout.JAVA_FLOAT, 1 + j));
                        assertEquals(b.value(e, j), f.value(e, j));
                    }
                }
            }
        }
    }

    @Test
    void shouldGiveTheSameGradientFromBytesAsFromFloats() {
        byte[] p = pixels(64, 784, 3);
        byte[] labels = new byte[64];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = (byte) (i % 10);
        }
        Dataset b = Dataset.fromBytes("b", p, labels, 1, 28, 28, 10, SCALE);
        Dataset f = Dataset.fromFloats("f", scaled(p), labels, 1, 28, 28, 10);
        Network net = Network.mlp(784, 1, 32, 10);
        int[] batch = new int[33];
        for (int i = 0; i < batch.length; i++) {
            batch[i] = (i * 7) % 64;
        }
        long d = net.parameterCount();
        try (Arena arena = Arena.ofConfined(); Workspace ws = net.newWorkspace(33)) {
            MemorySegment params = arena.allocate(d * Float.BYTES);
            net.initialize(params, 5, 0.05f);
            MemorySegment g1 = arena.allocate(d * Float.BYTES);
            MemorySegment g2 = arena.allocate(d * Float.BYTES);
            float l1 = net.lossAndGradient(ws, params, g1, b, batch, batch.length);
            float l2 = net.lossAndGradient(ws, params, g2, f, batch, batch.length);
            assertEquals(Float.floatToIntBits(l2), Float.floatToIntBits(l1));
            assertEquals(-1L, g1.mismatch(g2), "gradients differ");
            assertTrue(l1 > 0f);
        }
    }

    @Test
    void shouldSliceBytesWithoutSharing() {
        byte[] p = pixels(10, 12, 4);
        Dataset b = Dataset.fromBytes("b", p, new byte[10], 1, 3, 4, 2, SCALE);
        Dataset s = b.slice(3, 4);
        assertEquals(4, s.count());
        assertEquals(4L * 12, s.storedBytes());
        for (int e = 0; e < 4; e++) {
            for (int j = 0; j < 12; j++) {
                assertEquals(b.value(3 + e, j), s.value(e, j));
            }
        }
    }

    @Test
    void shouldReadPixelsFromAnOffsetWithoutACopy() {
        byte[] file = new byte[16 + 2 * 4];
        for (int i = 0; i < file.length; i++) {
            file[i] = (byte) (200 + i);
        }
        Dataset b = Dataset.fromBytes("idx", file, 16, new byte[2], 1, 2, 2, 2, 1f);
        assertEquals((200 + 16) & 0xFF, (int) b.value(0, 0));
        assertEquals((200 + 23) & 0xFF, (int) b.value(1, 3));
    }

    @Test
    void shouldRejectBadSizesScalesAndIndices() {
        IllegalArgumentException size = assertThrows(IllegalArgumentException.class,
                () -> Dataset.fromBytes("x", new byte[7], new byte[2], 1, 2, 2, 2, 1f));
        assertTrue(size.getMessage().contains("x: pixel bytes 7"), size.getMessage());
        IllegalArgumentException scale = assertThrows(IllegalArgumentException.class,
                () -> Dataset.fromBytes("y", new byte[8], new byte[2], 1, 2, 2, 2, Float.NaN));
        assertTrue(scale.getMessage().contains("y: scale is NaN"), scale.getMessage());
        Dataset b = Dataset.fromBytes("z", new byte[8], new byte[2], 1, 2, 2, 2, 1f);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment dst = arena.allocate(16);
            assertThrows(IndexOutOfBoundsException.class, () -> b.copyExample(Kernels.get(), 2, dst, 0));
            assertThrows(IndexOutOfBoundsException.class, () -> b.value(0, 4));
        }
    }
}
