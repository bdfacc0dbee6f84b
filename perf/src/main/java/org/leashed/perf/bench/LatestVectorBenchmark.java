package org.leashed.perf.bench;

import org.leashed.memory.LatestVectorRegister;
import org.leashed.memory.LeashedUpdater;
import org.leashed.memory.ParameterVector;
import org.leashed.memory.PersistenceBound;
import org.leashed.memory.VectorPool;
import org.leashed.memory.VectorUpdate;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;

/**
 * Cost of LATEST_POINTER + STOP_READING ({@link LatestVectorRegister#acquireLatest()} and
 * {@link LatestVectorRegister#release(ParameterVector)}) on one shared register: uncontended, with 2
 * and 8 reader threads hammering the same reader counter, and in a {@code Scope.Group} with one
 * publisher running LAU-SPC ({@link LeashedUpdater}, copy of {@code dimension} floats) against readers.
 * Run with {@code -prof gc}: every benchmark must show ~0 B/op.
 *
 * <pre>
 * java --add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED -cp perf/target/leashed.jar \
 *   org.openjdk.jmh.Main LatestVectorBenchmark -f 1 -wi 3 -i 5 -w 1 -r 1 -prof gc
 * </pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
        "-XX:+UnlockDiagnosticVMOptions", "-XX:MinInlineFrequencyRatio=0", "-XX:PerMethodRecompilationCutoff=1000",
        "-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch"})
public class LatestVectorBenchmark {

    /** The shared register and its pool (one per trial). */
    @State(Scope.Benchmark)
    public static class Shared {
        @Param({"1000"})
        int dimension;
        VectorPool pool;
        LatestVectorRegister register;

        @Setup(Level.Trial)
        public void setUp() {
            pool = new VectorPool(dimension, 64, false);
            ParameterVector initial = pool.allocate();
            initial.data().fill((byte) 0);
            initial.setSequence(0);
            register = new LatestVectorRegister(pool, initial);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            register.retire();
            if (pool.liveVectors() != 0) {
                throw new IllegalStateException("benchmark leaked vectors: " + pool);
            }
            pool.close();
        }
    }

    /** Plain copy: the cheapest possible candidate, so that the CAS traffic is what is measured. */
    static final class Copy implements VectorUpdate {
        @Override
        public void copyAndUpdate(MemorySegment destination, MemorySegment latest, long latestSequence) {
            MemorySegment.copy(latest, 0, destination, 0, destination.byteSize());
        }
    }

    /** One publisher's LAU-SPC state in the contended group. */
    @State(Scope.Thread)
    public static class Publisher {
        LeashedUpdater updater;
        final Copy copy = new Copy();

        @Setup(Level.Trial)
        public void setUp(Shared shared) {
            updater = new LeashedUpdater(shared.register, PersistenceBound.unbounded());
        }
    }

    private static long acquireRelease(LatestVectorRegister register) {
        ParameterVector v = register.acquireLatest();
        long sequence = v.sequence();
        register.release(v);
        return sequence;
    }

    @Benchmark
    @Threads(1)
    public long acquireReleaseThreads1(Shared shared) {
        return acquireRelease(shared.register);
    }

    @Benchmark
    @Threads(2)
    public long acquireReleaseThreads2(Shared shared) {
        return acquireRelease(shared.register);
    }

    @Benchmark
    @Threads(8)
    public long acquireReleaseThreads8(Shared shared) {
        return acquireRelease(shared.register);
    }

    @Benchmark
    @Group("publisherVsReaders")
    @GroupThreads(1)
    public boolean publisher(Publisher publisher) {
        return publisher.updater.update(publisher.copy);
    }

    @Benchmark
    @Group("publisherVsReaders")
    @GroupThreads(3)
    public long reader(Shared shared) {
        return acquireRelease(shared.register);
    }
}
