package org.leashed.perf.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * What a vector store, a vector load and a broadcast from memory cost next to FMAs on this CPU, in FMA-times (the
 * time of one FMA at the peak's rate): a loop of 24 independent FMA chains per iteration, alone and with {@code e}
 * extra operations of one kind per iteration, {@code (t(e) - t(0)) / (t(0) / 24) / e}. A GEMM block of R rows and V
 * vectors at depth k does kRV FMAs, kR broadcasts, kV loads and RV stores, so these costs bound what a short-k GEMM
 * can reach: with a store costing s FMA-times, at most k / (k + s) of the peak. On the Zen 4 of NOTES 28, which runs
 * 512-bit operations as two 256-bit halves, 3 stores per 24 FMAs hid behind them, 6 or more cost 1.5-1.9 FMA-times
 * each (a 512-bit store every two cycles), loads 0.1-0.5 and broadcasts about 0.1; but at one broadcast per FMA, the
 * single-vector strip's ratio, they cap the FMA rate ({@link #strip}, with the argument {@code strip}).
 *
 * <pre>
 * java --add-modules=jdk.incubator.vector -cp perf/target/leashed.jar org.leashed.perf.bench.PortCostProbe [strip]
 * </pre>
 */
public final class PortCostProbe {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;
    private static final int ITERATIONS = 256;
    private static volatile float sink;

    private PortCostProbe() {
    }

    /** Extra operations per iteration: stores of accumulators, loads feeding the FMAs, broadcasts feeding them. */
    enum Kind { STORE, LOAD, BROADCAST }

    /**
     * {@link #ITERATIONS} iterations of 24 FMAs on independent chains, plus {@code extra} operations of {@code kind}
     * per iteration (0, 1, 2 or 4 loads or broadcasts; 0, 3, 6, 12 or 24 stores). Stores go to a 1.5 KiB block of
     * {@code buf}, one of 8 in turn, loads and broadcasts read 16 rotating offsets: everything stays in L1.
     */
    static float loop(Kind kind, int extra, MemorySegment buf) {
        final VectorSpecies<Float> sp = SPECIES;
        final long v = (long) sp.length() * Float.BYTES;
        final FloatVector x = FloatVector.broadcast(sp, 1.0001f), y = FloatVector.broadcast(sp, 0.9999f);
        FloatVector c0 = FloatVector.zero(sp), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0, c6 = c0, c7 = c0;
        FloatVector c8 = c0, c9 = c0, c10 = c0, c11 = c0, c12 = c0, c13 = c0, c14 = c0, c15 = c0;
        FloatVector c16 = c0, c17 = c0, c18 = c0, c19 = c0, c20 = c0, c21 = c0, c22 = c0, c23 = c0;
        final boolean loads = kind == Kind.LOAD, broadcasts = kind == Kind.BROADCAST, stores = kind == Kind.STORE;
        for (int i = 0; i < ITERATIONS; i++) {
            final long o = (long) (i & 15) * v;
            FloatVector y0 = y, y1 = y, y2 = y, y3 = y, x0 = x, x1 = x, x2 = x, x3 = x;
            if (loads && extra >= 1) {
                y0 = FloatVector.fromMemorySegment(sp, buf, o, NATIVE);
                y1 = y0; y2 = y0; y3 = y0;
            }
            if (loads && extra >= 2) {
                y1 = FloatVector.fromMemorySegment(sp, buf, o + 16 * v, NATIVE);
                y3 = y1;
            }
            if (loads && extra >= 4) {
                y2 = FloatVector.fromMemorySegment(sp, buf, o + 32 * v, NATIVE);
                y3 = FloatVector.fromMemorySegment(sp, buf, o + 48 * v, NATIVE);
            }
            if (broadcasts && extra >= 1) {
                x0 = FloatVector.broadcast(sp, buf.get(F, o));
                x1 = x0; x2 = x0; x3 = x0;
            }
            if (broadcasts && extra >= 2) {
                x1 = FloatVector.broadcast(sp, buf.get(F, o + 4));
                x3 = x1;
            }
            if (broadcasts && extra >= 4) {
                x2 = FloatVector.broadcast(sp, buf.get(F, o + 8));
                x3 = FloatVector.broadcast(sp, buf.get(F, o + 12));
            }
            c0 = x0.fma(y0, c0); c1 = x0.fma(y1, c1); c2 = x0.fma(y2, c2); c3 = x0.fma(y3, c3);
            c4 = x1.fma(y0, c4); c5 = x1.fma(y1, c5); c6 = x1.fma(y2, c6); c7 = x1.fma(y3, c7);
            c8 = x2.fma(y0, c8); c9 = x2.fma(y1, c9); c10 = x2.fma(y2, c10); c11 = x2.fma(y3, c11);
            c12 = x3.fma(y0, c12); c13 = x3.fma(y1, c13); c14 = x3.fma(y2, c14); c15 = x3.fma(y3, c15);
            c16 = x0.fma(y0, c16); c17 = x1.fma(y1, c17); c18 = x2.fma(y2, c18); c19 = x3.fma(y3, c19);
            c20 = x0.fma(y1, c20); c21 = x1.fma(y2, c21); c22 = x2.fma(y3, c22); c23 = x3.fma(y0, c23);
            final long s = (long) (i & 7) * 24 * v;
            if (stores && extra >= 3) {
                c0.intoMemorySegment(buf, s, NATIVE); c8.intoMemorySegment(buf, s + v, NATIVE); c16.intoMemorySegment(buf, s + 2 * v, NATIVE);
            }
            if (stores && extra >= 6) {
                c1.intoMemorySegment(buf, s + 3 * v, NATIVE); c9.intoMemorySegment(buf, s + 4 * v, NATIVE); c17.intoMemorySegment(buf, s + 5 * v, NATIVE);
            }
            if (stores && extra >= 12) {
                c2.intoMemorySegment(buf, s + 6 * v, NATIVE); c10.intoMemorySegment(buf, s + 7 * v, NATIVE); c18.intoMemorySegment(buf, s + 8 * v, NATIVE);
                c3.intoMemorySegment(buf, s + 9 * v, NATIVE); c11.intoMemorySegment(buf, s + 10 * v, NATIVE); c19.intoMemorySegment(buf, s + 11 * v, NATIVE);
            }
            if (stores && extra >= 24) {
                c4.intoMemorySegment(buf, s + 12 * v, NATIVE); c12.intoMemorySegment(buf, s + 13 * v, NATIVE); c20.intoMemorySegment(buf, s + 14 * v, NATIVE);
                c5.intoMemorySegment(buf, s + 15 * v, NATIVE); c13.intoMemorySegment(buf, s + 16 * v, NATIVE); c21.intoMemorySegment(buf, s + 17 * v, NATIVE);
                c6.intoMemorySegment(buf, s + 18 * v, NATIVE); c14.intoMemorySegment(buf, s + 19 * v, NATIVE); c22.intoMemorySegment(buf, s + 20 * v, NATIVE);
                c7.intoMemorySegment(buf, s + 21 * v, NATIVE); c15.intoMemorySegment(buf, s + 22 * v, NATIVE); c23.intoMemorySegment(buf, s + 23 * v, NATIVE);
            }
        }
        return c0.add(c1).add(c2).add(c3).add(c4).add(c5).add(c6).add(c7).add(c8).add(c9).add(c10).add(c11)
                .add(c12).add(c13).add(c14).add(c15).add(c16).add(c17).add(c18).add(c19).add(c20).add(c21).add(c22).add(c23)
                .reduceLanes(VectorOperators.ADD);
    }

    /**
     * The single-vector strip's k loop ({@code fwd:10x16xK}, {@code VectorKernels.blockStrip1}): 10 FMA chains, one
     * vector of B loaded per step and each FMA's multiplier broadcast from memory ({@code broadcasts}; ten floats in
     * a row, one base and constant offsets), or the ten multipliers held in registers for the whole loop.
     */
    static float strip(boolean broadcasts, MemorySegment buf) {
        final VectorSpecies<Float> sp = SPECIES;
        final long v = (long) sp.length() * Float.BYTES;
        final FloatVector x0 = FloatVector.broadcast(sp, buf.get(F, 0)), x1 = FloatVector.broadcast(sp, buf.get(F, 4)),
                x2 = FloatVector.broadcast(sp, buf.get(F, 8)), x3 = FloatVector.broadcast(sp, buf.get(F, 12)),
                x4 = FloatVector.broadcast(sp, buf.get(F, 16)), x5 = FloatVector.broadcast(sp, buf.get(F, 20)),
                x6 = FloatVector.broadcast(sp, buf.get(F, 24)), x7 = FloatVector.broadcast(sp, buf.get(F, 28)),
                x8 = FloatVector.broadcast(sp, buf.get(F, 32)), x9 = FloatVector.broadcast(sp, buf.get(F, 36));
        FloatVector c0 = FloatVector.zero(sp), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0, c6 = c0, c7 = c0, c8 = c0, c9 = c0;
        for (int i = 0; i < ITERATIONS; i++) {
            final FloatVector b = FloatVector.fromMemorySegment(sp, buf, (i & 15) * v, NATIVE);
            if (broadcasts) {
                final long q = (long) (i & 15) * 40;
                c0 = FloatVector.broadcast(sp, buf.get(F, q)).fma(b, c0);
                c1 = FloatVector.broadcast(sp, buf.get(F, q + 4)).fma(b, c1);
                c2 = FloatVector.broadcast(sp, buf.get(F, q + 8)).fma(b, c2);
                c3 = FloatVector.broadcast(sp, buf.get(F, q + 12)).fma(b, c3);
                c4 = FloatVector.broadcast(sp, buf.get(F, q + 16)).fma(b, c4);
                c5 = FloatVector.broadcast(sp, buf.get(F, q + 20)).fma(b, c5);
                c6 = FloatVector.broadcast(sp, buf.get(F, q + 24)).fma(b, c6);
                c7 = FloatVector.broadcast(sp, buf.get(F, q + 28)).fma(b, c7);
                c8 = FloatVector.broadcast(sp, buf.get(F, q + 32)).fma(b, c8);
                c9 = FloatVector.broadcast(sp, buf.get(F, q + 36)).fma(b, c9);
            } else {
                c0 = x0.fma(b, c0); c1 = x1.fma(b, c1); c2 = x2.fma(b, c2); c3 = x3.fma(b, c3); c4 = x4.fma(b, c4);
                c5 = x5.fma(b, c5); c6 = x6.fma(b, c6); c7 = x7.fma(b, c7); c8 = x8.fma(b, c8); c9 = x9.fma(b, c9);
            }
        }
        return c0.add(c1).add(c2).add(c3).add(c4).add(c5).add(c6).add(c7).add(c8).add(c9).reduceLanes(VectorOperators.ADD);
    }

    public static void main(String[] args) {
        final MemorySegment buf = Arena.global().allocate(8L * 24 * SPECIES.vectorByteSize() + 64L * SPECIES.vectorByteSize(), 64);
        for (long i = 0; i < buf.byteSize() / Float.BYTES; i++) {
            buf.setAtIndex(F, i, 1f);
        }
        if (args.length > 0) { // the strip alone: in the same JVM as the loops above, it upset their compiled code
            if (!args[0].equals("strip")) {
                throw new IllegalArgumentException("PortCostProbe takes no argument or 'strip', got '" + args[0] + "'");
            }
            for (int w = 0; w < 20_000; w++) {
                sink += strip(true, buf) + strip(false, buf);
            }
            for (int round = 0; round < 3; round++) {
                final double held = CpuTimeProbe.bestCpuNs(() -> sink += strip(false, buf), 50_000_000);
                final double broadcast = CpuTimeProbe.bestCpuNs(() -> sink += strip(true, buf), 50_000_000);
                System.out.printf("round %d strip | 10 chains, a broadcast per FMA: %.0f %% of the rate with the multipliers in registers"
                        + " (%.2f FMA-times per broadcast)%n", round, 100 * held / broadcast, (broadcast - held) / held);
            }
            return;
        }
        final int[][] extras = {{0, 3, 6, 12, 24}, {0, 1, 2, 4}, {0, 1, 2, 4}};
        // Every variant first, interleaved, so that C2 compiles loop once from a profile that has seen them all: warmed
        // up one at a time, each new variant deoptimized the code the previous one had measured (a 421 ns "none").
        for (int w = 0; w < 20_000; w++) {
            for (Kind kind : Kind.values()) {
                for (int e : extras[kind.ordinal()]) {
                    sink += loop(kind, e, buf);
                }
            }
        }
        System.out.printf("%d-bit vectors; cost of one extra operation in FMA-times (24 FMAs per iteration), best of 9 windows%n",
                SPECIES.vectorBitSize());
        for (int round = 0; round < 3; round++) {
            for (Kind kind : Kind.values()) {
                final int[] es = extras[kind.ordinal()];
                double base = 0;
                final StringBuilder line = new StringBuilder(String.format("round %d %-9s", round, kind.name().toLowerCase()));
                for (int e : es) {
                    final double ns = CpuTimeProbe.bestCpuNs(() -> sink += loop(kind, e, buf), 50_000_000) / ITERATIONS;
                    if (e == 0) {
                        base = ns;
                        line.append(String.format(" | none: %.2f ns per iteration", ns));
                    } else {
                        line.append(String.format(" | %d: %.2f", e, (ns - base) / (base / 24) / e));
                    }
                }
                System.out.println(line);
            }
        }
    }
}
