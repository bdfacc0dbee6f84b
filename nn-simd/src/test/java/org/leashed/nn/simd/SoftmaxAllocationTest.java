package org.leashed.nn.simd;

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
 * The softmax kernel alone at the MLP's batch, 512 x 10, in a JVM of its own (surefire execution {@code
 * softmax-allocation}, tag {@value #TAG}). Whether C2 boxes a vector depends on the profile it compiles from: with
 * a zero vector shared by the example loop's iterations, this JVM allocated 80 B per call (so did JMH's fork), while
 * the same code called on many shapes ({@link VectorKernelAllocationTest}) and through small networks allocated
 * nothing. So this test sees only the production shape, as the training loop does.
 */
@Tag(SoftmaxAllocationTest.TAG)
class SoftmaxAllocationTest {
    static final String TAG = "softmax-allocation";
    private static final int WINDOWS = 200;
    private static final int CALLS_PER_WINDOW = 2000;

    @Test
    void shouldAllocateNothingAtTheMlpsBatch() {
        Kernels v = Kernels.get();
        assertTrue(v instanceof VectorKernels, "test JVM must run the Vector API kernels, got " + v.description());
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        final int n = 512;
        final int classes = 10;
        try (Arena arena = Arena.ofConfined()) {
            SplittableRandom r = new SplittableRandom(13);
            MemorySegment logits = arena.allocate((long) n * classes * Float.BYTES, 64);
            for (long i = 0; i < (long) n * classes; i++) {
                logits.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) (3 * r.nextGaussian()));
            }
            MemorySegment delta = arena.allocate(logits.byteSize(), 64);
            MemorySegment scratch = arena.allocate(Kernels.softmaxScratchFloats(n, classes) * Float.BYTES, 64);
            int[] labels = r.ints(n, 0, classes).toArray();
            List<Long> windows = new ArrayList<>();
            long zeroWindows = 0;
            double sink = 0;
            for (int w = 0; w < WINDOWS && zeroWindows == 0; w++) {
                long before = threads.getCurrentThreadAllocatedBytes();
                for (int i = 0; i < CALLS_PER_WINDOW; i++) {
                    sink += v.softmaxCrossEntropy(logits, 0, n, classes, labels, delta, 0, 1f / n, null, scratch);
                }
                long allocated = threads.getCurrentThreadAllocatedBytes() - before;
                windows.add(allocated);
                if (allocated == 0) {
                    zeroWindows++;
                }
            }
            assertTrue(Double.isFinite(sink), "loss sum " + sink);
            assertTrue(zeroWindows > 0, v.description() + ": no window of " + CALLS_PER_WINDOW
                    + " softmax calls on 512 x 10 allocated 0 bytes; bytes per window: " + windows);
        }
    }
}
