package org.leashed.perf.bench;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.ByteOrder;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Issue 3 investigation: why the fused copy-and-update (dst = src + a*x, three streams) does not get
 * within 1.3x of a plain copy at d = 134,794 on this CPU. Variants of the fused loop (the production
 * loop is {@code plainLong}), and the two lower bounds that explain it: the store stream alone
 * ({@code fillOnly}) and the two read streams alone ({@code readTwoStreams}). {@code layout}: malloc
 * (separate arena allocations, as the pool does), region (one 2 MiB-aligned block), huge (the same
 * block with madvise(MADV_HUGEPAGE), which removes the page-placement share of the fork-to-fork spread).
 * Results and reading: NOTES.md section 16.
 *
 * <pre>
 * java --add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED -cp perf/target/leashed.jar \
 *   org.openjdk.jmh.Main CopyAxpyVariantsBenchmark -f 5 -wi 3 -i 2 -w 1 -r 1 -p layout=malloc,huge
 * </pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
        "-XX:+UnlockDiagnosticVMOptions", "-XX:MinInlineFrequencyRatio=0", "-XX:PerMethodRecompilationCutoff=1000",
        "-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch"})
@State(Scope.Thread)
public class CopyAxpyVariantsBenchmark {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_512;
    static final ByteOrder N = ByteOrder.nativeOrder();
    private static final int MADV_HUGEPAGE = 14; // Linux, <sys/mman.h>
    @Param({"134794"})
    int dimension;
    @Param({"2048"})
    int chunk;
    @Param({"malloc"})
    String layout;
    @Param({"0"})
    int skew;
    Arena arena;
    MemorySegment src, x, dst, buffer;
    float a = -0.01f;

