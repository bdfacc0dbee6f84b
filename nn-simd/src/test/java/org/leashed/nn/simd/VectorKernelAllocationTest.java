package org.leashed.nn.simd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The production vector kernels allocate nothing on the shapes that leave the 4x4 GEMM block path
 * (column tails, n below the vector length, row remainders, transposed A, accumulate) nor in the
 * elementwise kernels on odd sizes. Runs in its own JVM (surefire execution {@code allocation}, tag
 * {@value #TAG}): there only the preferred width is loaded, as in production. With all four widths
 * loaded (the equivalence tests) the {@code species()} call is megamorphic and C2 boxes vectors.
 *
 * <p>Method: after warm-up, windows of many calls measured with
 * {@code ThreadMXBean.getCurrentThreadAllocatedBytes}; a window of 0 bytes must occur (a one-off
 * deoptimisation or recompilation may charge a window once; an allocation in the loop shows in
 * every window).
 */
@Tag(VectorKernelAllocationTest.TAG)
class VectorKernelAllocationTest {
    static final String TAG = "allocation";
    // the loops stop at the first 0-byte window; the cap only bounds a failing run. 40 was too few once
    // the GEMM tail got masked stores: a loaded machine took ~28-40+ windows to reach C2's code
    private static final int WINDOWS = 200;
    private static final int CALLS_PER_WINDOW = 200;

    /** m, n, k: the shapes the colleague measured (4,100,9), (8,121,36), (3,10,7), plus output-layer, remainder, 4-row panel and packed-B shapes. */
    private static final int[][] SHAPES = {{4, 100, 9}, {8, 121, 36}, {3, 10, 7}, {4, 10, 128}, {5, 10, 17}, {13, 128, 9},
        {1, 1, 1}, {7, 33, 5}, {16, 70, 3}, {128, 10, 64},
        {9, 16, 688}, {27, 16, 30}, {11, 21, 4}, {6, 60, 13}, {4, 688, 9}, {5, 80, 9}, {9, 4, 676}, {12, 4, 100},
        // B packed into the thread's scratch panel (m >= PACK_B_MIN_ROWS, k >= PACK_B_MIN_K, contiguous A)
        {70, 64, 64}, {65, 131, 70},
        // column tails in 8x2 blocks (two vectors), and tails covered by an overlapping last block (LeNet's 84 and 120 wide)
        {16, 32, 40}, {16, 84, 120}, {24, 120, 16},
        // B past COLUMN_OUTER_MIN_B_BYTES: column blocks in the outer loop, the last one overlapping the tail
        {9, 1030, 200},
        // and a column block past COLUMN_OUTER_MAX_BLOCK_BYTES: k in ranges resumed from C in 4-row blocks, a single row over
        // the whole k; 12 rows: the first range in 6-row blocks
        {7, 200, 1100}, {12, 256, 1100},
        // an 84-wide output at short k in 4x6 blocks, the last row group overlapping (m % 4 = 2)
        {10, 84, 10},
        // gemmNT with 6 columns (LeNet's first conv): one 4x6 dot block and a 1x6 row, k with a tail
        {5, 6, 40}};

    @Test
    void shouldAllocateNothingWhenVectorKernelsRunOddShapes() {
        Kernels v = Kernels.get();
        assertTrue(v instanceof VectorKernels, "test JVM must run the Vector API kernels, got " + v.description());
        // the pom runs this class once per block layout: the kernels must be the layout that execution asked for
        assertEquals("16".equals(System.getProperty("leashed.gemm.registers")), v.description().contains("16-register blocks"),
                "leashed.gemm.registers=" + System.getProperty("leashed.gemm.registers") + " but got " + v.description());
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        try (Arena arena = Arena.ofConfined()) {
            SplittableRandom r = new SplittableRandom(7);
            MemorySegment a = random(arena, 128 * 128, r);
            MemorySegment b = random(arena, 1100 * 256, r); // the largest k x n below
            MemorySegment c = random(arena, 128 * 128, r);
            MemorySegment pixels = arena.allocate(128 * 128);
            for (int i = 0; i < 128 * 128; i++) {
                pixels.set(ValueLayout.JAVA_BYTE, i, (byte) r.nextInt(256));
            }
            // b and c slices exactly as long as the operands: the tails end at the segment's end
            MemorySegment[] bExact = new MemorySegment[SHAPES.length];
            MemorySegment[] cExact = new MemorySegment[SHAPES.length];
            MemorySegment[] pixelsExact = new MemorySegment[SHAPES.length];
            for (int s = 0; s < SHAPES.length; s++) {
                bExact[s] = b.asSlice(0, (long) SHAPES[s][2] * SHAPES[s][1] * Float.BYTES);
                cExact[s] = c.asSlice(0, (long) SHAPES[s][0] * SHAPES[s][1] * Float.BYTES);
                pixelsExact[s] = pixels.asSlice(0, (long) SHAPES[s][0] * SHAPES[s][1] + 1);
            }
            // A with four in five elements zero (the MNIST pixels' share), and its nonzero index, for the sparse GEMMs
            MemorySegment sparse = arena.allocate(128 * 128 * Float.BYTES);
            for (int i = 0; i < 128 * 128; i++) {
                sparse.setAtIndex(ValueLayout.JAVA_FLOAT, i, r.nextInt(5) == 0 ? (float) r.nextGaussian() : 0f);
            }
            MemorySegment index = arena.allocate(Kernels.nonzeroIndexInts(128, 128) * Integer.BYTES);
            // panels of at most 8 k steps: the packed shapes split k into ranges that resume from C
            // (with 16-register blocks, leashed.gemm.registers=16 in the pom's second execution, n >= 2 vectors runs them instead)
            Kernels packing = VectorKernels.of(((VectorKernels) v).species(), true, 8);
            List<Long> windows = new ArrayList<>();
            long zeroWindows = 0;
            for (int w = 0; w < WINDOWS && zeroWindows == 0; w++) {
                long before = threads.getCurrentThreadAllocatedBytes();
                for (int i = 0; i < CALLS_PER_WINDOW; i++) {
                    for (int s = 0; s < SHAPES.length; s++) {
                        int m = SHAPES[s][0], n = SHAPES[s][1], k = SHAPES[s][2];
                        MemorySegment bs = bExact[s], cs = cExact[s];
                        v.gemm(m, n, k, a, 0, k, 1, bs, 0, n, cs, 0, n, false);
                        packing.gemm(m, n, k, a, 0, k, 1, bs, 0, n, cs, 0, n, false); // B packed whatever the CPU
                        v.gemm(m, n, k, a, 0, 1, m, bs, 0, n, cs, 0, n, true);
                        v.gemmNT(m, n, k, a, 0, k, bs, 0, k, cs, 0, n, false); // B read as (n, k): the same exact slice
                        v.gemmNT(m, n, k, a, 0, k, bs, 0, k, cs, 0, n, true);
                        v.biasActivation(cs, 0, b, 0, m, n, true);
                        v.columnSums(a, 0, cs, 0, m, n);
                        v.reluBackward(cs, 0, b, 0, (long) m * n);
                        v.copyAxpy((long) m * n, cs, 0, b, 1, 0.5f, a, 3);
                        v.axpy((long) m * n, 0.25f, b, 2, cs, 0);
                        // byte segment as long as the converted range: the tail ends at its end
                        v.unsignedBytesToFloats(cs, 0, pixelsExact[s], 1, (long) m * n, 1f / 255f);
                        if ((long) m * k <= 128 * 128) { // A (m, k) from the sparse block; B and C exact, as above
                            v.countNonzeros(sparse, 1, (long) m * k - 1);
                            v.nonzeroIndex(index, 0, sparse, 0, k, m, k, Long.MAX_VALUE);
                            v.gemmSparse(m, n, sparse, 0, k, index, 0, bs, 0, n, cs, 0, n);
                            v.gemmSparseTransposed(k, n, m, sparse, 0, k, index, 0, cs, 0, n, bs, 0, n); // (k, n) = (m, k)ᵀ (m, n)
                        }
                    }
                }
                long allocated = threads.getCurrentThreadAllocatedBytes() - before;
                windows.add(allocated);
                if (allocated == 0) {
                    zeroWindows++;
                }
            }
            assertTrue(zeroWindows > 0, v.description() + ": no window of " + CALLS_PER_WINDOW
                    + " rounds over the odd shapes allocated 0 bytes; bytes per window: " + windows);
        }
    }

    /**
     * Softmax cross-entropy on rows x classes logits: fewer rows than lanes (scalar rows only), vectors plus a scalar
     * tail, and the MLP's batches of 512 and 16 with 10 classes. At 512 rows (32 trips of the example loop at 16
     * lanes) C2 once boxed a zero vector per call, 80 B, that 16 or 128 rows never showed.
     */
    private static final int[][] SOFTMAX_SHAPES = {{512, 10}, {16, 10}, {1, 10}, {37, 10}, {300, 17}, {64, 2}, {9, 1030}, {256, 1}};

    @Test
    void shouldAllocateNothingWhenVectorKernelsComputeSoftmax() {
        Kernels v = Kernels.get();
        assertTrue(v instanceof VectorKernels, "test JVM must run the Vector API kernels, got " + v.description());
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        try (Arena arena = Arena.ofConfined()) {
            SplittableRandom r = new SplittableRandom(11);
            MemorySegment logits = random(arena, 512 * 1030, r);
            MemorySegment delta = arena.allocate(512L * 1030 * Float.BYTES, 64);
            MemorySegment scratch = arena.allocate(Kernels.softmaxScratchFloats(512, 1030) * Float.BYTES, 64);
            int[] labels = r.ints(512, 0, 1).toArray(); // 0: valid for any class count
            long[] correct = new long[1];
            List<Long> windows = new ArrayList<>();
            long zeroWindows = 0;
            double sink = 0;
            for (int w = 0; w < WINDOWS && zeroWindows == 0; w++) {
                long before = threads.getCurrentThreadAllocatedBytes();
                for (int i = 0; i < CALLS_PER_WINDOW; i++) {
                    for (int[] shape : SOFTMAX_SHAPES) {
                        sink += v.softmaxCrossEntropy(logits, 0, shape[0], shape[1], labels, delta, 0, 0.5f, correct, scratch);
                        sink += v.softmaxCrossEntropy(logits, 3, shape[0], shape[1], labels, null, 0, 0f, null, scratch);
                    }
                }
                long allocated = threads.getCurrentThreadAllocatedBytes() - before;
                windows.add(allocated);
                if (allocated == 0) {
                    zeroWindows++;
                }
            }
            assertTrue(Double.isFinite(sink) && correct[0] > 0, "the softmax calls ran: " + sink + ", " + correct[0]);
            assertTrue(zeroWindows > 0, v.description() + ": no window of " + CALLS_PER_WINDOW
                    + " rounds of softmax allocated 0 bytes; bytes per window: " + windows);
        }
    }

    /** planes, h, w: the thesis pooling layers at batch 2 (CNN, LeNet) plus odd and wide widths. */
    private static final int[][] POOL_SHAPES = {{8, 26, 26}, {16, 11, 11}, {12, 28, 28}, {32, 10, 10}, {3, 7, 35}, {2, 3, 2}};

    @Test
    void shouldAllocateNothingWhenVectorKernelsPool() {
        Kernels v = Kernels.get();
        assertTrue(v instanceof VectorKernels, "test JVM must run the Vector API kernels, got " + v.description());
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        try (Arena arena = Arena.ofConfined()) {
            SplittableRandom r = new SplittableRandom(8);
            MemorySegment x = random(arena, 32 * 28 * 28, r);
            MemorySegment y = random(arena, 32 * 14 * 14, r);
            MemorySegment argmax = arena.allocate(32 * 14 * 14 * Integer.BYTES, 64);
            // segments exactly as long as the operands: the last rows take the scalar tail
            MemorySegment[] xs = new MemorySegment[POOL_SHAPES.length];
            MemorySegment[] ys = new MemorySegment[POOL_SHAPES.length];
            MemorySegment[] gs = new MemorySegment[POOL_SHAPES.length];
            for (int s = 0; s < POOL_SHAPES.length; s++) {
                int planes = POOL_SHAPES[s][0], h = POOL_SHAPES[s][1], w = POOL_SHAPES[s][2];
                xs[s] = x.asSlice(0, (long) planes * h * w * Float.BYTES);
                ys[s] = y.asSlice(0, (long) planes * (h / 2) * (w / 2) * Float.BYTES);
                gs[s] = argmax.asSlice(0, (long) planes * (h / 2) * (w / 2) * Integer.BYTES);
            }
            List<Long> windows = new ArrayList<>();
            long zeroWindows = 0;
            for (int w = 0; w < WINDOWS && zeroWindows == 0; w++) {
                long before = threads.getCurrentThreadAllocatedBytes();
                for (int i = 0; i < CALLS_PER_WINDOW; i++) {
                    for (int s = 0; s < POOL_SHAPES.length; s++) {
                        v.maxPool2x2(ys[s], 0, gs[s], 0, xs[s], 0, POOL_SHAPES[s][0], POOL_SHAPES[s][1], POOL_SHAPES[s][2]);
                        // and back: x's planes as dx, y as dy (the vector path for 13- and 14-wide pools, scatter for 5)
                        v.maxPool2x2Backward(xs[s], 0, ys[s], 0, gs[s], 0, POOL_SHAPES[s][0], POOL_SHAPES[s][1], POOL_SHAPES[s][2]);
                    }
                }
                long allocated = threads.getCurrentThreadAllocatedBytes() - before;
                windows.add(allocated);
                if (allocated == 0) {
                    zeroWindows++;
                }
            }
            assertTrue(zeroWindows > 0, v.description() + ": no window of " + CALLS_PER_WINDOW
                    + " rounds of max pooling forward and backward allocated 0 bytes; bytes per window: " + windows);
        }
    }

    private static MemorySegment random(Arena arena, long n, SplittableRandom r) {
        MemorySegment s = arena.allocate(n * Float.BYTES, 64);
        for (long i = 0; i < n; i++) {
            s.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) r.nextGaussian());
        }
        return s;
    }
}