    @Setup(Level.Trial)
    public void setUp() {
        arena = Arena.ofShared();
        long bytes = (long) dimension * Float.BYTES;
        if (layout.equals("malloc")) {
            src = arena.allocate(bytes, 64);
            x = arena.allocate(bytes, 64);
            dst = arena.allocate(bytes, 64);
        } else {
            long stride = ((bytes + 4095) / 4096) * 4096 + skew;
            long total = ((3 * stride + (2 << 20) - 1) / (2 << 20)) * (2 << 20);
            MemorySegment region = arena.allocate(total, 2 << 20);
            if (layout.equals("huge")) {
                Linker linker = Linker.nativeLinker();
                MethodHandle madvise = linker.downcallHandle(linker.defaultLookup().find("madvise").orElseThrow(),
                        FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));
                int rc;
                try {
                    rc = (int) madvise.invokeExact(region, total, MADV_HUGEPAGE);
                } catch (Throwable t) {
                    throw new IllegalStateException("madvise failed", t);
                }
                if (rc != 0) {
                    throw new IllegalStateException("madvise(MADV_HUGEPAGE) returned " + rc);
                }
            }
            region.fill((byte) 0);
            src = region.asSlice(0, bytes);
            x = region.asSlice(stride, bytes);
            dst = region.asSlice(2 * stride, bytes);
        }
        buffer = arena.allocate((long) chunk * Float.BYTES, 64);
        SplittableRandom r = new SplittableRandom(42);
        for (long i = 0; i < dimension; i++) {
            src.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) r.nextGaussian());
            x.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) r.nextGaussian());
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() { arena.close(); }

    @Benchmark
    public void copy() { MemorySegment.copy(src, 0, dst, 0, (long) dimension * Float.BYTES); }

    @Benchmark
    public void plainLong() {
        long bound = S.loopBound(dimension);
        long i = 0;
        for (; i < bound; i += S.length()) {
            FloatVector.fromMemorySegment(S, src, i * 4, N).add(FloatVector.fromMemorySegment(S, x, i * 4, N).mul(a))
                    .intoMemorySegment(dst, i * 4, N);
        }
        tail(i);
    }

    @Benchmark
    public void plainIntBytes() {
        int bytes = S.loopBound(dimension) * 4;
        int i = 0;
        for (; i < bytes; i += 64) {
            FloatVector.fromMemorySegment(S, src, i, N).add(FloatVector.fromMemorySegment(S, x, i, N).mul(a))
                    .intoMemorySegment(dst, i, N);
        }
        tail(i / 4);
    }

    @Benchmark
    public void twoHalves() {
        int vecs = S.loopBound(dimension) / 16;
        int half = vecs / 2;
        long off2 = (long) half * 64;
        for (long i = 0; i < (long) half * 64; i += 64) {
            long j = i + off2;
            FloatVector.fromMemorySegment(S, src, i, N).add(FloatVector.fromMemorySegment(S, x, i, N).mul(a))
                    .intoMemorySegment(dst, i, N);
            FloatVector.fromMemorySegment(S, src, j, N).add(FloatVector.fromMemorySegment(S, x, j, N).mul(a))
                    .intoMemorySegment(dst, j, N);
        }
        long i = 2L * half * 16;
        finish(i);
    }

    @Benchmark
    public void chunkedCopyThenAxpy() {
        long d = dimension;
        long c = chunk;
        long start = 0;
        for (; start + c <= d; start += c) {
            MemorySegment.copy(src, start * 4, dst, start * 4, c * 4);
            for (long i = start; i < start + c; i += 16) {
                FloatVector.fromMemorySegment(S, dst, i * 4, N).add(FloatVector.fromMemorySegment(S, x, i * 4, N).mul(a))
                        .intoMemorySegment(dst, i * 4, N);
            }
        }
        finish(start);
    }

    /** Lower bound of the reads alone: the two input streams, summed into 4 independent accumulators. */
    @Benchmark
    public float readTwoStreams() {
        long bound = S.loopBound(dimension) & ~63L;
        FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0;
        for (long i = 0; i < bound; i += 64) {
            long b = i * 4;
            a0 = a0.add(FloatVector.fromMemorySegment(S, src, b, N)).add(FloatVector.fromMemorySegment(S, x, b, N));
            a1 = a1.add(FloatVector.fromMemorySegment(S, src, b + 64, N)).add(FloatVector.fromMemorySegment(S, x, b + 64, N));
            a2 = a2.add(FloatVector.fromMemorySegment(S, src, b + 128, N)).add(FloatVector.fromMemorySegment(S, x, b + 128, N));
            a3 = a3.add(FloatVector.fromMemorySegment(S, src, b + 192, N)).add(FloatVector.fromMemorySegment(S, x, b + 192, N));
        }
        return a0.add(a1).add(a2).add(a3).reduceLanes(VectorOperators.ADD);
    }

    /** Lower bound of the write alone: one vector store per 16 floats of dst (read-for-ownership included). */
    @Benchmark
    public void fillOnly() {
        long bound = S.loopBound(dimension);
        FloatVector v = FloatVector.broadcast(S, a);
        for (long i = 0; i < bound; i += S.length()) {
            v.intoMemorySegment(dst, i * 4, N);
        }
    }


    @Benchmark
    public void fourQuarters() {
        int vecs = S.loopBound(dimension) / 16;
        int q = vecs / 4;
        long o = (long) q * 64;
        for (long i = 0; i < o; i += 64) {
            long j = i + o, k = j + o, l = k + o;
            FloatVector.fromMemorySegment(S, src, i, N).add(FloatVector.fromMemorySegment(S, x, i, N).mul(a)).intoMemorySegment(dst, i, N);
            FloatVector.fromMemorySegment(S, src, j, N).add(FloatVector.fromMemorySegment(S, x, j, N).mul(a)).intoMemorySegment(dst, j, N);
            FloatVector.fromMemorySegment(S, src, k, N).add(FloatVector.fromMemorySegment(S, x, k, N).mul(a)).intoMemorySegment(dst, k, N);
            FloatVector.fromMemorySegment(S, src, l, N).add(FloatVector.fromMemorySegment(S, x, l, N).mul(a)).intoMemorySegment(dst, l, N);
        }
        long i = 4L * q * 16;
        finish(i);
    }

    @Benchmark
    public void unrolled4LoadsFirst() {
        long bound = S.loopBound(dimension);
        long i = 0;
        for (; i + 64 <= bound; i += 64) {
            long b = i * 4;
            FloatVector s0 = FloatVector.fromMemorySegment(S, src, b, N), s1 = FloatVector.fromMemorySegment(S, src, b + 64, N);
            FloatVector s2 = FloatVector.fromMemorySegment(S, src, b + 128, N), s3 = FloatVector.fromMemorySegment(S, src, b + 192, N);
            FloatVector x0 = FloatVector.fromMemorySegment(S, x, b, N), x1 = FloatVector.fromMemorySegment(S, x, b + 64, N);
            FloatVector x2 = FloatVector.fromMemorySegment(S, x, b + 128, N), x3 = FloatVector.fromMemorySegment(S, x, b + 192, N);
            s0.add(x0.mul(a)).intoMemorySegment(dst, b, N);
            s1.add(x1.mul(a)).intoMemorySegment(dst, b + 64, N);
            s2.add(x2.mul(a)).intoMemorySegment(dst, b + 128, N);
            s3.add(x3.mul(a)).intoMemorySegment(dst, b + 192, N);
        }
        for (; i < bound; i += 16) {
            FloatVector.fromMemorySegment(S, src, i * 4, N).add(FloatVector.fromMemorySegment(S, x, i * 4, N).mul(a))
                    .intoMemorySegment(dst, i * 4, N);
        }
        tail(i);
    }

    /**
     * Fused into a small L1-resident buffer, then MemorySegment.copy (ERMS rep movsb: full-line writes
     * without read-for-ownership) of each chunk into dst: 3 line transfers per line of dst instead of 4.
     */
    @Benchmark
    public void viaL1Buffer() {
        final long c = chunk;
        final long d = dimension;
        long start = 0;
        for (; start + c <= d; start += c) {
            for (long i = 0; i < c; i += 16) {
                long b = (start + i) * 4;
                FloatVector.fromMemorySegment(S, src, b, N).add(FloatVector.fromMemorySegment(S, x, b, N).mul(a))
                        .intoMemorySegment(buffer, i * 4, N);
            }
            MemorySegment.copy(buffer, 0, dst, start * 4, c * 4);
        }
        finish(start);
    }

    /** The rest from float {@code i}: whole vectors, then {@link #tail}. */
    private void finish(long i) {
        for (; i + 16 <= dimension; i += 16) {
            FloatVector.fromMemorySegment(S, src, i * 4, N).add(FloatVector.fromMemorySegment(S, x, i * 4, N).mul(a))
                    .intoMemorySegment(dst, i * 4, N);
        }
        tail(i);
    }

    private void tail(long i) {
        for (; i < dimension; i++) {
            dst.setAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, i, src.getAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, i)
                    + a * x.getAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, i));
        }
    }
}
