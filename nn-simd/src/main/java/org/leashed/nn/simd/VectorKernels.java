package org.leashed.nn.simd;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API kernels. Loaded only by name through {@link KernelProvider}. Each loop is: main vector
 * loop up to {@code species.loopBound(n)}, then a plain scalar tail; GEMM's column tail instead runs
 * whole vectors over a zero-padded per-thread copy of the last B columns (see {@link #gemm}), because
 * the 10-wide output layer is all tail. No masked memory access that could reach outside a segment:
 * out of a segment's range it falls back to Java code that boxes. The one masked access, the store
 * of GEMM's column tail into C, is taken only where the whole vector lies inside C. Elementwise kernels and GEMM use the same operation order and
 * the same FMA choice as {@link ScalarKernels}, so they match it bit for bit.
 *
 * <p>Allocation: none in steady state, provided C2 sees one species here (production loads one
 * subclass); vectors never cross a method boundary.
 */
public abstract sealed class VectorKernels implements Kernels permits VectorKernels.S64, VectorKernels.S128, VectorKernels.S256, VectorKernels.S512 {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final ValueLayout.OfInt I = ValueLayout.JAVA_INT_UNALIGNED;
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();
    /** Rows of the per-thread staging area (each {@code 4*lanes} floats): the tallest block, 11x1. */
    private static final long STAGE_ROWS = 11;

    /** Floats of the staging area that {@code gemm} keeps after its tail panel in this thread's scratch. */
    private static long stageFloats(int lanes) {
        return STAGE_ROWS * 4L * lanes;
    }
    /**
     * Whether the long-k, contiguous-A GEMM (the 784-input forward) also takes 6-row strips. Measured on
     * the two hosts this project ran on: an Intel Xeon ran 6 A-row streams at ~60% of 4 (73 vs 118
     * GFLOP/s), an AMD EPYC ran them at 1.28x of 4 (198 vs 154 GFLOP/s at 512x128x784, NOTES 16.8),
     * so the choice follows the CPU vendor; anything but AMD keeps the Intel-measured 4 rows.
     */
    static final boolean SIX_ROWS_FOR_LONG_CONTIGUOUS_K = "AuthenticAMD".equals(cpuVendor());
    /**
     * Fewest rows from which that GEMM takes 6-row strips where {@link #SIX_ROWS_FOR_LONG_CONTIGUOUS_K} holds. At
     * m = 16 (batch 16) 6 + 6 + 4 rows measured 137 against 157 GFLOP/s for 4 x 4 on a Zen 4 host (16.8) and 234
     * against 195 on a Zen 5 host (NOTES 17.12): from 12 rows on CPU family 26 (Zen 5) and later, from 64 before.
     */
    static final int SIX_ROWS_MIN_M = cpuFamily() >= 26 ? 12 : 64;
    /**
     * Whether the production kernels pack B's column blocks into a contiguous panel for contiguous A (NOTES
     * 17.6-17.7): {@code -Dleashed.gemm.packB=true|false} if given, else on everywhere but on AMD. On AMD (Zen 5) the
     * GEMMs run at the peak either way and MLP T_c measured a median 1.026x slower with it over 14 alternated
     * pairs. On the 16-core Xeon the packed forward ran 1.33-1.51x the in-place one in two device calls
     * (GemmVariantsProbe), as llvm-mca predicted (92 % against 60 % of the FMA rate). Same bits either way.
     */
    static final boolean PACK_B = booleanProperty("leashed.gemm.packB", System.getProperty("leashed.gemm.packB"),
            !"AuthenticAMD".equals(cpuVendor()));
    /**
     * Rows of A from which {@code gemm} packs B. Copying a k x 4-vector panel costs about what 4 rows of FMAs
     * on it cost: at batch 16 (4 row groups) packing measured 0.86-0.87x of the in-place kernel on AMD
     * (GemmVariantsProbe, NOTES 17.6); from 64 rows on the copy is spread over 16 groups or more.
     */
    static final int PACK_B_MIN_ROWS = 64;
    /**
     * Shortest k for which {@code gemm} packs B. A packed block costs more per call than the in-place path, which
     * runs a whole row of blocks per call, so short k loses: on AMD packing measured 0.66x at k = 10, 0.72x at 16,
     * 0.83x at 32, 0.92x at 64 and 0.99x at 128 (m = 512, n = 128), and on the Xeon the output layer's dX at batch
     * 512 (k = 10) fell from 0.81x of OpenBLAS in place to 0.30x packed (NOTES 17.8). The MLP's k are 10, 128 and 784.
     */
    static final int PACK_B_MIN_K = 64;
    /**
     * B's size from which the in-place GEMM runs column blocks in the outer loop (each 4-vector column block of B
     * then serves every row group while it is in L2) instead of row groups (each of which streams the whole of B,
     * from L3 once B outgrows L2: 1 MiB per core on Zen 5). Measured in NOTES 20.6 and 22.1: the CIFAR CNN's second
     * conv forward (B 1.2 MB) and its dense dX at batch 16 (16 x 4096 x 256, B 4 MiB); 64 x 256 x 576 (B 590 KB,
     * inside L2) is the same either way.
     */
    static final long COLUMN_OUTER_MIN_B_BYTES = 768L << 10;
    /**
     * Largest column block (k x 4 vectors) for that order in one piece. A longer block, which would not fit L2 itself
     * (16 x 256 x 4096: 1 MiB, measured no faster column-outer, NOTES 20.6), is taken in k ranges of at most this
     * size, each resumed from the sums the range before stored to C (NOTES 22.6). Not when accumulating: that GEMM
     * keeps the row-outer order (no accumulating GEMM of the thesis networks has a B past L2).
     */
    static final long COLUMN_OUTER_MAX_BLOCK_BYTES = 256L << 10;
    /**
     * Longest k for the 4x6 blocks that take an output's last six vectors (LeNet's 84-wide layers) with contiguous A
     * rows (A read transposed: FOUR_BY_SIX_TRANSPOSED_MAX_K). Measured (NOTES 22.2): at k = 10 and 120 (dX:512x84x10,
     * fwd:16x84x120) 1.1-1.3x over a 4-vector block and an 8x2 pair; at k = 512 with A read transposed (dW:120x84x512)
     * 0.74-0.96x, and with A transposed at k = 16 (dW:10x84x16, dW:120x84x16) 0.4-1.1x from one JVM to the next, when
     * each row group was a call of its own (what they read since: FOUR_BY_SIX_TRANSPOSED_MAX_K). Six vectors of B per k
     * step against four: past L1 (k x 6 vectors over 48 KiB from k = 128) they come from L2 at a rate it barely keeps.
     */
    static final int FOUR_BY_SIX_MAX_K = 128;
    /**
     * Longest k for the same 4x6 blocks with A read transposed (LeNet's dW at batch 16), and only for m a multiple of
     * 4. Since the blocks loop over their row groups in one call (NOTES 28.2), dW:120x84x16 reads 77-79 % of the peak
     * against 64-68 % with a 4-vector block and 8x2 pairs beside it, in six JVMs each (22.2's 0.4-1.1x spread did
     * not come back); dW:10x84x16, whose last group would overlap two rows, 54-63 % against 65-68 with its 5x2
     * pairs (NOTES 28.5).
     */
    static final int FOUR_BY_SIX_TRANSPOSED_MAX_K = 16;
    /**
     * Longest k for which the column tail's 8-row pair blocks ({@code block8x2}) are used when m is not a multiple
     * of 8: the rows left over then go alone or by 4 with one vector, few FMA chains each, which at long k costs
     * more than the pairs save (the CIFAR CNN's first conv dW, 27 x 32 x 1024, would leave 3 rows of 1,024 steps).
     */
    static final int PAIR_LEFTOVER_MAX_K = 128;
    /**
     * Bytes of one packed B panel ({@code kBlock} k steps of four vectors), {@code -Dleashed.gemm.panelKiB}; 0, the
     * default, packs the whole k into one panel. A panel of the whole k (196 KiB for the 784-input layer) is re-read
     * from L2 by every row group, 256 B per 16 FMAs; 32 KiB would stay in L1. Measured (NOTES 17.7): on the AMD host
     * 32 KiB ranges cost 8 % (220 against 239 GFLOP/s at 512x128x784); on the 16-core Xeon one whole-k run read 155
     * GFLOP/s, 90 % of its peak, so L2 is not what holds that GEMM back there either, and the range runs spread
     * over 81-144. The option stays for CPUs with a weaker L2.
     */
    static final int PANEL_KIB = kibProperty("leashed.gemm.panelKiB", System.getProperty("leashed.gemm.panelKiB"), 0);
    /**
     * Whether {@code gemm} runs on register blocks of at most 10 accumulators ({@link #gemmPairs}): the vector
     * register file has 16 registers, not 32. That is x86 without AVX-512 in use (AVX2: the preferred species is
     * 256 bits or narrower and only ymm0-15 exist), where the 6x4 and 4x4 blocks' 24 and 16 accumulators plus B's
     * vectors and a broadcast spill to the stack on every k step: on a Zen 3 host the 4x4 block ran at 57 and a 6x2
     * block at 96 GFLOP/s of a 103 GFLOP/s Java peak (NOTES 23). {@code -Dleashed.gemm.registers=16|32} overrides
     * the guess. AArch64 (NEON, SVE) has 32 registers.
     */
    static final boolean SIXTEEN_REGISTERS = registersProperty(System.getProperty("leashed.gemm.registers"),
            isX86(System.getProperty("os.arch")) && FloatVector.SPECIES_PREFERRED.vectorBitSize() <= 256) == 16;

    /*
     * The species must be a compile-time constant for C2 to intrinsify the Vector API: read from an
     * instance field it is not, and every vector op then allocates (measured: 3 GFLOP/s instead of
     * ~150 for the MLP GEMM). So each width is a final subclass whose species() returns a static final
     * field; in production only the preferred subclass is loaded, the call is monomorphic, inlined and
     * folded. Tests load all four (slower, still correct).
     */
    VectorKernels(boolean packB, int kBlock, boolean pairs) {
        if (kBlock < 1) {
            throw new IllegalArgumentException("kBlock must be >= 1, got " + kBlock);
        }
        this.packB = packB;
        this.pairs = pairs;
        this.kBlock = kBlock;
        final VectorSpecies<Float> sp = species();
        this.dotStep = sp.length();
        final float[][] select = new float[16][16];
        for (int t = 1; t < 16; t++) {
            for (int l = 0; l < 16; l++) {
                select[t][l] = l < t ? l + 16 - t : 16 + l;
            }
        }
        this.tailSelect = select;
        final int n = sp.length();
        this.interleave = new float[2][n];
        for (int l = 0; l < n; l++) { // lane l of the pair's first half, then of its second: l/2 (+ n for odd l)
            interleave[0][l] = l / 2 + (l % 2 == 0 ? 0 : n);
            interleave[1][l] = n / 2 + l / 2 + (l % 2 == 0 ? 0 : n);
        }
        @SuppressWarnings("unchecked")
        final VectorShuffle<Float>[] lanes = new VectorShuffle[sp.length()];
        for (int t = 0; t < lanes.length; t++) {
            final int lane = t;
            lanes[t] = VectorShuffle.fromOp(sp, i -> lane);
        }
        laneShuffles = lanes;
        // transposeTile16's two-source selects: stage k swaps bit k of the row and the column index
        final int[][] index = new int[8][16];
        for (int k = 0; k < 4; k++) {
            final int bit = 1 << k;
            for (int c = 0; c < 16; c++) {
                final boolean set = (c & bit) != 0;
                index[2 * k][c] = set ? 16 + (c ^ bit) : c;        // row i: own lane, or row i + bit's lane with bit cleared
                index[2 * k + 1][c] = set ? 16 + c : (c | bit);   // row i + bit: row i's lane with bit set, or own lane
            }
        }
        transposeIndex = index;
        // gemmNT's reduction tree over a block's 16 accumulators (16 lanes): level h (half-width 8, 4, 2, 1)
        // pairs two vectors and adds lanes that are hw apart in groups of 2hw; ntOrder then puts output o in lane o
        final float[][] tree = new float[8][16];
        int[][] owner = new int[16][16]; // owner[vector][lane] = output whose partial sums the lane holds
        for (int v = 0; v < 16; v++) {
            java.util.Arrays.fill(owner[v], v);
        }
        int vectors = 16;
        for (int level = 0; level < 4; level++) {
            final int hw = 8 >> level;
            for (int x = 0; x < 16; x++) {
                final int g = x / (2 * hw) * (2 * hw), o = x % (2 * hw);
                tree[2 * level][x] = o < hw ? g + o : 16 + g + o - hw;        // low halves: first source, then second
                tree[2 * level + 1][x] = o < hw ? g + o + hw : 16 + g + o;    // high halves
            }
            final int[][] next = new int[vectors / 2][16];
            for (int v = 0; v < vectors / 2; v++) {
                for (int x = 0; x < 16; x++) {
                    final int lo = (int) tree[2 * level][x], hi = (int) tree[2 * level + 1][x];
                    final int ownLo = lo < 16 ? owner[2 * v][lo] : owner[2 * v + 1][lo - 16];
                    final int ownHi = hi < 16 ? owner[2 * v][hi] : owner[2 * v + 1][hi - 16];
                    if (ownLo != ownHi) {
                        throw new AssertionError("gemmNT tree adds lanes of outputs " + ownLo + " and " + ownHi);
                    }
                    next[v][x] = ownLo;
                }
            }
            owner = next;
            vectors /= 2;
        }
        final float[] order = new float[16];
        for (int x = 0; x < 16; x++) {
            order[owner[0][x]] = x;
        }
        ntTree = tree;
        ntOrder = order;
    }

    /** Whether {@code gemm} takes two-vector column blocks for a 16-register file ({@link #SIXTEEN_REGISTERS} in production). */
    private final boolean pairs;

    /** Whether {@code gemm} packs B for contiguous A from {@link #PACK_B_MIN_ROWS} rows ({@link #PACK_B} in production). */
    private final boolean packB;

    /** The most k steps one packed B panel holds (the panel is then recomputed for the next k range). */
    private final int kBlock;

    /** The k steps of a {@link #PANEL_KIB} panel for {@code species}; no limit when it is 0. */
    static int kBlockFor(VectorSpecies<Float> species, int panelKiB) {
        return panelKiB <= 0 ? Integer.MAX_VALUE : Math.max(1, panelKiB * 1024 / (4 * species.vectorByteSize()));
    }

    /**
     * The k step of {@link #dotBlock4x4}'s loops, {@code species().length()}: a field, so that C2 does not see a
     * constant stride (see there). Final instance fields are not folded by C2 (TrustFinalNonStaticFields is off).
     */
    private final int dotStep;

    /**
     * {@code tailSelect[t]}: lane l < t takes lane l + 16 - t of the first source (the 16 floats ending at k, so
     * element kFull + l), lanes from t take zero from the second ({@link #packTail16}, 16 lanes, t of 1-15).
     */
    private final float[][] tailSelect;

    /**
     * Two-source selects that interleave vectors a and b: {@code interleave[0]} gives a0 b0 a1 b1 ... (the first half
     * of the pair), {@code interleave[1]} the second half ({@link #maxPool2x2Backward}).
     */
    private final float[][] interleave;

    /** {@link #gemmNT}'s two-source selects, [2h] and [2h + 1] for tree level h, and the final lane order (16 lanes only). */
    private final float[][] ntTree;
    private final float[] ntOrder;

    /** Lane indices of {@link #transposeTile16}'s selects: [2k] and [2k + 1] for stage k (only used with 16 lanes). */
    private final int[][] transposeIndex;

    /** {@code laneShuffles[t]} moves lane t to every lane: the per-step broadcast of {@link #stripColumn8x1}. */
    private final VectorShuffle<Float>[] laneShuffles;

    /** The species these kernels run with. */
    abstract VectorSpecies<Float> species();

    /** Int lanes of the same width (the pooling argmax), a constant for the same reason. */
    abstract VectorSpecies<Integer> intSpecies();

    /**
     * Bytes with as many lanes as {@link #species()} where such a species exists (256 and 512 bits), else
     * the smallest byte species (64 bits: 2 or 4 float vectors' worth). A compile-time constant, like
     * {@link #species()}.
     */
    abstract VectorSpecies<Byte> byteSpecies();

    /** Kernels over {@code species} (64, 128, 256 or 512 bits); tests use every width. */
    public static VectorKernels of(VectorSpecies<Float> species) {
        return of(species, PACK_B, kBlockFor(species, PANEL_KIB), SIXTEEN_REGISTERS);
    }

    /**
     * {@link #of(VectorSpecies)} with B packing on or off, whatever the CPU, and at most {@code kBlock} k steps per
     * packed panel: tests run every path, with panels short enough to split small shapes' k.
     */
    static VectorKernels of(VectorSpecies<Float> species, boolean packB, int kBlock) {
        return of(species, packB, kBlock, SIXTEEN_REGISTERS);
    }

    /** {@link #of(VectorSpecies, boolean, int)}, with {@code gemm}'s blocks for a 16-register file or not, whatever the CPU. */
    static VectorKernels of(VectorSpecies<Float> species, boolean packB, int kBlock, boolean pairs) {
        return switch (species.vectorBitSize()) {
            case 64 -> new S64(packB, kBlock, pairs);
            case 128 -> new S128(packB, kBlock, pairs);
            case 256 -> new S256(packB, kBlock, pairs);
            case 512 -> new S512(packB, kBlock, pairs);
            default -> throw new IllegalArgumentException("species must be 64, 128, 256 or 512 bits, got " + species);
        };
    }

    /** The platform's preferred species, or null when it is narrower than 128 bits. */
    public static VectorKernels preferred() {
        VectorSpecies<Float> s = FloatVector.SPECIES_PREFERRED;
        return s.vectorBitSize() < KernelProvider.MIN_VECTOR_BITS ? null : of(s);
    }

    static final class S64 extends VectorKernels {
        private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_64;
        private static final VectorSpecies<Integer> INT_SPECIES = IntVector.SPECIES_64;
        private static final VectorSpecies<Byte> BYTE_SPECIES = ByteVector.SPECIES_64;

        S64(boolean packB, int kBlock, boolean pairs) {
            super(packB, kBlock, pairs);
        }

        @Override
        VectorSpecies<Byte> byteSpecies() {
            return BYTE_SPECIES;
        }

        @Override
        VectorSpecies<Float> species() {
            return SPECIES;
        }

        @Override
        VectorSpecies<Integer> intSpecies() {
            return INT_SPECIES;
        }
    }

    static final class S128 extends VectorKernels {
        private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_128;
        private static final VectorSpecies<Integer> INT_SPECIES = IntVector.SPECIES_128;
        private static final VectorSpecies<Byte> BYTE_SPECIES = ByteVector.SPECIES_64;

        S128(boolean packB, int kBlock, boolean pairs) {
            super(packB, kBlock, pairs);
        }

        @Override
        VectorSpecies<Byte> byteSpecies() {
            return BYTE_SPECIES;
        }

        @Override
        VectorSpecies<Float> species() {
            return SPECIES;
        }

        @Override
        VectorSpecies<Integer> intSpecies() {
            return INT_SPECIES;
        }
    }

    static final class S256 extends VectorKernels {
        private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_256;
        private static final VectorSpecies<Integer> INT_SPECIES = IntVector.SPECIES_256;
        private static final VectorSpecies<Byte> BYTE_SPECIES = ByteVector.SPECIES_64;

        S256(boolean packB, int kBlock, boolean pairs) {
            super(packB, kBlock, pairs);
        }

        @Override
        VectorSpecies<Byte> byteSpecies() {
            return BYTE_SPECIES;
        }

        @Override
        VectorSpecies<Float> species() {
            return SPECIES;
        }

        @Override
        VectorSpecies<Integer> intSpecies() {
            return INT_SPECIES;
        }
    }

    static final class S512 extends VectorKernels {
        private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_512;
        private static final VectorSpecies<Integer> INT_SPECIES = IntVector.SPECIES_512;
        private static final VectorSpecies<Byte> BYTE_SPECIES = ByteVector.SPECIES_128;

        S512(boolean packB, int kBlock, boolean pairs) {
            super(packB, kBlock, pairs);
        }

        @Override
        VectorSpecies<Byte> byteSpecies() {
            return BYTE_SPECIES;
        }

        @Override
        VectorSpecies<Float> species() {
            return SPECIES;
        }

        @Override
        VectorSpecies<Integer> intSpecies() {
            return INT_SPECIES;
        }
    }

    /*
     * GEMM. Register blocks of 4 rows of C by 4 vectors (16 accumulators, 4 B loads and 4 broadcasts
     * per k step: fits the 32 AVX-512 registers); single-vector columns in strips of 8 to 11 rows (8
     * independent FMA chains cover FMA latency x 2 pipes, 4x1 is latency-bound: a strip absorbs up to
     * 3 remainder rows), then 4x1, 1x4 and 1x1 blocks for the rows still left. The
     * last n % lanes columns are covered by the block that would reach past n starting further left
     * (see the overlap comment in the body) where n is at least one vector and C is not accumulated;
     * otherwise (all columns when n < lanes, e.g. the 10-wide output layer) they are computed from a
     * zero-padded copy of those B columns in a per-thread scratch panel (k x lanes).
     *
     * Zero allocation, by construction: no masked load or store that may reach outside a segment (out
     * of a segment's range the Vector API's masked access is a Java fallback that boxes: the 48-624 B
     * per call measured before; in range it is one instruction); no
     * vector or mask crosses a method boundary (a vector argument or result of a call C2 does not
     * inline is boxed); and each block writes its sums unconditionally, to C or, when accumulating,
     * to a staging area of the scratch that a second small method adds to C. (Adding C inside the
     * block doubled its vector loads and pushed C2 past its inlining budget: the loads then returned
     * boxed vectors, ~100 B each.) Panel column-tail sums are always staged and copied out one row per
     * masked store (scalar for rows whose whole vector would reach past C's end); the tail panel is
     * packed one blended vector per row of B (scalar near B's end).
     * No helper of ours returns a vector either: every load and broadcast calls the JDK's force-inlined
     * FloatVector methods directly with the species read once per method. With load/bcast helpers, C2
     * sometimes ran out of inlining budget in gemm or in its caller and left a helper a real call, so its
     * vector came back boxed: 374 KB to 9 MB per LeNet gradient in some JVMs (NOTES 16.8).
     *
     * Per output element the FMA order is p = 0..k-1 from zero, then C + sum when accumulating:
     * bit-identical to ScalarKernels.
     */
    @Override
    public void gemm(int m, int n, int k, MemorySegment a, long aOff, int aRowStride, int aColStride,
                     MemorySegment b, long bOff, int ldb, MemorySegment c, long cOff, int ldc, boolean accumulate) {
        if (k == 0) { // no products: the scalar reference's empty sum, +0, stored or added
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    final long ci = cOff + (long) i * ldc + j;
                    c.setAtIndex(F, ci, accumulate ? c.getAtIndex(F, ci) + 0f : 0f);
                }
            }
            return;
        }
        final int lanes = species().length();
        // k >= 4 vectors: below that (batch 16) the transposed copy-out costs more than the tail saves
        if (aRowStride == 1 && n < lanes && m >= lanes && k >= 4 * lanes) {
            gemmNarrowByTranspose(m, n, k, a, aOff, aColStride, b, bOff, ldb, c, cOff, ldc, accumulate);
            return;
        }
        if (pairs && n >= 2 * lanes && m >= 5) { // below 5 rows the row-panel path measured faster (NOTES 23.2)
            gemmPairs(m, n, k, a, aOff, aRowStride, aColStride, b, bOff, ldb, c, cOff, ldc, accumulate);
            return;
        }
        final int wide = 4 * lanes;
        final int nVec = n - n % lanes;
        final int rem = n - nVec;
        final int nWholeWide = nVec - nVec % wide;
        // Contiguous A rows, many of them, C written directly (the MLP's forward and dX at batch 512): each
        // 4-vector column block of B is first copied into a contiguous panel that all row groups share; see
        // packedBlock4x4 for why. Same FMA chains, same bits.
        final boolean packing = packB && aColStride == 1 && !accumulate && m >= PACK_B_MIN_ROWS && k >= PACK_B_MIN_K && nWholeWide > 0;
        // columns [0, nWide): strips of 6 rows x 4 vectors, then 4x4, then single rows. Exception: with
        // contiguous A rows and long k (the 784-input forward) 4-row strips, unless the CPU is one where 6
        // rows measured faster and there are enough rows; see SIX_ROWS_FOR_LONG_CONTIGUOUS_K and SIX_ROWS_MIN_M.
        final boolean six = !(aColStride == 1 && k > 256) || SIX_ROWS_FOR_LONG_CONTIGUOUS_K && m >= SIX_ROWS_MIN_M;
        // rows [0, 4) are one 4-row group in both column ranges below (m < 8: no strips; no 6-row block):
        // one call then computes their single vectors too, right after the 4x4 blocks (the first conv's
        // forward, 4 x 688 x 9: 10 4x4 blocks and a 4x3 in one call, 1.07x over two calls)
        final boolean rowPanel = !accumulate && m >= 4 && m < 8 && !(six && m >= 6) && nVec >= 3 * lanes;
        // The column tail by overlap: the columns are covered in whole vectors up to nEnd = nVec + lanes, and
        // the block that would reach past n starts further left instead, ending at n (its column start is
        // min(j, n - its width)). It recomputes columns a block left of it has written: every element is the
        // same FMA chain p = 0..k-1 from zero whichever block computes it, so it stores the same bits again.
        // Nothing past B's or C's rows is read or written, and the tail joins the 4-, 2- and 1-vector blocks:
        // LeNet's 120- and 84-wide layers have a tail in every call, which otherwise is packed, zero-padded,
        // into a panel (packTail) and computed on its own in single vectors (NOTES 21.1). Not when
        // accumulating (a column would be added twice) nor for n below one vector. A block too wide for n
        // (4 vectors for n < 4 lanes, 2 for n < 2 lanes) gives way to narrower ones.
        final boolean overlap = rem > 0 && !accumulate && !rowPanel && n >= lanes;
        final int nEnd = overlap ? nVec + lanes : nVec; // columns [0, nEnd) are covered in whole vectors
        // Six vectors left after the 4-vector blocks (an 84-wide output: 5 vectors and 4 columns), contiguous A
        // rows and short k: those six in 4x6 blocks, the last row group overlapping the one before it when m % 4
        // != 0 (same chains, same bits), where a 4-vector block and an 8x2 beside it paid two blocks' set-up and
        // stores; see FOUR_BY_SIX_MAX_K for the limits (NOTES 22.2). With A transposed only at short k and whole
        // row groups, see FOUR_BY_SIX_TRANSPOSED_MAX_K.
        final boolean fourBySix = !accumulate && !packing && !rowPanel && m >= 4 && nEnd % wide == 2 * lanes && nEnd >= 6 * lanes
                && (aColStride == 1 ? k <= FOUR_BY_SIX_MAX_K : k <= FOUR_BY_SIX_TRANSPOSED_MAX_K && m % 4 == 0);
        final int nWide = fourBySix ? nEnd - 6 * lanes
                : packing || nEnd - nEnd % wide > n && n < wide ? nWholeWide : nEnd - nEnd % wide;
        final long panelFloats = rem > 0 && !overlap ? (long) k * lanes : 0;
        final long packAt = panelFloats + stageFloats(lanes);
        // k split into ceil(k / kBlock) near-equal ranges, each packed into one panel (at most kBlock steps)
        final int ranges = packing ? (k - 1) / kBlock + 1 : 1;
        final int kc = (k - 1) / ranges + 1;
        final MemorySegment scratch = panelFloats > 0 || accumulate || packing
                ? Scratch.floats(packAt + (packing ? (long) kc * wide : 0)) : c;
        final long stage = panelFloats;
        if (rem > 0 && !overlap) {
            packTail(k, b, bOff + nVec, ldb, rem, scratch);
        }
        // sums go to C directly, or to the staging area (rows of 4 vectors) when accumulating
        final MemorySegment dst = accumulate ? scratch : c;
        final int ldd = accumulate ? wide : ldc;
        if (packing) {
            // Per column block, k in ranges of kc steps: each range's panel stays in L1 while every row group
            // passes over it. The first range's blocks start from zero and store their sums to C; each later
            // range's blocks load them, go on with their own k steps and store them back: the same FMA chain
            // p = 0..k-1 from zero, interrupted by a store and a load of the exact value. With several ranges
            // the row groups are all of 4 rows (see packedBlock4x4Resume).
            final boolean sixRows = six && ranges == 1;
            final int blockRows = m - packedRowsLeft(m, sixRows);
            for (int j = 0; j < nWide; j += wide) {
                for (int p0 = 0; p0 < k; p0 += kc) {
                    final int kb = Math.min(kc, k - p0);
                    packColumns(kb, b, bOff + (long) p0 * ldb + j, ldb, scratch, packAt);
                    int i = 0;
                    for (; sixRows && i + 6 <= m; i += 6) {
                        packedBlock6x4(kb, a, aOff + (long) i * aRowStride, aRowStride, scratch, packAt, c, cOff + (long) i * ldc + j, ldc);
                    }
                    for (; i + 4 <= m; i += 4) {
                        final long aRow = aOff + (long) i * aRowStride + p0;
                        final long cRow = cOff + (long) i * ldc + j;
                        if (p0 == 0) {
                            packedBlock4x4(kb, a, aRow, aRowStride, scratch, packAt, c, cRow, ldc);
                        } else {
                            packedBlock4x4Resume(kb, a, aRow, aRowStride, scratch, packAt, c, cRow, ldc);
                        }
                    }
                }
                // the m % 4 rows left read B in place over the whole k: one call, no ranges
                for (int i = blockRows; i < m; i++) {
                    block1x4(k, a, aOff + (long) i * aRowStride, 1, b, bOff + j, ldb, c, cOff + (long) i * ldc + j);
                }
            }
        } else if (nWide > 0 && !rowPanel && !accumulate && (long) k * ldb * Float.BYTES > COLUMN_OUTER_MIN_B_BYTES) {
            // B past L2: column blocks outer, each serving every row group from L2 (the CIFAR CNN's second conv
            // forward, B 1.2 MB; its dense dX at batch 16, B 4 MiB), the same blocks and FMA chains as the row-outer
            // order below. A column block itself past COLUMN_OUTER_MAX_BLOCK_BYTES (its dense forward at batch 16,
            // 16 x 256 x 4096: 1 MiB) is taken in k ranges of at most that size: the first range's blocks start from
            // zero and store their sums to C, each later range's blocks load them and go on (block4x4Resume): the
            // same FMA chain p = 0..k-1, interrupted by a store and a load of the exact value, so the same bits. Rows
            // left after the 6- and 4-row groups read B over the whole k in one call. NOTES 22.1 and 22.6.
            final int kRanges = (int) (((long) k * wide * Float.BYTES - 1) / COLUMN_OUTER_MAX_BLOCK_BYTES + 1);
            final int kr = (k - 1) / kRanges + 1;
            // With several ranges the later ones resume in 4-row blocks only: a 6x4 resume block (24 sums loaded, then
            // the loop) was past what C1 compiles ("out of virtual registers in linear scan"), so it ran interpreted,
            // boxing every vector, until C2 got to it, 13-19 s into CIFAR runs (NOTES 35.3). The first
            // range keeps 6-row groups over a multiple of 12 rows, so that the rows it groups are whole 4-row groups too.
            final int sixRows = !six ? 0 : kRanges == 1 ? m / 6 * 6 : m / 4 * 4 / 12 * 12;
            final int grouped = sixRows + (m - sixRows) / 4 * 4;
            for (int j = 0; j < nWide; j += wide) {
                final int jj = Math.min(j, n - wide); // the column tail by overlap: see above
                for (int p0 = 0; p0 < k; p0 += kr) {
                    final int kb = Math.min(kr, k - p0);
                    final long bRange = bOff + (long) p0 * ldb + jj;
                    final long aRange = aOff + (long) p0 * aColStride;
                    for (int i = 0; i < grouped; ) {
                        final long aRow = aRange + (long) i * aRowStride;
                        final long cAt = cOff + (long) i * ldc + jj;
                        if (i < sixRows && p0 == 0) {
                            block6x4(kb, a, aRow, aRowStride, aColStride, b, bRange, ldb, c, cAt, ldc, 1);
                            i += 6;
                        } else {
                            if (p0 == 0) {
                                block4x4(kb, a, aRow, aRowStride, aColStride, b, bRange, ldb, c, cAt, ldc, 1, 0);
                            } else {
                                block4x4Resume(kb, a, aRow, aRowStride, aColStride, b, bRange, ldb, c, cAt, ldc);
                            }
                            i += 4;
                        }
                    }
                }
                for (int i = grouped; i < m; i++) {
                    block1x4(k, a, aOff + (long) i * aRowStride, aColStride, b, bOff + jj, ldb, c, cOff + (long) i * ldc + jj);
                }
            }
        } else if (nWide > 0 || rowPanel) {
            int i = 0;
            for (; six && i + 6 <= m; i += 6) {
                final long aRow = aOff + (long) i * aRowStride;
                final long cRow = cOff + (long) i * ldc;
                if (!accumulate) { // all of the row's blocks in one call (see block6x4), a block overlapping the tail in its own
                    final boolean cut = nWide > n;
                    block6x4(k, a, aRow, aRowStride, aColStride, b, bOff, ldb, c, cRow, ldc, nWide / wide - (cut ? 1 : 0));
                    if (cut) {
                        block6x4(k, a, aRow, aRowStride, aColStride, b, bOff + n - wide, ldb, c, cRow + n - wide, ldc, 1);
                    }
                    continue;
                }
                for (int j = 0; j < nWide; j += wide) {
                    block6x4(k, a, aRow, aRowStride, aColStride, b, bOff + j, ldb, scratch, stage, wide, 1);
                    addStaged(scratch, stage, wide, 6, 4, c, cRow + j, ldc);
                }
            }
            for (; i + 4 <= m; i += 4) {
                final long aRow = aOff + (long) i * aRowStride;
                final long cRow = cOff + (long) i * ldc;
                if (!accumulate) { // all of the row's blocks in one call (see block4x4), a block overlapping the tail in its own
                    final boolean cut = nWide > n;
                    block4x4(k, a, aRow, aRowStride, aColStride, b, bOff, ldb, c, cRow, ldc, nWide / wide - (cut ? 1 : 0),
                            rowPanel ? (nVec - nWide) / lanes : 0);
                    if (cut) {
                        block4x4(k, a, aRow, aRowStride, aColStride, b, bOff + n - wide, ldb, c, cRow + n - wide, ldc, 1, 0);
                    }
                    continue;
                }
                for (int j = 0; j < nWide; j += wide) {
                    block4x4(k, a, aRow, aRowStride, aColStride, b, bOff + j, ldb, scratch, stage, wide, 1, 0);
                    addStaged(scratch, stage, wide, 4, 4, c, cRow + j, ldc);
                }
            }
            for (; i < m; i++) {
                final long aRow = aOff + (long) i * aRowStride;
                final long cRow = cOff + (long) i * ldc;
                for (int j = 0; j < nWide; j += wide) {
                    final int jj = Math.min(j, n - wide);
                    block1x4(k, a, aRow, aColStride, b, bOff + jj, ldb, dst, accumulate ? stage : cRow + jj);
                    if (accumulate) {
                        addStaged(scratch, stage, wide, 1, 4, c, cRow + j, ldc);
                    }
                }
            }
        }
        if (fourBySix) { // columns [nWide, nEnd): the last six vectors, the sixth ending at n
            final int last = Math.min(5 * lanes, n - lanes - nWide);
            block4x6(k, m, a, aOff, aRowStride, aColStride, b, bOff + nWide, ldb, last, c, cOff + nWide, ldc);
        }
        // columns [pairsStart, nPairs): pairs of vectors in 8-row blocks, where the m % 8 rows left over are none or
        // their k is short (a row left alone is one FMA chain, latency-bound, k * 4 cycles); then 4-row blocks
        // and single rows, one vector at a time
        final int pairsStart = fourBySix ? nEnd : nWide;
        final int pairsEnd = pairsStart + (nEnd - pairsStart) / (2 * lanes) * 2 * lanes;
        // m that is 5f + 8e (10, 13, 15, 18, ...: the 10-wide output layers' dWᵀ) starts with f 5x2 blocks (10 chains,
        // 5 broadcasts and 2 loads per 10 FMAs) and leaves no row over, whatever k (dW:10x84x512 63 -> 86 %, NOTES 27.2)
        final int pairFives = pairFiveBlocks(m);
        final int nPairs = m >= 8 && (m % 8 == 0 || k <= PAIR_LEFTOVER_MAX_K || pairFives > 0) && (pairsEnd <= n || n >= 2 * lanes)
                ? pairsEnd : pairsStart;
        if (pairsStart < nPairs) {
            int i = 0;
            for (; i < 5 * pairFives; i += 5) {
                final long aRow = aOff + (long) i * aRowStride;
                final long cRow = cOff + (long) i * ldc;
                for (int j = pairsStart; j < nPairs; j += 2 * lanes) {
                    final int jj = Math.min(j, n - 2 * lanes);
                    block5x2(k, a, aRow, aRowStride, aColStride, b, bOff + jj, ldb, dst, accumulate ? stage : cRow + jj, ldd);
                    if (accumulate) {
                        addStaged(scratch, stage, wide, 5, 2, c, cRow + j, ldc);
                    }
                }
            }
            for (; i + 8 <= m; i += 8) {
                final long aRow = aOff + (long) i * aRowStride;
                final long cRow = cOff + (long) i * ldc;
                for (int j = pairsStart; j < nPairs; j += 2 * lanes) {
                    final int jj = Math.min(j, n - 2 * lanes);
                    block8x2(k, a, aRow, aRowStride, aColStride, b, bOff + jj, ldb, dst, accumulate ? stage : cRow + jj, ldd);
                    if (accumulate) {
                        addStaged(scratch, stage, wide, 8, 2, c, cRow + j, ldc);
                    }
                }
            }
            for (; i + 4 <= m; i += 4) {
                final long aRow = aOff + (long) i * aRowStride;
                final long cRow = cOff + (long) i * ldc;
                for (int j = pairsStart; j < nPairs; j += lanes) {
                    final int jj = Math.min(j, n - lanes);
                    block4x1(k, a, aRow, aRowStride, aColStride, b, bOff + jj, ldb, dst, accumulate ? stage : cRow + jj, ldd);
                    if (accumulate) {
                        addStaged(scratch, stage, wide, 4, 1, c, cRow + j, ldc);
                    }
                }
            }
            for (; i < m; i++) {
                final long aRow = aOff + (long) i * aRowStride;
                final long cRow = cOff + (long) i * ldc;
                for (int j = pairsStart; j < nPairs; j += lanes) {
                    final int jj = Math.min(j, n - lanes);
                    block1x1(k, a, aRow, aColStride, b, bOff + jj, ldb, dst, accumulate ? stage : cRow + jj);
                    if (accumulate) {
                        addStaged(scratch, stage, wide, 1, 1, c, cRow + j, ldc);
                    }
                }
            }
        }
        // columns [nPairs, n): single vectors and the packed tail, strips of 8 rows, then 4, then single rows
        if (nPairs < n) {
            // strips of 8 rows, each taking up to 3 of the m % 8 rows left over (9-11 independent FMA
            // chains, throughput-bound like 8), since a 4- or 1-row block is latency-bound and costs as
            // much time as 8 rows: the conv dW of 9 rows was 8 + 1, about twice the time of one 9-row strip
            int i = 0;
            int extra = m % 8;
            while (i + 8 <= m) {
                final int rows = 8 + Math.min(extra, 3);
                extra -= rows - 8;
                final long aRow = aOff + (long) i * aRowStride;
                final long cRow = cOff + (long) i * ldc;
                for (int j = nPairs; j < nEnd; j += lanes) {
                    final int jj = Math.min(j, n - lanes);
                    blockStrip1(rows, k, a, aRow, aRowStride, aColStride, b, bOff + jj, ldb, dst, accumulate ? stage : cRow + jj, ldd);
                    if (accumulate) {
                        addStaged(scratch, stage, wide, rows, 1, c, cRow + j, ldc);
                    }
                }
                if (rem > 0 && !overlap) {
                    blockStrip1(rows, k, a, aRow, aRowStride, aColStride, scratch, 0, lanes, scratch, stage, wide);
                    unstage(scratch, stage, wide, rows, rem, c, cRow + nVec, ldc, accumulate);
                }
                i += rows;
            }
            for (; i + 4 <= m; i += 4) {
                final long aRow = aOff + (long) i * aRowStride;
                final long cRow = cOff + (long) i * ldc;
                int j = rowPanel ? nVec : nPairs; // a row panel did the single vectors with the 4x4 blocks
                // three vectors at once where there are: 12 FMA chains, throughput-bound, where 4x1 is latency-bound
                for (; j + 3 * lanes <= nEnd && n >= 3 * lanes; j += 3 * lanes) {
                    final int jj = Math.min(j, n - 3 * lanes);
                    block4x3(k, a, aRow, aRowStride, aColStride, b, bOff + jj, ldb, dst, accumulate ? stage : cRow + jj, ldd);
                    if (accumulate) {
                        addStaged(scratch, stage, wide, 4, 3, c, cRow + j, ldc);
                    }
                }
                for (; j < nEnd; j += lanes) {
                    final int jj = Math.min(j, n - lanes);
                    block4x1(k, a, aRow, aRowStride, aColStride, b, bOff + jj, ldb, dst, accumulate ? stage : cRow + jj, ldd);
                    if (accumulate) {
                        addStaged(scratch, stage, wide, 4, 1, c, cRow + j, ldc);
                    }
                }
                if (rem > 0 && !overlap) {
                    block4x1(k, a, aRow, aRowStride, aColStride, scratch, 0, lanes, scratch, stage, wide);
                    unstage(scratch, stage, wide, 4, rem, c, cRow + nVec, ldc, accumulate);
                }
            }
            for (; i < m; i++) {
                final long aRow = aOff + (long) i * aRowStride;
                final long cRow = cOff + (long) i * ldc;
                for (int j = nPairs; j < nEnd; j += lanes) {
                    final int jj = Math.min(j, n - lanes);
                    block1x1(k, a, aRow, aColStride, b, bOff + jj, ldb, dst, accumulate ? stage : cRow + jj);
                    if (accumulate) {
                        addStaged(scratch, stage, wide, 1, 1, c, cRow + j, ldc);
                    }
                }
                if (rem > 0 && !overlap) {
                    block1x1(k, a, aRow, aColStride, scratch, 0, lanes, scratch, stage);
                    unstage(scratch, stage, wide, 1, rem, c, cRow + nVec, ldc, accumulate);
                }
            }
        }
    }

    /** 5-row blocks that let the pair columns' rows end in whole 8-row blocks (m = 5f + 8e, f < 8 and > 0), else 0. */
    static int pairFiveBlocks(int m) {
        if (m % 8 == 0) {
            return 0;
        }
        for (int f = 1; f < 8 && 5 * f <= m; f++) {
            if ((m - 5 * f) % 8 == 0) {
                return f;
            }
        }
        return 0;
    }

    /**
     * {@code panel(k, lanes) = B(0..k, j0..j0+rem)} padded with zeros to full vectors. A row is moved
     * as one whole vector, its lanes from {@code rem} on replaced by zeros (blend, no masked access),
     * where that vector lies inside B's segment; rows nearer the segment's end are copied in scalar.
     */
    private void packTail(int k, MemorySegment b, long bCol, int ldb, int rem, MemorySegment panel) {
        final VectorSpecies<Float> sp = species();
        final int lanes = sp.length();
        final long bFloats = b.byteSize() / Float.BYTES;
        final FloatVector zero = FloatVector.zero(sp);
        final VectorMask<Float> keep = zero.addIndex(1).compare(VectorOperators.LT, rem);
        for (int p = 0; p < k; p++) {
            final long src = bCol + (long) p * ldb;
            final long dst = (long) p * lanes;
            if (src + lanes <= bFloats) {
                zero.blend(FloatVector.fromMemorySegment(sp, b, src * Float.BYTES, NATIVE), keep).intoMemorySegment(panel, dst * Float.BYTES, NATIVE);
                continue;
            }
            int t = 0;
            for (; t < rem; t++) { // scalar: a whole vector would reach past B's end
                panel.setAtIndex(F, dst + t, b.getAtIndex(F, src + t));
            }
            for (; t < lanes; t++) {
                panel.setAtIndex(F, dst + t, 0f);
            }
        }
    }

    /** Rows that 6-row (where {@code six}) and then 4-row groups leave over from {@code m}. */
    private static int packedRowsLeft(int m, boolean six) {
        final int r = six ? m % 6 : m % 4;
        return r >= 4 ? r - 4 : r;
    }

    /** {@code panel(k, 4 vectors) at at = B(0..k, 4 vectors from bCol)}: whole vectors, moved as they are. */
    private void packColumns(int k, MemorySegment b, long bCol, int ldb, MemorySegment panel, long at) {
        final VectorSpecies<Float> sp = species();
        final int L = sp.length();
        final long v = (long) L * Float.BYTES;
        for (int p = 0; p < k; p++) {
            final long src = (bCol + (long) p * ldb) * Float.BYTES;
            final long dst = (at + (long) p * 4 * L) * Float.BYTES;
            FloatVector.fromMemorySegment(sp, b, src, NATIVE).intoMemorySegment(panel, dst, NATIVE);
            FloatVector.fromMemorySegment(sp, b, src + v, NATIVE).intoMemorySegment(panel, dst + v, NATIVE);
            FloatVector.fromMemorySegment(sp, b, src + 2 * v, NATIVE).intoMemorySegment(panel, dst + 2 * v, NATIVE);
            FloatVector.fromMemorySegment(sp, b, src + 3 * v, NATIVE).intoMemorySegment(panel, dst + 3 * v, NATIVE);
        }
    }

    /**
     * {@code C(4, 4 vectors) at d0 = A(4 contiguous rows at a0, k) . panel(k, 4 vectors at po)}, the panel from
     * {@link #packColumns}. Both indices are the loop variable times a constant plus an invariant ({@code a_r + p},
     * {@code po + 4L p}), so C2 hoists the segments' bounds checks out of the loop and the row bases stay in
     * registers: per k step 4 broadcasts and 4 loads from memory, 16 FMAs and 4 scalar instructions. Reading B in
     * place ({@code bp += ldb}, {@code ap = p * aCs}) leaves a 64-bit compare and branch per load and reloads
     * spilled row offsets from the stack. On Intel's server cores that scalar work shares ports 0 and 5 with the
     * 512-bit FMAs: llvm-mca's icelake-server model gives the in-place 6x4 loop 60 % of the FMA rate and this one
     * 92 %, and the 16-core Xeon of NOTES 17.5 ran the in-place kernels at 48-64 % of its peak. On AMD Zen 5,
     * whose integer and FP pipes are separate, both forms run at the peak (NOTES 17.6).
     */
    private void packedBlock4x4(int k, MemorySegment a, long a0, int aRs, MemorySegment panel, long po, MemorySegment d, long d0, int ldd) {
        final VectorSpecies<Float> sp = species();
        final int L = sp.length();
        final long v = (long) L * Float.BYTES;
        final long a1 = a0 + aRs, a2 = a1 + aRs, a3 = a2 + aRs;
        final long pb = po * Float.BYTES;
        FloatVector c00 = FloatVector.zero(sp), c01 = c00, c02 = c00, c03 = c00;
        FloatVector c10 = c00, c11 = c00, c12 = c00, c13 = c00;
        FloatVector c20 = c00, c21 = c00, c22 = c00, c23 = c00;
        FloatVector c30 = c00, c31 = c00, c32 = c00, c33 = c00;
        for (int p = 0; p < k; p++) {
            final long bo = pb + (long) p * 4 * v;
            FloatVector b0 = FloatVector.fromMemorySegment(sp, panel, bo, NATIVE), b1 = FloatVector.fromMemorySegment(sp, panel, bo + v, NATIVE);
            FloatVector b2 = FloatVector.fromMemorySegment(sp, panel, bo + 2 * v, NATIVE), b3 = FloatVector.fromMemorySegment(sp, panel, bo + 3 * v, NATIVE);
            FloatVector x = FloatVector.broadcast(sp, a.getAtIndex(F, a0 + p));
            c00 = x.fma(b0, c00); c01 = x.fma(b1, c01); c02 = x.fma(b2, c02); c03 = x.fma(b3, c03);
            x = FloatVector.broadcast(sp, a.getAtIndex(F, a1 + p));
            c10 = x.fma(b0, c10); c11 = x.fma(b1, c11); c12 = x.fma(b2, c12); c13 = x.fma(b3, c13);
            x = FloatVector.broadcast(sp, a.getAtIndex(F, a2 + p));
            c20 = x.fma(b0, c20); c21 = x.fma(b1, c21); c22 = x.fma(b2, c22); c23 = x.fma(b3, c23);
            x = FloatVector.broadcast(sp, a.getAtIndex(F, a3 + p));
            c30 = x.fma(b0, c30); c31 = x.fma(b1, c31); c32 = x.fma(b2, c32); c33 = x.fma(b3, c33);
        }
        final long row = (long) ldd * Float.BYTES;
        long q = d0 * Float.BYTES;
        c00.intoMemorySegment(d, q, NATIVE); c01.intoMemorySegment(d, q + v, NATIVE);
        c02.intoMemorySegment(d, q + 2 * v, NATIVE); c03.intoMemorySegment(d, q + 3 * v, NATIVE);
        q += row;
        c10.intoMemorySegment(d, q, NATIVE); c11.intoMemorySegment(d, q + v, NATIVE);
        c12.intoMemorySegment(d, q + 2 * v, NATIVE); c13.intoMemorySegment(d, q + 3 * v, NATIVE);
        q += row;
        c20.intoMemorySegment(d, q, NATIVE); c21.intoMemorySegment(d, q + v, NATIVE);
        c22.intoMemorySegment(d, q + 2 * v, NATIVE); c23.intoMemorySegment(d, q + 3 * v, NATIVE);
        q += row;
        c30.intoMemorySegment(d, q, NATIVE); c31.intoMemorySegment(d, q + v, NATIVE);
        c32.intoMemorySegment(d, q + 2 * v, NATIVE); c33.intoMemorySegment(d, q + 3 * v, NATIVE);
    }

    /**
     * {@link #packedBlock4x4} for a later k range: the 16 chains go on from the sums in {@code D} instead of zero.
     * A method of its own: one block that chose between zeros and D's sums, or a 6-row one, grew past what C1
     * compiles ("out of virtual registers in linear scan"); C2 then compiled it from an empty profile into a
     * deoptimisation loop and it ran interpreted, at 1.7 GFLOP/s and 1.2 MB of boxes per call.
     */
    private void packedBlock4x4Resume(int k, MemorySegment a, long a0, int aRs, MemorySegment panel, long po, MemorySegment d, long d0, int ldd) {
        final VectorSpecies<Float> sp = species();
        final int L = sp.length();
        final long v = (long) L * Float.BYTES;
        final long a1 = a0 + aRs, a2 = a1 + aRs, a3 = a2 + aRs;
        final long pb = po * Float.BYTES;
        final long row = (long) ldd * Float.BYTES;
        long q = d0 * Float.BYTES; // the sums of the k ranges before (see gemm)
        FloatVector c00 = FloatVector.fromMemorySegment(sp, d, q, NATIVE), c01 = FloatVector.fromMemorySegment(sp, d, q + v, NATIVE);
        FloatVector c02 = FloatVector.fromMemorySegment(sp, d, q + 2 * v, NATIVE), c03 = FloatVector.fromMemorySegment(sp, d, q + 3 * v, NATIVE);
        q += row;
        FloatVector c10 = FloatVector.fromMemorySegment(sp, d, q, NATIVE), c11 = FloatVector.fromMemorySegment(sp, d, q + v, NATIVE);
        FloatVector c12 = FloatVector.fromMemorySegment(sp, d, q + 2 * v, NATIVE), c13 = FloatVector.fromMemorySegment(sp, d, q + 3 * v, NATIVE);
        q += row;
        FloatVector c20 = FloatVector.fromMemorySegment(sp, d, q, NATIVE), c21 = FloatVector.fromMemorySegment(sp, d, q + v, NATIVE);
        FloatVector c22 = FloatVector.fromMemorySegment(sp, d, q + 2 * v, NATIVE), c23 = FloatVector.fromMemorySegment(sp, d, q + 3 * v, NATIVE);
        q += row;
        FloatVector c30 = FloatVector.fromMemorySegment(sp, d, q, NATIVE), c31 = FloatVector.fromMemorySegment(sp, d, q + v, NATIVE);
        FloatVector c32 = FloatVector.fromMemorySegment(sp, d, q + 2 * v, NATIVE), c33 = FloatVector.fromMemorySegment(sp, d, q + 3 * v, NATIVE);
        for (int p = 0; p < k; p++) {
            final long bo = pb + (long) p * 4 * v;
            FloatVector b0 = FloatVector.fromMemorySegment(sp, panel, bo, NATIVE), b1 = FloatVector.fromMemorySegment(sp, panel, bo + v, NATIVE);
            FloatVector b2 = FloatVector.fromMemorySegment(sp, panel, bo + 2 * v, NATIVE), b3 = FloatVector.fromMemorySegment(sp, panel, bo + 3 * v, NATIVE);
            FloatVector x = FloatVector.broadcast(sp, a.getAtIndex(F, a0 + p));
            c00 = x.fma(b0, c00); c01 = x.fma(b1, c01); c02 = x.fma(b2, c02); c03 = x.fma(b3, c03);
            x = FloatVector.broadcast(sp, a.getAtIndex(F, a1 + p));
            c10 = x.fma(b0, c10); c11 = x.fma(b1, c11); c12 = x.fma(b2, c12); c13 = x.fma(b3, c13);
            x = FloatVector.broadcast(sp, a.getAtIndex(F, a2 + p));
            c20 = x.fma(b0, c20); c21 = x.fma(b1, c21); c22 = x.fma(b2, c22); c23 = x.fma(b3, c23);
            x = FloatVector.broadcast(sp, a.getAtIndex(F, a3 + p));
            c30 = x.fma(b0, c30); c31 = x.fma(b1, c31); c32 = x.fma(b2, c32); c33 = x.fma(b3, c33);
        }
        q = d0 * Float.BYTES;
        c00.intoMemorySegment(d, q, NATIVE); c01.intoMemorySegment(d, q + v, NATIVE);
        c02.intoMemorySegment(d, q + 2 * v, NATIVE); c03.intoMemorySegment(d, q + 3 * v, NATIVE);
        q += row;
        c10.intoMemorySegment(d, q, NATIVE); c11.intoMemorySegment(d, q + v, NATIVE);
        c12.intoMemorySegment(d, q + 2 * v, NATIVE); c13.intoMemorySegment(d, q + 3 * v, NATIVE);
        q += row;
        c20.intoMemorySegment(d, q, NATIVE); c21.intoMemorySegment(d, q + v, NATIVE);
        c22.intoMemorySegment(d, q + 2 * v, NATIVE); c23.intoMemorySegment(d, q + 3 * v, NATIVE);
        q += row;
        c30.intoMemorySegment(d, q, NATIVE); c31.intoMemorySegment(d, q + v, NATIVE);
        c32.intoMemorySegment(d, q + 2 * v, NATIVE); c33.intoMemorySegment(d, q + 3 * v, NATIVE);
    }

    /** {@link #packedBlock4x4} with 6 rows: 24 FMAs per k step, 29 of the 32 vector registers. */
    private void packedBlock6x4(int k, MemorySegment a, long a0, int aRs, MemorySegment panel, long po, MemorySegment d, long d0, int ldd) {
        final VectorSpecies<Float> sp = species();
        final int L = sp.length();
        final long v = (long) L * Float.BYTES;
        final long a1 = a0 + aRs, a2 = a1 + aRs, a3 = a2 + aRs, a4 = a3 + aRs, a5 = a4 + aRs;
        final long pb = po * Float.BYTES;
        FloatVector c00 = FloatVector.zero(sp), c01 = c00, c02 = c00, c03 = c00;
        FloatVector c10 = c00, c11 = c00, c12 = c00, c13 = c00;
        FloatVector c20 = c00, c21 = c00, c22 = c00, c23 = c00;
        FloatVector c30 = c00, c31 = c00, c32 = c00, c33 = c00;
        FloatVector c40 = c00, c41 = c00, c42 = c00, c43 = c00;
        FloatVector c50 = c00, c51 = c00, c52 = c00, c53 = c00;
        for (int p = 0; p < k; p++) {
            final long bo = pb + (long) p * 4 * v;
            FloatVector b0 = FloatVector.fromMemorySegment(sp, panel, bo, NATIVE), b1 = FloatVector.fromMemorySegment(sp, panel, bo + v, NATIVE);
            FloatVector b2 = FloatVector.fromMemorySegment(sp, panel, bo + 2 * v, NATIVE), b3 = FloatVector.fromMemorySegment(sp, panel, bo + 3 * v, NATIVE);
            FloatVector x = FloatVector.broadcast(sp, a.getAtIndex(F, a0 + p));
            c00 = x.fma(b0, c00); c01 = x.fma(b1, c01); c02 = x.fma(b2, c02); c03 = x.fma(b3, c03);
            x = FloatVector.broadcast(sp, a.getAtIndex(F, a1 + p));
            c10 = x.fma(b0, c10); c11 = x.fma(b1, c11); c12 = x.fma(b2, c12); c13 = x.fma(b3, c13);
            x = FloatVector.broadcast(sp, a.getAtIndex(F, a2 + p));
            c20 = x.fma(b0, c20); c21 = x.fma(b1, c21); c22 = x.fma(b2, c22); c23 = x.fma(b3, c23);
            x = FloatVector.broadcast(sp, a.getAtIndex(F, a3 + p));
            c30 = x.fma(b0, c30); c31 = x.fma(b1, c31); c32 = x.fma(b2, c32); c33 = x.fma(b3, c33);
            x = FloatVector.broadcast(sp, a.getAtIndex(F, a4 + p));
            c40 = x.fma(b0, c40); c41 = x.fma(b1, c41); c42 = x.fma(b2, c42); c43 = x.fma(b3, c43);
            x = FloatVector.broadcast(sp, a.getAtIndex(F, a5 + p));
            c50 = x.fma(b0, c50); c51 = x.fma(b1, c51); c52 = x.fma(b2, c52); c53 = x.fma(b3, c53);
        }
        final long row = (long) ldd * Float.BYTES;
        long q = d0 * Float.BYTES;
        c00.intoMemorySegment(d, q, NATIVE); c01.intoMemorySegment(d, q + v, NATIVE);
        c02.intoMemorySegment(d, q + 2 * v, NATIVE); c03.intoMemorySegment(d, q + 3 * v, NATIVE);
        q += row;
        c10.intoMemorySegment(d, q, NATIVE); c11.intoMemorySegment(d, q + v, NATIVE);
        c12.intoMemorySegment(d, q + 2 * v, NATIVE); c13.intoMemorySegment(d, q + 3 * v, NATIVE);
        q += row;
        c20.intoMemorySegment(d, q, NATIVE); c21.intoMemorySegment(d, q + v, NATIVE);
        c22.intoMemorySegment(d, q + 2 * v, NATIVE); c23.intoMemorySegment(d, q + 3 * v, NATIVE);
        q += row;
        c30.intoMemorySegment(d, q, NATIVE); c31.intoMemorySegment(d, q + v, NATIVE);
        c32.intoMemorySegment(d, q + 2 * v, NATIVE); c33.intoMemorySegment(d, q + 3 * v, NATIVE);
        q += row;
        c40.intoMemorySegment(d, q, NATIVE); c41.intoMemorySegment(d, q + v, NATIVE);
        c42.intoMemorySegment(d, q + 2 * v, NATIVE); c43.intoMemorySegment(d, q + 3 * v, NATIVE);
        q += row;
        c50.intoMemorySegment(d, q, NATIVE); c51.intoMemorySegment(d, q + v, NATIVE);
        c52.intoMemorySegment(d, q + 2 * v, NATIVE); c53.intoMemorySegment(d, q + 3 * v, NATIVE);
    }

    /**
     * {@code D(6, 4*blocks vectors) at d0 (leading dimension ldd) = A(6 rows at a0, k) . B(k, same at bFirst)}:
     * {@code blocks} 6x4 blocks side by side in one call, as in {@link #block4x4}. Entering the method costs about
     * 2 FMA-times per output vector on Zen 4 (arguments to the stack, row bases, 24 zero copies, segment checks
     * before the stores), which at the short k of the CNN's dcol (8) and the 10-class dX (10) was a fifth of the
     * block: one call per row of blocks measured 73 -> 79 % and 77 -> 81 % of the peak there (NOTES 28.2).
     */
    private void block6x4(int k, MemorySegment a, long a0, int aRs, int aCs, MemorySegment b, long bFirst, int ldb,
                          MemorySegment d, long dFirst, int ldd, int blocks) {
        final VectorSpecies<Float> sp = species();
        final int L = sp.length();
        final long a1 = a0 + aRs, a2 = a1 + aRs, a3 = a2 + aRs, a4 = a3 + aRs, a5 = a4 + aRs;
        final long v = (long) L * Float.BYTES;
        final long row = (long) ldd * Float.BYTES;
        for (int t = 0; t < blocks; t++) {
            long bp = bFirst + (long) t * 4 * L;
            FloatVector c00 = FloatVector.zero(sp), c01 = c00, c02 = c00, c03 = c00;
            FloatVector c10 = c00, c11 = c00, c12 = c00, c13 = c00;
            FloatVector c20 = c00, c21 = c00, c22 = c00, c23 = c00;
            FloatVector c30 = c00, c31 = c00, c32 = c00, c33 = c00;
            FloatVector c40 = c00, c41 = c00, c42 = c00, c43 = c00;
            FloatVector c50 = c00, c51 = c00, c52 = c00, c53 = c00;
            for (int p = 0; p < k; p++, bp += ldb) {
                final long ap = (long) p * aCs;
                FloatVector b0 = FloatVector.fromMemorySegment(sp, b, bp * Float.BYTES, NATIVE), b1 = FloatVector.fromMemorySegment(sp, b, (bp + L) * Float.BYTES, NATIVE), b2 = FloatVector.fromMemorySegment(sp, b, (bp + 2L * L) * Float.BYTES, NATIVE), b3 = FloatVector.fromMemorySegment(sp, b, (bp + 3L * L) * Float.BYTES, NATIVE);
                FloatVector x = FloatVector.broadcast(sp, a.getAtIndex(F, a0 + ap));
                c00 = x.fma(b0, c00); c01 = x.fma(b1, c01); c02 = x.fma(b2, c02); c03 = x.fma(b3, c03);
                x = FloatVector.broadcast(sp, a.getAtIndex(F, a1 + ap));
                c10 = x.fma(b0, c10); c11 = x.fma(b1, c11); c12 = x.fma(b2, c12); c13 = x.fma(b3, c13);
                x = FloatVector.broadcast(sp, a.getAtIndex(F, a2 + ap));
                c20 = x.fma(b0, c20); c21 = x.fma(b1, c21); c22 = x.fma(b2, c22); c23 = x.fma(b3, c23);
                x = FloatVector.broadcast(sp, a.getAtIndex(F, a3 + ap));
                c30 = x.fma(b0, c30); c31 = x.fma(b1, c31); c32 = x.fma(b2, c32); c33 = x.fma(b3, c33);
                x = FloatVector.broadcast(sp, a.getAtIndex(F, a4 + ap));
                c40 = x.fma(b0, c40); c41 = x.fma(b1, c41); c42 = x.fma(b2, c42); c43 = x.fma(b3, c43);
                x = FloatVector.broadcast(sp, a.getAtIndex(F, a5 + ap));
                c50 = x.fma(b0, c50); c51 = x.fma(b1, c51); c52 = x.fma(b2, c52); c53 = x.fma(b3, c53);
            }
            // Stores written out here: a vector passed to a helper that C2 does not inline gets boxed.
            long q = (dFirst + (long) t * 4 * L) * Float.BYTES;
            c00.intoMemorySegment(d, q, NATIVE); c01.intoMemorySegment(d, q + v, NATIVE);
            c02.intoMemorySegment(d, q + 2 * v, NATIVE); c03.intoMemorySegment(d, q + 3 * v, NATIVE);
            q += row;
            c10.intoMemorySegment(d, q, NATIVE); c11.intoMemorySegment(d, q + v, NATIVE);
            c12.intoMemorySegment(d, q + 2 * v, NATIVE); c13.intoMemorySegment(d, q + 3 * v, NATIVE);
            q += row;
            c20.intoMemorySegment(d, q, NATIVE); c21.intoMemorySegment(d, q + v, NATIVE);
            c22.intoMemorySegment(d, q + 2 * v, NATIVE); c23.intoMemorySegment(d, q + 3 * v, NATIVE);
            q += row;
            c30.intoMemorySegment(d, q, NATIVE); c31.intoMemorySegment(d, q + v, NATIVE);
            c32.intoMemorySegment(d, q + 2 * v, NATIVE); c33.intoMemorySegment(d, q + 3 * v, NATIVE);
            q += row;
            c40.intoMemorySegment(d, q, NATIVE); c41.intoMemorySegment(d, q + v, NATIVE);
            c42.intoMemorySegment(d, q + 2 * v, NATIVE); c43.intoMemorySegment(d, q + 3 * v, NATIVE);
            q += row;
            c50.intoMemorySegment(d, q, NATIVE); c51.intoMemorySegment(d, q + v, NATIVE);
            c52.intoMemorySegment(d, q + 2 * v, NATIVE); c53.intoMemorySegment(d, q + 3 * v, NATIVE);
        }
    }

    /**
     * {@code D(4, 4 vectors) at d0 += A(4 rows at a0, k) . B(k, 4 vectors at bp)} as one FMA chain per element that
     * goes on from D's value: a later k range of a block4x4 or block6x4 block's chains (see gemm's k ranges), not
     * {@code D + sum}.
     */
    private void block4x4Resume(int k, MemorySegment a, long a0, int aRs, int aCs, MemorySegment b, long bp, int ldb,
                                MemorySegment d, long d0, int ldd) {
        final VectorSpecies<Float> sp = species();
        final long v = (long) sp.length() * Float.BYTES;
        final long row = (long) ldd * Float.BYTES;
        final MemorySegment r0 = aRow(a, a0, k, aCs), r1 = aRow(a, a0 + aRs, k, aCs),
                r2 = aRow(a, a0 + 2L * aRs, k, aCs), r3 = aRow(a, a0 + 3L * aRs, k, aCs);
        final MemorySegment bb = bColumns(b, bp, k, ldb, 4);
        final long bs = (long) ldb * Float.BYTES;
        long q = d0 * Float.BYTES;
        FloatVector c00 = FloatVector.fromMemorySegment(sp, d, q, NATIVE), c01 = FloatVector.fromMemorySegment(sp, d, q + v, NATIVE),
                c02 = FloatVector.fromMemorySegment(sp, d, q + 2 * v, NATIVE), c03 = FloatVector.fromMemorySegment(sp, d, q + 3 * v, NATIVE);
        q += row;
        FloatVector c10 = FloatVector.fromMemorySegment(sp, d, q, NATIVE), c11 = FloatVector.fromMemorySegment(sp, d, q + v, NATIVE),
                c12 = FloatVector.fromMemorySegment(sp, d, q + 2 * v, NATIVE), c13 = FloatVector.fromMemorySegment(sp, d, q + 3 * v, NATIVE);
        q += row;
        FloatVector c20 = FloatVector.fromMemorySegment(sp, d, q, NATIVE), c21 = FloatVector.fromMemorySegment(sp, d, q + v, NATIVE),
                c22 = FloatVector.fromMemorySegment(sp, d, q + 2 * v, NATIVE), c23 = FloatVector.fromMemorySegment(sp, d, q + 3 * v, NATIVE);
        q += row;
        FloatVector c30 = FloatVector.fromMemorySegment(sp, d, q, NATIVE), c31 = FloatVector.fromMemorySegment(sp, d, q + v, NATIVE),
                c32 = FloatVector.fromMemorySegment(sp, d, q + 2 * v, NATIVE), c33 = FloatVector.fromMemorySegment(sp, d, q + 3 * v, NATIVE);
        long bq = 0;
        for (int p = 0; p < k; p++, bq += bs) {
            final long ap = aCs == 1 ? p : (long) p * aCs; // see block4x4
            FloatVector b0 = FloatVector.fromMemorySegment(sp, bb, bq, NATIVE), b1 = FloatVector.fromMemorySegment(sp, bb, bq + v, NATIVE), b2 = FloatVector.fromMemorySegment(sp, bb, bq + 2 * v, NATIVE), b3 = FloatVector.fromMemorySegment(sp, bb, bq + 3 * v, NATIVE);
            FloatVector x = FloatVector.broadcast(sp, r0.getAtIndex(F, ap));
            c00 = x.fma(b0, c00); c01 = x.fma(b1, c01); c02 = x.fma(b2, c02); c03 = x.fma(b3, c03);
            x = FloatVector.broadcast(sp, r1.getAtIndex(F, ap));
            c10 = x.fma(b0, c10); c11 = x.fma(b1, c11); c12 = x.fma(b2, c12); c13 = x.fma(b3, c13);
            x = FloatVector.broadcast(sp, r2.getAtIndex(F, ap));
            c20 = x.fma(b0, c20); c21 = x.fma(b1, c21); c22 = x.fma(b2, c22); c23 = x.fma(b3, c23);
            x = FloatVector.broadcast(sp, r3.getAtIndex(F, ap));
            c30 = x.fma(b0, c30); c31 = x.fma(b1, c31); c32 = x.fma(b2, c32); c33 = x.fma(b3, c33);
        }
        q = d0 * Float.BYTES;
        c00.intoMemorySegment(d, q, NATIVE); c01.intoMemorySegment(d, q + v, NATIVE);
        c02.intoMemorySegment(d, q + 2 * v, NATIVE); c03.intoMemorySegment(d, q + 3 * v, NATIVE);
        q += row;
        c10.intoMemorySegment(d, q, NATIVE); c11.intoMemorySegment(d, q + v, NATIVE);
        c12.intoMemorySegment(d, q + 2 * v, NATIVE); c13.intoMemorySegment(d, q + 3 * v, NATIVE);
        q += row;
        c20.intoMemorySegment(d, q, NATIVE); c21.intoMemorySegment(d, q + v, NATIVE);
        c22.intoMemorySegment(d, q + 2 * v, NATIVE); c23.intoMemorySegment(d, q + 3 * v, NATIVE);
        q += row;
        c30.intoMemorySegment(d, q, NATIVE); c31.intoMemorySegment(d, q + v, NATIVE);
        c32.intoMemorySegment(d, q + 2 * v, NATIVE); c33.intoMemorySegment(d, q + 3 * v, NATIVE);
    }

    /**
     * {@code D(4, 4*blocks (+ 3) vectors) at d0 (leading dimension ldd) = A(4 rows at a0, k) . B(k, same at
     * bFirst)}: {@code blocks} 4x4 blocks side by side, then, when {@code tail > 0}, one 4x3 block whose last
     * vector is vector {@code 4*blocks + tail - 1} (for a tail of 1 or 2 it starts left of the 4x4 blocks'
     * end and recomputes 2 or 1 of their vectors: the same FMA chains, so it rewrites the same bits; the
     * caller passes such a tail only when D is C itself and at least 3 vectors wide). One call for a whole
     * row of blocks: entering a block costs ~25 cycles (segment type checks, bounds set-up, spills, zeroing),
     * a third of a 4x4 block's FMA time at the first conv's k = 9.
     */
    private void block4x4(int k, MemorySegment a, long a0, int aRs, int aCs, MemorySegment b, long bFirst, int ldb,
                          MemorySegment d, long d0, int ldd, int blocks, int tail) {
        final VectorSpecies<Float> sp = species();
        final int L = sp.length();
        final long v = (long) L * Float.BYTES;
        final long row = (long) ldd * Float.BYTES;
        final MemorySegment r0 = aRow(a, a0, k, aCs), r1 = aRow(a, a0 + aRs, k, aCs),
                r2 = aRow(a, a0 + 2L * aRs, k, aCs), r3 = aRow(a, a0 + 3L * aRs, k, aCs);
        final long bs = (long) ldb * Float.BYTES;
        for (int t = 0; t < blocks; t++) {
            final MemorySegment bb = bColumns(b, bFirst + (long) t * 4 * L, k, ldb, 4);
            FloatVector c00 = FloatVector.zero(sp), c01 = c00, c02 = c00, c03 = c00;
            FloatVector c10 = c00, c11 = c00, c12 = c00, c13 = c00;
            FloatVector c20 = c00, c21 = c00, c22 = c00, c23 = c00;
            FloatVector c30 = c00, c31 = c00, c32 = c00, c33 = c00;
            long bq = 0;
            for (int p = 0; p < k; p++, bq += bs) {
                final long ap = aCs == 1 ? p : (long) p * aCs; // unswitched: contiguous A rows get p itself (see aRow)
                FloatVector b0 = FloatVector.fromMemorySegment(sp, bb, bq, NATIVE), b1 = FloatVector.fromMemorySegment(sp, bb, bq + v, NATIVE), b2 = FloatVector.fromMemorySegment(sp, bb, bq + 2 * v, NATIVE), b3 = FloatVector.fromMemorySegment(sp, bb, bq + 3 * v, NATIVE);
                FloatVector x = FloatVector.broadcast(sp, r0.getAtIndex(F, ap));
                c00 = x.fma(b0, c00); c01 = x.fma(b1, c01); c02 = x.fma(b2, c02); c03 = x.fma(b3, c03);
                x = FloatVector.broadcast(sp, r1.getAtIndex(F, ap));
                c10 = x.fma(b0, c10); c11 = x.fma(b1, c11); c12 = x.fma(b2, c12); c13 = x.fma(b3, c13);
                x = FloatVector.broadcast(sp, r2.getAtIndex(F, ap));
                c20 = x.fma(b0, c20); c21 = x.fma(b1, c21); c22 = x.fma(b2, c22); c23 = x.fma(b3, c23);
                x = FloatVector.broadcast(sp, r3.getAtIndex(F, ap));
                c30 = x.fma(b0, c30); c31 = x.fma(b1, c31); c32 = x.fma(b2, c32); c33 = x.fma(b3, c33);
            }
            // Stores written out here: a vector passed to a helper that C2 does not inline gets boxed.
            long q = (d0 + (long) t * 4 * L) * Float.BYTES;
            c00.intoMemorySegment(d, q, NATIVE); c01.intoMemorySegment(d, q + v, NATIVE);
            c02.intoMemorySegment(d, q + 2 * v, NATIVE); c03.intoMemorySegment(d, q + 3 * v, NATIVE);
            q += row;
            c10.intoMemorySegment(d, q, NATIVE); c11.intoMemorySegment(d, q + v, NATIVE);
            c12.intoMemorySegment(d, q + 2 * v, NATIVE); c13.intoMemorySegment(d, q + 3 * v, NATIVE);
            q += row;
            c20.intoMemorySegment(d, q, NATIVE); c21.intoMemorySegment(d, q + v, NATIVE);
            c22.intoMemorySegment(d, q + 2 * v, NATIVE); c23.intoMemorySegment(d, q + 3 * v, NATIVE);
            q += row;
            c30.intoMemorySegment(d, q, NATIVE); c31.intoMemorySegment(d, q + v, NATIVE);
            c32.intoMemorySegment(d, q + 2 * v, NATIVE); c33.intoMemorySegment(d, q + 3 * v, NATIVE);
        }
        if (tail > 0) {
            final long j0 = (long) (4 * blocks + tail - 3) * L;
            block4x3(k, a, a0, aRs, aCs, b, bFirst + j0, ldb, d, d0 + j0, ldd);
        }
    }

    /**
     * {@code D(m, 6 vectors) at d0 (leading dimension ldd) = A(m rows at a0, k) . B(k, 6 vectors at bp)} in row
     * groups of 4, the last group starting at row m - 4 when m % 4 != 0 (it recomputes rows of the group before it:
     * the same FMA chains, so the same bits); the sixth vector at column {@code bp + last} rather than {@code bp + 5 *
     * lanes} ({@code 4 * lanes < last <= 5 * lanes}: it overlaps the fifth and ends at n). A whole 84-wide row group
     * in one block: 24 FMA chains like 6x4, where a 4-vector block and an 8x2 beside it paid two blocks' set-up and
     * stores, which at LeNet's k = 10 and 16 cost as much as their FMAs (NOTES 22.2); all of them in one call for the
     * same reason (see block6x4, NOTES 28.2).
     */
    private void block4x6(int k, int m, MemorySegment a, long aFirst, int aRs, int aCs, MemorySegment b, long bp, int ldb, int last,
                          MemorySegment d, long dFirst, int ldd) {
        final VectorSpecies<Float> sp = species();
        final int L = sp.length();
        final long v = (long) L * Float.BYTES;
        final long vLast = (long) last * Float.BYTES;
        final long row = (long) ldd * Float.BYTES;
        final MemorySegment bb = slice(b, bp * Float.BYTES, ((long) (k - 1) * ldb + last + L) * Float.BYTES);
        final long bs = (long) ldb * Float.BYTES;
        for (int i = 0; i < m; i += 4) {
            final int ii = Math.min(i, m - 4);
            final long a0 = aFirst + (long) ii * aRs;
            final MemorySegment r0 = aRow(a, a0, k, aCs), r1 = aRow(a, a0 + aRs, k, aCs),
                    r2 = aRow(a, a0 + 2L * aRs, k, aCs), r3 = aRow(a, a0 + 3L * aRs, k, aCs);
            FloatVector c00 = FloatVector.zero(sp), c01 = c00, c02 = c00, c03 = c00, c04 = c00, c05 = c00;
            FloatVector c10 = c00, c11 = c00, c12 = c00, c13 = c00, c14 = c00, c15 = c00;
            FloatVector c20 = c00, c21 = c00, c22 = c00, c23 = c00, c24 = c00, c25 = c00;
            FloatVector c30 = c00, c31 = c00, c32 = c00, c33 = c00, c34 = c00, c35 = c00;
            long bq = 0;
            for (int p = 0; p < k; p++, bq += bs) {
                final long ap = aCs == 1 ? p : (long) p * aCs; // see block4x4
                final FloatVector b0 = FloatVector.fromMemorySegment(sp, bb, bq, NATIVE), b1 = FloatVector.fromMemorySegment(sp, bb, bq + v, NATIVE),
                        b2 = FloatVector.fromMemorySegment(sp, bb, bq + 2 * v, NATIVE), b3 = FloatVector.fromMemorySegment(sp, bb, bq + 3 * v, NATIVE),
                        b4 = FloatVector.fromMemorySegment(sp, bb, bq + 4 * v, NATIVE), b5 = FloatVector.fromMemorySegment(sp, bb, bq + vLast, NATIVE);
                FloatVector x = FloatVector.broadcast(sp, r0.getAtIndex(F, ap));
                c00 = x.fma(b0, c00); c01 = x.fma(b1, c01); c02 = x.fma(b2, c02); c03 = x.fma(b3, c03); c04 = x.fma(b4, c04); c05 = x.fma(b5, c05);
                x = FloatVector.broadcast(sp, r1.getAtIndex(F, ap));
                c10 = x.fma(b0, c10); c11 = x.fma(b1, c11); c12 = x.fma(b2, c12); c13 = x.fma(b3, c13); c14 = x.fma(b4, c14); c15 = x.fma(b5, c15);
                x = FloatVector.broadcast(sp, r2.getAtIndex(F, ap));
                c20 = x.fma(b0, c20); c21 = x.fma(b1, c21); c22 = x.fma(b2, c22); c23 = x.fma(b3, c23); c24 = x.fma(b4, c24); c25 = x.fma(b5, c25);
                x = FloatVector.broadcast(sp, r3.getAtIndex(F, ap));
                c30 = x.fma(b0, c30); c31 = x.fma(b1, c31); c32 = x.fma(b2, c32); c33 = x.fma(b3, c33); c34 = x.fma(b4, c34); c35 = x.fma(b5, c35);
            }
            // the fifth and sixth vectors overlap: both hold the same FMA chains there, so the same bits
            long q = (dFirst + (long) ii * ldd) * Float.BYTES;
            c00.intoMemorySegment(d, q, NATIVE); c01.intoMemorySegment(d, q + v, NATIVE); c02.intoMemorySegment(d, q + 2 * v, NATIVE);
            c03.intoMemorySegment(d, q + 3 * v, NATIVE); c04.intoMemorySegment(d, q + 4 * v, NATIVE); c05.intoMemorySegment(d, q + vLast, NATIVE);
            q += row;
            c10.intoMemorySegment(d, q, NATIVE); c11.intoMemorySegment(d, q + v, NATIVE); c12.intoMemorySegment(d, q + 2 * v, NATIVE);
            c13.intoMemorySegment(d, q + 3 * v, NATIVE); c14.intoMemorySegment(d, q + 4 * v, NATIVE); c15.intoMemorySegment(d, q + vLast, NATIVE);
            q += row;
            c20.intoMemorySegment(d, q, NATIVE); c21.intoMemorySegment(d, q + v, NATIVE); c22.intoMemorySegment(d, q + 2 * v, NATIVE);
            c23.intoMemorySegment(d, q + 3 * v, NATIVE); c24.intoMemorySegment(d, q + 4 * v, NATIVE); c25.intoMemorySegment(d, q + vLast, NATIVE);
            q += row;
            c30.intoMemorySegment(d, q, NATIVE); c31.intoMemorySegment(d, q + v, NATIVE); c32.intoMemorySegment(d, q + 2 * v, NATIVE);
            c33.intoMemorySegment(d, q + 3 * v, NATIVE); c34.intoMemorySegment(d, q + 4 * v, NATIVE); c35.intoMemorySegment(d, q + vLast, NATIVE);
        }
    }

    /**
     * Row {@code first} of A, its k elements {@code aCs} apart, as a slice of its own. The blocks read A's rows
     * and B's columns through such slices: C2 then knows each slice's length and the index is the loop
     * counter (times a constant when {@code aCs == 1}, which the {@code aCs == 1 ? p : p * aCs} in the loops
     * turns into a loop of its own), so it checks the bounds once per block instead of per load. Reading the
     * whole segments at {@code a0 + p * aCs} and {@code bp += ldb} kept a compare and branch per load, and at
     * the first conv's k = 9 the 4x4 blocks ran at 0.73x (NOTES 20.1).
     */
    /**
     * {@code s.asSlice(offset, size)}: every slice the kernels take goes through this one call site, so that its type
     * profile, which every caller fills, tells C2 the segment's class and C2 inlines the slice's allocation and then
     * removes it. A call site of its own per block left C2 without a profile where a block was compiled from code
     * that had not collected one (the compile queue on 2 cores sends methods through C1's profile-less tier), and
     * the slices were then allocated: 1,400-3,280 B per LeNet gradient at batch 16 in about half of the JVMs (`dup`
     * "failed to inline: virtual call", NOTES 27.5).
     */
    static MemorySegment slice(MemorySegment s, long offset, long size) {
        return s.asSlice(offset, size);
    }

    private static MemorySegment aRow(MemorySegment a, long first, int k, int aCs) {
        return slice(a, first * Float.BYTES, ((long) (k - 1) * aCs + 1) * Float.BYTES);
    }

    /** B's {@code vectors} columns from {@code bp}, rows 0..k-1 ({@code ldb} floats apart), as a slice; see {@link #aRow}. */
    private MemorySegment bColumns(MemorySegment b, long bp, int k, int ldb, int vectors) {
        return slice(b, bp * Float.BYTES, ((long) (k - 1) * ldb + (long) vectors * species().length()) * Float.BYTES);
    }

    /**
     * {@code D(4, 3 vectors) at d0 (leading dimension ldd) = A(4 rows at a0, k) . B(k, 3 vectors at bp)}: 12
     * FMA chains, throughput-bound, where 4x1 is latency-bound. Its own method: inside block4x4, C1 ran out of
     * registers compiling it and tiered compilation then left block4x4 in C1 code at ~1 % of the speed.
     */
    private void block4x3(int k, MemorySegment a, long a0, int aRs, int aCs, MemorySegment b, long bp, int ldb,
                          MemorySegment d, long d0, int ldd) {
        final VectorSpecies<Float> sp = species();
        final int L = sp.length();
        final long v = (long) L * Float.BYTES;
        final long row = (long) ldd * Float.BYTES;
        final MemorySegment r0 = aRow(a, a0, k, aCs), r1 = aRow(a, a0 + aRs, k, aCs),
                r2 = aRow(a, a0 + 2L * aRs, k, aCs), r3 = aRow(a, a0 + 3L * aRs, k, aCs);
        final MemorySegment bb = bColumns(b, bp, k, ldb, 3);
        final long bs = (long) ldb * Float.BYTES;
        FloatVector c00 = FloatVector.zero(sp), c01 = c00, c02 = c00;
        FloatVector c10 = c00, c11 = c00, c12 = c00;
        FloatVector c20 = c00, c21 = c00, c22 = c00;
        FloatVector c30 = c00, c31 = c00, c32 = c00;
        long bq = 0;
        for (int p = 0; p < k; p++, bq += bs) {
            final long ap = aCs == 1 ? p : (long) p * aCs; // see block4x4
            FloatVector b0 = FloatVector.fromMemorySegment(sp, bb, bq, NATIVE), b1 = FloatVector.fromMemorySegment(sp, bb, bq + v, NATIVE), b2 = FloatVector.fromMemorySegment(sp, bb, bq + 2 * v, NATIVE);
            FloatVector x = FloatVector.broadcast(sp, r0.getAtIndex(F, ap));
            c00 = x.fma(b0, c00); c01 = x.fma(b1, c01); c02 = x.fma(b2, c02);
            x = FloatVector.broadcast(sp, r1.getAtIndex(F, ap));
            c10 = x.fma(b0, c10); c11 = x.fma(b1, c11); c12 = x.fma(b2, c12);
            x = FloatVector.broadcast(sp, r2.getAtIndex(F, ap));
            c20 = x.fma(b0, c20); c21 = x.fma(b1, c21); c22 = x.fma(b2, c22);
            x = FloatVector.broadcast(sp, r3.getAtIndex(F, ap));
            c30 = x.fma(b0, c30); c31 = x.fma(b1, c31); c32 = x.fma(b2, c32);
        }
        long q = d0 * Float.BYTES;
        c00.intoMemorySegment(d, q, NATIVE); c01.intoMemorySegment(d, q + v, NATIVE); c02.intoMemorySegment(d, q + 2 * v, NATIVE);
        q += row;
        c10.intoMemorySegment(d, q, NATIVE); c11.intoMemorySegment(d, q + v, NATIVE); c12.intoMemorySegment(d, q + 2 * v, NATIVE);
        q += row;
        c20.intoMemorySegment(d, q, NATIVE); c21.intoMemorySegment(d, q + v, NATIVE); c22.intoMemorySegment(d, q + 2 * v, NATIVE);
        q += row;
        c30.intoMemorySegment(d, q, NATIVE); c31.intoMemorySegment(d, q + v, NATIVE); c32.intoMemorySegment(d, q + 2 * v, NATIVE);
    }

    /**
     * {@code D(8, 2 vectors) at d0 (leading dimension ldd) = A(8 rows at a0, k) . B(k, 2 vectors at bp)}: 16 FMA
     * chains and 10 loads per 16 FMAs, for column tails of two vectors or more. Before it a tail of two vectors
     * went through two single-vector strips, one load per FMA: the CIFAR CNN's second conv dW, 288 x 32 x 1024,
     * ran at 35 % of the FMA peak, under OpenBLAS (NOTES 20.4). Rows and B through slices, as in block4x4.
     */
    private void block8x2(int k, MemorySegment a, long a0, int aRs, int aCs, MemorySegment b, long bp, int ldb,
                          MemorySegment d, long d0, int ldd) {
        final VectorSpecies<Float> sp = species();
        final long v = (long) sp.length() * Float.BYTES;
        final long row = (long) ldd * Float.BYTES;
        final MemorySegment r0 = aRow(a, a0, k, aCs), r1 = aRow(a, a0 + aRs, k, aCs),
                r2 = aRow(a, a0 + 2L * aRs, k, aCs), r3 = aRow(a, a0 + 3L * aRs, k, aCs),
                r4 = aRow(a, a0 + 4L * aRs, k, aCs), r5 = aRow(a, a0 + 5L * aRs, k, aCs),
                r6 = aRow(a, a0 + 6L * aRs, k, aCs), r7 = aRow(a, a0 + 7L * aRs, k, aCs);
        final MemorySegment bb = bColumns(b, bp, k, ldb, 2);
        final long bs = (long) ldb * Float.BYTES;
        FloatVector c00 = FloatVector.zero(sp), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
        FloatVector c40 = c00, c41 = c00, c50 = c00, c51 = c00, c60 = c00, c61 = c00, c70 = c00, c71 = c00;
        long bq = 0;
        for (int p = 0; p < k; p++, bq += bs) {
            final long ap = aCs == 1 ? p : (long) p * aCs; // see block4x4
            final FloatVector b0 = FloatVector.fromMemorySegment(sp, bb, bq, NATIVE), b1 = FloatVector.fromMemorySegment(sp, bb, bq + v, NATIVE);
            FloatVector x = FloatVector.broadcast(sp, r0.getAtIndex(F, ap));
            c00 = x.fma(b0, c00); c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(sp, r1.getAtIndex(F, ap));
            c10 = x.fma(b0, c10); c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(sp, r2.getAtIndex(F, ap));
            c20 = x.fma(b0, c20); c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(sp, r3.getAtIndex(F, ap));
            c30 = x.fma(b0, c30); c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(sp, r4.getAtIndex(F, ap));
            c40 = x.fma(b0, c40); c41 = x.fma(b1, c41);
            x = FloatVector.broadcast(sp, r5.getAtIndex(F, ap));
            c50 = x.fma(b0, c50); c51 = x.fma(b1, c51);
            x = FloatVector.broadcast(sp, r6.getAtIndex(F, ap));
            c60 = x.fma(b0, c60); c61 = x.fma(b1, c61);
            x = FloatVector.broadcast(sp, r7.getAtIndex(F, ap));
            c70 = x.fma(b0, c70); c71 = x.fma(b1, c71);
        }
        long q = d0 * Float.BYTES;
        c00.intoMemorySegment(d, q, NATIVE); c01.intoMemorySegment(d, q + v, NATIVE);
        q += row;
        c10.intoMemorySegment(d, q, NATIVE); c11.intoMemorySegment(d, q + v, NATIVE);
        q += row;
        c20.intoMemorySegment(d, q, NATIVE); c21.intoMemorySegment(d, q + v, NATIVE);
        q += row;
        c30.intoMemorySegment(d, q, NATIVE); c31.intoMemorySegment(d, q + v, NATIVE);
        q += row;
        c40.intoMemorySegment(d, q, NATIVE); c41.intoMemorySegment(d, q + v, NATIVE);
        q += row;
        c50.intoMemorySegment(d, q, NATIVE); c51.intoMemorySegment(d, q + v, NATIVE);
        q += row;
        c60.intoMemorySegment(d, q, NATIVE); c61.intoMemorySegment(d, q + v, NATIVE);
        q += row;
        c70.intoMemorySegment(d, q, NATIVE); c71.intoMemorySegment(d, q + v, NATIVE);
    }

    /*
     * gemm for a 16-register vector file (SIXTEEN_REGISTERS: AVX2), n of two vectors or more. Column blocks of two
     * vectors, rows in blocks of 5 (block5x2: 10 accumulators, 2 B vectors and a broadcast, 13 registers; 10 FMAs per
     * 2 loads and 5 broadcasts; 10 independent chains cover FMA latency 4 x 2 pipes). Not 6 rows (BLIS's Haswell
     * shape, 15 registers): C2 kept one of its 12 accumulators on the stack in most JVMs, a store and a reload in
     * that chain on every k step, and the block ran at ~46 instead of ~100 GFLOP/s (NOTES 23). The 6x4/4x4 blocks of
     * the 32-register path need 16-24 accumulators and spill the same way.
     * Rows left after the 5-row blocks (m >= 5 here; fewer rows go by gemm's row panel, which measured faster on the
     * first conv's 4 x 688 x 9): 4 or fewer as a 4x2 block (8 chains) moved up as far as needed when C is stored
     * (a 5x2 block moved up instead measured 4-8 % slower: 5 rows' FMAs for the rows left); when C is accumulated (a
     * row must not be added twice) a 4x2 block and then 1x2 rows. The columns' tail
     * is a last pair moved left to end at n (stored C), or the remaining columns (fewer than two vectors) by gemm's
     * single-vector path (accumulated C). A recomputed element is the same FMA chain p = 0..k-1 from zero, so it
     * stores the same bits again.
     * Order: row blocks outer (A's rows stay in L1 while B streams through L2), or column pairs outer when B is past
     * COLUMN_OUTER_MIN_B_BYTES (a pair's k x 2 vectors then serves every row block from L1/L2).
     * Addressing: A's rows through slices (aRow: bounds checked once per block, one register per row), B in place
     * (two checked loads per k step). All in place ran at 45-65 GFLOP/s (a stack reload and a check per broadcast);
     * B through a bColumns slice as well ran faster, but in most JVMs that slice escaped and each block allocated it
     * (40 B); the A slices did not (NOTES 23).
     * Zero allocation as in gemm: no vector crosses a method boundary; accumulated sums go through the staging rows.
     */
    private void gemmPairs(int m, int n, int k, MemorySegment a, long aOff, int aRowStride, int aColStride,
                           MemorySegment b, long bOff, int ldb, MemorySegment c, long cOff, int ldc, boolean accumulate) {
        final int lanes = species().length();
        final int pair = 2 * lanes;
        final int covered = accumulate ? n - n % pair : n; // columns [0, covered) in pairs
        final int pairCount = (covered + pair - 1) / pair;
        final MemorySegment scratch = accumulate ? Scratch.floats(stageFloats(lanes)) : c;
        if ((long) k * ldb * Float.BYTES > COLUMN_OUTER_MIN_B_BYTES) {
            for (int t = 0; t < pairCount; t++) {
                final int j = Math.min(t * pair, n - pair);
                for (int i = 0; i < m; ) {
                    i += pairBlock(i, m, k, a, aOff, aRowStride, aColStride, b, bOff + j, ldb, c, cOff + j, ldc, accumulate, scratch);
                }
            }
        } else {
            for (int i = 0; i < m; ) {
                int rows = 0;
                for (int t = 0; t < pairCount; t++) {
                    final int j = Math.min(t * pair, n - pair);
                    rows = pairBlock(i, m, k, a, aOff, aRowStride, aColStride, b, bOff + j, ldb, c, cOff + j, ldc, accumulate, scratch);
                }
                i += rows;
            }
        }
        if (covered < n) { // accumulated C: the last columns, fewer than two vectors, by the single-vector path
            gemm(m, n - covered, k, a, aOff, aRowStride, aColStride, b, bOff + covered, ldb,
                    c, cOff + covered, ldc, true);
        }
    }

    /**
     * One block of {@link #gemmPairs} starting at row {@code i} of C (column pair at {@code bCol}, {@code cCol}):
     * returns the rows from {@code i} that it has now covered.
     */
    private int pairBlock(int i, int m, int k, MemorySegment a, long aOff, int aRs, int aCs, MemorySegment b, long bCol, int ldb,
                          MemorySegment c, long cCol, int ldc, boolean accumulate, MemorySegment scratch) {
        final int left = m - i;
        final int rows = left >= 5 ? 5 : left >= 4 || !accumulate ? 4 : 1; // m >= 5
        final int i0 = Math.min(i, m - rows); // moved up over rows already done (stored C only)
        final long aRow = aOff + (long) i0 * aRs;
        final MemorySegment d = accumulate ? scratch : c;
        final long d0 = accumulate ? 0 : cCol + (long) i0 * ldc;
        final int ldd = accumulate ? 4 * species().length() : ldc;
        switch (rows) {
            case 5 -> block5x2(k, a, aRow, aRs, aCs, b, bCol, ldb, d, d0, ldd);
            case 4 -> block4x2(k, a, aRow, aRs, aCs, b, bCol, ldb, d, d0, ldd);
            default -> block1x2(k, a, aRow, aCs, b, bCol, ldb, d, d0);
        }
        if (accumulate) {
            addStaged(scratch, 0, ldd, rows, 2, c, cCol + (long) i0 * ldc, ldc);
        }
        return Math.min(rows, left);
    }

    /** {@code D(5, 2 vectors) at d0 (leading dimension ldd) = A(5 rows at a0, k) . B(k, 2 vectors at bp)}: see {@link #gemmPairs}. */
    private void block5x2(int k, MemorySegment a, long a0, int aRs, int aCs, MemorySegment b, long bp, int ldb,
                          MemorySegment d, long d0, int ldd) {
        final VectorSpecies<Float> sp = species();
        final long v = (long) sp.length() * Float.BYTES;
        final long row = (long) ldd * Float.BYTES;
        final MemorySegment r0 = aRow(a, a0, k, aCs), r1 = aRow(a, a0 + aRs, k, aCs), r2 = aRow(a, a0 + 2L * aRs, k, aCs), r3 = aRow(a, a0 + 3L * aRs, k, aCs), r4 = aRow(a, a0 + 4L * aRs, k, aCs);
        final long bs = (long) ldb * Float.BYTES;
        FloatVector c00 = FloatVector.zero(sp), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00, c40 = c00, c41 = c00;
        long bq = bp * Float.BYTES;
        for (int p = 0; p < k; p++, bq += bs) {
            final long ap = aCs == 1 ? p : (long) p * aCs; // see block4x4
            final FloatVector b0 = FloatVector.fromMemorySegment(sp, b, bq, NATIVE), b1 = FloatVector.fromMemorySegment(sp, b, bq + v, NATIVE);
            FloatVector x = FloatVector.broadcast(sp, r0.getAtIndex(F, ap));
            c00 = x.fma(b0, c00); c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(sp, r1.getAtIndex(F, ap));
            c10 = x.fma(b0, c10); c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(sp, r2.getAtIndex(F, ap));
            c20 = x.fma(b0, c20); c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(sp, r3.getAtIndex(F, ap));
            c30 = x.fma(b0, c30); c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(sp, r4.getAtIndex(F, ap));
            c40 = x.fma(b0, c40); c41 = x.fma(b1, c41);
        }
        long q = d0 * Float.BYTES;
        c00.intoMemorySegment(d, q, NATIVE); c01.intoMemorySegment(d, q + v, NATIVE);
        q += row;
        c10.intoMemorySegment(d, q, NATIVE); c11.intoMemorySegment(d, q + v, NATIVE);
        q += row;
        c20.intoMemorySegment(d, q, NATIVE); c21.intoMemorySegment(d, q + v, NATIVE);
        q += row;
        c30.intoMemorySegment(d, q, NATIVE); c31.intoMemorySegment(d, q + v, NATIVE);
        q += row;
        c40.intoMemorySegment(d, q, NATIVE); c41.intoMemorySegment(d, q + v, NATIVE);
    }

    /** {@code D(4, 2 vectors) at d0 = A(4 rows at a0, k) . B(k, 2 vectors at bp)}: 8 chains, rows left after 5-row blocks. */
    private void block4x2(int k, MemorySegment a, long a0, int aRs, int aCs, MemorySegment b, long bp, int ldb,
                          MemorySegment d, long d0, int ldd) {
        final VectorSpecies<Float> sp = species();
        final long v = (long) sp.length() * Float.BYTES;
        final long row = (long) ldd * Float.BYTES;
        final MemorySegment r0 = aRow(a, a0, k, aCs), r1 = aRow(a, a0 + aRs, k, aCs), r2 = aRow(a, a0 + 2L * aRs, k, aCs), r3 = aRow(a, a0 + 3L * aRs, k, aCs);
        final long bs = (long) ldb * Float.BYTES;
        FloatVector c00 = FloatVector.zero(sp), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
        long bq = bp * Float.BYTES;
        for (int p = 0; p < k; p++, bq += bs) {
            final long ap = aCs == 1 ? p : (long) p * aCs; // see block4x4
            final FloatVector b0 = FloatVector.fromMemorySegment(sp, b, bq, NATIVE), b1 = FloatVector.fromMemorySegment(sp, b, bq + v, NATIVE);
            FloatVector x = FloatVector.broadcast(sp, r0.getAtIndex(F, ap));
            c00 = x.fma(b0, c00); c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(sp, r1.getAtIndex(F, ap));
            c10 = x.fma(b0, c10); c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(sp, r2.getAtIndex(F, ap));
            c20 = x.fma(b0, c20); c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(sp, r3.getAtIndex(F, ap));
            c30 = x.fma(b0, c30); c31 = x.fma(b1, c31);
        }
        long q = d0 * Float.BYTES;
        c00.intoMemorySegment(d, q, NATIVE); c01.intoMemorySegment(d, q + v, NATIVE);
        q += row;
        c10.intoMemorySegment(d, q, NATIVE); c11.intoMemorySegment(d, q + v, NATIVE);
        q += row;
        c20.intoMemorySegment(d, q, NATIVE); c21.intoMemorySegment(d, q + v, NATIVE);
        q += row;
        c30.intoMemorySegment(d, q, NATIVE); c31.intoMemorySegment(d, q + v, NATIVE);
    }

    /** {@code D(1, 2 vectors) at d0 = A(row at aRow, k) . B(k, 2 vectors at bp)}. */
    private void block1x2(int k, MemorySegment a, long aRow, int aCs, MemorySegment b, long bp, int ldb, MemorySegment d, long d0) {
        final VectorSpecies<Float> sp = species();
        final int L = sp.length();
        FloatVector c0 = FloatVector.zero(sp), c1 = c0;
        for (int p = 0; p < k; p++, bp += ldb) {
            final FloatVector x = FloatVector.broadcast(sp, a.getAtIndex(F, aRow + (long) p * aCs));
            c0 = x.fma(FloatVector.fromMemorySegment(sp, b, bp * Float.BYTES, NATIVE), c0);
            c1 = x.fma(FloatVector.fromMemorySegment(sp, b, (bp + L) * Float.BYTES, NATIVE), c1);
        }
        final long q = d0 * Float.BYTES;
        c0.intoMemorySegment(d, q, NATIVE);
        c1.intoMemorySegment(d, q + (long) L * Float.BYTES, NATIVE);
    }

    /** {@code D(4, 1 vector) at d0 = A(4 rows at a0, k) . B(k, 1 vector at bp)}. */
    private void block4x1(int k, MemorySegment a, long a0, int aRs, int aCs, MemorySegment b, long bp, int ldb,
                          MemorySegment d, long d0, int ldd) {
        final VectorSpecies<Float> sp = species();
        FloatVector c0 = FloatVector.zero(sp), c1 = c0, c2 = c0, c3 = c0;
        final long a1 = a0 + aRs, a2 = a1 + aRs, a3 = a2 + aRs;
        for (int p = 0; p < k; p++, bp += ldb) {
            final long ap = (long) p * aCs;
            FloatVector b0 = FloatVector.fromMemorySegment(sp, b, bp * Float.BYTES, NATIVE);
            c0 = FloatVector.broadcast(sp, a.getAtIndex(F, a0 + ap)).fma(b0, c0);
            c1 = FloatVector.broadcast(sp, a.getAtIndex(F, a1 + ap)).fma(b0, c1);
            c2 = FloatVector.broadcast(sp, a.getAtIndex(F, a2 + ap)).fma(b0, c2);
            c3 = FloatVector.broadcast(sp, a.getAtIndex(F, a3 + ap)).fma(b0, c3);
        }
        final long row = (long) ldd * Float.BYTES;
        final long q = d0 * Float.BYTES;
        c0.intoMemorySegment(d, q, NATIVE); c1.intoMemorySegment(d, q + row, NATIVE);
        c2.intoMemorySegment(d, q + 2 * row, NATIVE); c3.intoMemorySegment(d, q + 3 * row, NATIVE);
    }

    /** {@code D(8, 1 vector) at d0 = A(8 rows at a0, k) . B(k, 1 vector at bp)}. */
    private void block8x1(int k, MemorySegment a, long a0, int aRs, int aCs, MemorySegment b, long bp, int ldb,
                          MemorySegment d, long d0, int ldd) {
        final VectorSpecies<Float> sp = species();
        FloatVector c0 = FloatVector.zero(sp), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0, c6 = c0, c7 = c0;
        final long a1 = a0 + aRs, a2 = a1 + aRs, a3 = a2 + aRs, a4 = a3 + aRs, a5 = a4 + aRs, a6 = a5 + aRs, a7 = a6 + aRs;
        for (int p = 0; p < k; p++, bp += ldb) {
            final long ap = (long) p * aCs;
            FloatVector b0 = FloatVector.fromMemorySegment(sp, b, bp * Float.BYTES, NATIVE);
            c0 = FloatVector.broadcast(sp, a.getAtIndex(F, a0 + ap)).fma(b0, c0);
            c1 = FloatVector.broadcast(sp, a.getAtIndex(F, a1 + ap)).fma(b0, c1);
            c2 = FloatVector.broadcast(sp, a.getAtIndex(F, a2 + ap)).fma(b0, c2);
            c3 = FloatVector.broadcast(sp, a.getAtIndex(F, a3 + ap)).fma(b0, c3);
            c4 = FloatVector.broadcast(sp, a.getAtIndex(F, a4 + ap)).fma(b0, c4);
            c5 = FloatVector.broadcast(sp, a.getAtIndex(F, a5 + ap)).fma(b0, c5);
            c6 = FloatVector.broadcast(sp, a.getAtIndex(F, a6 + ap)).fma(b0, c6);
            c7 = FloatVector.broadcast(sp, a.getAtIndex(F, a7 + ap)).fma(b0, c7);
        }
        final long row = (long) ldd * Float.BYTES;
        final long q = d0 * Float.BYTES;
        c0.intoMemorySegment(d, q, NATIVE); c1.intoMemorySegment(d, q + row, NATIVE);
        c2.intoMemorySegment(d, q + 2 * row, NATIVE); c3.intoMemorySegment(d, q + 3 * row, NATIVE);
        c4.intoMemorySegment(d, q + 4 * row, NATIVE); c5.intoMemorySegment(d, q + 5 * row, NATIVE);
        c6.intoMemorySegment(d, q + 6 * row, NATIVE); c7.intoMemorySegment(d, q + 7 * row, NATIVE);
    }

    /**
     * The single-vector block of {@code rows} (8 to 11) rows, in one of three forms chosen by A's layout:
     * rows contiguous along k ({@link #stripRows8x1}), A read transposed with the strip inside one vector
     * ({@link #stripColumn8x1}), else broadcasts from memory ({@link #block8x1}). Each form's 9-11 row
     * methods are unrolled copies on purpose: accumulators must be named locals (an array of vectors is boxed).
     */
    private void blockStrip1(int rows, int k, MemorySegment a, long a0, int aRs, int aCs, MemorySegment b, long bp, int ldb,
                             MemorySegment d, long d0, int ldd) {
        if (aCs == 1) {
            switch (rows) {
                case 8 -> stripRows8x1(k, a, a0, aRs, b, bp, ldb, d, d0, ldd);
                case 9 -> stripRows9x1(k, a, a0, aRs, b, bp, ldb, d, d0, ldd);
                case 10 -> stripRows10x1(k, a, a0, aRs, b, bp, ldb, d, d0, ldd);
                case 11 -> stripRows11x1(k, a, a0, aRs, b, bp, ldb, d, d0, ldd);
                default -> throw new IllegalArgumentException("strip of " + rows + " rows");
            }
            return;
        }
        if (aRs == 1 && rows <= species().length() && a0 + (long) (k - 1) * aCs + species().length() <= a.byteSize() / Float.BYTES) {
            switch (rows) {
                case 8 -> stripColumn8x1(k, a, a0, aCs, b, bp, ldb, d, d0, ldd);
                case 9 -> stripColumn9x1(k, a, a0, aCs, b, bp, ldb, d, d0, ldd);
                case 10 -> stripColumn10x1(k, a, a0, aCs, b, bp, ldb, d, d0, ldd);
                case 11 -> stripColumn11x1(k, a, a0, aCs, b, bp, ldb, d, d0, ldd);
                default -> throw new IllegalArgumentException("strip of " + rows + " rows");
            }
            return;
        }
        switch (rows) {
            case 8 -> block8x1(k, a, a0, aRs, aCs, b, bp, ldb, d, d0, ldd);
            case 9 -> block9x1(k, a, a0, aRs, aCs, b, bp, ldb, d, d0, ldd);
            case 10 -> block10x1(k, a, a0, aRs, aCs, b, bp, ldb, d, d0, ldd);
            case 11 -> block11x1(k, a, a0, aRs, aCs, b, bp, ldb, d, d0, ldd);
            default -> throw new IllegalArgumentException("strip of " + rows + " rows");
        }
    }

    /*
     * Single-vector strips with A's rows contiguous along k (aCs == 1: the conv dW, the 10-wide forward).
     * block8x1 and its copies broadcast each A element from memory through the whole segment: one bounds
     * check and one address computation per FMA, with 8-11 row addresses live, which C2 kept in XMM
     * registers and moved back per use (~7 instructions per FMA, ~89 GFLOP/s on the 9x16x688 conv dW, NOTES
     * 16.11). NOTES 16.11 then loaded L elements of a row as one vector and took each step's lane with a
     * permute (vpermps): a vector-pipe instruction per FMA, ~60 % of the FMA peak on Zen 5. Here each row is
     * a slice of its k elements, indexed by the loop counter, so C2 proves every read in range once per
     * strip (range check elimination) and a broadcast from memory is one instruction, which Zen 5 runs on
     * a load pipe (NOTES 19.2: 8 rows 1.24-1.32x the permutes; with 9-11 rows some row addresses live on the
     * stack, one more load each, still ahead). B is one slice for the strip: one check for all k loads.
     * The FMA chain per output element is unchanged (p = 0..k-1 from zero, the same A and B values), so
     * results stay bit-identical to ScalarKernels.
     */
    /** {@link #blockStrip1} of 8 rows for A rows contiguous along k ({@code aCs == 1}): memory broadcasts from one slice per row (see above). */
    private void stripRows8x1(int k, MemorySegment a, long a0, int aRs, MemorySegment b, long bp, int ldb,
                               MemorySegment d, long d0, int ldd) {
        final VectorSpecies<Float> sp = species();
        final long kb = (long) k * Float.BYTES;
        final MemorySegment r0 = slice(a, a0 * Float.BYTES, kb), r1 = slice(a, (a0 + aRs) * Float.BYTES, kb),
                r2 = slice(a, (a0 + 2L * aRs) * Float.BYTES, kb), r3 = slice(a, (a0 + 3L * aRs) * Float.BYTES, kb),
                r4 = slice(a, (a0 + 4L * aRs) * Float.BYTES, kb), r5 = slice(a, (a0 + 5L * aRs) * Float.BYTES, kb),
                r6 = slice(a, (a0 + 6L * aRs) * Float.BYTES, kb), r7 = slice(a, (a0 + 7L * aRs) * Float.BYTES, kb);
        final long bs = (long) ldb * Float.BYTES;
        final MemorySegment bStrip = slice(b, bp * Float.BYTES, (k - 1) * bs + (long) sp.length() * Float.BYTES);
        FloatVector c0 = FloatVector.zero(sp), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0, c6 = c0, c7 = c0;
        long bq = 0;
        for (int p = 0; p < k; p++, bq += bs) {
            final FloatVector b0 = FloatVector.fromMemorySegment(sp, bStrip, bq, NATIVE);
            c0 = FloatVector.broadcast(sp, r0.getAtIndex(F, p)).fma(b0, c0);
            c1 = FloatVector.broadcast(sp, r1.getAtIndex(F, p)).fma(b0, c1);
            c2 = FloatVector.broadcast(sp, r2.getAtIndex(F, p)).fma(b0, c2);
            c3 = FloatVector.broadcast(sp, r3.getAtIndex(F, p)).fma(b0, c3);
            c4 = FloatVector.broadcast(sp, r4.getAtIndex(F, p)).fma(b0, c4);
            c5 = FloatVector.broadcast(sp, r5.getAtIndex(F, p)).fma(b0, c5);
            c6 = FloatVector.broadcast(sp, r6.getAtIndex(F, p)).fma(b0, c6);
            c7 = FloatVector.broadcast(sp, r7.getAtIndex(F, p)).fma(b0, c7);
        }
        final long row = (long) ldd * Float.BYTES;
        final long o = d0 * Float.BYTES;
        c0.intoMemorySegment(d, o, NATIVE); c1.intoMemorySegment(d, o + row, NATIVE); c2.intoMemorySegment(d, o + 2 * row, NATIVE);
        c3.intoMemorySegment(d, o + 3 * row, NATIVE); c4.intoMemorySegment(d, o + 4 * row, NATIVE); c5.intoMemorySegment(d, o + 5 * row, NATIVE);
        c6.intoMemorySegment(d, o + 6 * row, NATIVE); c7.intoMemorySegment(d, o + 7 * row, NATIVE);
    }

    /** {@link #stripRows8x1} with 9 rows. */
    private void stripRows9x1(int k, MemorySegment a, long a0, int aRs, MemorySegment b, long bp, int ldb,
                               MemorySegment d, long d0, int ldd) {
        final VectorSpecies<Float> sp = species();
        final long kb = (long) k * Float.BYTES;
        final MemorySegment r0 = slice(a, a0 * Float.BYTES, kb), r1 = slice(a, (a0 + aRs) * Float.BYTES, kb),
                r2 = slice(a, (a0 + 2L * aRs) * Float.BYTES, kb), r3 = slice(a, (a0 + 3L * aRs) * Float.BYTES, kb),
                r4 = slice(a, (a0 + 4L * aRs) * Float.BYTES, kb), r5 = slice(a, (a0 + 5L * aRs) * Float.BYTES, kb),
                r6 = slice(a, (a0 + 6L * aRs) * Float.BYTES, kb), r7 = slice(a, (a0 + 7L * aRs) * Float.BYTES, kb),
                r8 = slice(a, (a0 + 8L * aRs) * Float.BYTES, kb);
        final long bs = (long) ldb * Float.BYTES;
        final MemorySegment bStrip = slice(b, bp * Float.BYTES, (k - 1) * bs + (long) sp.length() * Float.BYTES);
        FloatVector c0 = FloatVector.zero(sp), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0, c6 = c0, c7 = c0, c8 = c0;
        long bq = 0;
        for (int p = 0; p < k; p++, bq += bs) {
            final FloatVector b0 = FloatVector.fromMemorySegment(sp, bStrip, bq, NATIVE);
            c0 = FloatVector.broadcast(sp, r0.getAtIndex(F, p)).fma(b0, c0);
            c1 = FloatVector.broadcast(sp, r1.getAtIndex(F, p)).fma(b0, c1);
            c2 = FloatVector.broadcast(sp, r2.getAtIndex(F, p)).fma(b0, c2);
            c3 = FloatVector.broadcast(sp, r3.getAtIndex(F, p)).fma(b0, c3);
            c4 = FloatVector.broadcast(sp, r4.getAtIndex(F, p)).fma(b0, c4);
            c5 = FloatVector.broadcast(sp, r5.getAtIndex(F, p)).fma(b0, c5);
            c6 = FloatVector.broadcast(sp, r6.getAtIndex(F, p)).fma(b0, c6);
            c7 = FloatVector.broadcast(sp, r7.getAtIndex(F, p)).fma(b0, c7);
            c8 = FloatVector.broadcast(sp, r8.getAtIndex(F, p)).fma(b0, c8);
        }
        final long row = (long) ldd * Float.BYTES;
        final long o = d0 * Float.BYTES;
        c0.intoMemorySegment(d, o, NATIVE); c1.intoMemorySegment(d, o + row, NATIVE); c2.intoMemorySegment(d, o + 2 * row, NATIVE);
        c3.intoMemorySegment(d, o + 3 * row, NATIVE); c4.intoMemorySegment(d, o + 4 * row, NATIVE); c5.intoMemorySegment(d, o + 5 * row, NATIVE);
        c6.intoMemorySegment(d, o + 6 * row, NATIVE); c7.intoMemorySegment(d, o + 7 * row, NATIVE); c8.intoMemorySegment(d, o + 8 * row, NATIVE);
    }

    /** {@link #stripRows8x1} with 10 rows. */
    private void stripRows10x1(int k, MemorySegment a, long a0, int aRs, MemorySegment b, long bp, int ldb,
                               MemorySegment d, long d0, int ldd) {
        final VectorSpecies<Float> sp = species();
        final long kb = (long) k * Float.BYTES;
        final MemorySegment r0 = slice(a, a0 * Float.BYTES, kb), r1 = slice(a, (a0 + aRs) * Float.BYTES, kb),
                r2 = slice(a, (a0 + 2L * aRs) * Float.BYTES, kb), r3 = slice(a, (a0 + 3L * aRs) * Float.BYTES, kb),
                r4 = slice(a, (a0 + 4L * aRs) * Float.BYTES, kb), r5 = slice(a, (a0 + 5L * aRs) * Float.BYTES, kb),
                r6 = slice(a, (a0 + 6L * aRs) * Float.BYTES, kb), r7 = slice(a, (a0 + 7L * aRs) * Float.BYTES, kb),
                r8 = slice(a, (a0 + 8L * aRs) * Float.BYTES, kb), r9 = slice(a, (a0 + 9L * aRs) * Float.BYTES, kb);
        final long bs = (long) ldb * Float.BYTES;
        final MemorySegment bStrip = slice(b, bp * Float.BYTES, (k - 1) * bs + (long) sp.length() * Float.BYTES);
        FloatVector c0 = FloatVector.zero(sp), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0, c6 = c0, c7 = c0, c8 = c0, c9 = c0;
        long bq = 0;
        for (int p = 0; p < k; p++, bq += bs) {
            final FloatVector b0 = FloatVector.fromMemorySegment(sp, bStrip, bq, NATIVE);
            c0 = FloatVector.broadcast(sp, r0.getAtIndex(F, p)).fma(b0, c0);
            c1 = FloatVector.broadcast(sp, r1.getAtIndex(F, p)).fma(b0, c1);
            c2 = FloatVector.broadcast(sp, r2.getAtIndex(F, p)).fma(b0, c2);
            c3 = FloatVector.broadcast(sp, r3.getAtIndex(F, p)).fma(b0, c3);
            c4 = FloatVector.broadcast(sp, r4.getAtIndex(F, p)).fma(b0, c4);
            c5 = FloatVector.broadcast(sp, r5.getAtIndex(F, p)).fma(b0, c5);
            c6 = FloatVector.broadcast(sp, r6.getAtIndex(F, p)).fma(b0, c6);
            c7 = FloatVector.broadcast(sp, r7.getAtIndex(F, p)).fma(b0, c7);
            c8 = FloatVector.broadcast(sp, r8.getAtIndex(F, p)).fma(b0, c8);
            c9 = FloatVector.broadcast(sp, r9.getAtIndex(F, p)).fma(b0, c9);
        }
        final long row = (long) ldd * Float.BYTES;
        final long o = d0 * Float.BYTES;
        c0.intoMemorySegment(d, o, NATIVE); c1.intoMemorySegment(d, o + row, NATIVE); c2.intoMemorySegment(d, o + 2 * row, NATIVE);
        c3.intoMemorySegment(d, o + 3 * row, NATIVE); c4.intoMemorySegment(d, o + 4 * row, NATIVE); c5.intoMemorySegment(d, o + 5 * row, NATIVE);
        c6.intoMemorySegment(d, o + 6 * row, NATIVE); c7.intoMemorySegment(d, o + 7 * row, NATIVE); c8.intoMemorySegment(d, o + 8 * row, NATIVE);
        c9.intoMemorySegment(d, o + 9 * row, NATIVE);
    }

    /** {@link #stripRows8x1} with 11 rows. */
    private void stripRows11x1(int k, MemorySegment a, long a0, int aRs, MemorySegment b, long bp, int ldb,
                               MemorySegment d, long d0, int ldd) {
        final VectorSpecies<Float> sp = species();
        final long kb = (long) k * Float.BYTES;
        final MemorySegment r0 = slice(a, a0 * Float.BYTES, kb), r1 = slice(a, (a0 + aRs) * Float.BYTES, kb),
                r2 = slice(a, (a0 + 2L * aRs) * Float.BYTES, kb), r3 = slice(a, (a0 + 3L * aRs) * Float.BYTES, kb),
                r4 = slice(a, (a0 + 4L * aRs) * Float.BYTES, kb), r5 = slice(a, (a0 + 5L * aRs) * Float.BYTES, kb),
                r6 = slice(a, (a0 + 6L * aRs) * Float.BYTES, kb), r7 = slice(a, (a0 + 7L * aRs) * Float.BYTES, kb),
                r8 = slice(a, (a0 + 8L * aRs) * Float.BYTES, kb), r9 = slice(a, (a0 + 9L * aRs) * Float.BYTES, kb),
                r10 = slice(a, (a0 + 10L * aRs) * Float.BYTES, kb);
        final long bs = (long) ldb * Float.BYTES;
        final MemorySegment bStrip = slice(b, bp * Float.BYTES, (k - 1) * bs + (long) sp.length() * Float.BYTES);
        FloatVector c0 = FloatVector.zero(sp), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0, c6 = c0, c7 = c0, c8 = c0, c9 = c0, c10 = c0;
        long bq = 0;
        for (int p = 0; p < k; p++, bq += bs) {
            final FloatVector b0 = FloatVector.fromMemorySegment(sp, bStrip, bq, NATIVE);
            c0 = FloatVector.broadcast(sp, r0.getAtIndex(F, p)).fma(b0, c0);
            c1 = FloatVector.broadcast(sp, r1.getAtIndex(F, p)).fma(b0, c1);
            c2 = FloatVector.broadcast(sp, r2.getAtIndex(F, p)).fma(b0, c2);
            c3 = FloatVector.broadcast(sp, r3.getAtIndex(F, p)).fma(b0, c3);
            c4 = FloatVector.broadcast(sp, r4.getAtIndex(F, p)).fma(b0, c4);
            c5 = FloatVector.broadcast(sp, r5.getAtIndex(F, p)).fma(b0, c5);
            c6 = FloatVector.broadcast(sp, r6.getAtIndex(F, p)).fma(b0, c6);
            c7 = FloatVector.broadcast(sp, r7.getAtIndex(F, p)).fma(b0, c7);
            c8 = FloatVector.broadcast(sp, r8.getAtIndex(F, p)).fma(b0, c8);
            c9 = FloatVector.broadcast(sp, r9.getAtIndex(F, p)).fma(b0, c9);
            c10 = FloatVector.broadcast(sp, r10.getAtIndex(F, p)).fma(b0, c10);
        }
        final long row = (long) ldd * Float.BYTES;
        final long o = d0 * Float.BYTES;
        c0.intoMemorySegment(d, o, NATIVE); c1.intoMemorySegment(d, o + row, NATIVE); c2.intoMemorySegment(d, o + 2 * row, NATIVE);
        c3.intoMemorySegment(d, o + 3 * row, NATIVE); c4.intoMemorySegment(d, o + 4 * row, NATIVE); c5.intoMemorySegment(d, o + 5 * row, NATIVE);
        c6.intoMemorySegment(d, o + 6 * row, NATIVE); c7.intoMemorySegment(d, o + 7 * row, NATIVE); c8.intoMemorySegment(d, o + 8 * row, NATIVE);
        c9.intoMemorySegment(d, o + 9 * row, NATIVE); c10.intoMemorySegment(d, o + 10 * row, NATIVE);
    }

    /*
     * The same strips for A read transposed (aRs == 1: the 10-wide output layer's dW at batch 16, k = 16,
     * too short for the transposed path): a strip's rows i..i+rows-1 at step p are consecutive floats,
     * one vector load per step, and row r takes lane r with a permute. Only where a strip fits one
     * vector (rows <= lanes) and the last step's whole vector lies inside A's segment.
     */
    /** {@link #blockStrip1} of 8 rows for A read transposed ({@code aRs == 1}); see {@link #stripColumn8x1}. */
    private void stripColumn8x1(int k, MemorySegment a, long a0, int aCs, MemorySegment b, long bp, int ldb,
                                MemorySegment d, long d0, int ldd) {
        final VectorSpecies<Float> sp = species();
        final VectorShuffle<Float>[] lane = laneShuffles;
        final VectorShuffle<Float> s0 = lane[0], s1 = lane[1], s2 = lane[2], s3 = lane[3], s4 = lane[4], s5 = lane[5], s6 = lane[6], s7 = lane[7];
        FloatVector c0 = FloatVector.zero(sp), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0, c6 = c0, c7 = c0;
        final long as = (long) aCs * Float.BYTES;
        final long bs = (long) ldb * Float.BYTES;
        long aq = a0 * Float.BYTES;
        long bq = bp * Float.BYTES;
        for (int p = 0; p < k; p++, aq += as, bq += bs) {
            final FloatVector x = FloatVector.fromMemorySegment(sp, a, aq, NATIVE);
            final FloatVector b0 = FloatVector.fromMemorySegment(sp, b, bq, NATIVE);
            c0 = x.rearrange(s0).fma(b0, c0); c1 = x.rearrange(s1).fma(b0, c1); c2 = x.rearrange(s2).fma(b0, c2);
            c3 = x.rearrange(s3).fma(b0, c3); c4 = x.rearrange(s4).fma(b0, c4); c5 = x.rearrange(s5).fma(b0, c5);
            c6 = x.rearrange(s6).fma(b0, c6); c7 = x.rearrange(s7).fma(b0, c7);
        }
        final long row = (long) ldd * Float.BYTES;
        final long o = d0 * Float.BYTES;
        c0.intoMemorySegment(d, o, NATIVE); c1.intoMemorySegment(d, o + row, NATIVE);
        c2.intoMemorySegment(d, o + 2 * row, NATIVE); c3.intoMemorySegment(d, o + 3 * row, NATIVE);
        c4.intoMemorySegment(d, o + 4 * row, NATIVE); c5.intoMemorySegment(d, o + 5 * row, NATIVE);
        c6.intoMemorySegment(d, o + 6 * row, NATIVE); c7.intoMemorySegment(d, o + 7 * row, NATIVE);
    }

    /** {@link #blockStrip1} of 9 rows for A read transposed ({@code aRs == 1}); see {@link #stripColumn8x1}. */
    private void stripColumn9x1(int k, MemorySegment a, long a0, int aCs, MemorySegment b, long bp, int ldb,
                                MemorySegment d, long d0, int ldd) {
        final VectorSpecies<Float> sp = species();
        final VectorShuffle<Float>[] lane = laneShuffles;
        final VectorShuffle<Float> s0 = lane[0], s1 = lane[1], s2 = lane[2], s3 = lane[3], s4 = lane[4], s5 = lane[5], s6 = lane[6], s7 = lane[7], s8 = lane[8];
        FloatVector c0 = FloatVector.zero(sp), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0, c6 = c0, c7 = c0, c8 = c0;
        final long as = (long) aCs * Float.BYTES;
        final long bs = (long) ldb * Float.BYTES;
        long aq = a0 * Float.BYTES;
        long bq = bp * Float.BYTES;
        for (int p = 0; p < k; p++, aq += as, bq += bs) {
            final FloatVector x = FloatVector.fromMemorySegment(sp, a, aq, NATIVE);
            final FloatVector b0 = FloatVector.fromMemorySegment(sp, b, bq, NATIVE);
            c0 = x.rearrange(s0).fma(b0, c0); c1 = x.rearrange(s1).fma(b0, c1); c2 = x.rearrange(s2).fma(b0, c2);
            c3 = x.rearrange(s3).fma(b0, c3); c4 = x.rearrange(s4).fma(b0, c4); c5 = x.rearrange(s5).fma(b0, c5);
            c6 = x.rearrange(s6).fma(b0, c6); c7 = x.rearrange(s7).fma(b0, c7); c8 = x.rearrange(s8).fma(b0, c8);
        }
        final long row = (long) ldd * Float.BYTES;
        final long o = d0 * Float.BYTES;
        c0.intoMemorySegment(d, o, NATIVE); c1.intoMemorySegment(d, o + row, NATIVE);
        c2.intoMemorySegment(d, o + 2 * row, NATIVE); c3.intoMemorySegment(d, o + 3 * row, NATIVE);
        c4.intoMemorySegment(d, o + 4 * row, NATIVE); c5.intoMemorySegment(d, o + 5 * row, NATIVE);
        c6.intoMemorySegment(d, o + 6 * row, NATIVE); c7.intoMemorySegment(d, o + 7 * row, NATIVE);
        c8.intoMemorySegment(d, o + 8 * row, NATIVE);
    }

    /** {@link #blockStrip1} of 10 rows for A read transposed ({@code aRs == 1}); see {@link #stripColumn8x1}. */
    private void stripColumn10x1(int k, MemorySegment a, long a0, int aCs, MemorySegment b, long bp, int ldb,
                                MemorySegment d, long d0, int ldd) {
        final VectorSpecies<Float> sp = species();
        final VectorShuffle<Float>[] lane = laneShuffles;
        final VectorShuffle<Float> s0 = lane[0], s1 = lane[1], s2 = lane[2], s3 = lane[3], s4 = lane[4], s5 = lane[5], s6 = lane[6], s7 = lane[7], s8 = lane[8], s9 = lane[9];
        FloatVector c0 = FloatVector.zero(sp), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0, c6 = c0, c7 = c0, c8 = c0, c9 = c0;
        final long as = (long) aCs * Float.BYTES;
        final long bs = (long) ldb * Float.BYTES;
        long aq = a0 * Float.BYTES;
        long bq = bp * Float.BYTES;
        for (int p = 0; p < k; p++, aq += as, bq += bs) {
            final FloatVector x = FloatVector.fromMemorySegment(sp, a, aq, NATIVE);
            final FloatVector b0 = FloatVector.fromMemorySegment(sp, b, bq, NATIVE);
            c0 = x.rearrange(s0).fma(b0, c0); c1 = x.rearrange(s1).fma(b0, c1); c2 = x.rearrange(s2).fma(b0, c2);
            c3 = x.rearrange(s3).fma(b0, c3); c4 = x.rearrange(s4).fma(b0, c4); c5 = x.rearrange(s5).fma(b0, c5);
            c6 = x.rearrange(s6).fma(b0, c6); c7 = x.rearrange(s7).fma(b0, c7); c8 = x.rearrange(s8).fma(b0, c8);
            c9 = x.rearrange(s9).fma(b0, c9);
        }
        final long row = (long) ldd * Float.BYTES;
        final long o = d0 * Float.BYTES;
        c0.intoMemorySegment(d, o, NATIVE); c1.intoMemorySegment(d, o + row, NATIVE);
        c2.intoMemorySegment(d, o + 2 * row, NATIVE); c3.intoMemorySegment(d, o + 3 * row, NATIVE);
        c4.intoMemorySegment(d, o + 4 * row, NATIVE); c5.intoMemorySegment(d, o + 5 * row, NATIVE);
        c6.intoMemorySegment(d, o + 6 * row, NATIVE); c7.intoMemorySegment(d, o + 7 * row, NATIVE);
        c8.intoMemorySegment(d, o + 8 * row, NATIVE); c9.intoMemorySegment(d, o + 9 * row, NATIVE);
    }

    /** {@link #blockStrip1} of 11 rows for A read transposed ({@code aRs == 1}); see {@link #stripColumn8x1}. */
    private void stripColumn11x1(int k, MemorySegment a, long a0, int aCs, MemorySegment b, long bp, int ldb,
                                MemorySegment d, long d0, int ldd) {
        final VectorSpecies<Float> sp = species();
        final VectorShuffle<Float>[] lane = laneShuffles;
        final VectorShuffle<Float> s0 = lane[0], s1 = lane[1], s2 = lane[2], s3 = lane[3], s4 = lane[4], s5 = lane[5], s6 = lane[6], s7 = lane[7], s8 = lane[8], s9 = lane[9], s10 = lane[10];
        FloatVector c0 = FloatVector.zero(sp), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0, c6 = c0, c7 = c0, c8 = c0, c9 = c0, c10 = c0;
        final long as = (long) aCs * Float.BYTES;
        final long bs = (long) ldb * Float.BYTES;
        long aq = a0 * Float.BYTES;
        long bq = bp * Float.BYTES;
        for (int p = 0; p < k; p++, aq += as, bq += bs) {
            final FloatVector x = FloatVector.fromMemorySegment(sp, a, aq, NATIVE);
            final FloatVector b0 = FloatVector.fromMemorySegment(sp, b, bq, NATIVE);
            c0 = x.rearrange(s0).fma(b0, c0); c1 = x.rearrange(s1).fma(b0, c1); c2 = x.rearrange(s2).fma(b0, c2);
            c3 = x.rearrange(s3).fma(b0, c3); c4 = x.rearrange(s4).fma(b0, c4); c5 = x.rearrange(s5).fma(b0, c5);
            c6 = x.rearrange(s6).fma(b0, c6); c7 = x.rearrange(s7).fma(b0, c7); c8 = x.rearrange(s8).fma(b0, c8);
            c9 = x.rearrange(s9).fma(b0, c9); c10 = x.rearrange(s10).fma(b0, c10);
        }
        final long row = (long) ldd * Float.BYTES;
        final long o = d0 * Float.BYTES;
        c0.intoMemorySegment(d, o, NATIVE); c1.intoMemorySegment(d, o + row, NATIVE);
        c2.intoMemorySegment(d, o + 2 * row, NATIVE); c3.intoMemorySegment(d, o + 3 * row, NATIVE);
        c4.intoMemorySegment(d, o + 4 * row, NATIVE); c5.intoMemorySegment(d, o + 5 * row, NATIVE);
        c6.intoMemorySegment(d, o + 6 * row, NATIVE); c7.intoMemorySegment(d, o + 7 * row, NATIVE);
        c8.intoMemorySegment(d, o + 8 * row, NATIVE); c9.intoMemorySegment(d, o + 9 * row, NATIVE);
        c10.intoMemorySegment(d, o + 10 * row, NATIVE);
    }

    /** {@code D(9, 1 vector) at d0 = A(9 rows at a0, k) . B(k, 1 vector at bp)}: a row-strip remainder folded into a strip of 8. */
    private void block9x1(int k, MemorySegment a, long a0, int aRs, int aCs, MemorySegment b, long bp, int ldb,
                          MemorySegment d, long d0, int ldd) {
        final VectorSpecies<Float> sp = species();
        FloatVector c0 = FloatVector.zero(sp), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0, c6 = c0, c7 = c0, c8 = c0;
        final long a1 = a0 + aRs, a2 = a1 + aRs, a3 = a2 + aRs, a4 = a3 + aRs, a5 = a4 + aRs, a6 = a5 + aRs, a7 = a6 + aRs, a8 = a7 + aRs;
        for (int p = 0; p < k; p++, bp += ldb) {
            final long ap = (long) p * aCs;
            FloatVector b0 = FloatVector.fromMemorySegment(sp, b, bp * Float.BYTES, NATIVE);
            c0 = FloatVector.broadcast(sp, a.getAtIndex(F, a0 + ap)).fma(b0, c0);
            c1 = FloatVector.broadcast(sp, a.getAtIndex(F, a1 + ap)).fma(b0, c1);
            c2 = FloatVector.broadcast(sp, a.getAtIndex(F, a2 + ap)).fma(b0, c2);
            c3 = FloatVector.broadcast(sp, a.getAtIndex(F, a3 + ap)).fma(b0, c3);
            c4 = FloatVector.broadcast(sp, a.getAtIndex(F, a4 + ap)).fma(b0, c4);
            c5 = FloatVector.broadcast(sp, a.getAtIndex(F, a5 + ap)).fma(b0, c5);
            c6 = FloatVector.broadcast(sp, a.getAtIndex(F, a6 + ap)).fma(b0, c6);
            c7 = FloatVector.broadcast(sp, a.getAtIndex(F, a7 + ap)).fma(b0, c7);
            c8 = FloatVector.broadcast(sp, a.getAtIndex(F, a8 + ap)).fma(b0, c8);
        }
        final long row = (long) ldd * Float.BYTES;
        final long q = d0 * Float.BYTES;
        c0.intoMemorySegment(d, q, NATIVE); c1.intoMemorySegment(d, q + row, NATIVE);
        c2.intoMemorySegment(d, q + 2 * row, NATIVE); c3.intoMemorySegment(d, q + 3 * row, NATIVE);
        c4.intoMemorySegment(d, q + 4 * row, NATIVE); c5.intoMemorySegment(d, q + 5 * row, NATIVE);
        c6.intoMemorySegment(d, q + 6 * row, NATIVE); c7.intoMemorySegment(d, q + 7 * row, NATIVE);
        c8.intoMemorySegment(d, q + 8 * row, NATIVE);
    }

    /** {@code D(10, 1 vector) at d0 = A(10 rows at a0, k) . B(k, 1 vector at bp)}: a row-strip remainder folded into a strip of 8. */
    private void block10x1(int k, MemorySegment a, long a0, int aRs, int aCs, MemorySegment b, long bp, int ldb,
                          MemorySegment d, long d0, int ldd) {
        final VectorSpecies<Float> sp = species();
        FloatVector c0 = FloatVector.zero(sp), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0, c6 = c0, c7 = c0, c8 = c0, c9 = c0;
        final long a1 = a0 + aRs, a2 = a1 + aRs, a3 = a2 + aRs, a4 = a3 + aRs, a5 = a4 + aRs, a6 = a5 + aRs, a7 = a6 + aRs, a8 = a7 + aRs, a9 = a8 + aRs;
        for (int p = 0; p < k; p++, bp += ldb) {
            final long ap = (long) p * aCs;
            FloatVector b0 = FloatVector.fromMemorySegment(sp, b, bp * Float.BYTES, NATIVE);
            c0 = FloatVector.broadcast(sp, a.getAtIndex(F, a0 + ap)).fma(b0, c0);
            c1 = FloatVector.broadcast(sp, a.getAtIndex(F, a1 + ap)).fma(b0, c1);
            c2 = FloatVector.broadcast(sp, a.getAtIndex(F, a2 + ap)).fma(b0, c2);
            c3 = FloatVector.broadcast(sp, a.getAtIndex(F, a3 + ap)).fma(b0, c3);
            c4 = FloatVector.broadcast(sp, a.getAtIndex(F, a4 + ap)).fma(b0, c4);
            c5 = FloatVector.broadcast(sp, a.getAtIndex(F, a5 + ap)).fma(b0, c5);
            c6 = FloatVector.broadcast(sp, a.getAtIndex(F, a6 + ap)).fma(b0, c6);
            c7 = FloatVector.broadcast(sp, a.getAtIndex(F, a7 + ap)).fma(b0, c7);
            c8 = FloatVector.broadcast(sp, a.getAtIndex(F, a8 + ap)).fma(b0, c8);
            c9 = FloatVector.broadcast(sp, a.getAtIndex(F, a9 + ap)).fma(b0, c9);
        }
        final long row = (long) ldd * Float.BYTES;
        final long q = d0 * Float.BYTES;
        c0.intoMemorySegment(d, q, NATIVE); c1.intoMemorySegment(d, q + row, NATIVE);
        c2.intoMemorySegment(d, q + 2 * row, NATIVE); c3.intoMemorySegment(d, q + 3 * row, NATIVE);
        c4.intoMemorySegment(d, q + 4 * row, NATIVE); c5.intoMemorySegment(d, q + 5 * row, NATIVE);
        c6.intoMemorySegment(d, q + 6 * row, NATIVE); c7.intoMemorySegment(d, q + 7 * row, NATIVE);
        c8.intoMemorySegment(d, q + 8 * row, NATIVE); c9.intoMemorySegment(d, q + 9 * row, NATIVE);
    }

    /** {@code D(11, 1 vector) at d0 = A(11 rows at a0, k) . B(k, 1 vector at bp)}: a row-strip remainder folded into a strip of 8. */
    private void block11x1(int k, MemorySegment a, long a0, int aRs, int aCs, MemorySegment b, long bp, int ldb,
                          MemorySegment d, long d0, int ldd) {
        final VectorSpecies<Float> sp = species();
        FloatVector c0 = FloatVector.zero(sp), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0, c6 = c0, c7 = c0, c8 = c0, c9 = c0, c10 = c0;
        final long a1 = a0 + aRs, a2 = a1 + aRs, a3 = a2 + aRs, a4 = a3 + aRs, a5 = a4 + aRs, a6 = a5 + aRs, a7 = a6 + aRs, a8 = a7 + aRs, a9 = a8 + aRs, a10 = a9 + aRs;
        for (int p = 0; p < k; p++, bp += ldb) {
            final long ap = (long) p * aCs;
            FloatVector b0 = FloatVector.fromMemorySegment(sp, b, bp * Float.BYTES, NATIVE);
            c0 = FloatVector.broadcast(sp, a.getAtIndex(F, a0 + ap)).fma(b0, c0);
            c1 = FloatVector.broadcast(sp, a.getAtIndex(F, a1 + ap)).fma(b0, c1);
            c2 = FloatVector.broadcast(sp, a.getAtIndex(F, a2 + ap)).fma(b0, c2);
            c3 = FloatVector.broadcast(sp, a.getAtIndex(F, a3 + ap)).fma(b0, c3);
            c4 = FloatVector.broadcast(sp, a.getAtIndex(F, a4 + ap)).fma(b0, c4);
            c5 = FloatVector.broadcast(sp, a.getAtIndex(F, a5 + ap)).fma(b0, c5);
            c6 = FloatVector.broadcast(sp, a.getAtIndex(F, a6 + ap)).fma(b0, c6);
            c7 = FloatVector.broadcast(sp, a.getAtIndex(F, a7 + ap)).fma(b0, c7);
            c8 = FloatVector.broadcast(sp, a.getAtIndex(F, a8 + ap)).fma(b0, c8);
            c9 = FloatVector.broadcast(sp, a.getAtIndex(F, a9 + ap)).fma(b0, c9);
            c10 = FloatVector.broadcast(sp, a.getAtIndex(F, a10 + ap)).fma(b0, c10);
        }
        final long row = (long) ldd * Float.BYTES;
        final long q = d0 * Float.BYTES;
        c0.intoMemorySegment(d, q, NATIVE); c1.intoMemorySegment(d, q + row, NATIVE);
        c2.intoMemorySegment(d, q + 2 * row, NATIVE); c3.intoMemorySegment(d, q + 3 * row, NATIVE);
        c4.intoMemorySegment(d, q + 4 * row, NATIVE); c5.intoMemorySegment(d, q + 5 * row, NATIVE);
        c6.intoMemorySegment(d, q + 6 * row, NATIVE); c7.intoMemorySegment(d, q + 7 * row, NATIVE);
        c8.intoMemorySegment(d, q + 8 * row, NATIVE); c9.intoMemorySegment(d, q + 9 * row, NATIVE);
        c10.intoMemorySegment(d, q + 10 * row, NATIVE);
    }

    /** {@code D(1, 4 vectors) at d0 = A(row at aRow, k) . B(k, 4 vectors at bp)}. */
    private void block1x4(int k, MemorySegment a, long aRow, int aCs, MemorySegment b, long bp, int ldb, MemorySegment d, long d0) {
        final VectorSpecies<Float> sp = species();
        final int L = sp.length();
        FloatVector c0 = FloatVector.zero(sp), c1 = c0, c2 = c0, c3 = c0;
        for (int p = 0; p < k; p++, bp += ldb) {
            FloatVector x = FloatVector.broadcast(sp, a.getAtIndex(F, aRow + (long) p * aCs));
            c0 = x.fma(FloatVector.fromMemorySegment(sp, b, bp * Float.BYTES, NATIVE), c0);
            c1 = x.fma(FloatVector.fromMemorySegment(sp, b, (bp + L) * Float.BYTES, NATIVE), c1);
            c2 = x.fma(FloatVector.fromMemorySegment(sp, b, (bp + 2L * L) * Float.BYTES, NATIVE), c2);
            c3 = x.fma(FloatVector.fromMemorySegment(sp, b, (bp + 3L * L) * Float.BYTES, NATIVE), c3);
        }
        final long v = (long) L * Float.BYTES;
        final long q = d0 * Float.BYTES;
        c0.intoMemorySegment(d, q, NATIVE); c1.intoMemorySegment(d, q + v, NATIVE);
        c2.intoMemorySegment(d, q + 2 * v, NATIVE); c3.intoMemorySegment(d, q + 3 * v, NATIVE);
    }

    /** {@code D(1, 1 vector) at d0 = A(row at aRow, k) . B(k, 1 vector at bp)}. */
    private void block1x1(int k, MemorySegment a, long aRow, int aCs, MemorySegment b, long bp, int ldb, MemorySegment d, long d0) {
        final VectorSpecies<Float> sp = species();
        FloatVector acc = FloatVector.zero(sp);
        for (int p = 0; p < k; p++, bp += ldb) {
            acc = FloatVector.broadcast(sp, a.getAtIndex(F, aRow + (long) p * aCs)).fma(FloatVector.fromMemorySegment(sp, b, bp * Float.BYTES, NATIVE), acc);
        }
        acc.intoMemorySegment(d, d0 * Float.BYTES, NATIVE);
    }

    /** {@code C(rows, vectors) += staged(rows, vectors)} (staged rows {@code lds} floats apart), whole vectors. */
    private void addStaged(MemorySegment staged, long s0, int lds, int rows, int vectors, MemorySegment c, long c0, int ldc) {
        final VectorSpecies<Float> sp = species();
        final int L = species().length();
        for (int r = 0; r < rows; r++) {
            for (int t = 0; t < vectors; t++) {
                final long q = (c0 + (long) r * ldc + (long) t * L) * Float.BYTES;
                FloatVector.fromMemorySegment(sp, staged, (s0 + (long) r * lds + (long) t * L) * Float.BYTES, NATIVE).add(FloatVector.fromMemorySegment(sp, c, q, NATIVE)).intoMemorySegment(c, q, NATIVE);
            }
        }
    }

    /**
     * {@code C(rows, rem) = (accumulate ? C : 0) + staged(rows, rem)}: the column tail. A row is one
     * masked store of its {@code rem} lanes (the other lanes of C are not touched) where the whole
     * vector lies inside C's segment (masked access in range is intrinsified; out of range it would
     * box), scalar nearer the segment's end. Same single add per element as the scalar reference.
     */
    private void unstage(MemorySegment staged, long s0, int lds, int rows, int rem, MemorySegment c, long c0, int ldc,
                         boolean accumulate) {
        final VectorSpecies<Float> sp = species();
        final int lanes = sp.length();
        final long cFloats = c.byteSize() / Float.BYTES;
        final VectorMask<Float> keep = FloatVector.zero(sp).addIndex(1).compare(VectorOperators.LT, rem);
        for (int r = 0; r < rows; r++) {
            final long si = s0 + (long) r * lds;
            final long ci = c0 + (long) r * ldc;
            if (ci + lanes <= cFloats) {
                FloatVector v = FloatVector.fromMemorySegment(sp, staged, si * Float.BYTES, NATIVE);
                if (accumulate) {
                    v = FloatVector.fromMemorySegment(sp, c, ci * Float.BYTES, NATIVE).add(v);
                }
                v.intoMemorySegment(c, ci * Float.BYTES, NATIVE, keep);
                continue;
            }
            for (int t = 0; t < rem; t++) { // scalar: a whole vector would reach past C's end
                final float v = staged.getAtIndex(F, si + t);
                c.setAtIndex(F, ci + t, accumulate ? c.getAtIndex(F, ci + t) + v : v);
            }
        }
    }

    /**
     * {@code C (m, n) (+)= Aᵀ·B} for a narrow C (n below one vector, m at least one vector, k at least four), as
     * {@code Cᵀ (n, m) = Bᵀ·A} into scratch, then copied out transposed. The output layer's
     * {@code dW = Hᵀ·dY} (128 x 10) has every column in the tail, 10 of 16 lanes used and one
     * broadcast per FMA; its transpose (10 x 128) is eight whole vectors wide and runs on the 6x4/4x4
     * blocks. Neither operand is copied: with A transposed ({@code aRowStride == 1}) row p of the
     * right operand (k x m) is {@code a[aOff + p*aColStride ..]}, contiguous, and the left operand
     * {@code Bᵀ (n, k)} is B read with row stride 1 and column stride ldb.
     *
     * <p>Bit-identical to the scalar reference: each element is the same FMA chain over p = 0..k-1
     * from zero (FMA's two factors commute exactly), then {@code C + sum} when accumulating. Scratch:
     * the inner call uses at most {@code k*lanes + stageFloats(lanes)} floats at the start of this thread's
     * scratch (its tail panel and staging rows), so Cᵀ lives after that.
     */
    private void gemmNarrowByTranspose(int m, int n, int k, MemorySegment a, long aOff, int aColStride, MemorySegment b, long bOff,
                                       int ldb, MemorySegment c, long cOff, int ldc, boolean accumulate) {
        final int lanes = species().length();
        final long at = (long) k * lanes + stageFloats(lanes);
        final MemorySegment scratch = Scratch.floats(at + (long) n * m);
        // inner: m' = n rows, n' = m >= lanes columns, so it never comes back here
        gemm(n, m, k, b, bOff, 1, ldb, a, aOff, aColStride, scratch, at, m, false);
        for (int i = 0; i < m; i++) {
            final long cRow = cOff + (long) i * ldc;
            for (int j = 0; j < n; j++) {
                final float sum = scratch.getAtIndex(F, at + (long) j * m + i);
                c.setAtIndex(F, cRow + j, accumulate ? c.getAtIndex(F, cRow + j) + sum : sum);
            }
        }
    }

    /*
     * gemmNT: C = A·Bᵀ by dot products of contiguous rows, in Kernels.gemmNT's fixed order. With 16 lanes one
     * accumulator vector per output holds its 16 partial sums; blocks of 8 rows x 2 columns (16 outputs, 10 loads
     * per 16 FMAs) end in one in-register tree that reduces the 16 vectors together: 4 levels of 2 selects and an
     * add per pair, 30 selects and 15 adds for 16 outputs (reducing each vector alone would take 4 of each per
     * output), then one select into output order. The last block row and column overlap the ones before when m or
     * n is not a multiple (recomputing an output writes the same bits). The partial last block of 16 along k is read
     * from a zero-padded copy in this thread's scratch (no masked loads: out of a segment those box). Narrower
     * species, and m < 8 or n < 2: one output at a time, 16 / lanes accumulators in turn through the scratch, the
     * tree in scalar code.
     */
    @Override
    public void gemmNT(int m, int n, int k, MemorySegment a, long aOff, int lda, MemorySegment b, long bOff, int ldb,
                       MemorySegment c, long cOff, int ldc, boolean accumulate) {
        if (m <= 0 || n <= 0) {
            return;
        }
        final int kFull = k - k % 16;
        final boolean tail = kFull < k;
        // scratch: [0, 16) block output, [16, 64) one output's partial sums or dotBlock3x2's six half-reduced outputs,
        // then the padded tails of A's and B's rows
        final long aTail = 64, bTail = aTail + (tail ? 16L * m : 0);
        final MemorySegment scratch = Scratch.floats(bTail + (tail ? 16L * n : 0));
        if (tail) {
            packTail16(scratch, aTail, a, aOff, lda, m, kFull, k);
            packTail16(scratch, bTail, b, bOff, ldb, n, kFull, k);
        }
        final int fives = fiveRowBlocks(m);
        if (species().length() == 16 && n % 4 == 0 && fives >= 0) {
            gemmNT4(m, n, kFull, tail, fives, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate, scratch, aTail, bTail);
            return;
        }
        if (species().length() == 16 && n % 6 == 0 && m >= 4) {
            gemmNT6(m, n, kFull, tail, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate, scratch, aTail, bTail);
            return;
        }
        if (species().length() == 8 && m >= 3 && n >= 2) {
            gemmNT8(m, n, kFull, tail, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate, scratch, aTail, bTail);
            return;
        }
        int blockRows = 0; // rows [0, blockRows) in 8x2 blocks, the rest one output at a time
        if (species().length() == 16 && m >= 8 && n >= 2) {
            // The m % 8 rows left over go one output at a time when they are few: an 8-row block moved up over them
            // recomputes 8 - m % 8 rows of dot products (7 of 9 for the thesis CNN's first conv, 9 x 4 x 676: 64 dot
            // products for 36). Measured on 9 x 4 x 676: 1.16x (NOTES 17.10); a 1x4 block (one row of A against 4 of
            // B, 4 FMA chains) for those rows measured the same as one output at a time and was not kept.
            blockRows = m % 8 <= 3 ? m - m % 8 : m;
            for (int i = 0; i < blockRows; i += 8) {
                final int i0 = Math.min(i, m - 8);
                for (int j = 0; j < n; j += 2) {
                    final int j0 = Math.min(j, n - 2);
                    dotBlock8x2(kFull, tail, a, aOff + (long) i0 * lda, lda, b, bOff + (long) j0 * ldb, ldb,
                            scratch, aTail + 16L * i0, bTail + 16L * j0);
                    if (accumulate) {
                        addBlockOutputs(c, cOff, ldc, i, j, i0, j0, scratch);
                        continue;
                    }
                    for (int r = 0; r < 8; r++) { // output (r, col) is lane 2r + col: one 8-byte copy per row
                        c.set(ValueLayout.JAVA_LONG_UNALIGNED, (cOff + (long) (i0 + r) * ldc + j0) * Float.BYTES,
                                scratch.getAtIndex(ValueLayout.JAVA_LONG_UNALIGNED, r));
                    }
                }
            }
        }
        for (int i = blockRows; i < m; i++) {
            for (int j = 0; j < n; j++) {
                dotPartials(kFull, tail, a, aOff + (long) i * lda, b, bOff + (long) j * ldb, scratch, aTail + 16L * i, bTail + 16L * j);
                final long ci = cOff + (long) i * ldc + j;
                final float sum = reducePartials(scratch, 16);
                c.setAtIndex(F, ci, accumulate ? c.getAtIndex(F, ci) + sum : sum);
            }
        }
    }

    /**
     * {@link #gemmNT} with 8 lanes (AVX2), m >= 3 and n >= 2: blocks of 3 rows of A by 2 of B, each output's 16
     * partial sums in two accumulators (lanes 0-7 and 8-15 of the 16), so 12 accumulators, 2 B vectors and an A
     * vector: 15 of the 16 registers. One output at a time (dotPartials) was a single FMA chain, latency-bound: the
     * conv dW dot GEMMs ran at 9-10 GFLOP/s on a Zen 3 host (NOTES 23). The last block row and column are moved back
     * over outputs already written when m % 3 or n % 2 is not 0; only the new outputs are stored or added.
     */
    private void gemmNT8(int m, int n, int kFull, boolean tail, MemorySegment a, long aOff, int lda, MemorySegment b, long bOff,
                         int ldb, MemorySegment c, long cOff, int ldc, boolean accumulate, MemorySegment scratch, long aTail, long bTail) {
        for (int i = 0; i < m; i += 3) {
            final int i0 = Math.min(i, m - 3);
            for (int j = 0; j < n; j += 2) {
                final int j0 = Math.min(j, n - 2);
                dotBlock3x2(kFull, tail, a, aOff + (long) i0 * lda, lda, b, bOff + (long) j0 * ldb, ldb, scratch,
                        aTail + 16L * i0, bTail + 16L * j0);
                for (int r = i - i0; r < 3; r++) { // output (r, col) is scratch[2r + col]
                    for (int col = j - j0; col < 2; col++) {
                        final long ci = cOff + (long) (i0 + r) * ldc + j0 + col;
                        final float sum = scratch.getAtIndex(F, 2L * r + col);
                        c.setAtIndex(F, ci, accumulate ? c.getAtIndex(F, ci) + sum : sum);
                    }
                }
            }
        }
    }

    /**
     * {@link #gemmNT8}'s block (8 lanes): output (r, col)'s sums to {@code scratch[2r + col]}. Per output the first
     * level of the fixed tree (partial l plus partial l + 8) is one vector add of its two accumulators; the rest,
     * {@code ((t0 + t4) + (t2 + t6)) + ((t1 + t5) + (t3 + t7))}, is reducePartials' order, in scalar code.
     */
    private void dotBlock3x2(int kFull, boolean tail, MemorySegment a, long aRow, int lda, MemorySegment b, long bRow, int ldb,
                             MemorySegment scratch, long aTailRow, long bTailRow) {
        final VectorSpecies<Float> sp = species();
        final long kBytes = (long) kFull * Float.BYTES;
        final long pa = aRow * Float.BYTES, ra = (long) lda * Float.BYTES, pb = bRow * Float.BYTES, rb = (long) ldb * Float.BYTES;
        final MemorySegment a0 = slice(a, pa, kBytes), a1 = slice(a, pa + ra, kBytes), a2 = slice(a, pa + 2 * ra, kBytes);
        final MemorySegment q0 = slice(b, pb, kBytes), q1 = slice(b, pb + rb, kBytes);
        FloatVector c00 = FloatVector.zero(sp), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00; // lanes 0-7 of 16
        FloatVector h00 = c00, h01 = c00, h10 = c00, h11 = c00, h20 = c00, h21 = c00;                 // lanes 8-15
        final int step = 2 * dotStep; // 16, not a constant to C2: see dotStep
        for (int p = 0; p < kFull; p += step) {
            final long o = (long) p * Float.BYTES;
            FloatVector b0 = FloatVector.fromMemorySegment(sp, q0, o, NATIVE), b1 = FloatVector.fromMemorySegment(sp, q1, o, NATIVE);
            FloatVector x = FloatVector.fromMemorySegment(sp, a0, o, NATIVE);
            c00 = x.fma(b0, c00); c01 = x.fma(b1, c01);
            x = FloatVector.fromMemorySegment(sp, a1, o, NATIVE);
            c10 = x.fma(b0, c10); c11 = x.fma(b1, c11);
            x = FloatVector.fromMemorySegment(sp, a2, o, NATIVE);
            c20 = x.fma(b0, c20); c21 = x.fma(b1, c21);
            b0 = FloatVector.fromMemorySegment(sp, q0, o + 32, NATIVE);
            b1 = FloatVector.fromMemorySegment(sp, q1, o + 32, NATIVE);
            x = FloatVector.fromMemorySegment(sp, a0, o + 32, NATIVE);
            h00 = x.fma(b0, h00); h01 = x.fma(b1, h01);
            x = FloatVector.fromMemorySegment(sp, a1, o + 32, NATIVE);
            h10 = x.fma(b0, h10); h11 = x.fma(b1, h11);
            x = FloatVector.fromMemorySegment(sp, a2, o + 32, NATIVE);
            h20 = x.fma(b0, h20); h21 = x.fma(b1, h21);
        }
        if (tail) { // the padded last block: 16 floats per row in the scratch
            final long ta = aTailRow * Float.BYTES, tb = bTailRow * Float.BYTES;
            FloatVector b0 = FloatVector.fromMemorySegment(sp, scratch, tb, NATIVE), b1 = FloatVector.fromMemorySegment(sp, scratch, tb + 64, NATIVE);
            FloatVector x = FloatVector.fromMemorySegment(sp, scratch, ta, NATIVE);
            c00 = x.fma(b0, c00); c01 = x.fma(b1, c01);
            x = FloatVector.fromMemorySegment(sp, scratch, ta + 64, NATIVE);
            c10 = x.fma(b0, c10); c11 = x.fma(b1, c11);
            x = FloatVector.fromMemorySegment(sp, scratch, ta + 128, NATIVE);
            c20 = x.fma(b0, c20); c21 = x.fma(b1, c21);
            b0 = FloatVector.fromMemorySegment(sp, scratch, tb + 32, NATIVE);
            b1 = FloatVector.fromMemorySegment(sp, scratch, tb + 96, NATIVE);
            x = FloatVector.fromMemorySegment(sp, scratch, ta + 32, NATIVE);
            h00 = x.fma(b0, h00); h01 = x.fma(b1, h01);
            x = FloatVector.fromMemorySegment(sp, scratch, ta + 96, NATIVE);
            h10 = x.fma(b0, h10); h11 = x.fma(b1, h11);
            x = FloatVector.fromMemorySegment(sp, scratch, ta + 160, NATIVE);
            h20 = x.fma(b0, h20); h21 = x.fma(b1, h21);
        }
        // t = partial l + partial l + 8 per output, outputs 2r + col at scratch[16 + 8 (2r + col), +8)
        c00.add(h00).intoMemorySegment(scratch, 64, NATIVE);
        c01.add(h01).intoMemorySegment(scratch, 96, NATIVE);
        c10.add(h10).intoMemorySegment(scratch, 128, NATIVE);
        c11.add(h11).intoMemorySegment(scratch, 160, NATIVE);
        c20.add(h20).intoMemorySegment(scratch, 192, NATIVE);
        c21.add(h21).intoMemorySegment(scratch, 224, NATIVE);
        for (int o = 0; o < 6; o++) {
            final long t = 16 + 8L * o;
            final float lo = (scratch.getAtIndex(F, t) + scratch.getAtIndex(F, t + 4)) + (scratch.getAtIndex(F, t + 2) + scratch.getAtIndex(F, t + 6));
            final float hi = (scratch.getAtIndex(F, t + 1) + scratch.getAtIndex(F, t + 5)) + (scratch.getAtIndex(F, t + 3) + scratch.getAtIndex(F, t + 7));
            scratch.setAtIndex(F, o, lo + hi);
        }
    }

    /**
     * The number of 5-row blocks when {@code m} rows split into blocks of 4 and 5 rows ({@code m = 4a + 5b} needs
     * {@code b = m mod 4}), or -1 where they cannot (m of 1-3, 6, 7 and 11).
     */
    static int fiveRowBlocks(int m) {
        final int fives = m % 4;
        return m >= 4 && m >= 5 * fives ? fives : -1;
    }

    /**
     * {@link #gemmNT} when n is a multiple of 4 and m splits into blocks of 4 and 5 rows (16 lanes): 4x4 blocks
     * (16 accumulators, 8 loads per 16 FMAs) and, first, {@code fives} 5x4 blocks whose fifth row's 4 outputs take
     * 4 more accumulators (25 live vectors of 32) and a short tree. No output is computed twice and no row is left
     * to one output at a time: the thesis CNN's first conv, 9 x 4 x 676, is one 5x4 and one 4x4 block (NOTES 18.1).
     * Other n go by 8x2 blocks: for LeNet's 25 x 6 x 784 a last 4-column block moved left over 2 recomputed
     * columns measured 0.93x of them.
     */
    private void gemmNT4(int m, int n, int kFull, boolean tail, int fives, MemorySegment a, long aOff, int lda,
                         MemorySegment b, long bOff, int ldb, MemorySegment c, long cOff, int ldc, boolean accumulate,
                         MemorySegment scratch, long aTail, long bTail) {
        final long ra = (long) lda * Float.BYTES, rb = (long) ldb * Float.BYTES;
        for (int i = 0, block = 0; i < m; block++) {
            final int rows = block < fives ? 5 : 4;
            for (int j = 0; j < n; j += 4) {
                final long pa = (aOff + (long) i * lda) * Float.BYTES, pb = (bOff + (long) j * ldb) * Float.BYTES;
                if (rows == 5) {
                    dotBlock5x4(kFull, tail, a, pa, ra, b, pb, rb, scratch, aTail + 16L * i, bTail + 16L * j);
                } else {
                    dotBlock4x4(kFull, tail, a, pa, ra, b, pb, rb, scratch, aTail + 16L * i, bTail + 16L * j);
                }
                for (int r = 0; r < rows; r++) { // output (r, col) is scratch[4r + col]
                    final long ci = cOff + (long) (i + r) * ldc + j;
                    for (int col = 0; col < 4; col++) {
                        final float sum = scratch.getAtIndex(F, 4L * r + col);
                        c.setAtIndex(F, ci + col, accumulate ? c.getAtIndex(F, ci + col) + sum : sum);
                    }
                }
            }
            i += rows;
        }
    }

    /**
     * {@link #gemmNT} when n is a multiple of 6 and not of 4 (LeNet's 6-filter first conv, 16 lanes): 4x6 blocks,
     * 24 accumulators, 6 rows of B held in registers and one of A loaded at a time (31 live vectors of 32; 10 loads
     * per 24 FMAs, and each of A's rows is read once per 6 columns instead of once per 2 as in the 8x2 blocks); the
     * m % 4 rows left over go by 1x6 blocks (6 chains, enough to cover the FMA latency). No output is computed twice.
     * LeNet's 25 x 6 x 16,464: 63-65 % of the Zen 4's peak in 8x2 blocks, 41-91 % in these depending on the JVM, 1.1-1.4x
     * in steady state; k in L1-sized chunks and 3x6 blocks measured slower (NOTES 27.1, 27.4).
     */
    private void gemmNT6(int m, int n, int kFull, boolean tail, MemorySegment a, long aOff, int lda,
                         MemorySegment b, long bOff, int ldb, MemorySegment c, long cOff, int ldc, boolean accumulate,
                         MemorySegment scratch, long aTail, long bTail) {
        final long ra = (long) lda * Float.BYTES, rb = (long) ldb * Float.BYTES;
        for (int j = 0; j < n; j += 6) {
            final long pb = (bOff + (long) j * ldb) * Float.BYTES;
            int i = 0;
            for (; i + 4 <= m; i += 4) {
                dotBlock4x6(kFull, tail, a, (aOff + (long) i * lda) * Float.BYTES, ra, b, pb, rb, scratch, aTail + 16L * i, bTail + 16L * j);
                storeBlockOutputs(c, cOff, ldc, i, j, 4, accumulate, scratch);
            }
            for (; i < m; i++) {
                dotBlock1x6(kFull, tail, a, (aOff + (long) i * lda) * Float.BYTES, b, pb, rb, scratch, aTail + 16L * i, bTail + 16L * j);
                storeBlockOutputs(c, cOff, ldc, i, j, 1, accumulate, scratch);
            }
        }
    }

    /** {@code rows} x 6 outputs from {@code scratch[6r + col]} to C at (i, j), added to it when {@code accumulate}. */
    private static void storeBlockOutputs(MemorySegment c, long cOff, int ldc, int i, int j, int rows, boolean accumulate,
                                          MemorySegment scratch) {
        for (int r = 0; r < rows; r++) {
            final long ci = cOff + (long) (i + r) * ldc + j;
            for (int col = 0; col < 6; col++) {
                final float sum = scratch.getAtIndex(F, 6L * r + col);
                c.setAtIndex(F, ci + col, accumulate ? c.getAtIndex(F, ci + col) + sum : sum);
            }
        }
    }

    /**
     * {@link #gemmNT6}'s 4x6 block: 4 rows of A from byte {@code pa} (row stride {@code ra}), 6 rows of B from
     * {@code pb}; the 24 sums go to {@code scratch[0, 24)}, output (r, col) at 6r + col. Columns 0-3 reduce by the
     * 16-output tree of {@link #dotBlock4x4}, columns 4 and 5 (8 outputs) by the same tree with zeros for its other
     * 8 outputs, as {@link #dotBlock5x4}'s fifth row; each output's additions are those of Kernels.gemmNT.
     */
    private void dotBlock4x6(int kFull, boolean tail, MemorySegment a, long pa, long ra, MemorySegment b, long pb, long rb,
                             MemorySegment scratch, long aTailRow, long bTailRow) {
        final VectorSpecies<Float> sp = species();
        final long kBytes = (long) kFull * Float.BYTES;
        final MemorySegment a0 = slice(a, pa, kBytes), a1 = slice(a, pa + ra, kBytes), a2 = slice(a, pa + 2 * ra, kBytes), a3 = slice(a, pa + 3 * ra, kBytes);
        final MemorySegment q0 = slice(b, pb, kBytes), q1 = slice(b, pb + rb, kBytes), q2 = slice(b, pb + 2 * rb, kBytes),
                q3 = slice(b, pb + 3 * rb, kBytes), q4 = slice(b, pb + 4 * rb, kBytes), q5 = slice(b, pb + 5 * rb, kBytes);
        FloatVector c00 = FloatVector.zero(sp), c01 = c00, c02 = c00, c03 = c00, c04 = c00, c05 = c00, c10 = c00, c11 = c00, c12 = c00, c13 = c00, c14 = c00, c15 = c00,
                c20 = c00, c21 = c00, c22 = c00, c23 = c00, c24 = c00, c25 = c00, c30 = c00, c31 = c00, c32 = c00, c33 = c00, c34 = c00, c35 = c00;
        final int step = dotStep;
        for (int p = 0; p < kFull; p += step) {
            final long o = (long) p * Float.BYTES;
            final FloatVector b0 = FloatVector.fromMemorySegment(sp, q0, o, NATIVE), b1 = FloatVector.fromMemorySegment(sp, q1, o, NATIVE),
                    b2 = FloatVector.fromMemorySegment(sp, q2, o, NATIVE), b3 = FloatVector.fromMemorySegment(sp, q3, o, NATIVE),
                    b4 = FloatVector.fromMemorySegment(sp, q4, o, NATIVE), b5 = FloatVector.fromMemorySegment(sp, q5, o, NATIVE);
            FloatVector x = FloatVector.fromMemorySegment(sp, a0, o, NATIVE);
            c00 = x.fma(b0, c00); c01 = x.fma(b1, c01); c02 = x.fma(b2, c02); c03 = x.fma(b3, c03); c04 = x.fma(b4, c04); c05 = x.fma(b5, c05);
            x = FloatVector.fromMemorySegment(sp, a1, o, NATIVE);
            c10 = x.fma(b0, c10); c11 = x.fma(b1, c11); c12 = x.fma(b2, c12); c13 = x.fma(b3, c13); c14 = x.fma(b4, c14); c15 = x.fma(b5, c15);
            x = FloatVector.fromMemorySegment(sp, a2, o, NATIVE);
            c20 = x.fma(b0, c20); c21 = x.fma(b1, c21); c22 = x.fma(b2, c22); c23 = x.fma(b3, c23); c24 = x.fma(b4, c24); c25 = x.fma(b5, c25);
            x = FloatVector.fromMemorySegment(sp, a3, o, NATIVE);
            c30 = x.fma(b0, c30); c31 = x.fma(b1, c31); c32 = x.fma(b2, c32); c33 = x.fma(b3, c33); c34 = x.fma(b4, c34); c35 = x.fma(b5, c35);
        }
        if (tail) { // the padded last block: 16 floats per row in the scratch
            final long ta = aTailRow * Float.BYTES, tb = bTailRow * Float.BYTES;
            final FloatVector b0 = FloatVector.fromMemorySegment(sp, scratch, tb, NATIVE), b1 = FloatVector.fromMemorySegment(sp, scratch, tb + 64, NATIVE),
                    b2 = FloatVector.fromMemorySegment(sp, scratch, tb + 128, NATIVE), b3 = FloatVector.fromMemorySegment(sp, scratch, tb + 192, NATIVE),
                    b4 = FloatVector.fromMemorySegment(sp, scratch, tb + 256, NATIVE), b5 = FloatVector.fromMemorySegment(sp, scratch, tb + 320, NATIVE);
            FloatVector x = FloatVector.fromMemorySegment(sp, scratch, ta, NATIVE);
            c00 = x.fma(b0, c00); c01 = x.fma(b1, c01); c02 = x.fma(b2, c02); c03 = x.fma(b3, c03); c04 = x.fma(b4, c04); c05 = x.fma(b5, c05);
            x = FloatVector.fromMemorySegment(sp, scratch, ta + 64, NATIVE);
            c10 = x.fma(b0, c10); c11 = x.fma(b1, c11); c12 = x.fma(b2, c12); c13 = x.fma(b3, c13); c14 = x.fma(b4, c14); c15 = x.fma(b5, c15);
            x = FloatVector.fromMemorySegment(sp, scratch, ta + 128, NATIVE);
            c20 = x.fma(b0, c20); c21 = x.fma(b1, c21); c22 = x.fma(b2, c22); c23 = x.fma(b3, c23); c24 = x.fma(b4, c24); c25 = x.fma(b5, c25);
            x = FloatVector.fromMemorySegment(sp, scratch, ta + 192, NATIVE);
            c30 = x.fma(b0, c30); c31 = x.fma(b1, c31); c32 = x.fma(b2, c32); c33 = x.fma(b3, c33); c34 = x.fma(b4, c34); c35 = x.fma(b5, c35);
        }
        final float[][] t = ntTree;
        final FloatVector order = FloatVector.fromArray(sp, ntOrder, 0);
        // columns 4 and 5: outputs (r, 4 + col) as outputs 2r + col of the tree, its outputs 8-15 zero
        FloatVector lo = FloatVector.fromArray(sp, t[0], 0), hi = FloatVector.fromArray(sp, t[1], 0);
        FloatVector w0 = lo.selectFrom(c04, c05).add(hi.selectFrom(c04, c05)), w1 = lo.selectFrom(c14, c15).add(hi.selectFrom(c14, c15)),
                w2 = lo.selectFrom(c24, c25).add(hi.selectFrom(c24, c25)), w3 = lo.selectFrom(c34, c35).add(hi.selectFrom(c34, c35));
        lo = FloatVector.fromArray(sp, t[2], 0);
        hi = FloatVector.fromArray(sp, t[3], 0);
        w0 = lo.selectFrom(w0, w1).add(hi.selectFrom(w0, w1));
        w2 = lo.selectFrom(w2, w3).add(hi.selectFrom(w2, w3));
        lo = FloatVector.fromArray(sp, t[4], 0);
        hi = FloatVector.fromArray(sp, t[5], 0);
        w0 = lo.selectFrom(w0, w2).add(hi.selectFrom(w0, w2));
        final FloatVector zero = FloatVector.zero(sp);
        lo = FloatVector.fromArray(sp, t[6], 0);
        hi = FloatVector.fromArray(sp, t[7], 0);
        w0 = lo.selectFrom(w0, zero).add(hi.selectFrom(w0, zero));
        order.selectFrom(w0).intoMemorySegment(scratch, 192, NATIVE);
        lo = FloatVector.fromArray(sp, t[0], 0);
        hi = FloatVector.fromArray(sp, t[1], 0);
        FloatVector v0 = lo.selectFrom(c00, c01).add(hi.selectFrom(c00, c01)), v1 = lo.selectFrom(c02, c03).add(hi.selectFrom(c02, c03)),
                v2 = lo.selectFrom(c10, c11).add(hi.selectFrom(c10, c11)), v3 = lo.selectFrom(c12, c13).add(hi.selectFrom(c12, c13)),
                v4 = lo.selectFrom(c20, c21).add(hi.selectFrom(c20, c21)), v5 = lo.selectFrom(c22, c23).add(hi.selectFrom(c22, c23)),
                v6 = lo.selectFrom(c30, c31).add(hi.selectFrom(c30, c31)), v7 = lo.selectFrom(c32, c33).add(hi.selectFrom(c32, c33));
        lo = FloatVector.fromArray(sp, t[2], 0);
        hi = FloatVector.fromArray(sp, t[3], 0);
        v0 = lo.selectFrom(v0, v1).add(hi.selectFrom(v0, v1));
        v2 = lo.selectFrom(v2, v3).add(hi.selectFrom(v2, v3));
        v4 = lo.selectFrom(v4, v5).add(hi.selectFrom(v4, v5));
        v6 = lo.selectFrom(v6, v7).add(hi.selectFrom(v6, v7));
        lo = FloatVector.fromArray(sp, t[4], 0);
        hi = FloatVector.fromArray(sp, t[5], 0);
        v0 = lo.selectFrom(v0, v2).add(hi.selectFrom(v0, v2));
        v4 = lo.selectFrom(v4, v6).add(hi.selectFrom(v4, v6));
        lo = FloatVector.fromArray(sp, t[6], 0);
        hi = FloatVector.fromArray(sp, t[7], 0);
        v0 = lo.selectFrom(v0, v4).add(hi.selectFrom(v0, v4));
        order.selectFrom(v0).intoMemorySegment(scratch, 128, NATIVE);
        // scratch[32, 48) holds output 4r + col of columns 0-3, [48, 56) output 2r + col of columns 4-5: to 6r + col in
        // [0, 24), which neither overlaps
        for (int r = 0; r < 4; r++) {
            for (int col = 0; col < 4; col++) {
                scratch.setAtIndex(F, 6L * r + col, scratch.getAtIndex(F, 32L + 4 * r + col));
            }
            scratch.setAtIndex(F, 6L * r + 4, scratch.getAtIndex(F, 48L + 2 * r));
            scratch.setAtIndex(F, 6L * r + 5, scratch.getAtIndex(F, 49L + 2 * r));
        }
    }

    /**
     * {@link #gemmNT6}'s 1x6 block: one row of A against 6 of B, 6 independent chains; the sums go to
     * {@code scratch[0, 6)} through the tree of {@link #dotBlock4x6} with zeros for its outputs 6-15.
     */
    private void dotBlock1x6(int kFull, boolean tail, MemorySegment a, long pa, MemorySegment b, long pb, long rb,
                             MemorySegment scratch, long aTailRow, long bTailRow) {
        final VectorSpecies<Float> sp = species();
        final long kBytes = (long) kFull * Float.BYTES;
        final MemorySegment a0 = slice(a, pa, kBytes);
        final MemorySegment q0 = slice(b, pb, kBytes), q1 = slice(b, pb + rb, kBytes), q2 = slice(b, pb + 2 * rb, kBytes),
                q3 = slice(b, pb + 3 * rb, kBytes), q4 = slice(b, pb + 4 * rb, kBytes), q5 = slice(b, pb + 5 * rb, kBytes);
        FloatVector c0 = FloatVector.zero(sp), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0;
        final int step = dotStep;
        for (int p = 0; p < kFull; p += step) {
            final long o = (long) p * Float.BYTES;
            final FloatVector x = FloatVector.fromMemorySegment(sp, a0, o, NATIVE);
            c0 = x.fma(FloatVector.fromMemorySegment(sp, q0, o, NATIVE), c0);
            c1 = x.fma(FloatVector.fromMemorySegment(sp, q1, o, NATIVE), c1);
            c2 = x.fma(FloatVector.fromMemorySegment(sp, q2, o, NATIVE), c2);
            c3 = x.fma(FloatVector.fromMemorySegment(sp, q3, o, NATIVE), c3);
            c4 = x.fma(FloatVector.fromMemorySegment(sp, q4, o, NATIVE), c4);
            c5 = x.fma(FloatVector.fromMemorySegment(sp, q5, o, NATIVE), c5);
        }
        if (tail) {
            final long ta = aTailRow * Float.BYTES, tb = bTailRow * Float.BYTES;
            final FloatVector x = FloatVector.fromMemorySegment(sp, scratch, ta, NATIVE);
            c0 = x.fma(FloatVector.fromMemorySegment(sp, scratch, tb, NATIVE), c0);
            c1 = x.fma(FloatVector.fromMemorySegment(sp, scratch, tb + 64, NATIVE), c1);
            c2 = x.fma(FloatVector.fromMemorySegment(sp, scratch, tb + 128, NATIVE), c2);
            c3 = x.fma(FloatVector.fromMemorySegment(sp, scratch, tb + 192, NATIVE), c3);
            c4 = x.fma(FloatVector.fromMemorySegment(sp, scratch, tb + 256, NATIVE), c4);
            c5 = x.fma(FloatVector.fromMemorySegment(sp, scratch, tb + 320, NATIVE), c5);
        }
        final float[][] t = ntTree;
        final FloatVector zero = FloatVector.zero(sp);
        FloatVector lo = FloatVector.fromArray(sp, t[0], 0), hi = FloatVector.fromArray(sp, t[1], 0);
        FloatVector w0 = lo.selectFrom(c0, c1).add(hi.selectFrom(c0, c1)), w1 = lo.selectFrom(c2, c3).add(hi.selectFrom(c2, c3)),
                w2 = lo.selectFrom(c4, c5).add(hi.selectFrom(c4, c5));
        lo = FloatVector.fromArray(sp, t[2], 0);
        hi = FloatVector.fromArray(sp, t[3], 0);
        w0 = lo.selectFrom(w0, w1).add(hi.selectFrom(w0, w1));
        w2 = lo.selectFrom(w2, zero).add(hi.selectFrom(w2, zero));
        lo = FloatVector.fromArray(sp, t[4], 0);
        hi = FloatVector.fromArray(sp, t[5], 0);
        w0 = lo.selectFrom(w0, w2).add(hi.selectFrom(w0, w2));
        lo = FloatVector.fromArray(sp, t[6], 0);
        hi = FloatVector.fromArray(sp, t[7], 0);
        w0 = lo.selectFrom(w0, zero).add(hi.selectFrom(w0, zero));
        FloatVector.fromArray(sp, ntOrder, 0).selectFrom(w0).intoMemorySegment(scratch, 0, NATIVE);
    }

    /**
     * {@code C += } a block's sums ({@code scratch[0, 16)}, output (r, col) in lane 2r + col). A block moved back to
     * {@code (i0, j0)} from {@code (i, j)} overlaps outputs an earlier block already added: only rows {@code >= i}
     * (when moved up) and columns {@code >= j} (when moved left) are new; an unmoved block adds all 16.
     */
    private static void addBlockOutputs(MemorySegment c, long cOff, int ldc, int i, int j, int i0, int j0, MemorySegment scratch) {
        for (int r = i - i0; r < 8; r++) {
            for (int col = j - j0; col < 2; col++) {
                final long ci = cOff + (long) (i0 + r) * ldc + j0 + col;
                c.setAtIndex(F, ci, c.getAtIndex(F, ci) + scratch.getAtIndex(F, 2L * r + col));
            }
        }
    }

    /**
     * Rows' elements [kFull, k) to {@code dst + 16*row}, zero-padded to 16 floats per row. With 16 lanes and
     * {@code k >= 16} one vector per row: the 16 floats ending at k (all inside the row), the last k - kFull of
     * them moved to lanes 0.. by a two-source select that takes the other lanes from zero.
     */
    private void packTail16(MemorySegment dst, long dstOff, MemorySegment src, long srcOff, int ld, int rows, int kFull, int k) {
        final VectorSpecies<Float> sp = species();
        if (sp.length() == 16 && kFull >= 16) {
            final FloatVector index = FloatVector.fromArray(sp, tailSelect[k - kFull], 0), zero = FloatVector.zero(sp);
            for (int r = 0; r < rows; r++) {
                index.selectFrom(FloatVector.fromMemorySegment(sp, src, (srcOff + (long) r * ld + k - 16) * Float.BYTES, NATIVE), zero)
                        .intoMemorySegment(dst, (dstOff + 16L * r) * Float.BYTES, NATIVE);
            }
            return;
        }
        for (int r = 0; r < rows; r++) {
            final long d = dstOff + 16L * r, sr = srcOff + (long) r * ld;
            for (int p = kFull; p < k; p++) {
                dst.setAtIndex(F, d + p - kFull, src.getAtIndex(F, sr + p));
            }
            for (int p = k - kFull; p < 16; p++) {
                dst.setAtIndex(F, d + p, 0f);
            }
        }
    }

    /** {@link #gemmNT}'s fixed tree over the 16 partial sums at {@code scratch[s, s + 16)}. */
    private static float reducePartials(MemorySegment scratch, long s) {
        final float q0 = (scratch.getAtIndex(F, s) + scratch.getAtIndex(F, s + 8)) + (scratch.getAtIndex(F, s + 4) + scratch.getAtIndex(F, s + 12));
        final float q1 = (scratch.getAtIndex(F, s + 1) + scratch.getAtIndex(F, s + 9)) + (scratch.getAtIndex(F, s + 5) + scratch.getAtIndex(F, s + 13));
        final float q2 = (scratch.getAtIndex(F, s + 2) + scratch.getAtIndex(F, s + 10)) + (scratch.getAtIndex(F, s + 6) + scratch.getAtIndex(F, s + 14));
        final float q3 = (scratch.getAtIndex(F, s + 3) + scratch.getAtIndex(F, s + 11)) + (scratch.getAtIndex(F, s + 7) + scratch.getAtIndex(F, s + 15));
        return (q0 + q2) + (q1 + q3);
    }

    /** One output's 16 partial sums of {@link #gemmNT} into {@code scratch[16, 32)}, {@code lanes} of them at a time. */
    private void dotPartials(int kFull, boolean tail, MemorySegment a, long aRow, MemorySegment b, long bRow,
                             MemorySegment scratch, long aTailRow, long bTailRow) {
        final VectorSpecies<Float> sp = species();
        final int lanes = sp.length();
        for (int g = 0; g < 16; g += lanes) {
            FloatVector acc = FloatVector.zero(sp);
            for (int p = 0; p < kFull; p += 16) {
                acc = FloatVector.fromMemorySegment(sp, a, (aRow + p + g) * Float.BYTES, NATIVE)
                        .fma(FloatVector.fromMemorySegment(sp, b, (bRow + p + g) * Float.BYTES, NATIVE), acc);
            }
            if (tail) {
                acc = FloatVector.fromMemorySegment(sp, scratch, (aTailRow + g) * Float.BYTES, NATIVE)
                        .fma(FloatVector.fromMemorySegment(sp, scratch, (bTailRow + g) * Float.BYTES, NATIVE), acc);
            }
            acc.intoMemorySegment(scratch, (16L + g) * Float.BYTES, NATIVE);
        }
    }

    /**
     * {@link #gemmNT} for 8 rows of A and 2 of B, 16 lanes: 16 accumulators, then the tree; the 16 sums go to
     * {@code scratch[0, 16)} with output (r, col) in lane 2r + col.
     */
    private void dotBlock8x2(int kFull, boolean tail, MemorySegment a, long aRow, int lda, MemorySegment b, long bRow, int ldb,
                             MemorySegment scratch, long aTailRow, long bTailRow) {
        final VectorSpecies<Float> sp = species();
        final long ra = (long) lda * Float.BYTES, rb = (long) ldb * Float.BYTES;
        FloatVector c00 = FloatVector.zero(sp), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00,
                c40 = c00, c41 = c00, c50 = c00, c51 = c00, c60 = c00, c61 = c00, c70 = c00, c71 = c00;
        final long kBytes = (long) kFull * Float.BYTES, pa = aRow * Float.BYTES, pb = bRow * Float.BYTES;
        // row slices and a stride C2 cannot fold, as in dotBlock4x4: one bound for all loads, no 4x unrolling
        final MemorySegment a0 = slice(a, pa, kBytes), a1 = slice(a, pa + ra, kBytes), a2 = slice(a, pa + 2 * ra, kBytes),
                a3 = slice(a, pa + 3 * ra, kBytes), a4 = slice(a, pa + 4 * ra, kBytes), a5 = slice(a, pa + 5 * ra, kBytes),
                a6 = slice(a, pa + 6 * ra, kBytes), a7 = slice(a, pa + 7 * ra, kBytes);
        final MemorySegment q0 = slice(b, pb, kBytes), q1 = slice(b, pb + rb, kBytes);
        final int step = dotStep;
        for (int p = 0; p < kFull; p += step) {
            final long o = (long) p * Float.BYTES;
            final FloatVector b0 = FloatVector.fromMemorySegment(sp, q0, o, NATIVE), b1 = FloatVector.fromMemorySegment(sp, q1, o, NATIVE);
            FloatVector x = FloatVector.fromMemorySegment(sp, a0, o, NATIVE);
            c00 = x.fma(b0, c00); c01 = x.fma(b1, c01);
            x = FloatVector.fromMemorySegment(sp, a1, o, NATIVE);
            c10 = x.fma(b0, c10); c11 = x.fma(b1, c11);
            x = FloatVector.fromMemorySegment(sp, a2, o, NATIVE);
            c20 = x.fma(b0, c20); c21 = x.fma(b1, c21);
            x = FloatVector.fromMemorySegment(sp, a3, o, NATIVE);
            c30 = x.fma(b0, c30); c31 = x.fma(b1, c31);
            x = FloatVector.fromMemorySegment(sp, a4, o, NATIVE);
            c40 = x.fma(b0, c40); c41 = x.fma(b1, c41);
            x = FloatVector.fromMemorySegment(sp, a5, o, NATIVE);
            c50 = x.fma(b0, c50); c51 = x.fma(b1, c51);
            x = FloatVector.fromMemorySegment(sp, a6, o, NATIVE);
            c60 = x.fma(b0, c60); c61 = x.fma(b1, c61);
            x = FloatVector.fromMemorySegment(sp, a7, o, NATIVE);
            c70 = x.fma(b0, c70); c71 = x.fma(b1, c71);
        }
        if (tail) { // the padded last block: 16 floats per row in the scratch
            final long ta = aTailRow * Float.BYTES, tb = bTailRow * Float.BYTES;
            final FloatVector b0 = FloatVector.fromMemorySegment(sp, scratch, tb, NATIVE), b1 = FloatVector.fromMemorySegment(sp, scratch, tb + 64, NATIVE);
            FloatVector x = FloatVector.fromMemorySegment(sp, scratch, ta, NATIVE);
            c00 = x.fma(b0, c00); c01 = x.fma(b1, c01);
            x = FloatVector.fromMemorySegment(sp, scratch, ta + 64, NATIVE);
            c10 = x.fma(b0, c10); c11 = x.fma(b1, c11);
            x = FloatVector.fromMemorySegment(sp, scratch, ta + 128, NATIVE);
            c20 = x.fma(b0, c20); c21 = x.fma(b1, c21);
            x = FloatVector.fromMemorySegment(sp, scratch, ta + 192, NATIVE);
            c30 = x.fma(b0, c30); c31 = x.fma(b1, c31);
            x = FloatVector.fromMemorySegment(sp, scratch, ta + 256, NATIVE);
            c40 = x.fma(b0, c40); c41 = x.fma(b1, c41);
            x = FloatVector.fromMemorySegment(sp, scratch, ta + 320, NATIVE);
            c50 = x.fma(b0, c50); c51 = x.fma(b1, c51);
            x = FloatVector.fromMemorySegment(sp, scratch, ta + 384, NATIVE);
            c60 = x.fma(b0, c60); c61 = x.fma(b1, c61);
            x = FloatVector.fromMemorySegment(sp, scratch, ta + 448, NATIVE);
            c70 = x.fma(b0, c70); c71 = x.fma(b1, c71);
        }
        final float[][] t = ntTree;
        // level 1: lanes l and l + 8 of each output; vector (r) now holds outputs 2r, 2r + 1
        FloatVector lo = FloatVector.fromArray(sp, t[0], 0), hi = FloatVector.fromArray(sp, t[1], 0);
        FloatVector v0 = lo.selectFrom(c00, c01).add(hi.selectFrom(c00, c01)), v1 = lo.selectFrom(c10, c11).add(hi.selectFrom(c10, c11)),
                v2 = lo.selectFrom(c20, c21).add(hi.selectFrom(c20, c21)), v3 = lo.selectFrom(c30, c31).add(hi.selectFrom(c30, c31)),
                v4 = lo.selectFrom(c40, c41).add(hi.selectFrom(c40, c41)), v5 = lo.selectFrom(c50, c51).add(hi.selectFrom(c50, c51)),
                v6 = lo.selectFrom(c60, c61).add(hi.selectFrom(c60, c61)), v7 = lo.selectFrom(c70, c71).add(hi.selectFrom(c70, c71));
        lo = FloatVector.fromArray(sp, t[2], 0);
        hi = FloatVector.fromArray(sp, t[3], 0);
        v0 = lo.selectFrom(v0, v1).add(hi.selectFrom(v0, v1));
        v2 = lo.selectFrom(v2, v3).add(hi.selectFrom(v2, v3));
        v4 = lo.selectFrom(v4, v5).add(hi.selectFrom(v4, v5));
        v6 = lo.selectFrom(v6, v7).add(hi.selectFrom(v6, v7));
        lo = FloatVector.fromArray(sp, t[4], 0);
        hi = FloatVector.fromArray(sp, t[5], 0);
        v0 = lo.selectFrom(v0, v2).add(hi.selectFrom(v0, v2));
        v4 = lo.selectFrom(v4, v6).add(hi.selectFrom(v4, v6));
        lo = FloatVector.fromArray(sp, t[6], 0);
        hi = FloatVector.fromArray(sp, t[7], 0);
        v0 = lo.selectFrom(v0, v4).add(hi.selectFrom(v0, v4));
        FloatVector.fromArray(sp, ntOrder, 0).selectFrom(v0).intoMemorySegment(scratch, 0, NATIVE);
    }

    /**
     * {@link #gemmNT4}'s 4x4 block: 4 rows of A from byte {@code pa} (row stride {@code ra}), 4 rows of B from
     * {@code pb}, {@code kFull} floats of each row, then the padded tails from the scratch; the 16 sums go to
     * {@code scratch[0, 16)}, output (r, col) in lane 4r + col.
     *
     * <p>The k loop steps by {@link #dotStep}, a field C2 does not fold to a constant: the loop is then not a
     * counted loop and is not unrolled. Unrolled 4x (what C2 does with the constant 16) it loads all 4 copies'
     * operands first and spills 8 of the 16 accumulators to the stack, a load and a store each per unrolled step:
     * 13 cycles per k step instead of 9.5 on a 4x4 block over k = 672 (NOTES 18.1). Each row is a slice exactly
     * {@code kFull} floats long, so all loads check one bound. Two methods rather than one with a five-row flag:
     * the flag's merges of vector values made C2 box them (6-12 GFLOP/s).
     */
    private void dotBlock4x4(int kFull, boolean tail, MemorySegment a, long pa, long ra, MemorySegment b, long pb, long rb,
                             MemorySegment scratch, long aTailRow, long bTailRow) {
        final VectorSpecies<Float> sp = species();
        final long kBytes = (long) kFull * Float.BYTES;
        final MemorySegment a0 = slice(a, pa, kBytes), a1 = slice(a, pa + ra, kBytes), a2 = slice(a, pa + 2 * ra, kBytes), a3 = slice(a, pa + 3 * ra, kBytes);
        final MemorySegment q0 = slice(b, pb, kBytes), q1 = slice(b, pb + rb, kBytes), q2 = slice(b, pb + 2 * rb, kBytes), q3 = slice(b, pb + 3 * rb, kBytes);
        FloatVector c00 = FloatVector.zero(sp), c01 = c00, c02 = c00, c03 = c00, c10 = c00, c11 = c00, c12 = c00, c13 = c00, c20 = c00, c21 = c00, c22 = c00, c23 = c00, c30 = c00, c31 = c00, c32 = c00, c33 = c00;
        final int step = dotStep;
        for (int p = 0; p < kFull; p += step) {
            final long o = (long) p * Float.BYTES;
            final FloatVector b0 = FloatVector.fromMemorySegment(sp, q0, o, NATIVE), b1 = FloatVector.fromMemorySegment(sp, q1, o, NATIVE),
                    b2 = FloatVector.fromMemorySegment(sp, q2, o, NATIVE), b3 = FloatVector.fromMemorySegment(sp, q3, o, NATIVE);
            FloatVector x = FloatVector.fromMemorySegment(sp, a0, o, NATIVE);
            c00 = x.fma(b0, c00); c01 = x.fma(b1, c01); c02 = x.fma(b2, c02); c03 = x.fma(b3, c03);
            x = FloatVector.fromMemorySegment(sp, a1, o, NATIVE);
            c10 = x.fma(b0, c10); c11 = x.fma(b1, c11); c12 = x.fma(b2, c12); c13 = x.fma(b3, c13);
            x = FloatVector.fromMemorySegment(sp, a2, o, NATIVE);
            c20 = x.fma(b0, c20); c21 = x.fma(b1, c21); c22 = x.fma(b2, c22); c23 = x.fma(b3, c23);
            x = FloatVector.fromMemorySegment(sp, a3, o, NATIVE);
            c30 = x.fma(b0, c30); c31 = x.fma(b1, c31); c32 = x.fma(b2, c32); c33 = x.fma(b3, c33);
        }
        if (tail) { // the padded last block: 16 floats per row in the scratch
            final long ta = aTailRow * Float.BYTES, tb = bTailRow * Float.BYTES;
            final FloatVector b0 = FloatVector.fromMemorySegment(sp, scratch, tb, NATIVE), b1 = FloatVector.fromMemorySegment(sp, scratch, tb + 64, NATIVE),
                    b2 = FloatVector.fromMemorySegment(sp, scratch, tb + 128, NATIVE), b3 = FloatVector.fromMemorySegment(sp, scratch, tb + 192, NATIVE);
            FloatVector x = FloatVector.fromMemorySegment(sp, scratch, ta, NATIVE);
            c00 = x.fma(b0, c00); c01 = x.fma(b1, c01); c02 = x.fma(b2, c02); c03 = x.fma(b3, c03);
            x = FloatVector.fromMemorySegment(sp, scratch, ta + 64, NATIVE);
            c10 = x.fma(b0, c10); c11 = x.fma(b1, c11); c12 = x.fma(b2, c12); c13 = x.fma(b3, c13);
            x = FloatVector.fromMemorySegment(sp, scratch, ta + 128, NATIVE);
            c20 = x.fma(b0, c20); c21 = x.fma(b1, c21); c22 = x.fma(b2, c22); c23 = x.fma(b3, c23);
            x = FloatVector.fromMemorySegment(sp, scratch, ta + 192, NATIVE);
            c30 = x.fma(b0, c30); c31 = x.fma(b1, c31); c32 = x.fma(b2, c32); c33 = x.fma(b3, c33);
        }
        final float[][] t = ntTree;
        FloatVector lo = FloatVector.fromArray(sp, t[0], 0), hi = FloatVector.fromArray(sp, t[1], 0);
        // outputs 4r + col; level 1 pairs outputs (0, 1), (2, 3), ...: the same tree as dotBlock8x2's
        FloatVector v0 = lo.selectFrom(c00, c01).add(hi.selectFrom(c00, c01)), v1 = lo.selectFrom(c02, c03).add(hi.selectFrom(c02, c03)),
                v2 = lo.selectFrom(c10, c11).add(hi.selectFrom(c10, c11)), v3 = lo.selectFrom(c12, c13).add(hi.selectFrom(c12, c13)),
                v4 = lo.selectFrom(c20, c21).add(hi.selectFrom(c20, c21)), v5 = lo.selectFrom(c22, c23).add(hi.selectFrom(c22, c23)),
                v6 = lo.selectFrom(c30, c31).add(hi.selectFrom(c30, c31)), v7 = lo.selectFrom(c32, c33).add(hi.selectFrom(c32, c33));
        lo = FloatVector.fromArray(sp, t[2], 0);
        hi = FloatVector.fromArray(sp, t[3], 0);
        v0 = lo.selectFrom(v0, v1).add(hi.selectFrom(v0, v1));
        v2 = lo.selectFrom(v2, v3).add(hi.selectFrom(v2, v3));
        v4 = lo.selectFrom(v4, v5).add(hi.selectFrom(v4, v5));
        v6 = lo.selectFrom(v6, v7).add(hi.selectFrom(v6, v7));
        lo = FloatVector.fromArray(sp, t[4], 0);
        hi = FloatVector.fromArray(sp, t[5], 0);
        v0 = lo.selectFrom(v0, v2).add(hi.selectFrom(v0, v2));
        v4 = lo.selectFrom(v4, v6).add(hi.selectFrom(v4, v6));
        lo = FloatVector.fromArray(sp, t[6], 0);
        hi = FloatVector.fromArray(sp, t[7], 0);
        v0 = lo.selectFrom(v0, v4).add(hi.selectFrom(v0, v4));
        FloatVector.fromArray(sp, ntOrder, 0).selectFrom(v0).intoMemorySegment(scratch, 0, NATIVE);
    }

    /** {@link #dotBlock4x4} with a fifth row of A: 20 accumulators; the fifth row's 4 sums go to {@code scratch[16, 20)}. */
    private void dotBlock5x4(int kFull, boolean tail, MemorySegment a, long pa, long ra, MemorySegment b, long pb, long rb,
                             MemorySegment scratch, long aTailRow, long bTailRow) {
        final VectorSpecies<Float> sp = species();
        final long kBytes = (long) kFull * Float.BYTES;
        final MemorySegment a0 = slice(a, pa, kBytes), a1 = slice(a, pa + ra, kBytes), a2 = slice(a, pa + 2 * ra, kBytes), a3 = slice(a, pa + 3 * ra, kBytes), a4 = slice(a, pa + 4 * ra, kBytes);
        final MemorySegment q0 = slice(b, pb, kBytes), q1 = slice(b, pb + rb, kBytes), q2 = slice(b, pb + 2 * rb, kBytes), q3 = slice(b, pb + 3 * rb, kBytes);
        FloatVector c00 = FloatVector.zero(sp), c01 = c00, c02 = c00, c03 = c00, c10 = c00, c11 = c00, c12 = c00, c13 = c00, c20 = c00, c21 = c00, c22 = c00, c23 = c00, c30 = c00, c31 = c00, c32 = c00, c33 = c00, c40 = c00, c41 = c00, c42 = c00, c43 = c00;
        final int step = dotStep;
        for (int p = 0; p < kFull; p += step) {
            final long o = (long) p * Float.BYTES;
            final FloatVector b0 = FloatVector.fromMemorySegment(sp, q0, o, NATIVE), b1 = FloatVector.fromMemorySegment(sp, q1, o, NATIVE),
                    b2 = FloatVector.fromMemorySegment(sp, q2, o, NATIVE), b3 = FloatVector.fromMemorySegment(sp, q3, o, NATIVE);
            FloatVector x = FloatVector.fromMemorySegment(sp, a0, o, NATIVE);
            c00 = x.fma(b0, c00); c01 = x.fma(b1, c01); c02 = x.fma(b2, c02); c03 = x.fma(b3, c03);
            x = FloatVector.fromMemorySegment(sp, a1, o, NATIVE);
            c10 = x.fma(b0, c10); c11 = x.fma(b1, c11); c12 = x.fma(b2, c12); c13 = x.fma(b3, c13);
            x = FloatVector.fromMemorySegment(sp, a2, o, NATIVE);
            c20 = x.fma(b0, c20); c21 = x.fma(b1, c21); c22 = x.fma(b2, c22); c23 = x.fma(b3, c23);
            x = FloatVector.fromMemorySegment(sp, a3, o, NATIVE);
            c30 = x.fma(b0, c30); c31 = x.fma(b1, c31); c32 = x.fma(b2, c32); c33 = x.fma(b3, c33);
            x = FloatVector.fromMemorySegment(sp, a4, o, NATIVE);
            c40 = x.fma(b0, c40); c41 = x.fma(b1, c41); c42 = x.fma(b2, c42); c43 = x.fma(b3, c43);
        }
        if (tail) { // the padded last block: 16 floats per row in the scratch
            final long ta = aTailRow * Float.BYTES, tb = bTailRow * Float.BYTES;
            final FloatVector b0 = FloatVector.fromMemorySegment(sp, scratch, tb, NATIVE), b1 = FloatVector.fromMemorySegment(sp, scratch, tb + 64, NATIVE),
                    b2 = FloatVector.fromMemorySegment(sp, scratch, tb + 128, NATIVE), b3 = FloatVector.fromMemorySegment(sp, scratch, tb + 192, NATIVE);
            FloatVector x = FloatVector.fromMemorySegment(sp, scratch, ta, NATIVE);
            c00 = x.fma(b0, c00); c01 = x.fma(b1, c01); c02 = x.fma(b2, c02); c03 = x.fma(b3, c03);
            x = FloatVector.fromMemorySegment(sp, scratch, ta + 64, NATIVE);
            c10 = x.fma(b0, c10); c11 = x.fma(b1, c11); c12 = x.fma(b2, c12); c13 = x.fma(b3, c13);
            x = FloatVector.fromMemorySegment(sp, scratch, ta + 128, NATIVE);
            c20 = x.fma(b0, c20); c21 = x.fma(b1, c21); c22 = x.fma(b2, c22); c23 = x.fma(b3, c23);
            x = FloatVector.fromMemorySegment(sp, scratch, ta + 192, NATIVE);
            c30 = x.fma(b0, c30); c31 = x.fma(b1, c31); c32 = x.fma(b2, c32); c33 = x.fma(b3, c33);
            x = FloatVector.fromMemorySegment(sp, scratch, ta + 256, NATIVE);
            c40 = x.fma(b0, c40); c41 = x.fma(b1, c41); c42 = x.fma(b2, c42); c43 = x.fma(b3, c43);
        }
        final float[][] t = ntTree;
        // the fifth row first: its 4 outputs as outputs 0-3 of a tree whose other 12 are zero (zero pairs add zeros)
        FloatVector lo = FloatVector.fromArray(sp, t[0], 0), hi = FloatVector.fromArray(sp, t[1], 0);
        FloatVector w0 = lo.selectFrom(c40, c41).add(hi.selectFrom(c40, c41)), w1 = lo.selectFrom(c42, c43).add(hi.selectFrom(c42, c43));
        lo = FloatVector.fromArray(sp, t[2], 0);
        hi = FloatVector.fromArray(sp, t[3], 0);
        w0 = lo.selectFrom(w0, w1).add(hi.selectFrom(w0, w1));
        final FloatVector zero = FloatVector.zero(sp);
        lo = FloatVector.fromArray(sp, t[4], 0);
        hi = FloatVector.fromArray(sp, t[5], 0);
        w0 = lo.selectFrom(w0, zero).add(hi.selectFrom(w0, zero));
        lo = FloatVector.fromArray(sp, t[6], 0);
        hi = FloatVector.fromArray(sp, t[7], 0);
        w0 = lo.selectFrom(w0, zero).add(hi.selectFrom(w0, zero));
        FloatVector.fromArray(sp, ntOrder, 0).selectFrom(w0).intoMemorySegment(scratch, 64, NATIVE);
        lo = FloatVector.fromArray(sp, t[0], 0);
        hi = FloatVector.fromArray(sp, t[1], 0);
        // outputs 4r + col; level 1 pairs outputs (0, 1), (2, 3), ...: the same tree as dotBlock8x2's
        FloatVector v0 = lo.selectFrom(c00, c01).add(hi.selectFrom(c00, c01)), v1 = lo.selectFrom(c02, c03).add(hi.selectFrom(c02, c03)),
                v2 = lo.selectFrom(c10, c11).add(hi.selectFrom(c10, c11)), v3 = lo.selectFrom(c12, c13).add(hi.selectFrom(c12, c13)),
                v4 = lo.selectFrom(c20, c21).add(hi.selectFrom(c20, c21)), v5 = lo.selectFrom(c22, c23).add(hi.selectFrom(c22, c23)),
                v6 = lo.selectFrom(c30, c31).add(hi.selectFrom(c30, c31)), v7 = lo.selectFrom(c32, c33).add(hi.selectFrom(c32, c33));
        lo = FloatVector.fromArray(sp, t[2], 0);
        hi = FloatVector.fromArray(sp, t[3], 0);
        v0 = lo.selectFrom(v0, v1).add(hi.selectFrom(v0, v1));
        v2 = lo.selectFrom(v2, v3).add(hi.selectFrom(v2, v3));
        v4 = lo.selectFrom(v4, v5).add(hi.selectFrom(v4, v5));
        v6 = lo.selectFrom(v6, v7).add(hi.selectFrom(v6, v7));
        lo = FloatVector.fromArray(sp, t[4], 0);
        hi = FloatVector.fromArray(sp, t[5], 0);
        v0 = lo.selectFrom(v0, v2).add(hi.selectFrom(v0, v2));
        v4 = lo.selectFrom(v4, v6).add(hi.selectFrom(v4, v6));
        lo = FloatVector.fromArray(sp, t[6], 0);
        hi = FloatVector.fromArray(sp, t[7], 0);
        v0 = lo.selectFrom(v0, v4).add(hi.selectFrom(v0, v4));
        FloatVector.fromArray(sp, ntOrder, 0).selectFrom(v0).intoMemorySegment(scratch, 0, NATIVE);
    }

    /**
     * {@code value} of the system property {@code name} as a boolean, {@code fallback} when it is not set. Anything
     * but true or false (any case) is refused, naming the property: a mistyped switch must not silently mean false.
     */
    static boolean booleanProperty(String name, String value, boolean fallback) {
        if (value == null) {
            return fallback;
        }
        if (value.equalsIgnoreCase("true") || value.equalsIgnoreCase("false")) {
            return Boolean.parseBoolean(value);
        }
        throw new IllegalArgumentException("system property " + name + " is '" + value + "' but must be true or false");
    }

    /** {@code value} of the system property {@code name} as KiB from 0 to 1,048,576, {@code fallback} when not set. */
    static int kibProperty(String name, String value, int fallback) {
        if (value == null) {
            return fallback;
        }
        try {
            final int kib = Integer.parseInt(value.trim());
            if (kib >= 0 && kib <= 1 << 20) {
                return kib;
            }
        } catch (NumberFormatException e) {
            // refused below with the same message
        }
        throw new IllegalArgumentException("system property " + name + " is '" + value
                + "' but must be a whole number of KiB from 0 (no limit) to 1048576");
    }

    /** Vector registers the production GEMM blocks are sized for: 16 ({@link #SIXTEEN_REGISTERS}) or 32. */
    public static int vectorRegisters() {
        return SIXTEEN_REGISTERS ? 16 : 32;
    }

    /** Whether {@code arch} (the {@code os.arch} property) is 64- or 32-bit x86. */
    static boolean isX86(String arch) {
        return arch != null && (arch.equals("amd64") || arch.equals("x86_64") || arch.equals("x86") || arch.equals("i386"));
    }

    /** {@code value} of {@code leashed.gemm.registers}, 16 or 32; 16 where it is not set and {@code sixteen}, else 32. */
    static int registersProperty(String value, boolean sixteen) {
        if (value == null) {
            return sixteen ? 16 : 32;
        }
        if (value.trim().equals("16") || value.trim().equals("32")) {
            return Integer.parseInt(value.trim());
        }
        throw new IllegalArgumentException("system property leashed.gemm.registers is '" + value
                + "' but must be 16 (AVX2-sized blocks) or 32 (AVX-512/NEON-sized blocks)");
    }

    /** The {@code cpu family} of /proc/cpuinfo, or -1 where it cannot be read or parsed. */
    static int cpuFamily() {
        try {
            return Integer.parseInt(cpuinfo("cpu family"));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** The {@code vendor_id} of /proc/cpuinfo, or "" where it cannot be read (not Linux, no access). */
    static String cpuVendor() {
        return cpuinfo("vendor_id");
    }

    /** The first processor's {@code field} in /proc/cpuinfo, or "" where it cannot be read. */
    private static String cpuinfo(String field) {
        try (var lines = java.nio.file.Files.lines(java.nio.file.Path.of("/proc/cpuinfo"))) {
            return lines.filter(l -> l.startsWith(field)).map(l -> l.substring(l.indexOf(':') + 1).trim())
                    .findFirst().orElse("");
        } catch (java.io.IOException | RuntimeException e) {
            return "";
        }
    }

    /**
     * Per-thread GEMM scratch (the packed tail panel and the staging rows), grown on demand and
     * never shrunk. Allocated from {@link Arena#ofAuto()}: freed by the GC once its thread (and so
     * the thread-local entry) is gone. Only its own thread reads or writes it. Steady state: no
     * allocation (a thread's first call, and a call with a larger k than before, allocate once).
     */
    static final class Scratch {
        private static final ThreadLocal<Scratch> LOCAL = ThreadLocal.withInitial(Scratch::new);
        private MemorySegment segment = MemorySegment.NULL;

        private Scratch() {
        }

        /** This thread's scratch, at least {@code count} floats, 64-byte aligned. */
        static MemorySegment floats(long count) {
            Scratch s = LOCAL.get();
            if (s.segment.byteSize() < count * Float.BYTES) {
                s.segment = Arena.ofAuto().allocate(Math.max(count * Float.BYTES, 2 * s.segment.byteSize()), 64);
            }
            return s.segment;
        }
    }

    /*
     * Sparse A. The MLP's first layer multiplies MNIST pixels, about 81 % of them zero, so its forward GEMM and its
     * weight gradient spend four fifths of their FMAs adding fma(0, w, s) = s. nonzeroIndex lists each row's nonzero
     * columns; gemmSparse then runs each output's FMA chain over those columns only, and gemmSparseTransposed adds
     * each listed x(i,p) times dy's row i into dW's row p. Per output the chain is the dense gemm's with the zero
     * steps left out, so the bits are gemm's wherever B is finite. A step costs a B row load per FMA (B does not fit
     * the L1: W is 784 x 128 floats), where the dense kernel reuses each load four times: that is why density decides
     * (Dense.SPARSE_MAX_DENSITY).
     */
    @Override
    public int nonzeroIndex(MemorySegment idx, long idxOff, MemorySegment a, long aOff, int lda, int rows, int cols, long maxNonzeros) {
        final VectorSpecies<Float> sp = species();
        final int lanes = sp.length();
        final int bound = sp.loopBound(cols);
        final VectorSpecies<Integer> is = intSpecies();
        final IntVector iota = IntVector.zero(is).addIndex(1);
        final long list = idxOff + rows + 1;
        int count = 0;
        for (int r = 0; r < rows; r++) {
            idx.setAtIndex(I, idxOff + r, count);
            final long row = aOff + (long) r * lda;
            int p = 0;
            for (; p < bound; p += lanes) {
                final VectorMask<Integer> nz = FloatVector.fromMemorySegment(sp, a, (row + p) * Float.BYTES, NATIVE)
                        .compare(VectorOperators.NE, 0f).cast(is);
                iota.add(p).compress(nz).intoMemorySegment(idx, (list + count) * Integer.BYTES, NATIVE);
                count += nz.trueCount();
            }
            for (; p < cols; p++) { // scalar tail
                if (a.getAtIndex(F, row + p) != 0f) {
                    idx.setAtIndex(I, list + count++, p);
                }
            }
            if (count > maxNonzeros) {
                return -1;
            }
        }
        idx.setAtIndex(I, idxOff + rows, count);
        return count;
    }

    /*
     * countNonzeros: a scalar loop. Its one caller, Dense's sparsity probe, runs it once per wide layer per gradient over
     * a few rows: at batch 512 too rarely for a loop to reach C2 within thousands of gradients, and C1's code of a
     * vector loop boxes every vector. The thesis CNN's gradient at batch 512 allocated 13 KB per call in about half of
     * the fresh JVMs for as long as the vector loop stayed in C1 (NOTES 34).
     */
    @Override
    public long countNonzeros(MemorySegment a, long off, long count) {
        long nonzeros = 0;
        for (long i = 0; i < count; i++) {
            // branch-free on the bits (the sign bit dropped, so -0 counts as 0 and NaN as nonzero): 1 iff m != 0
            final int m = a.getAtIndex(I, off + i) & 0x7fffffff;
            nonzeros += (m | -m) >>> 31;
        }
        return nonzeros;
    }

    @Override
    public void gemmSparse(int m, int n, MemorySegment a, long aOff, int lda, MemorySegment idx, long idxOff, MemorySegment b, long bOff,
                           int ldb, MemorySegment c, long cOff, int ldc) {
        final int lanes = species().length();
        final long list = idxOff + m + 1;
        for (int i = 0; i < m; i++) {
            final int from = idx.getAtIndex(I, idxOff + i), to = idx.getAtIndex(I, idxOff + i + 1);
            final long aRow = aOff + (long) i * lda;
            final long cRow = cOff + (long) i * ldc;
            int j = 0;
            for (; j + 8 * lanes <= n; j += 8 * lanes) {
                sparseRow8(from, to, a, aRow, idx, list, b, bOff + j, ldb, c, cRow + j);
            }
            for (; j + lanes <= n; j += lanes) {
                sparseRow1(from, to, a, aRow, idx, list, b, bOff + j, ldb, c, cRow + j);
            }
            for (; j < n; j++) { // scalar tail: the same chain
                float sum = 0f;
                for (int e = from; e < to; e++) {
                    final int p = idx.getAtIndex(I, list + e);
                    sum = Math.fma(a.getAtIndex(F, aRow + p), b.getAtIndex(F, bOff + (long) p * ldb + j), sum);
                }
                c.setAtIndex(F, cRow + j, sum);
            }
        }
    }

    /** Eight vectors of one output row over row {@code aRow}'s listed columns {@code [from, to)}. */
    private void sparseRow8(int from, int to, MemorySegment a, long aRow, MemorySegment idx, long list, MemorySegment b, long b0,
                            int ldb, MemorySegment c, long c0) {
        final VectorSpecies<Float> sp = species();
        final long vb = sp.vectorByteSize();
        FloatVector s0 = FloatVector.zero(sp), s1 = s0, s2 = s0, s3 = s0, s4 = s0, s5 = s0, s6 = s0, s7 = s0;
        for (int e = from; e < to; e++) {
            final int p = idx.getAtIndex(I, list + e);
            final FloatVector x = FloatVector.broadcast(sp, a.getAtIndex(F, aRow + p));
            final long q = (b0 + (long) p * ldb) * Float.BYTES;
            s0 = x.fma(FloatVector.fromMemorySegment(sp, b, q, NATIVE), s0);
            s1 = x.fma(FloatVector.fromMemorySegment(sp, b, q + vb, NATIVE), s1);
            s2 = x.fma(FloatVector.fromMemorySegment(sp, b, q + 2 * vb, NATIVE), s2);
            s3 = x.fma(FloatVector.fromMemorySegment(sp, b, q + 3 * vb, NATIVE), s3);
            s4 = x.fma(FloatVector.fromMemorySegment(sp, b, q + 4 * vb, NATIVE), s4);
            s5 = x.fma(FloatVector.fromMemorySegment(sp, b, q + 5 * vb, NATIVE), s5);
            s6 = x.fma(FloatVector.fromMemorySegment(sp, b, q + 6 * vb, NATIVE), s6);
            s7 = x.fma(FloatVector.fromMemorySegment(sp, b, q + 7 * vb, NATIVE), s7);
        }
        final long o = c0 * Float.BYTES;
        s0.intoMemorySegment(c, o, NATIVE);
        s1.intoMemorySegment(c, o + vb, NATIVE);
        s2.intoMemorySegment(c, o + 2 * vb, NATIVE);
        s3.intoMemorySegment(c, o + 3 * vb, NATIVE);
        s4.intoMemorySegment(c, o + 4 * vb, NATIVE);
        s5.intoMemorySegment(c, o + 5 * vb, NATIVE);
        s6.intoMemorySegment(c, o + 6 * vb, NATIVE);
        s7.intoMemorySegment(c, o + 7 * vb, NATIVE);
    }

    /** One vector of one output row, as {@link #sparseRow8}. */
    private void sparseRow1(int from, int to, MemorySegment a, long aRow, MemorySegment idx, long list, MemorySegment b, long b0,
                            int ldb, MemorySegment c, long c0) {
        final VectorSpecies<Float> sp = species();
        FloatVector s0 = FloatVector.zero(sp);
        for (int e = from; e < to; e++) {
            final int p = idx.getAtIndex(I, list + e);
            s0 = FloatVector.broadcast(sp, a.getAtIndex(F, aRow + p))
                    .fma(FloatVector.fromMemorySegment(sp, b, (b0 + (long) p * ldb) * Float.BYTES, NATIVE), s0);
        }
        s0.intoMemorySegment(c, c0 * Float.BYTES, NATIVE);
    }

    @Override
    public void gemmSparseTransposed(int k, int n, int m, MemorySegment a, long aOff, int lda, MemorySegment idx, long idxOff,
                                     MemorySegment b, long bOff, int ldb, MemorySegment c, long cOff, int ldc) {
        final int lanes = species().length();
        if (ldc == n) {
            zero(c, cOff, (long) k * n);
        } else {
            for (int p = 0; p < k; p++) {
                zero(c, cOff + (long) p * ldc, n);
            }
        }
        final long list = idxOff + m + 1;
        int j = 0;
        // column blocks outside, rows inside: each C(p,j) still gets its rows in increasing order
        for (; j + 8 * lanes <= n; j += 8 * lanes) {
            for (int i = 0; i < m; i++) {
                scatterRow8(idx.getAtIndex(I, idxOff + i), idx.getAtIndex(I, idxOff + i + 1), a, aOff + (long) i * lda, idx, list,
                        b, bOff + (long) i * ldb + j, c, cOff + j, ldc);
            }
        }
        for (; j + lanes <= n; j += lanes) {
            for (int i = 0; i < m; i++) {
                scatterRow1(idx.getAtIndex(I, idxOff + i), idx.getAtIndex(I, idxOff + i + 1), a, aOff + (long) i * lda, idx, list,
                        b, bOff + (long) i * ldb + j, c, cOff + j, ldc);
            }
        }
        for (; j < n; j++) { // scalar tail
            for (int i = 0; i < m; i++) {
                final int to = idx.getAtIndex(I, idxOff + i + 1);
                for (int e = idx.getAtIndex(I, idxOff + i); e < to; e++) {
                    final int p = idx.getAtIndex(I, list + e);
                    final long ci = cOff + (long) p * ldc + j;
                    c.setAtIndex(F, ci, Math.fma(a.getAtIndex(F, aOff + (long) i * lda + p), b.getAtIndex(F, bOff + (long) i * ldb + j),
                            c.getAtIndex(F, ci)));
                }
            }
        }
    }

    /** {@code C(p, 8 vectors from c0) += a(aRow + p) * B's row at b0} for row {@code aRow}'s listed p. */
    private void scatterRow8(int from, int to, MemorySegment a, long aRow, MemorySegment idx, long list, MemorySegment b, long b0,
                             MemorySegment c, long c0, int ldc) {
        final VectorSpecies<Float> sp = species();
        final long vb = sp.vectorByteSize();
        final long q = b0 * Float.BYTES;
        final FloatVector y0 = FloatVector.fromMemorySegment(sp, b, q, NATIVE);
        final FloatVector y1 = FloatVector.fromMemorySegment(sp, b, q + vb, NATIVE);
        final FloatVector y2 = FloatVector.fromMemorySegment(sp, b, q + 2 * vb, NATIVE);
        final FloatVector y3 = FloatVector.fromMemorySegment(sp, b, q + 3 * vb, NATIVE);
        final FloatVector y4 = FloatVector.fromMemorySegment(sp, b, q + 4 * vb, NATIVE);
        final FloatVector y5 = FloatVector.fromMemorySegment(sp, b, q + 5 * vb, NATIVE);
        final FloatVector y6 = FloatVector.fromMemorySegment(sp, b, q + 6 * vb, NATIVE);
        final FloatVector y7 = FloatVector.fromMemorySegment(sp, b, q + 7 * vb, NATIVE);
        for (int e = from; e < to; e++) {
            final int p = idx.getAtIndex(I, list + e);
            final FloatVector x = FloatVector.broadcast(sp, a.getAtIndex(F, aRow + p));
            final long o = (c0 + (long) p * ldc) * Float.BYTES;
            x.fma(y0, FloatVector.fromMemorySegment(sp, c, o, NATIVE)).intoMemorySegment(c, o, NATIVE);
            x.fma(y1, FloatVector.fromMemorySegment(sp, c, o + vb, NATIVE)).intoMemorySegment(c, o + vb, NATIVE);
            x.fma(y2, FloatVector.fromMemorySegment(sp, c, o + 2 * vb, NATIVE)).intoMemorySegment(c, o + 2 * vb, NATIVE);
            x.fma(y3, FloatVector.fromMemorySegment(sp, c, o + 3 * vb, NATIVE)).intoMemorySegment(c, o + 3 * vb, NATIVE);
            x.fma(y4, FloatVector.fromMemorySegment(sp, c, o + 4 * vb, NATIVE)).intoMemorySegment(c, o + 4 * vb, NATIVE);
            x.fma(y5, FloatVector.fromMemorySegment(sp, c, o + 5 * vb, NATIVE)).intoMemorySegment(c, o + 5 * vb, NATIVE);
            x.fma(y6, FloatVector.fromMemorySegment(sp, c, o + 6 * vb, NATIVE)).intoMemorySegment(c, o + 6 * vb, NATIVE);
            x.fma(y7, FloatVector.fromMemorySegment(sp, c, o + 7 * vb, NATIVE)).intoMemorySegment(c, o + 7 * vb, NATIVE);
        }
    }

    /** One vector of {@link #scatterRow8}. */
    private void scatterRow1(int from, int to, MemorySegment a, long aRow, MemorySegment idx, long list, MemorySegment b, long b0,
                             MemorySegment c, long c0, int ldc) {
        final VectorSpecies<Float> sp = species();
        final FloatVector y0 = FloatVector.fromMemorySegment(sp, b, b0 * Float.BYTES, NATIVE);
        for (int e = from; e < to; e++) {
            final int p = idx.getAtIndex(I, list + e);
            final long o = (c0 + (long) p * ldc) * Float.BYTES;
            FloatVector.broadcast(sp, a.getAtIndex(F, aRow + p)).fma(y0, FloatVector.fromMemorySegment(sp, c, o, NATIVE))
                    .intoMemorySegment(c, o, NATIVE);
        }
    }

    /**
     * {@code dst = srcᵀ}. With 16 lanes and both sides at least 16, 16x16 tiles are transposed in registers
     * (16 loads, 4 stages of 16 two-source selects, 16 stores: {@link #transposeTile16}), the last ones
     * overlapping; with fewer than 16 columns, tiles that store only the valid rows; with 8 to 15 rows, tiles
     * whose stores spill into the next dst row before it is written; fewer than 8 rows and other widths move
     * elements one by one in 16x16 blocks. Pure moves: bit-identical. Dense layers transpose W on every
     * gradient, 16,384 floats for the MLP's 128x128 layers: one by one that was ~17 us of the MLP's ~90 us
     * T_c at batch 16.
     */
    @Override
    public void transpose(MemorySegment dst, long dstOff, MemorySegment src, long srcOff, int rows, int cols) {
        final int block = 16;
        if (species().length() == block && rows >= block && cols >= block) {
            // whole tiles everywhere: the last tile row and column start at rows - 16 and cols - 16 and
            // overlap the ones before (moving the same elements again writes the same bits). Tile columns
            // outer: each dst row is then written left to right; with tile rows outer a 512 x 128 transpose
            // (a power-of-two dst row of 2 KB, the narrow dense layer's xᵀ) took 2.9x as long (NOTES 16.15)
            for (int c = 0; c < cols; c += block) {
                final int c0 = Math.min(c, cols - block);
                for (int r = 0; r < rows; r += block) {
                    final int r0 = Math.min(r, rows - block);
                    transposeTile16(dst, dstOff + (long) c0 * rows + r0, rows, src, srcOff + (long) r0 * cols + c0, cols, block, block);
                }
            }
            return;
        }
        if (species().length() == block && rows >= block && cols > 0) {
            // fewer than 16 columns (the output layer's W, 128 x 10): a tile's 16 loads from each row start
            // take the row's cols values and the next row's first ones; only the cols valid dst rows are
            // stored. Scalar for a tile whose last load would pass src's end.
            final long srcFloats = src.byteSize() / Float.BYTES;
            for (int r = 0; r < rows; r += block) {
                final int r0 = Math.min(r, rows - block);
                if (srcOff + (long) (r0 + block - 1) * cols + block <= srcFloats) {
                    transposeTile16(dst, dstOff + r0, rows, src, srcOff + (long) r0 * cols, cols, block, cols);
                    continue;
                }
                for (int q = r0; q < r0 + block; q++) {
                    for (int c = 0; c < cols; c++) {
                        dst.setAtIndex(F, dstOff + (long) c * rows + q, src.getAtIndex(F, srcOff + (long) q * cols + c));
                    }
                }
            }
            return;
        }
        if (species().length() == block && rows >= block / 2 && cols >= block) {
            // 8 to 15 rows (a narrow dense layer's W, 10 x 128, out-major): a tile reads the rows it has
            // (the others count as zeros) and stores whole 16-lane dst rows, each spilling 16 - rows floats into
            // the next dst row, which the next store (this tile's, or the next tile's: tiles go left to right,
            // the last overlapping) overwrites. The very last dst row cannot spill past dst: scalar (with at least
            // 8 rows the one before it spills only into it).
            for (int c = 0; c < cols; c += block) {
                final int c0 = Math.min(c, cols - block);
                final boolean last = c0 + block == cols;
                transposeTile16(dst, dstOff + (long) c0 * rows, rows, src, srcOff + c0, cols, rows, last ? block - 1 : block);
            }
            for (int r = 0; r < rows; r++) {
                dst.setAtIndex(F, dstOff + (long) (cols - 1) * rows + r, src.getAtIndex(F, srcOff + (long) r * cols + cols - 1));
            }
            return;
        }
        for (int r0 = 0; r0 < rows; r0 += block) {
            final int r1 = Math.min(rows, r0 + block);
            for (int c0 = 0; c0 < cols; c0 += block) {
                final int c1 = Math.min(cols, c0 + block);
                for (int r = r0; r < r1; r++) {
                    for (int c = c0; c < c1; c++) {
                        dst.setAtIndex(F, dstOff + (long) c * rows + r, src.getAtIndex(F, srcOff + (long) r * cols + c));
                    }
                }
            }
        }
    }

    /**
     * {@link Kernels#transposePadded}: with 16 lanes, {@code ldd} a multiple of 16 and at least 16 columns,
     * 16x16 register tiles as in {@link #transpose}, source rows past {@code rows} taken as zeros (the
     * padding comes out of the transpose), the last tile column overlapping; else element by element.
     */
    @Override
    public void transposePadded(MemorySegment dst, long dstOff, int ldd, MemorySegment src, long srcOff, int rows, int cols) {
        final int block = 16;
        if (ldd < rows) {
            throw new IllegalArgumentException("ldd " + ldd + " is below rows " + rows);
        }
        if (species().length() == block && ldd % block == 0 && cols >= block) {
            for (int r0 = 0; r0 < ldd; r0 += block) {
                final int valid = Math.max(0, Math.min(block, rows - r0));
                for (int c = 0; c < cols; c += block) {
                    final int c0 = Math.min(c, cols - block);
                    transposeTile16(dst, dstOff + (long) c0 * ldd + r0, ldd, src, srcOff + (long) Math.min(r0, rows) * cols + c0, cols, valid, block);
                }
            }
            return;
        }
        for (int c = 0; c < cols; c++) {
            for (int r = 0; r < rows; r++) { // two loops: a conditional read in one would let C2 hoist its range check
                dst.setAtIndex(F, dstOff + (long) c * ldd + r, src.getAtIndex(F, srcOff + (long) r * cols + c));
            }
            for (int r = rows; r < ldd; r++) {
                dst.setAtIndex(F, dstOff + (long) c * ldd + r, 0f);
            }
        }
    }

    /**
     * {@code dst (16 x 16 at d0, leading dimension ldd) = src (16 x 16 at s0, leading dimension lds)ᵀ}, 16 lanes.
     * Stage k (k = 0..3) pairs rows i and i + 2^k (bit k of i clear) and swaps bit k of the row index with bit k
     * of the column index: element (r, c) ends at (c, r) after the four stages. Each new row is one
     * {@code selectFrom} of the pair (vpermi2ps/vpermt2ps on AVX-512). Source rows from {@code validRows} on
     * are not read and count as zeros (so dst rows come out zero-padded: {@link #transposePadded}); only the
     * first {@code storeRows} dst rows are stored. The float bits move as int lanes: an int index vector
     * selects without a float-to-int conversion of its indices (1.05-1.2x on TransposeBenchmark, NOTES 16.15).
     */
    private void transposeTile16(MemorySegment dst, long d0, int ldd, MemorySegment src, long s0, int lds, int validRows,
                                 int storeRows) {
        final VectorSpecies<Integer> sp = IntVector.SPECIES_512; // bit moves: the float lanes as ints
        final int[][] ix = transposeIndex;
        final long rs = (long) lds * Float.BYTES;
        final long q = s0 * Float.BYTES;
        final IntVector zero = IntVector.zero(sp);
        IntVector r0 = validRows > 0 ? IntVector.fromMemorySegment(sp, src, q + 0, NATIVE) : zero,
                r1 = validRows > 1 ? IntVector.fromMemorySegment(sp, src, q + rs, NATIVE) : zero,
                r2 = validRows > 2 ? IntVector.fromMemorySegment(sp, src, q + 2 * rs, NATIVE) : zero,
                r3 = validRows > 3 ? IntVector.fromMemorySegment(sp, src, q + 3 * rs, NATIVE) : zero,
                r4 = validRows > 4 ? IntVector.fromMemorySegment(sp, src, q + 4 * rs, NATIVE) : zero,
                r5 = validRows > 5 ? IntVector.fromMemorySegment(sp, src, q + 5 * rs, NATIVE) : zero,
                r6 = validRows > 6 ? IntVector.fromMemorySegment(sp, src, q + 6 * rs, NATIVE) : zero,
                r7 = validRows > 7 ? IntVector.fromMemorySegment(sp, src, q + 7 * rs, NATIVE) : zero,
                r8 = validRows > 8 ? IntVector.fromMemorySegment(sp, src, q + 8 * rs, NATIVE) : zero,
                r9 = validRows > 9 ? IntVector.fromMemorySegment(sp, src, q + 9 * rs, NATIVE) : zero,
                r10 = validRows > 10 ? IntVector.fromMemorySegment(sp, src, q + 10 * rs, NATIVE) : zero,
                r11 = validRows > 11 ? IntVector.fromMemorySegment(sp, src, q + 11 * rs, NATIVE) : zero,
                r12 = validRows > 12 ? IntVector.fromMemorySegment(sp, src, q + 12 * rs, NATIVE) : zero,
                r13 = validRows > 13 ? IntVector.fromMemorySegment(sp, src, q + 13 * rs, NATIVE) : zero,
                r14 = validRows > 14 ? IntVector.fromMemorySegment(sp, src, q + 14 * rs, NATIVE) : zero,
                r15 = validRows > 15 ? IntVector.fromMemorySegment(sp, src, q + 15 * rs, NATIVE) : zero;
        IntVector t;
        final IntVector lo0 = IntVector.fromArray(sp, ix[0], 0), hi0 = IntVector.fromArray(sp, ix[1], 0);
        t = lo0.selectFrom(r0, r1); r1 = hi0.selectFrom(r0, r1); r0 = t; t = lo0.selectFrom(r2, r3); r3 = hi0.selectFrom(r2, r3); r2 = t;
        t = lo0.selectFrom(r4, r5); r5 = hi0.selectFrom(r4, r5); r4 = t; t = lo0.selectFrom(r6, r7); r7 = hi0.selectFrom(r6, r7); r6 = t;
        t = lo0.selectFrom(r8, r9); r9 = hi0.selectFrom(r8, r9); r8 = t; t = lo0.selectFrom(r10, r11); r11 = hi0.selectFrom(r10, r11); r10 = t;
        t = lo0.selectFrom(r12, r13); r13 = hi0.selectFrom(r12, r13); r12 = t; t = lo0.selectFrom(r14, r15); r15 = hi0.selectFrom(r14, r15); r14 = t;
        final IntVector lo1 = IntVector.fromArray(sp, ix[2], 0), hi1 = IntVector.fromArray(sp, ix[3], 0);
        t = lo1.selectFrom(r0, r2); r2 = hi1.selectFrom(r0, r2); r0 = t; t = lo1.selectFrom(r1, r3); r3 = hi1.selectFrom(r1, r3); r1 = t;
        t = lo1.selectFrom(r4, r6); r6 = hi1.selectFrom(r4, r6); r4 = t; t = lo1.selectFrom(r5, r7); r7 = hi1.selectFrom(r5, r7); r5 = t;
        t = lo1.selectFrom(r8, r10); r10 = hi1.selectFrom(r8, r10); r8 = t; t = lo1.selectFrom(r9, r11); r11 = hi1.selectFrom(r9, r11); r9 = t;
        t = lo1.selectFrom(r12, r14); r14 = hi1.selectFrom(r12, r14); r12 = t; t = lo1.selectFrom(r13, r15); r15 = hi1.selectFrom(r13, r15); r13 = t;
        final IntVector lo2 = IntVector.fromArray(sp, ix[4], 0), hi2 = IntVector.fromArray(sp, ix[5], 0);
        t = lo2.selectFrom(r0, r4); r4 = hi2.selectFrom(r0, r4); r0 = t; t = lo2.selectFrom(r1, r5); r5 = hi2.selectFrom(r1, r5); r1 = t;
        t = lo2.selectFrom(r2, r6); r6 = hi2.selectFrom(r2, r6); r2 = t; t = lo2.selectFrom(r3, r7); r7 = hi2.selectFrom(r3, r7); r3 = t;
        t = lo2.selectFrom(r8, r12); r12 = hi2.selectFrom(r8, r12); r8 = t; t = lo2.selectFrom(r9, r13); r13 = hi2.selectFrom(r9, r13); r9 = t;
        t = lo2.selectFrom(r10, r14); r14 = hi2.selectFrom(r10, r14); r10 = t; t = lo2.selectFrom(r11, r15); r15 = hi2.selectFrom(r11, r15); r11 = t;
        final IntVector lo3 = IntVector.fromArray(sp, ix[6], 0), hi3 = IntVector.fromArray(sp, ix[7], 0);
        t = lo3.selectFrom(r0, r8); r8 = hi3.selectFrom(r0, r8); r0 = t; t = lo3.selectFrom(r1, r9); r9 = hi3.selectFrom(r1, r9); r1 = t;
        t = lo3.selectFrom(r2, r10); r10 = hi3.selectFrom(r2, r10); r2 = t; t = lo3.selectFrom(r3, r11); r11 = hi3.selectFrom(r3, r11); r3 = t;
        t = lo3.selectFrom(r4, r12); r12 = hi3.selectFrom(r4, r12); r4 = t; t = lo3.selectFrom(r5, r13); r13 = hi3.selectFrom(r5, r13); r5 = t;
        t = lo3.selectFrom(r6, r14); r14 = hi3.selectFrom(r6, r14); r6 = t; t = lo3.selectFrom(r7, r15); r15 = hi3.selectFrom(r7, r15); r7 = t;
        final long ds = (long) ldd * Float.BYTES;
        final long o = d0 * Float.BYTES;
        r0.intoMemorySegment(dst, o + 0, NATIVE);
        if (storeRows > 1) {
            r1.intoMemorySegment(dst, o + ds, NATIVE);
        }
        if (storeRows > 2) {
            r2.intoMemorySegment(dst, o + 2 * ds, NATIVE);
        }
        if (storeRows > 3) {
            r3.intoMemorySegment(dst, o + 3 * ds, NATIVE);
        }
        if (storeRows > 4) {
            r4.intoMemorySegment(dst, o + 4 * ds, NATIVE);
        }
        if (storeRows > 5) {
            r5.intoMemorySegment(dst, o + 5 * ds, NATIVE);
        }
        if (storeRows > 6) {
            r6.intoMemorySegment(dst, o + 6 * ds, NATIVE);
        }
        if (storeRows > 7) {
            r7.intoMemorySegment(dst, o + 7 * ds, NATIVE);
        }
        if (storeRows > 8) {
            r8.intoMemorySegment(dst, o + 8 * ds, NATIVE);
        }
        if (storeRows > 9) {
            r9.intoMemorySegment(dst, o + 9 * ds, NATIVE);
        }
        if (storeRows > 10) {
            r10.intoMemorySegment(dst, o + 10 * ds, NATIVE);
        }
        if (storeRows > 11) {
            r11.intoMemorySegment(dst, o + 11 * ds, NATIVE);
        }
        if (storeRows > 12) {
            r12.intoMemorySegment(dst, o + 12 * ds, NATIVE);
        }
        if (storeRows > 13) {
            r13.intoMemorySegment(dst, o + 13 * ds, NATIVE);
        }
        if (storeRows > 14) {
            r14.intoMemorySegment(dst, o + 14 * ds, NATIVE);
        }
        if (storeRows > 15) {
            r15.intoMemorySegment(dst, o + 15 * ds, NATIVE);
        }
    }

    @Override
    public void biasActivation(MemorySegment y, long yOff, MemorySegment bias, long biasOff, int rows, int cols, boolean relu) {
        final VectorSpecies<Float> sp = species();
        final int bound = sp.loopBound(cols);
        final FloatVector zero = FloatVector.zero(sp);
        for (int r = 0; r < rows; r++) {
            long row = yOff + (long) r * cols;
            int c = 0;
            for (; c < bound; c += sp.length()) {
                FloatVector v = FloatVector.fromMemorySegment(sp, y, (row + c) * Float.BYTES, NATIVE).add(FloatVector.fromMemorySegment(sp, bias, (biasOff + c) * Float.BYTES, NATIVE));
                if (relu) {
                    v = v.max(zero);
                }
                v.intoMemorySegment(y, (row + c) * Float.BYTES, NATIVE);
            }
            for (; c < cols; c++) { // scalar tail
                float v = y.getAtIndex(F, row + c) + bias.getAtIndex(F, biasOff + c);
                y.setAtIndex(F, row + c, relu ? Math.max(v, 0f) : v);
            }
        }
    }

    @Override
    public void reluBackward(MemorySegment dy, long dyOff, MemorySegment activation, long activationOff, long count) {
        final VectorSpecies<Float> sp = species();
        final long bound = sp.loopBound(count);
        final FloatVector zero = FloatVector.zero(sp);
        long i = 0;
        for (; i < bound; i += sp.length()) {
            VectorMask<Float> active = FloatVector.fromMemorySegment(sp, activation, (activationOff + i) * Float.BYTES, NATIVE).compare(VectorOperators.GT, 0f);
            zero.blend(FloatVector.fromMemorySegment(sp, dy, (dyOff + i) * Float.BYTES, NATIVE), active).intoMemorySegment(dy, (dyOff + i) * Float.BYTES, NATIVE);
        }
        for (; i < count; i++) { // scalar tail
            if (!(activation.getAtIndex(F, activationOff + i) > 0f)) {
                dy.setAtIndex(F, dyOff + i, 0f);
            }
        }
    }

    @Override
    public void columnSums(MemorySegment db, long dbOff, MemorySegment dy, long dyOff, int rows, int cols) {
        final VectorSpecies<Float> sp = species();
        final int bound = sp.loopBound(cols);
        // Row by row into db, not one register sum per column chunk: the same additions in the same order
        // (0 + row 0 + row 1 ...), but no vector is carried around the inner loop. With the register sum
        // (an inner loop of batch = 16 trips inside the chunk loop) 6 of 16 JVMs compiled this method
        // with the vectors boxed, 725 KB per CNN gradient at batch 16 (NOTES 16.10).
        // Eight rows per pass over db: each chunk of db is loaded, gets eight rows added in row order and is stored
        // once, so the store-to-load round trip through db (a forwarding stall with 512-bit vectors on Zen 4) comes
        // once per eight rows, not per row: 512 x 128 went from 9.5 to 3.9 us on a Zen 4 (NOTES 24).
        zero(db, dbOff, bound);
        final long step = (long) cols * Float.BYTES;
        int r = 0;
        for (; r + 8 <= rows; r += 8) {
            final long row = dyOff + (long) r * cols;
            for (int t = 0; t < bound; t += sp.length()) {
                final long q = (dbOff + t) * Float.BYTES;
                final long at = (row + t) * Float.BYTES;
                FloatVector.fromMemorySegment(sp, db, q, NATIVE)
                        .add(FloatVector.fromMemorySegment(sp, dy, at, NATIVE))
                        .add(FloatVector.fromMemorySegment(sp, dy, at + step, NATIVE))
                        .add(FloatVector.fromMemorySegment(sp, dy, at + 2 * step, NATIVE))
                        .add(FloatVector.fromMemorySegment(sp, dy, at + 3 * step, NATIVE))
                        .add(FloatVector.fromMemorySegment(sp, dy, at + 4 * step, NATIVE))
                        .add(FloatVector.fromMemorySegment(sp, dy, at + 5 * step, NATIVE))
                        .add(FloatVector.fromMemorySegment(sp, dy, at + 6 * step, NATIVE))
                        .add(FloatVector.fromMemorySegment(sp, dy, at + 7 * step, NATIVE))
                        .intoMemorySegment(db, q, NATIVE);
            }
        }
        for (; r < rows; r++) {
            final long row = dyOff + (long) r * cols;
            for (int t = 0; t < bound; t += sp.length()) {
                final long q = (dbOff + t) * Float.BYTES;
                FloatVector.fromMemorySegment(sp, db, q, NATIVE).add(FloatVector.fromMemorySegment(sp, dy, (row + t) * Float.BYTES, NATIVE))
                        .intoMemorySegment(db, q, NATIVE);
            }
        }
        for (int c = bound; c < cols; c++) { // scalar tail
            float sum = 0f;
            for (int i = 0; i < rows; i++) {
                sum += dy.getAtIndex(F, dyOff + (long) i * cols + c);
            }
            db.setAtIndex(F, dbOff + c, sum);
        }
    }

    @Override
    public void axpy(long count, float a, MemorySegment x, long xOff, MemorySegment y, long yOff) {
        final VectorSpecies<Float> sp = species();
        final long bound = sp.loopBound(count);
        long i = 0;
        for (; i < bound; i += sp.length()) {
            FloatVector.fromMemorySegment(sp, y, (yOff + i) * Float.BYTES, NATIVE).add(FloatVector.fromMemorySegment(sp, x, (xOff + i) * Float.BYTES, NATIVE).mul(a)).intoMemorySegment(y, (yOff + i) * Float.BYTES, NATIVE);
        }
        for (; i < count; i++) { // scalar tail
            y.setAtIndex(F, yOff + i, y.getAtIndex(F, yOff + i) + a * x.getAtIndex(F, xOff + i));
        }
    }

    @Override
    public void copyAxpy(long count, MemorySegment dst, long dstOff, MemorySegment src, long srcOff, float a, MemorySegment x, long xOff) {
        final VectorSpecies<Float> sp = species();
        final long bound = sp.loopBound(count);
        long i = 0;
        for (; i < bound; i += sp.length()) {
            FloatVector.fromMemorySegment(sp, src, (srcOff + i) * Float.BYTES, NATIVE).add(FloatVector.fromMemorySegment(sp, x, (xOff + i) * Float.BYTES, NATIVE).mul(a)).intoMemorySegment(dst, (dstOff + i) * Float.BYTES, NATIVE);
        }
        for (; i < count; i++) { // scalar tail
            dst.setAtIndex(F, dstOff + i, src.getAtIndex(F, srcOff + i) + a * x.getAtIndex(F, xOff + i));
        }
    }

    /*
     * im2col. Per (channel, kh, kw) row and output row oy the valid input is one contiguous run
     * x[ci, iy, lo-pad+kw .. hi-pad+kw) with zeros on either side. Runs are moved in whole vectors:
     * a run of at least one vector ends with a vector that overlaps the previous one (same values
     * written twice); a shorter run is moved as one whole vector that spills past the run's end.
     * The spill is always overwritten: by this output row's right-hand zeros, by the following output
     * rows (written later, in increasing order, each in full), or by the zero columns [oh*ow, width).
     * A spill is taken only where it stays inside this col row's width (row + width) and the vector load stays
     * inside x; otherwise the run's tail is scalar. So nothing outside the first width floats of the c*k*k rows is
     * written (a batch's matrices side by side in rows of ld: columns past width are another example's) and
     * the result is exactly the scalar reference's (pure data movement).
     */
    @Override
    public void im2col(MemorySegment col, long colOff, int ld, int width, MemorySegment x, long xOff, int c, int h, int w, int k, int pad) {
        final VectorSpecies<Float> sp = species();
        final int lanes = species().length();
        final int oh = h + 2 * pad - k + 1;
        final int ow = w + 2 * pad - k + 1;
        ScalarKernels.checkIm2colWidth(ld, width, oh, ow);
        final long xFloats = x.byteSize() / Float.BYTES;
        if (pad == 0) {
            im2colValid(col, colOff, ld, width, x, xOff, c, h, w, k, xFloats);
            return;
        }
        if (pad < lanes && ow == w && w > lanes && w % lanes != 0) { // ow == w: "same" padding, so oh == h too
            im2colSameShifted(col, colOff, ld, width, x, xOff, c, h, w, k, pad);
            return;
        }
        if (pad < lanes) {
            im2colPadded(col, colOff, ld, width, x, xOff, c, h, w, k, pad, xFloats);
            return;
        }
        for (int ci = 0; ci < c; ci++) {
            for (int kh = 0; kh < k; kh++) {
                for (int kw = 0; kw < k; kw++) {
                    final long row = colOff + ((long) (ci * k + kh) * k + kw) * ld;
                    final long rowEnd = row + width;
                    final int lo = Math.max(0, pad - kw);
                    final int hi = Math.min(ow, w + pad - kw);
                    for (int oy = 0; oy < oh; oy++) {
                        final long dst = row + (long) oy * ow;
                        final int iy = oy + kh - pad;
                        if (iy < 0 || iy >= h || lo >= hi) {
                            zero(col, dst, ow);
                            continue;
                        }
                        zero(col, dst, lo);
                        final long src = xOff + ((long) ci * h + iy) * w + kw - pad;
                        int ox = lo;
                        for (; ox + lanes <= hi; ox += lanes) {
                            FloatVector.fromMemorySegment(sp, x, (src + ox) * Float.BYTES, NATIVE).intoMemorySegment(col, (dst + ox) * Float.BYTES, NATIVE);
                        }
                        if (ox < hi) {
                            if (hi - lo >= lanes) {
                                final int last = hi - lanes;
                                FloatVector.fromMemorySegment(sp, x, (src + last) * Float.BYTES, NATIVE).intoMemorySegment(col, (dst + last) * Float.BYTES, NATIVE);
                            } else if (dst + ox + lanes <= rowEnd && src + ox + lanes <= xFloats) {
                                FloatVector.fromMemorySegment(sp, x, (src + ox) * Float.BYTES, NATIVE).intoMemorySegment(col, (dst + ox) * Float.BYTES, NATIVE);
                            } else {
                                for (; ox < hi; ox++) {
                                    col.setAtIndex(F, dst + ox, x.getAtIndex(F, src + ox));
                                }
                            }
                        }
                        zero(col, dst + hi, ow - hi);
                    }
                    zero(col, row + (long) oh * ow, width - (long) oh * ow);
                }
            }
        }
    }

    /**
     * {@link #im2col} for a "same" convolution ({@code oh = h}, {@code ow = w}) whose image rows are not whole vectors
     * (LeNet's first conv, 28 x 28, k = 5, pad = 2). With ow = w a col row is the image shifted by one constant,
     * {@code col[p] = x[p + (kh - pad) w + kw - pad]}, zero where the source pixel is outside the image. So the row is
     * written in whole vectors from its (64-byte aligned) start: each vector is a load of the shifted image ANDed with a
     * bit mask of the lanes whose column {@code p mod w} has its source column inside the image, and the positions on
     * padding rows ({@code [0, vs)}, {@code [ve, width)}) are zeroed after. {@link #im2colPadded} writes such a row one
     * image row at a time, two vectors per 28 floats, most of them straddling two cache lines; im2col was 13 % of
     * LeNet's gradient at batch 512, and this takes 0.57-0.61x its time on one example, LeNet's T_c 0.972x at batch 16
     * (NOTES 31.3; the 0.918x read at batch 512 includes the base's boxing, 31.5). The masks (one per kw and phase:
     * vector j of a row has phase {@code j mod (w / gcd(w, lanes))}) and a copy of the image between zero guards, so
     * that no load leaves it, sit in this thread's scratch.
     * Scalar only for the positions past the row's last whole vector. Copies and exact zeros: bit-identical to the
     * reference.
     */
    private void im2colSameShifted(MemorySegment col, long colOff, int ld, int width, MemorySegment x, long xOff, int c, int h, int w,
                                   int k, int pad) {
        final VectorSpecies<Float> sp = species();
        final VectorSpecies<Integer> is = intSpecies();
        final int lanes = sp.length();
        // this thread's scratch: the masks, then the image between zero guards
        // mask [kw][phase]: all ones in the lanes whose column ox = p mod w has its source column ox + kw - pad inside
        // the image, zeros elsewhere; vector j of a row (positions j*lanes..) has phase j mod period
        final int period = w / gcd(w, lanes);
        final long tableFloats = (long) k * period * lanes;
        // the image, all channels, between guards of zeros at least a vector longer than the largest shift (pad rows
        // and pad columns): every vector load of a row is inside the copy, the first and last of the batch's images
        // too (reading x itself there took lane-by-lane code, 1.5x the whole call's time in a benchmark whose x is one
        // image)
        final long image = (long) c * h * w;
        final long guard = ((long) pad * w + pad + 2L * lanes - 1) / lanes * lanes;
        final MemorySegment scratch = Scratch.floats(tableFloats + 2 * guard + image + lanes);
        final IntVector iota = IntVector.zero(is).addIndex(1);
        final IntVector ones = IntVector.broadcast(is, -1);
        for (int kw = 0; kw < k; kw++) {
            final int lo = Math.max(0, pad - kw), hi = Math.min(w, w + pad - kw);
            for (int phase = 0; phase < period; phase++) {
                final IntVector start = iota.add(phase * lanes % w); // below 2w: one wrap (w > lanes)
                final IntVector ox = start.sub(w, start.compare(VectorOperators.GE, w));
                IntVector.zero(is).blend(ones, ox.compare(VectorOperators.GE, lo).and(ox.compare(VectorOperators.LT, hi)))
                        .intoMemorySegment(scratch, ((long) kw * period + phase) * lanes * Float.BYTES, NATIVE);
            }
        }
        final long staged = tableFloats + guard; // the image's first float in the scratch
        zero(scratch, tableFloats, guard);
        MemorySegment.copy(x, xOff * Float.BYTES, scratch, staged * Float.BYTES, image * Float.BYTES);
        zero(scratch, staged + image, guard + lanes);
        final int whole = width - width % lanes;
        for (int ci = 0; ci < c; ci++) {
            for (int kh = 0; kh < k; kh++) {
                // positions on image rows whose source row iy = oy + kh - pad is inside the image; the rest are zeros
                final int vs = Math.max(0, pad - kh) * w;
                final int ve = Math.min(h, h + pad - kh) * w;
                for (int kw = 0; kw < k; kw++) {
                    final long row = colOff + ((long) (ci * k + kh) * k + kw) * ld;
                    final long src = staged + (long) ci * h * w + (long) (kh - pad) * w + kw - pad; // position 0's source
                    final long table = (long) kw * period * lanes;
                    // the vectors that hold a position of [vs, ve): the image's floats ANDed with the column mask; lanes
                    // of the first and the last on a padding row are zeroed after
                    final int first = vs - vs % lanes;
                    final int end = Math.min(whole, ve);
                    int q = first;
                    for (int phase = (first / lanes) % period; q < end; q += lanes, phase = phase + 1 == period ? 0 : phase + 1) {
                        FloatVector.fromMemorySegment(sp, scratch, (src + q) * Float.BYTES, NATIVE).reinterpretAsInts()
                                .and(IntVector.fromMemorySegment(is, scratch, (table + (long) phase * lanes) * Float.BYTES, NATIVE))
                                .intoMemorySegment(col, (row + q) * Float.BYTES, NATIVE);
                    }
                    final int lo = Math.max(0, pad - kw), hi = Math.min(w, w + pad - kw);
                    for (int p = Math.max(q, vs); p < ve; p++) { // [vs, ve)'s last floats, past the row's whole vectors
                        final int px = p % w;
                        col.setAtIndex(F, row + p, px >= lo && px < hi ? scratch.getAtIndex(F, src + p) : 0f);
                    }
                    zero(col, row, vs);
                    zero(col, row + ve, width - ve);
                }
            }
        }
    }

    private static int gcd(int a, int b) {
        return b == 0 ? a : gcd(b, a % b);
    }

    /*
     * Direct convolution (convolve): a conv layer's forward without its column matrix. The image is staged zero-padded,
     * each channel a plane of (h + 2 pad) rows of ws = w + 2 pad floats, and the outputs are computed in a "wide" layout
     * of the same row length: position p' = oy*ws + ox reads, for step q = (ci, kh, kw), the staged plane at p' plus
     * one constant shift (ci's plane, kh rows, kw floats): a column-matrix row, loaded where the FMA needs it instead of
     * written out by im2col and read back by gemm. The lanes of columns ox >= ow compute sums nobody reads; the output
     * rows are then compacted from the wide ones. Per output the chain is q = 0..c*k*k-1 from zero, padding zeros
     * included, as gemm computes it over im2col's matrix: the same bits. Blocks (convBlocks): 6 filters x 4 vectors (LeNet's
     * first: 6 filters, 28 rows of 32 = 56 vectors), 6 x 3 (LeNet's second: 16 filters in groups at 0, 6 and 10, 140
     * wide positions = 9 vectors), 8 x 2 (the CNN's 8), the last block of a row overlapping the one before it (same
     * chains, same bits); 1 x 1 blocks otherwise. A first version read the unpadded image and ANDed the lanes off the
     * image's columns with masks: C1 ran out of virtual registers compiling its blocks at tier 3, and they never left
     * tier 2 code, which boxes every vector (3.7 GB per LeNet gradient at batch 512).
     */
    @Override
    public boolean convolvesDirectly(int outC, int c, int h, int w, int k, int pad) {
        final int lanes = species().length();
        final int oh = h + 2 * pad - k + 1;
        final int vectors = (oh * (w + 2 * pad) + lanes - 1) / lanes;
        final int blocks = convBlocks(outC, vectors);
        // 6 x 3 blocks over a short patch lose to im2col + gemm: CIFAR's first conv (27 steps, 32 filters) read 1.21x
        // its time in CpuTimeProbe conv and 1.03x in JMH (NOTES 33.5)
        return blocks != CONV_BLOCKS_NONE && !(blocks == CONV_BLOCKS_6X3 && c * k * k < CONV_6X3_MIN_PATCH);
    }

    /** The shortest patch ({@code c*k*k}) that convolves directly in 6 x 3 blocks: see convolvesDirectly. */
    static final int CONV_6X3_MIN_PATCH = 64;

    private static final int CONV_BLOCKS_NONE = 0, CONV_BLOCKS_6X4 = 1, CONV_BLOCKS_6X3 = 2, CONV_BLOCKS_8X2 = 3;

    /**
     * convolve's register blocks for outC filters over a wide layout of that many vectors: 6 x 4 for filters in sixes,
     * else 6 x 3 in overlapping groups of 6 for 12 or more, else 8 x 2 for filters in eights; none (1 x 1 blocks, not
     * worth taking) otherwise. Blocks of 24 accumulators and 8 filters (8 x 3) made C1 run out of virtual registers
     * at tier 3 in some JVMs, whose tier-2 code then boxed every vector (NOTES 33.5).
     */
    private static int convBlocks(int outC, int vectors) {
        if (outC % 6 == 0 && vectors >= 4) {
            return CONV_BLOCKS_6X4;
        }
        if (outC >= 12 && vectors >= 3) {
            return CONV_BLOCKS_6X3;
        }
        return outC % 8 == 0 && vectors >= 2 ? CONV_BLOCKS_8X2 : CONV_BLOCKS_NONE;
    }

    @Override
    public void convolve(int outC, MemorySegment wt, long wOff, MemorySegment x, long xOff, int c, int h, int w, int k, int pad,
                         MemorySegment rows, long rowsOff, int ld, int width) {
        final VectorSpecies<Float> sp = species();
        final int lanes = sp.length();
        final int oh = h + 2 * pad - k + 1;
        final int ow = w + 2 * pad - k + 1;
        ScalarKernels.checkIm2colWidth(ld, width, oh, ow);
        final int kk = c * k * k;
        final int positions = oh * ow;
        final int ws = w + 2 * pad; // staged row length
        final long plane = (long) (h + 2 * pad) * ws;
        final int vectors = (oh * ws + lanes - 1) / lanes; // of the wide layout
        // scratch: per q the shift of its source from p' (ints); the staged planes, then zeros for the last vector's reach
        // past the last plane (at most lanes - 1 + (k - 1) rows and floats: garbage lanes only, but inside the scratch);
        // the wide rows, a vector longer than the layout (the compaction's last load)
        final long offsets = 0;
        final long stage = ((long) kk + lanes - 1) / lanes * lanes;
        final long stageEnd = stage + c * plane + (long) k * ws + 2L * lanes;
        final int wideLd = (vectors + 1) * lanes;
        final long wide = (stageEnd + lanes - 1) / lanes * lanes;
        final MemorySegment s = Scratch.floats(wide + (long) outC * wideLd);
        for (int ci = 0, q = 0; ci < c; ci++) {
            for (int kh = 0; kh < k; kh++) {
                for (int kw = 0; kw < k; kw++, q++) {
                    s.setAtIndex(I, offsets + q, (int) (ci * plane + (long) kh * ws + kw));
                }
            }
        }
        if (pad == 0) {
            MemorySegment.copy(x, xOff * Float.BYTES, s, stage * Float.BYTES, c * plane * Float.BYTES);
            zero(s, stage + c * plane, stageEnd - stage - c * plane);
        } else {
            zero(s, stage, stageEnd - stage);
            for (int ci = 0; ci < c; ci++) {
                for (int iy = 0; iy < h; iy++) {
                    final long from = xOff + ((long) ci * h + iy) * w;
                    final long to = stage + ci * plane + (long) (iy + pad) * ws + pad;
                    if (w >= lanes) { // whole vectors, the last one overlapping the one before it
                        int ix = 0;
                        for (; ix + lanes <= w; ix += lanes) {
                            FloatVector.fromMemorySegment(sp, x, (from + ix) * Float.BYTES, NATIVE).intoMemorySegment(s, (to + ix) * Float.BYTES, NATIVE);
                        }
                        if (ix < w) {
                            final int last = w - lanes;
                            FloatVector.fromMemorySegment(sp, x, (from + last) * Float.BYTES, NATIVE).intoMemorySegment(s, (to + last) * Float.BYTES, NATIVE);
                        }
                    } else {
                        MemorySegment.copy(x, from * Float.BYTES, s, to * Float.BYTES, (long) w * Float.BYTES);
                    }
                }
            }
        }
        int co = 0;
        final int blocks = convBlocks(outC, vectors);
        if (blocks != CONV_BLOCKS_NONE) {
            final int blockRows = blocks == CONV_BLOCKS_8X2 ? 8 : 6;
            final int blockVectors = blocks == CONV_BLOCKS_6X4 ? 4 : blocks == CONV_BLOCKS_6X3 ? 3 : 2;
            // the last group of filters and the last block of a row overlap the ones before them where outC or vectors
            // is not a multiple (their outputs computed again: same chains, same bits)
            for (; co < outC; co += blockRows) {
                final int co0 = Math.min(co, outC - blockRows);
                final long w0 = wOff + (long) co0 * kk;
                for (int j = 0; j < vectors; j += blockVectors) {
                    final int j0 = Math.min(j, vectors - blockVectors);
                    final long src = stage + (long) j0 * lanes;
                    final long d0 = wide + (long) co0 * wideLd + (long) j0 * lanes;
                    switch (blocks) {
                        case CONV_BLOCKS_6X4 -> convBlock6x4(kk, s, src, offsets, wt, w0, s, d0, wideLd);
                        case CONV_BLOCKS_6X3 -> convBlock6x3(kk, s, src, offsets, wt, w0, s, d0, wideLd);
                        default -> convBlock8x2(kk, s, src, offsets, wt, w0, s, d0, wideLd);
                    }
                }
            }
        }
        for (; co < outC; co++) {
            for (int j = 0; j < vectors; j++) {
                convBlock1x1(kk, s, stage + (long) j * lanes, offsets, wt, wOff + (long) co * kk, s, wide + (long) co * wideLd + (long) j * lanes);
            }
        }
        for (co = 0; co < outC; co++) {
            // output row oy's ow floats from the wide row, in whole vectors: the last one of a run overlaps the one before
            // it, or (a run shorter than a vector) spills into the next run's place, written later, or into [positions,
            // width), zeroed after; scalar where a vector would leave the row's width
            final long row = rowsOff + (long) co * ld;
            final long wideRow = wide + (long) co * wideLd;
            for (int oy = 0; oy < oh; oy++) {
                final long from = wideRow + (long) oy * ws;
                final long to = row + (long) oy * ow;
                if (ow >= lanes) {
                    int ox = 0;
                    for (; ox + lanes <= ow; ox += lanes) {
                        FloatVector.fromMemorySegment(sp, s, (from + ox) * Float.BYTES, NATIVE).intoMemorySegment(rows, (to + ox) * Float.BYTES, NATIVE);
                    }
                    if (ox < ow) {
                        final int last = ow - lanes;
                        FloatVector.fromMemorySegment(sp, s, (from + last) * Float.BYTES, NATIVE).intoMemorySegment(rows, (to + last) * Float.BYTES, NATIVE);
                    }
                } else if ((long) oy * ow + lanes <= width) {
                    FloatVector.fromMemorySegment(sp, s, from * Float.BYTES, NATIVE).intoMemorySegment(rows, to * Float.BYTES, NATIVE);
                } else {
                    for (int ox = 0; ox < ow; ox++) {
                        rows.setAtIndex(F, to + ox, s.getAtIndex(F, from + ox));
                    }
                }
            }
            zero(rows, row + positions, width - positions);
        }
    }

    /** Eight filters' outputs at 2 vectors of positions from src (see convolve): D(8, 2 vectors) at d0, rows ldd apart. */
    private void convBlock8x2(int kk, MemorySegment s, long src, long offsets, MemorySegment wt, long w0, MemorySegment d, long d0, int ldd) {
        final VectorSpecies<Float> sp = species();
        final int L = sp.length();
        final long w1 = w0 + kk, w2 = w1 + kk, w3 = w2 + kk, w4 = w3 + kk, w5 = w4 + kk, w6 = w5 + kk, w7 = w6 + kk;
        FloatVector c00 = FloatVector.zero(sp), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
        FloatVector c40 = c00, c41 = c00, c50 = c00, c51 = c00, c60 = c00, c61 = c00, c70 = c00, c71 = c00;
        for (int q = 0; q < kk; q++) {
            final long at = (src + s.getAtIndex(I, offsets + q)) * Float.BYTES;
            final FloatVector x0 = FloatVector.fromMemorySegment(sp, s, at, NATIVE);
            final FloatVector x1 = FloatVector.fromMemorySegment(sp, s, at + (long) L * Float.BYTES, NATIVE);
            FloatVector a = FloatVector.broadcast(sp, wt.getAtIndex(F, w0 + q));
            c00 = a.fma(x0, c00); c01 = a.fma(x1, c01);
            a = FloatVector.broadcast(sp, wt.getAtIndex(F, w1 + q));
            c10 = a.fma(x0, c10); c11 = a.fma(x1, c11);
            a = FloatVector.broadcast(sp, wt.getAtIndex(F, w2 + q));
            c20 = a.fma(x0, c20); c21 = a.fma(x1, c21);
            a = FloatVector.broadcast(sp, wt.getAtIndex(F, w3 + q));
            c30 = a.fma(x0, c30); c31 = a.fma(x1, c31);
            a = FloatVector.broadcast(sp, wt.getAtIndex(F, w4 + q));
            c40 = a.fma(x0, c40); c41 = a.fma(x1, c41);
            a = FloatVector.broadcast(sp, wt.getAtIndex(F, w5 + q));
            c50 = a.fma(x0, c50); c51 = a.fma(x1, c51);
            a = FloatVector.broadcast(sp, wt.getAtIndex(F, w6 + q));
            c60 = a.fma(x0, c60); c61 = a.fma(x1, c61);
            a = FloatVector.broadcast(sp, wt.getAtIndex(F, w7 + q));
            c70 = a.fma(x0, c70); c71 = a.fma(x1, c71);
        }
        // Stores written out here: a vector passed to a helper that C2 does not inline gets boxed.
        final long v = (long) L * Float.BYTES;
        final long row = (long) ldd * Float.BYTES;
        long p = d0 * Float.BYTES;
        c00.intoMemorySegment(d, p, NATIVE); c01.intoMemorySegment(d, p + v, NATIVE);
        p += row;
        c10.intoMemorySegment(d, p, NATIVE); c11.intoMemorySegment(d, p + v, NATIVE);
        p += row;
        c20.intoMemorySegment(d, p, NATIVE); c21.intoMemorySegment(d, p + v, NATIVE);
        p += row;
        c30.intoMemorySegment(d, p, NATIVE); c31.intoMemorySegment(d, p + v, NATIVE);
        p += row;
        c40.intoMemorySegment(d, p, NATIVE); c41.intoMemorySegment(d, p + v, NATIVE);
        p += row;
        c50.intoMemorySegment(d, p, NATIVE); c51.intoMemorySegment(d, p + v, NATIVE);
        p += row;
        c60.intoMemorySegment(d, p, NATIVE); c61.intoMemorySegment(d, p + v, NATIVE);
        p += row;
        c70.intoMemorySegment(d, p, NATIVE); c71.intoMemorySegment(d, p + v, NATIVE);
    }

    /** Six filters' outputs at 3 vectors of positions from src (see convolve): D(6, 3 vectors) at d0, rows ldd apart. */
    private void convBlock6x3(int kk, MemorySegment s, long src, long offsets, MemorySegment wt, long w0, MemorySegment d, long d0, int ldd) {
        final VectorSpecies<Float> sp = species();
        final int L = sp.length();
        final long w1 = w0 + kk, w2 = w1 + kk, w3 = w2 + kk, w4 = w3 + kk, w5 = w4 + kk;
        FloatVector c00 = FloatVector.zero(sp), c01 = c00, c02 = c00, c10 = c00, c11 = c00, c12 = c00;
        FloatVector c20 = c00, c21 = c00, c22 = c00, c30 = c00, c31 = c00, c32 = c00;
        FloatVector c40 = c00, c41 = c00, c42 = c00, c50 = c00, c51 = c00, c52 = c00;
        for (int q = 0; q < kk; q++) {
            final long at = (src + s.getAtIndex(I, offsets + q)) * Float.BYTES;
            final FloatVector x0 = FloatVector.fromMemorySegment(sp, s, at, NATIVE);
            final FloatVector x1 = FloatVector.fromMemorySegment(sp, s, at + (long) L * Float.BYTES, NATIVE);
            final FloatVector x2 = FloatVector.fromMemorySegment(sp, s, at + 2L * L * Float.BYTES, NATIVE);
            FloatVector a = FloatVector.broadcast(sp, wt.getAtIndex(F, w0 + q));
            c00 = a.fma(x0, c00); c01 = a.fma(x1, c01); c02 = a.fma(x2, c02);
            a = FloatVector.broadcast(sp, wt.getAtIndex(F, w1 + q));
            c10 = a.fma(x0, c10); c11 = a.fma(x1, c11); c12 = a.fma(x2, c12);
            a = FloatVector.broadcast(sp, wt.getAtIndex(F, w2 + q));
            c20 = a.fma(x0, c20); c21 = a.fma(x1, c21); c22 = a.fma(x2, c22);
            a = FloatVector.broadcast(sp, wt.getAtIndex(F, w3 + q));
            c30 = a.fma(x0, c30); c31 = a.fma(x1, c31); c32 = a.fma(x2, c32);
            a = FloatVector.broadcast(sp, wt.getAtIndex(F, w4 + q));
            c40 = a.fma(x0, c40); c41 = a.fma(x1, c41); c42 = a.fma(x2, c42);
            a = FloatVector.broadcast(sp, wt.getAtIndex(F, w5 + q));
            c50 = a.fma(x0, c50); c51 = a.fma(x1, c51); c52 = a.fma(x2, c52);
        }
        // Stores written out here: a vector passed to a helper that C2 does not inline gets boxed.
        final long v = (long) L * Float.BYTES;
        final long row = (long) ldd * Float.BYTES;
        long p = d0 * Float.BYTES;
        c00.intoMemorySegment(d, p, NATIVE); c01.intoMemorySegment(d, p + v, NATIVE); c02.intoMemorySegment(d, p + 2 * v, NATIVE);
        p += row;
        c10.intoMemorySegment(d, p, NATIVE); c11.intoMemorySegment(d, p + v, NATIVE); c12.intoMemorySegment(d, p + 2 * v, NATIVE);
        p += row;
        c20.intoMemorySegment(d, p, NATIVE); c21.intoMemorySegment(d, p + v, NATIVE); c22.intoMemorySegment(d, p + 2 * v, NATIVE);
        p += row;
        c30.intoMemorySegment(d, p, NATIVE); c31.intoMemorySegment(d, p + v, NATIVE); c32.intoMemorySegment(d, p + 2 * v, NATIVE);
        p += row;
        c40.intoMemorySegment(d, p, NATIVE); c41.intoMemorySegment(d, p + v, NATIVE); c42.intoMemorySegment(d, p + 2 * v, NATIVE);
        p += row;
        c50.intoMemorySegment(d, p, NATIVE); c51.intoMemorySegment(d, p + v, NATIVE); c52.intoMemorySegment(d, p + 2 * v, NATIVE);
    }

    /** Six filters' outputs at 4 vectors of positions from src (see convolve): D(6, 4 vectors) at d0, rows ldd apart. */
    private void convBlock6x4(int kk, MemorySegment s, long src, long offsets, MemorySegment wt, long w0, MemorySegment d, long d0, int ldd) {
        final VectorSpecies<Float> sp = species();
        final int L = sp.length();
        final long w1 = w0 + kk, w2 = w1 + kk, w3 = w2 + kk, w4 = w3 + kk, w5 = w4 + kk;
        FloatVector c00 = FloatVector.zero(sp), c01 = c00, c02 = c00, c03 = c00;
        FloatVector c10 = c00, c11 = c00, c12 = c00, c13 = c00;
        FloatVector c20 = c00, c21 = c00, c22 = c00, c23 = c00;
        FloatVector c30 = c00, c31 = c00, c32 = c00, c33 = c00;
        FloatVector c40 = c00, c41 = c00, c42 = c00, c43 = c00;
        FloatVector c50 = c00, c51 = c00, c52 = c00, c53 = c00;
        for (int q = 0; q < kk; q++) {
            final long at = (src + s.getAtIndex(I, offsets + q)) * Float.BYTES;
            final FloatVector x0 = FloatVector.fromMemorySegment(sp, s, at, NATIVE);
            final FloatVector x1 = FloatVector.fromMemorySegment(sp, s, at + (long) L * Float.BYTES, NATIVE);
            final FloatVector x2 = FloatVector.fromMemorySegment(sp, s, at + 2L * L * Float.BYTES, NATIVE);
            final FloatVector x3 = FloatVector.fromMemorySegment(sp, s, at + 3L * L * Float.BYTES, NATIVE);
            FloatVector a = FloatVector.broadcast(sp, wt.getAtIndex(F, w0 + q));
            c00 = a.fma(x0, c00); c01 = a.fma(x1, c01); c02 = a.fma(x2, c02); c03 = a.fma(x3, c03);
            a = FloatVector.broadcast(sp, wt.getAtIndex(F, w1 + q));
            c10 = a.fma(x0, c10); c11 = a.fma(x1, c11); c12 = a.fma(x2, c12); c13 = a.fma(x3, c13);
            a = FloatVector.broadcast(sp, wt.getAtIndex(F, w2 + q));
            c20 = a.fma(x0, c20); c21 = a.fma(x1, c21); c22 = a.fma(x2, c22); c23 = a.fma(x3, c23);
            a = FloatVector.broadcast(sp, wt.getAtIndex(F, w3 + q));
            c30 = a.fma(x0, c30); c31 = a.fma(x1, c31); c32 = a.fma(x2, c32); c33 = a.fma(x3, c33);
            a = FloatVector.broadcast(sp, wt.getAtIndex(F, w4 + q));
            c40 = a.fma(x0, c40); c41 = a.fma(x1, c41); c42 = a.fma(x2, c42); c43 = a.fma(x3, c43);
            a = FloatVector.broadcast(sp, wt.getAtIndex(F, w5 + q));
            c50 = a.fma(x0, c50); c51 = a.fma(x1, c51); c52 = a.fma(x2, c52); c53 = a.fma(x3, c53);
        }
        // Stores written out here: a vector passed to a helper that C2 does not inline gets boxed.
        final long v = (long) L * Float.BYTES;
        final long row = (long) ldd * Float.BYTES;
        long p = d0 * Float.BYTES;
        c00.intoMemorySegment(d, p, NATIVE); c01.intoMemorySegment(d, p + v, NATIVE);
        c02.intoMemorySegment(d, p + 2 * v, NATIVE); c03.intoMemorySegment(d, p + 3 * v, NATIVE);
        p += row;
        c10.intoMemorySegment(d, p, NATIVE); c11.intoMemorySegment(d, p + v, NATIVE);
        c12.intoMemorySegment(d, p + 2 * v, NATIVE); c13.intoMemorySegment(d, p + 3 * v, NATIVE);
        p += row;
        c20.intoMemorySegment(d, p, NATIVE); c21.intoMemorySegment(d, p + v, NATIVE);
        c22.intoMemorySegment(d, p + 2 * v, NATIVE); c23.intoMemorySegment(d, p + 3 * v, NATIVE);
        p += row;
        c30.intoMemorySegment(d, p, NATIVE); c31.intoMemorySegment(d, p + v, NATIVE);
        c32.intoMemorySegment(d, p + 2 * v, NATIVE); c33.intoMemorySegment(d, p + 3 * v, NATIVE);
        p += row;
        c40.intoMemorySegment(d, p, NATIVE); c41.intoMemorySegment(d, p + v, NATIVE);
        c42.intoMemorySegment(d, p + 2 * v, NATIVE); c43.intoMemorySegment(d, p + 3 * v, NATIVE);
        p += row;
        c50.intoMemorySegment(d, p, NATIVE); c51.intoMemorySegment(d, p + v, NATIVE);
        c52.intoMemorySegment(d, p + 2 * v, NATIVE); c53.intoMemorySegment(d, p + 3 * v, NATIVE);
    }

    /** One filter's outputs at one vector of positions from src (see convolve): the filters left after the blocks. */
    private void convBlock1x1(int kk, MemorySegment s, long src, long offsets, MemorySegment wt, long w0, MemorySegment d, long d0) {
        final VectorSpecies<Float> sp = species();
        FloatVector acc = FloatVector.zero(sp);
        for (int q = 0; q < kk; q++) {
            final long at = (src + s.getAtIndex(I, offsets + q)) * Float.BYTES;
            acc = FloatVector.broadcast(sp, wt.getAtIndex(F, w0 + q)).fma(FloatVector.fromMemorySegment(sp, s, at, NATIVE), acc);
        }
        acc.intoMemorySegment(d, d0 * Float.BYTES, NATIVE);
    }

    /*
     * convolveWeightGradient: the dot products of gemmNT (one accumulator vector per output, lane l the FMA chain over
     * the columns p = l mod 16, then the fixed tree) with each column-matrix row read from a staged copy of the image
     * instead of from im2col's matrix. Two kinds of copy, one per example, channel and kw:
     *
     * - "same" convs (ow == w): col row (ci, kh, kw) is the image shifted by (kh - pad) rows and (kw - pad) columns,
     *   except in the lanes whose source column is off the image; so the copy has the columns that only those lanes
     *   read zeroed (a kw's valid lanes read exactly the columns [max(0, kw - pad), min(w, w + kw - pad))), between
     *   zero guards longer than the largest shift. LeNet's first conv at batch 512: 5 copies of 784 floats per example
     *   against im2col's 25 rows, and no matrix of 1.6 MB per chunk to stream.
     * - valid convs (pad 0): the copy is the channel's columns [kw, kw + ow), compacted to rows of ow; col row
     *   (ci, kh, kw) is then the copy's ow-float rows kh .. kh + oh - 1, one contiguous run from row kh. The thesis
     *   CNN's second conv: 12 copies of 143 floats per example against im2col's 36 rows of 121.
     *
     * Every load of a block is a plain load. The columns [oh*ow, ld) of an example, which im2col writes as zeros, are
     * read from whatever follows the run (the next rows or copy, or zeros after the last example): the layer's dy is
     * +0 there, and a partial sum, which starts at +0, is never -0, so adding a finite value times +0 (+0 or -0) leaves
     * its bits as im2col's 0 * 0 does. So the same bits for finite images, with dys +0 in those columns.
     *
     * Blocks: 4 rows x 6 filters (dotBlock4x6's shape; the last row block overlapping the one before, its overlapped
     * rows not written again) where the filters come in sixes, else gemmNT4's 5x4 and 4x4 blocks (filters in fours);
     * the partial-sum vectors stored and reduced by the reference's tree in scalar code. 16 lanes, examples ld = a
     * multiple of 16 columns apart, "same" convs over images of a multiple of 16 floats; other shapes take the scalar
     * reference.
     */
    @Override
    public boolean convolvesWeightGradientDirectly(int outC, int c, int h, int w, int k, int pad, int ld) {
        final int oh = h + 2 * pad - k + 1, ow = w + 2 * pad - k + 1, kk = c * k * k;
        if (species().length() != 16 || ld % 16 != 0 || oh < 1 || ow < 1 || ld < oh * ow) {
            return false;
        }
        final boolean blocks = outC % 6 == 0 && kk >= 4 || outC % 4 == 0 && fiveRowBlocks(kk) >= 0;
        // a "same" conv's masked copies are made of whole vectors of the image
        return blocks && (ow == w && oh == h ? h * w % 16 == 0 : pad == 0);
    }

    @Override
    public void convolveWeightGradient(int outC, MemorySegment dys, long dysOff, int ldd, int count, int ld, MemorySegment x, long xOff,
                                       long xStride, int c, int h, int w, int k, int pad, MemorySegment dWT, long dWTOff, int ldc,
                                       boolean accumulate) {
        final int oh = h + 2 * pad - k + 1, ow = w + 2 * pad - k + 1;
        ScalarKernels.checkIm2colWidth(ld, ld, oh, ow);
        if (!convolvesWeightGradientDirectly(outC, c, h, w, k, pad, ld)) {
            ScalarKernels.INSTANCE.convolveWeightGradient(outC, dys, dysOff, ldd, count, ld, x, xOff, xStride, c, h, w, k, pad, dWT, dWTOff,
                    ldc, accumulate);
            return;
        }
        final VectorSpecies<Float> sp = species();
        final VectorSpecies<Integer> is = intSpecies();
        final int lanes = 16;
        final int kk = c * k * k;
        final boolean same = ow == w && oh == h;
        final int image = h * w;
        final int rowWidth = same ? w : ow; // the copies' row length
        final int period = same ? w / gcd(w, lanes) : 0;
        final boolean sixes = outC % 6 == 0;
        final int fives = fiveRowBlocks(kk);
        final int blocks = sixes ? (kk + 3) / 4 * (outC / 6) : (fives + (kk - 5 * fives) / 4) * (outC / 4);
        // scratch: every block's partial-sum vectors (24 slots each); the column masks [kw][phase] ("same" only); then
        // per example of a group, channel and kw a guard of zeros ("same" only) and the copy; zeros after the group's
        // last example, past the farthest read of a run (its columns [oh*ow, ld) included) and the farthest vector
        // store of a valid copy's rows
        final long partials = 0;
        final long masks = partials + blocks * 24L * lanes;
        final long guard = same ? ((long) pad * w + pad + 2L * lanes - 1) / lanes * lanes : 0;
        final long region = guard + (long) h * rowWidth;
        final long copies = masks + (long) k * period * lanes;
        final long perExample = (long) c * k * region;
        final long end = (guard + ld - (long) oh * ow + 2L * lanes - 1) / lanes * lanes;
        // examples in groups whose copies take about GROUP_FLOATS, so that every block of the group reads them from L1
        // or L2; each block's partial sums stay in the scratch from one group to the next (the same chains) and are
        // reduced after its last group
        final int group = (int) Math.max(1, Math.min(count, GROUP_FLOATS / perExample));
        final MemorySegment s = Scratch.floats(copies + group * perExample + end);
        zero(s, partials, blocks * 24L * lanes);
        if (same) {
            for (int kw = 0; kw < k; kw++) {
                final int lo = Math.max(0, kw - pad), hi = Math.min(w, w + kw - pad);
                for (int phase = 0; phase < period; phase++) {
                    for (int lane = 0; lane < lanes; lane++) {
                        final int col = (phase * lanes + lane) % w;
                        s.setAtIndex(I, masks + ((long) kw * period + phase) * lanes + lane, col >= lo && col < hi ? -1 : 0);
                    }
                }
            }
        }
        final long xFloats = x.byteSize() / Float.BYTES;
        for (int e0 = 0; e0 < count; e0 += group) {
            final int n = Math.min(group, count - e0);
            for (int e = 0; e < n; e++) {
                for (int ci = 0; ci < c; ci++) {
                    final long src = xOff + (e0 + e) * xStride + (long) ci * image;
                    for (int kw = 0; kw < k; kw++) {
                        final long r = copies + e * perExample + ((long) ci * k + kw) * region;
                        if (!same) {
                            copyValidColumns(s, r, x, src + kw, xFloats, h, w, ow);
                            continue;
                        }
                        zero(s, r, guard);
                        final long table = masks + (long) kw * period * lanes;
                        for (int v = 0, phase = 0; v < image; v += lanes, phase = phase + 1 == period ? 0 : phase + 1) {
                            FloatVector.fromMemorySegment(sp, x, (src + v) * Float.BYTES, NATIVE).reinterpretAsInts()
                                    .and(IntVector.fromMemorySegment(is, s, (table + (long) phase * lanes) * Float.BYTES, NATIVE))
                                    .intoMemorySegment(s, (r + guard + v) * Float.BYTES, NATIVE);
                        }
                    }
                }
            }
            zero(s, copies + n * perExample, end);
            final long dysGroup = dysOff + (long) e0 * ld;
            final boolean last = e0 + n == count; // a block's sums are final after its last group: reduce them then
            int block = 0;
            if (sixes) {
                for (int i = 0; i < kk; i += 4) {
                    final int i0 = Math.min(i, kk - 4);
                    // row q's source for the group's first example: see convCopyShift
                    final long a0 = copies + convCopyShift(i0, k, region, guard, rowWidth, same, pad);
                    final long a1 = copies + convCopyShift(i0 + 1, k, region, guard, rowWidth, same, pad);
                    final long a2 = copies + convCopyShift(i0 + 2, k, region, guard, rowWidth, same, pad);
                    final long a3 = copies + convCopyShift(i0 + 3, k, region, guard, rowWidth, same, pad);
                    for (int j = 0; j < outC; j += 6, block++) {
                        final long out = partials + block * 24L * lanes;
                        dotConvBlock4x6(s, a0, a1, a2, a3, perExample, dys, dysGroup + (long) j * ldd, ldd, ld, n, out);
                        if (last) {
                            storeConvPartials(s, out, i - i0, 4, 6, dWT, dWTOff + (long) i0 * ldc + j, ldc, accumulate);
                        }
                    }
                }
                continue;
            }
            for (int i = 0, b = 0; i < kk; b++) {
                final int rows = b < fives ? 5 : 4;
                final long a0 = copies + convCopyShift(i, k, region, guard, rowWidth, same, pad);
                final long a1 = copies + convCopyShift(i + 1, k, region, guard, rowWidth, same, pad);
                final long a2 = copies + convCopyShift(i + 2, k, region, guard, rowWidth, same, pad);
                final long a3 = copies + convCopyShift(i + 3, k, region, guard, rowWidth, same, pad);
                for (int j = 0; j < outC; j += 4, block++) {
                    final long b0 = dysGroup + (long) j * ldd;
                    final long out = partials + block * 24L * lanes;
                    if (rows == 5) {
                        final long a4 = copies + convCopyShift(i + 4, k, region, guard, rowWidth, same, pad);
                        dotConvBlock5x4(s, a0, a1, a2, a3, a4, perExample, dys, b0, ldd, ld, n, out);
                    } else {
                        dotConvBlock4x4(s, a0, a1, a2, a3, perExample, dys, b0, ldd, ld, n, out);
                    }
                    if (last) {
                        storeConvPartials(s, out, 0, rows, 4, dWT, dWTOff + (long) i * ldc + j, ldc, accumulate);
                    }
                }
                i += rows;
            }
        }
    }

    /** About how many floats of copies convolveWeightGradient stages for a group of examples (256 KiB). */
    private static final long GROUP_FLOATS = 64L << 10;

    /**
     * A valid conv's copy for one (example, channel, kw): h rows of the ow columns from {@code src} (the channel's
     * column kw), compacted to rows of ow floats at {@code r}. Rows of at least a vector go as vectors, the last one
     * overlapping the one before; a shorter row is one vector that spills into the next row's place, written over by
     * that row (or by the zeros after the last example). Scalar where a vector load would leave x.
     */
    private void copyValidColumns(MemorySegment s, long r, MemorySegment x, long src, long xFloats, int h, int w, int ow) {
        final VectorSpecies<Float> sp = species();
        final int lanes = sp.length();
        for (int y = 0; y < h; y++) {
            final long from = src + (long) y * w, to = r + (long) y * ow;
            if (from + Math.max(ow, lanes) > xFloats) {
                for (int ox = 0; ox < ow; ox++) {
                    s.setAtIndex(F, to + ox, x.getAtIndex(F, from + ox));
                }
                continue;
            }
            if (ow < lanes) {
                FloatVector.fromMemorySegment(sp, x, from * Float.BYTES, NATIVE).intoMemorySegment(s, to * Float.BYTES, NATIVE);
                continue;
            }
            int ox = 0;
            for (; ox + lanes <= ow; ox += lanes) {
                FloatVector.fromMemorySegment(sp, x, (from + ox) * Float.BYTES, NATIVE).intoMemorySegment(s, (to + ox) * Float.BYTES, NATIVE);
            }
            if (ox < ow) {
                final int last = ow - lanes;
                FloatVector.fromMemorySegment(sp, x, (from + last) * Float.BYTES, NATIVE).intoMemorySegment(s, (to + last) * Float.BYTES, NATIVE);
            }
        }
    }

    /**
     * Index, from the copies' start, of col row q's first source float for example 0 (see convolveWeightGradient): in
     * its (ci, kw) copy, (kh - pad) rows down and, for a "same" conv's unshifted copy, (kw - pad) columns right.
     */
    private static long convCopyShift(int q, int k, long region, long guard, int rowWidth, boolean same, int pad) {
        final int ci = q / (k * k), kh = q / k % k, kw = q % k;
        return ((long) ci * k + kw) * region + guard + (long) (kh - pad) * rowWidth + (same ? kw - pad : 0);
    }

    /**
     * A conv block's outputs from their partial-sum vectors at {@code partials} (row-major, rows x cols) to dWᵀ at
     * {@code at}, rows {@code ldc} apart, by the reference's tree; rows below {@code from} are skipped (written by the
     * block before an overlapping one).
     */
    private static void storeConvPartials(MemorySegment s, long partials, int from, int rows, int cols, MemorySegment dWT, long at,
                                          int ldc, boolean accumulate) {
        for (int t = from; t < rows; t++) {
            for (int r = 0; r < cols; r++) {
                final long o = at + (long) t * ldc + r;
                final float sum = reducePartials(s, partials + ((long) t * cols + r) * 16);
                dWT.setAtIndex(F, o, accumulate ? dWT.getAtIndex(F, o) + sum : sum);
            }
        }
    }

    /**
     * 24 partial-sum vectors of 4 col rows (sources a0..a3, the next example's perExample floats on) against 6 dy rows
     * (from b0, ldd apart, the next example's ld floats on), over count examples of ld columns each; stored at
     * {@code out}, row-major (col row, dy row).
     */
    private void dotConvBlock4x6(MemorySegment s, long a0, long a1, long a2, long a3, long perExample, MemorySegment dys, long b0, int ldd,
                                 int ld, int count, long out) {
        final VectorSpecies<Float> sp = species();
        final long b1 = b0 + ldd, b2 = b1 + ldd, b3 = b2 + ldd, b4 = b3 + ldd, b5 = b4 + ldd;
        // the chains go on from the partial sums stored at out (zeros before a call's first group)
        final long v0 = 16L * Float.BYTES;
        final long o0 = out * Float.BYTES;
        FloatVector c00 = FloatVector.fromMemorySegment(sp, s, o0, NATIVE), c01 = FloatVector.fromMemorySegment(sp, s, o0 + 1 * v0, NATIVE);
        FloatVector c02 = FloatVector.fromMemorySegment(sp, s, o0 + 2 * v0, NATIVE), c03 = FloatVector.fromMemorySegment(sp, s, o0 + 3 * v0, NATIVE);
        FloatVector c04 = FloatVector.fromMemorySegment(sp, s, o0 + 4 * v0, NATIVE), c05 = FloatVector.fromMemorySegment(sp, s, o0 + 5 * v0, NATIVE);
        FloatVector c10 = FloatVector.fromMemorySegment(sp, s, o0 + 6 * v0, NATIVE), c11 = FloatVector.fromMemorySegment(sp, s, o0 + 7 * v0, NATIVE);
        FloatVector c12 = FloatVector.fromMemorySegment(sp, s, o0 + 8 * v0, NATIVE), c13 = FloatVector.fromMemorySegment(sp, s, o0 + 9 * v0, NATIVE);
        FloatVector c14 = FloatVector.fromMemorySegment(sp, s, o0 + 10 * v0, NATIVE), c15 = FloatVector.fromMemorySegment(sp, s, o0 + 11 * v0, NATIVE);
        FloatVector c20 = FloatVector.fromMemorySegment(sp, s, o0 + 12 * v0, NATIVE), c21 = FloatVector.fromMemorySegment(sp, s, o0 + 13 * v0, NATIVE);
        FloatVector c22 = FloatVector.fromMemorySegment(sp, s, o0 + 14 * v0, NATIVE), c23 = FloatVector.fromMemorySegment(sp, s, o0 + 15 * v0, NATIVE);
        FloatVector c24 = FloatVector.fromMemorySegment(sp, s, o0 + 16 * v0, NATIVE), c25 = FloatVector.fromMemorySegment(sp, s, o0 + 17 * v0, NATIVE);
        FloatVector c30 = FloatVector.fromMemorySegment(sp, s, o0 + 18 * v0, NATIVE), c31 = FloatVector.fromMemorySegment(sp, s, o0 + 19 * v0, NATIVE);
        FloatVector c32 = FloatVector.fromMemorySegment(sp, s, o0 + 20 * v0, NATIVE), c33 = FloatVector.fromMemorySegment(sp, s, o0 + 21 * v0, NATIVE);
        FloatVector c34 = FloatVector.fromMemorySegment(sp, s, o0 + 22 * v0, NATIVE), c35 = FloatVector.fromMemorySegment(sp, s, o0 + 23 * v0, NATIVE);
        for (int e = 0; e < count; e++) {
            final long ae = e * perExample;
            final long be = (long) e * ld;
            for (int v = 0; v < ld; v += 16) {
                final long av = (ae + v) * Float.BYTES, bv = (be + v) * Float.BYTES;
                final FloatVector x0 = FloatVector.fromMemorySegment(sp, s, a0 * Float.BYTES + av, NATIVE);
                final FloatVector x1 = FloatVector.fromMemorySegment(sp, s, a1 * Float.BYTES + av, NATIVE);
                final FloatVector x2 = FloatVector.fromMemorySegment(sp, s, a2 * Float.BYTES + av, NATIVE);
                final FloatVector x3 = FloatVector.fromMemorySegment(sp, s, a3 * Float.BYTES + av, NATIVE);
                FloatVector y = FloatVector.fromMemorySegment(sp, dys, b0 * Float.BYTES + bv, NATIVE);
                c00 = x0.fma(y, c00); c10 = x1.fma(y, c10); c20 = x2.fma(y, c20); c30 = x3.fma(y, c30);
                y = FloatVector.fromMemorySegment(sp, dys, b1 * Float.BYTES + bv, NATIVE);
                c01 = x0.fma(y, c01); c11 = x1.fma(y, c11); c21 = x2.fma(y, c21); c31 = x3.fma(y, c31);
                y = FloatVector.fromMemorySegment(sp, dys, b2 * Float.BYTES + bv, NATIVE);
                c02 = x0.fma(y, c02); c12 = x1.fma(y, c12); c22 = x2.fma(y, c22); c32 = x3.fma(y, c32);
                y = FloatVector.fromMemorySegment(sp, dys, b3 * Float.BYTES + bv, NATIVE);
                c03 = x0.fma(y, c03); c13 = x1.fma(y, c13); c23 = x2.fma(y, c23); c33 = x3.fma(y, c33);
                y = FloatVector.fromMemorySegment(sp, dys, b4 * Float.BYTES + bv, NATIVE);
                c04 = x0.fma(y, c04); c14 = x1.fma(y, c14); c24 = x2.fma(y, c24); c34 = x3.fma(y, c34);
                y = FloatVector.fromMemorySegment(sp, dys, b5 * Float.BYTES + bv, NATIVE);
                c05 = x0.fma(y, c05); c15 = x1.fma(y, c15); c25 = x2.fma(y, c25); c35 = x3.fma(y, c35);
            }
        }
        // Stores written out here: a vector passed to a helper that C2 does not inline gets boxed.
        final long v = 16L * Float.BYTES;
        long p = out * Float.BYTES;
        c00.intoMemorySegment(s, p, NATIVE); c01.intoMemorySegment(s, p + v, NATIVE); c02.intoMemorySegment(s, p + 2 * v, NATIVE);
        c03.intoMemorySegment(s, p + 3 * v, NATIVE); c04.intoMemorySegment(s, p + 4 * v, NATIVE); c05.intoMemorySegment(s, p + 5 * v, NATIVE);
        p += 6 * v;
        c10.intoMemorySegment(s, p, NATIVE); c11.intoMemorySegment(s, p + v, NATIVE); c12.intoMemorySegment(s, p + 2 * v, NATIVE);
        c13.intoMemorySegment(s, p + 3 * v, NATIVE); c14.intoMemorySegment(s, p + 4 * v, NATIVE); c15.intoMemorySegment(s, p + 5 * v, NATIVE);
        p += 6 * v;
        c20.intoMemorySegment(s, p, NATIVE); c21.intoMemorySegment(s, p + v, NATIVE); c22.intoMemorySegment(s, p + 2 * v, NATIVE);
        c23.intoMemorySegment(s, p + 3 * v, NATIVE); c24.intoMemorySegment(s, p + 4 * v, NATIVE); c25.intoMemorySegment(s, p + 5 * v, NATIVE);
        p += 6 * v;
        c30.intoMemorySegment(s, p, NATIVE); c31.intoMemorySegment(s, p + v, NATIVE); c32.intoMemorySegment(s, p + 2 * v, NATIVE);
        c33.intoMemorySegment(s, p + 3 * v, NATIVE); c34.intoMemorySegment(s, p + 4 * v, NATIVE); c35.intoMemorySegment(s, p + 5 * v, NATIVE);
    }

    /**
     * {@link #dotConvBlock4x6} with 4 dy rows: 16 partial-sum vectors (gemmNT4's 4x4 block), stored at {@code out},
     * row-major (col row, dy row).
     */
    private void dotConvBlock4x4(MemorySegment s, long a0, long a1, long a2, long a3, long perExample, MemorySegment dys, long b0, int ldd,
                                 int ld, int count, long out) {
        final VectorSpecies<Float> sp = species();
        final long b1 = b0 + ldd, b2 = b1 + ldd, b3 = b2 + ldd;
        // the chains go on from the partial sums stored at out (zeros before a call's first group)
        final long v0 = 16L * Float.BYTES;
        final long o0 = out * Float.BYTES;
        FloatVector c00 = FloatVector.fromMemorySegment(sp, s, o0, NATIVE), c01 = FloatVector.fromMemorySegment(sp, s, o0 + 1 * v0, NATIVE);
        FloatVector c02 = FloatVector.fromMemorySegment(sp, s, o0 + 2 * v0, NATIVE), c03 = FloatVector.fromMemorySegment(sp, s, o0 + 3 * v0, NATIVE);
        FloatVector c10 = FloatVector.fromMemorySegment(sp, s, o0 + 4 * v0, NATIVE), c11 = FloatVector.fromMemorySegment(sp, s, o0 + 5 * v0, NATIVE);
        FloatVector c12 = FloatVector.fromMemorySegment(sp, s, o0 + 6 * v0, NATIVE), c13 = FloatVector.fromMemorySegment(sp, s, o0 + 7 * v0, NATIVE);
        FloatVector c20 = FloatVector.fromMemorySegment(sp, s, o0 + 8 * v0, NATIVE), c21 = FloatVector.fromMemorySegment(sp, s, o0 + 9 * v0, NATIVE);
        FloatVector c22 = FloatVector.fromMemorySegment(sp, s, o0 + 10 * v0, NATIVE), c23 = FloatVector.fromMemorySegment(sp, s, o0 + 11 * v0, NATIVE);
        FloatVector c30 = FloatVector.fromMemorySegment(sp, s, o0 + 12 * v0, NATIVE), c31 = FloatVector.fromMemorySegment(sp, s, o0 + 13 * v0, NATIVE);
        FloatVector c32 = FloatVector.fromMemorySegment(sp, s, o0 + 14 * v0, NATIVE), c33 = FloatVector.fromMemorySegment(sp, s, o0 + 15 * v0, NATIVE);
        final int step = dotStep; // 16, not a constant to C2: see dotStep
        for (int e = 0; e < count; e++) {
            final long ae = e * perExample;
            final long be = (long) e * ld;
            for (int v = 0; v < ld; v += step) {
                final long av = (ae + v) * Float.BYTES, bv = (be + v) * Float.BYTES;
                final FloatVector y0 = FloatVector.fromMemorySegment(sp, dys, b0 * Float.BYTES + bv, NATIVE);
                final FloatVector y1 = FloatVector.fromMemorySegment(sp, dys, b1 * Float.BYTES + bv, NATIVE);
                final FloatVector y2 = FloatVector.fromMemorySegment(sp, dys, b2 * Float.BYTES + bv, NATIVE);
                final FloatVector y3 = FloatVector.fromMemorySegment(sp, dys, b3 * Float.BYTES + bv, NATIVE);
                FloatVector x = FloatVector.fromMemorySegment(sp, s, a0 * Float.BYTES + av, NATIVE);
                c00 = x.fma(y0, c00); c01 = x.fma(y1, c01); c02 = x.fma(y2, c02); c03 = x.fma(y3, c03);
                x = FloatVector.fromMemorySegment(sp, s, a1 * Float.BYTES + av, NATIVE);
                c10 = x.fma(y0, c10); c11 = x.fma(y1, c11); c12 = x.fma(y2, c12); c13 = x.fma(y3, c13);
                x = FloatVector.fromMemorySegment(sp, s, a2 * Float.BYTES + av, NATIVE);
                c20 = x.fma(y0, c20); c21 = x.fma(y1, c21); c22 = x.fma(y2, c22); c23 = x.fma(y3, c23);
                x = FloatVector.fromMemorySegment(sp, s, a3 * Float.BYTES + av, NATIVE);
                c30 = x.fma(y0, c30); c31 = x.fma(y1, c31); c32 = x.fma(y2, c32); c33 = x.fma(y3, c33);
            }
        }
        // Stores written out here: a vector passed to a helper that C2 does not inline gets boxed.
        final long v = 16L * Float.BYTES;
        long p = out * Float.BYTES;
        c00.intoMemorySegment(s, p, NATIVE); c01.intoMemorySegment(s, p + v, NATIVE); c02.intoMemorySegment(s, p + 2 * v, NATIVE); c03.intoMemorySegment(s, p + 3 * v, NATIVE);
        p += 4 * v;
        c10.intoMemorySegment(s, p, NATIVE); c11.intoMemorySegment(s, p + v, NATIVE); c12.intoMemorySegment(s, p + 2 * v, NATIVE); c13.intoMemorySegment(s, p + 3 * v, NATIVE);
        p += 4 * v;
        c20.intoMemorySegment(s, p, NATIVE); c21.intoMemorySegment(s, p + v, NATIVE); c22.intoMemorySegment(s, p + 2 * v, NATIVE); c23.intoMemorySegment(s, p + 3 * v, NATIVE);
        p += 4 * v;
        c30.intoMemorySegment(s, p, NATIVE); c31.intoMemorySegment(s, p + v, NATIVE); c32.intoMemorySegment(s, p + 2 * v, NATIVE); c33.intoMemorySegment(s, p + 3 * v, NATIVE);
    }

    /**
     * {@link #dotConvBlock4x4} with a fifth col row (source a4): 20 partial-sum vectors (gemmNT4's 5x4 block), stored at
     * {@code out}, row-major (col row, dy row).
     */
    private void dotConvBlock5x4(MemorySegment s, long a0, long a1, long a2, long a3, long a4, long perExample, MemorySegment dys, long b0,
                                 int ldd, int ld, int count, long out) {
        final VectorSpecies<Float> sp = species();
        final long b1 = b0 + ldd, b2 = b1 + ldd, b3 = b2 + ldd;
        // the chains go on from the partial sums stored at out (zeros before a call's first group)
        final long v0 = 16L * Float.BYTES;
        final long o0 = out * Float.BYTES;
        FloatVector c00 = FloatVector.fromMemorySegment(sp, s, o0, NATIVE), c01 = FloatVector.fromMemorySegment(sp, s, o0 + 1 * v0, NATIVE);
        FloatVector c02 = FloatVector.fromMemorySegment(sp, s, o0 + 2 * v0, NATIVE), c03 = FloatVector.fromMemorySegment(sp, s, o0 + 3 * v0, NATIVE);
        FloatVector c10 = FloatVector.fromMemorySegment(sp, s, o0 + 4 * v0, NATIVE), c11 = FloatVector.fromMemorySegment(sp, s, o0 + 5 * v0, NATIVE);
        FloatVector c12 = FloatVector.fromMemorySegment(sp, s, o0 + 6 * v0, NATIVE), c13 = FloatVector.fromMemorySegment(sp, s, o0 + 7 * v0, NATIVE);
        FloatVector c20 = FloatVector.fromMemorySegment(sp, s, o0 + 8 * v0, NATIVE), c21 = FloatVector.fromMemorySegment(sp, s, o0 + 9 * v0, NATIVE);
        FloatVector c22 = FloatVector.fromMemorySegment(sp, s, o0 + 10 * v0, NATIVE), c23 = FloatVector.fromMemorySegment(sp, s, o0 + 11 * v0, NATIVE);
        FloatVector c30 = FloatVector.fromMemorySegment(sp, s, o0 + 12 * v0, NATIVE), c31 = FloatVector.fromMemorySegment(sp, s, o0 + 13 * v0, NATIVE);
        FloatVector c32 = FloatVector.fromMemorySegment(sp, s, o0 + 14 * v0, NATIVE), c33 = FloatVector.fromMemorySegment(sp, s, o0 + 15 * v0, NATIVE);
        FloatVector c40 = FloatVector.fromMemorySegment(sp, s, o0 + 16 * v0, NATIVE), c41 = FloatVector.fromMemorySegment(sp, s, o0 + 17 * v0, NATIVE);
        FloatVector c42 = FloatVector.fromMemorySegment(sp, s, o0 + 18 * v0, NATIVE), c43 = FloatVector.fromMemorySegment(sp, s, o0 + 19 * v0, NATIVE);
        final int step = dotStep; // 16, not a constant to C2: see dotStep
        for (int e = 0; e < count; e++) {
            final long ae = e * perExample;
            final long be = (long) e * ld;
            for (int v = 0; v < ld; v += step) {
                final long av = (ae + v) * Float.BYTES, bv = (be + v) * Float.BYTES;
                final FloatVector y0 = FloatVector.fromMemorySegment(sp, dys, b0 * Float.BYTES + bv, NATIVE);
                final FloatVector y1 = FloatVector.fromMemorySegment(sp, dys, b1 * Float.BYTES + bv, NATIVE);
                final FloatVector y2 = FloatVector.fromMemorySegment(sp, dys, b2 * Float.BYTES + bv, NATIVE);
                final FloatVector y3 = FloatVector.fromMemorySegment(sp, dys, b3 * Float.BYTES + bv, NATIVE);
                FloatVector x = FloatVector.fromMemorySegment(sp, s, a0 * Float.BYTES + av, NATIVE);
                c00 = x.fma(y0, c00); c01 = x.fma(y1, c01); c02 = x.fma(y2, c02); c03 = x.fma(y3, c03);
                x = FloatVector.fromMemorySegment(sp, s, a1 * Float.BYTES + av, NATIVE);
                c10 = x.fma(y0, c10); c11 = x.fma(y1, c11); c12 = x.fma(y2, c12); c13 = x.fma(y3, c13);
                x = FloatVector.fromMemorySegment(sp, s, a2 * Float.BYTES + av, NATIVE);
                c20 = x.fma(y0, c20); c21 = x.fma(y1, c21); c22 = x.fma(y2, c22); c23 = x.fma(y3, c23);
                x = FloatVector.fromMemorySegment(sp, s, a3 * Float.BYTES + av, NATIVE);
                c30 = x.fma(y0, c30); c31 = x.fma(y1, c31); c32 = x.fma(y2, c32); c33 = x.fma(y3, c33);
                x = FloatVector.fromMemorySegment(sp, s, a4 * Float.BYTES + av, NATIVE);
                c40 = x.fma(y0, c40); c41 = x.fma(y1, c41); c42 = x.fma(y2, c42); c43 = x.fma(y3, c43);
            }
        }
        // Stores written out here: a vector passed to a helper that C2 does not inline gets boxed.
        final long v = 16L * Float.BYTES;
        long p = out * Float.BYTES;
        c00.intoMemorySegment(s, p, NATIVE); c01.intoMemorySegment(s, p + v, NATIVE); c02.intoMemorySegment(s, p + 2 * v, NATIVE); c03.intoMemorySegment(s, p + 3 * v, NATIVE);
        p += 4 * v;
        c10.intoMemorySegment(s, p, NATIVE); c11.intoMemorySegment(s, p + v, NATIVE); c12.intoMemorySegment(s, p + 2 * v, NATIVE); c13.intoMemorySegment(s, p + 3 * v, NATIVE);
        p += 4 * v;
        c20.intoMemorySegment(s, p, NATIVE); c21.intoMemorySegment(s, p + v, NATIVE); c22.intoMemorySegment(s, p + 2 * v, NATIVE); c23.intoMemorySegment(s, p + 3 * v, NATIVE);
        p += 4 * v;
        c30.intoMemorySegment(s, p, NATIVE); c31.intoMemorySegment(s, p + v, NATIVE); c32.intoMemorySegment(s, p + 2 * v, NATIVE); c33.intoMemorySegment(s, p + 3 * v, NATIVE);
        p += 4 * v;
        c40.intoMemorySegment(s, p, NATIVE); c41.intoMemorySegment(s, p + v, NATIVE); c42.intoMemorySegment(s, p + 2 * v, NATIVE); c43.intoMemorySegment(s, p + 3 * v, NATIVE);
    }

    /**
     * {@link #im2col} with {@code 0 < pad < lanes}: each output row's run is read from x as if the padding
     * were there (vectors from {@code x[row start - pad + kw]} on), and the first and the last vector of
     * the run take zeros outside the valid columns {@code [lo, hi)} by a blend; with pad below a vector
     * the vectors in between are all valid. A run shorter than a vector is one blended vector that
     * spills zeros into the next run's place (written over later, as in {@link #im2colValid}); output
     * rows above or below the image are zero vectors. Scalar only where a vector would leave x or the
     * col row. Copies and exact zeros: bit-identical to the reference.
     */
    private void im2colPadded(MemorySegment col, long colOff, int ld, int width, MemorySegment x, long xOff, int c, int h, int w, int k,
                              int pad, long xFloats) {
        final VectorSpecies<Float> sp = species();
        final int lanes = sp.length();
        final int oh = h + 2 * pad - k + 1;
        final int ow = w + 2 * pad - k + 1;
        final int last = Math.max(0, ow - lanes);
        final FloatVector zero = FloatVector.zero(sp);
        final FloatVector index = zero.addIndex(1);
        for (int ci = 0; ci < c; ci++) {
            for (int kh = 0; kh < k; kh++) {
                for (int kw = 0; kw < k; kw++) {
                    final long row = colOff + ((long) (ci * k + kh) * k + kw) * ld;
                    final long rowEnd = row + width;
                    final int lo = Math.max(0, pad - kw);
                    final int hi = Math.min(ow, w + pad - kw);
                    // valid lanes of the run's first vector (at 0) and last one (at `last`): lo <= ox < hi
                    final VectorMask<Float> first = index.compare(VectorOperators.GE, lo).and(index.compare(VectorOperators.LT, hi));
                    final VectorMask<Float> end = index.compare(VectorOperators.GE, lo - last).and(index.compare(VectorOperators.LT, hi - last));
                    for (int oy = 0; oy < oh; oy++) {
                        final long dst = row + (long) oy * ow;
                        final int iy = oy + kh - pad;
                        final long src = xOff + ((long) ci * h + iy) * w + kw - pad; // x index of ox = 0
                        final boolean inside = iy >= 0 && iy < h && lo < hi;
                        if (ow >= lanes) {
                            if (!inside) {
                                for (int q = 0; q < last; q += lanes) {
                                    zero.intoMemorySegment(col, (dst + q) * Float.BYTES, NATIVE);
                                }
                                zero.intoMemorySegment(col, (dst + last) * Float.BYTES, NATIVE);
                                continue;
                            }
                            if (src >= 0 && src + ow <= xFloats) {
                                zero.blend(FloatVector.fromMemorySegment(sp, x, src * Float.BYTES, NATIVE), first).intoMemorySegment(col, dst * Float.BYTES, NATIVE);
                                for (int q = lanes; q < last; q += lanes) {
                                    FloatVector.fromMemorySegment(sp, x, (src + q) * Float.BYTES, NATIVE).intoMemorySegment(col, (dst + q) * Float.BYTES, NATIVE);
                                }
                                zero.blend(FloatVector.fromMemorySegment(sp, x, (src + last) * Float.BYTES, NATIVE), end).intoMemorySegment(col, (dst + last) * Float.BYTES, NATIVE);
                                continue;
                            }
                        } else if (dst + lanes <= rowEnd) {
                            if (!inside) {
                                zero.intoMemorySegment(col, dst * Float.BYTES, NATIVE);
                                continue;
                            }
                            if (src >= 0 && src + lanes <= xFloats) {
                                zero.blend(FloatVector.fromMemorySegment(sp, x, src * Float.BYTES, NATIVE), first).intoMemorySegment(col, dst * Float.BYTES, NATIVE);
                                continue;
                            }
                        }
                        // scalar: a vector would leave x or the col row. The copy loop runs over exactly the valid
                        // columns: with a conditional read inside one loop over all of them, C2 hoisted the read's
                        // range check out of the loop, which failed where src + ox < 0 (the top-left corner):
                        // 86 deoptimisations and ~5 s of boxed C1 code before the method settled
                        final int from = inside ? lo : ow;
                        final int to = inside ? hi : ow;
                        for (int ox = 0; ox < from; ox++) {
                            col.setAtIndex(F, dst + ox, 0f);
                        }
                        for (int ox = from; ox < to; ox++) {
                            col.setAtIndex(F, dst + ox, x.getAtIndex(F, src + ox));
                        }
                        for (int ox = to; ox < ow; ox++) {
                            col.setAtIndex(F, dst + ox, 0f);
                        }
                    }
                    zero(col, row + (long) oh * ow, width - (long) oh * ow);
                }
            }
        }
    }

    /**
     * {@link #im2col} without padding: every output row's run is the whole {@code ow} columns and reads
     * inside the image, so a run is its vectors (the last one overlapping the one before) or, when
     * shorter than a vector, one vector that spills into the next run's place (written over by that
     * run, or by the zero columns after the last run); scalar only where that vector would leave the
     * col row or x. No per-run zero fills or padding branches: the thesis CNN's two convolutions
     * spent ~5-7 ns per run in them.
     */
    private void im2colValid(MemorySegment col, long colOff, int ld, int width, MemorySegment x, long xOff, int c, int h, int w, int k,
                             long xFloats) {
        final VectorSpecies<Float> sp = species();
        final int lanes = sp.length();
        final int oh = h - k + 1;
        final int ow = w - k + 1;
        final int spill = (ow + lanes - 1) / lanes * lanes; // floats the whole vectors of one row write
        final long vectorBytes = (long) lanes * Float.BYTES;
        for (int ci = 0; ci < c; ci++) {
            for (int kh = 0; kh < k; kh++) {
                for (int kw = 0; kw < k; kw++) {
                    final long row = colOff + ((long) (ci * k + kh) * k + kw) * ld;
                    final long rowEnd = row + width;
                    final long src0 = xOff + ((long) ci * h + kh) * w + kw;
                    final long lastDst = row + (long) (oh - 1) * ow, lastSrc = src0 + (long) (oh - 1) * w;
                    if (spill <= 2 * lanes && lastDst + spill <= rowEnd && lastSrc + spill <= xFloats) {
                        // one or two whole vectors per row, the last spilling past the row into floats the next row (or
                        // the padding zeroed below) overwrites: checked once for the last row, then loads and stores
                        // only (the thesis CNN's conv2, 11-float rows: 2.1x the per-row checks; NOTES 18.3)
                        long dstBytes = row * Float.BYTES, srcBytes = src0 * Float.BYTES;
                        final long dstStep = (long) ow * Float.BYTES, srcStep = (long) w * Float.BYTES;
                        if (spill == lanes) {
                            for (int oy = 0; oy < oh; oy++, dstBytes += dstStep, srcBytes += srcStep) {
                                FloatVector.fromMemorySegment(sp, x, srcBytes, NATIVE).intoMemorySegment(col, dstBytes, NATIVE);
                            }
                        } else { // two vectors (an inner loop over them measured 0.4-0.6x of these)
                            for (int oy = 0; oy < oh; oy++, dstBytes += dstStep, srcBytes += srcStep) {
                                FloatVector.fromMemorySegment(sp, x, srcBytes, NATIVE).intoMemorySegment(col, dstBytes, NATIVE);
                                FloatVector.fromMemorySegment(sp, x, srcBytes + vectorBytes, NATIVE)
                                        .intoMemorySegment(col, dstBytes + vectorBytes, NATIVE);
                            }
                        }
                        zero(col, row + (long) oh * ow, width - (long) oh * ow);
                        continue;
                    }
                    for (int oy = 0; oy < oh; oy++) {
                        final long dst = row + (long) oy * ow;
                        final long src = src0 + (long) oy * w;
                        if (ow >= lanes) {
                            int ox = 0;
                            for (; ox + lanes <= ow; ox += lanes) {
                                FloatVector.fromMemorySegment(sp, x, (src + ox) * Float.BYTES, NATIVE).intoMemorySegment(col, (dst + ox) * Float.BYTES, NATIVE);
                            }
                            if (ox < ow) {
                                final int last = ow - lanes;
                                FloatVector.fromMemorySegment(sp, x, (src + last) * Float.BYTES, NATIVE).intoMemorySegment(col, (dst + last) * Float.BYTES, NATIVE);
                            }
                        } else if (dst + lanes <= rowEnd && src + lanes <= xFloats) {
                            FloatVector.fromMemorySegment(sp, x, src * Float.BYTES, NATIVE).intoMemorySegment(col, dst * Float.BYTES, NATIVE);
                        } else {
                            for (int ox = 0; ox < ow; ox++) {
                                col.setAtIndex(F, dst + ox, x.getAtIndex(F, src + ox));
                            }
                        }
                    }
                    zero(col, row + (long) oh * ow, width - (long) oh * ow);
                }
            }
        }
    }

    /**
     * {@link #col2imAccumulate} without padding where an image row fits one vector (LeNet's second conv, 14-float rows;
     * the thesis CNN's second, 13): each dx row is loaded once, gets all its {@code k x k} contributions in registers
     * and is stored once. A contribution of col row (kh, kw) to dx row iy is col's output row {@code oy = iy - kh} moved
     * kw lanes right: one load from {@code kw} floats before it, added in the lanes {@code [kw, kw + ow)} only (a
     * masked add: the other lanes keep their value, a -0 included). Per dx element the additions run in the
     * reference's order, kh then kw, so the bits are the reference's. Four dx rows at a time, four independent chains
     * (one row's 25 additions are one dependent chain). The per-(kh, kw) form reads and writes dx once per col row:
     * {@code k x k} read-add-writes per dx row, each a 16-float load that may wait for an overlapping masked store.
     * The caller checks that every load lies inside col and dx.
     */
    private void col2imValidInRegisters(MemorySegment dx, long dxOff, MemorySegment col, long colOff, int ld, int c, int h, int w,
                                        int k) {
        final VectorSpecies<Float> sp = species();
        final int oh = h - k + 1;
        final int ow = w - k + 1;
        final FloatVector index = FloatVector.zero(sp).addIndex(1);
        final VectorMask<Float> inRow = index.compare(VectorOperators.LT, w);
        final long rowBytes = (long) w * Float.BYTES;
        for (int ci = 0; ci < c; ci++) {
            final long plane = (dxOff + (long) ci * h * w) * Float.BYTES;
            final long rows = colOff + (long) ci * k * k * ld; // col row (ci, 0, 0)
            int iy = 0;
            for (; iy + 4 <= h; iy += 4) {
                final long at = plane + iy * rowBytes;
                FloatVector a0 = FloatVector.fromMemorySegment(sp, dx, at, NATIVE);
                FloatVector a1 = FloatVector.fromMemorySegment(sp, dx, at + rowBytes, NATIVE);
                FloatVector a2 = FloatVector.fromMemorySegment(sp, dx, at + 2 * rowBytes, NATIVE);
                FloatVector a3 = FloatVector.fromMemorySegment(sp, dx, at + 3 * rowBytes, NATIVE);
                for (int kh = 0; kh < k; kh++) {
                    final int oy = iy - kh; // dx row iy + r takes output row oy + r
                    for (int kw = 0; kw < k; kw++) {
                        final VectorMask<Float> lanes = index.compare(VectorOperators.GE, kw).and(index.compare(VectorOperators.LT, kw + ow));
                        final long from = (rows + (long) (kh * k + kw) * ld - kw) * Float.BYTES; // output row 0, kw lanes right
                        final long step = (long) ow * Float.BYTES;
                        if (oy >= 0 && oy < oh) {
                            a0 = a0.add(FloatVector.fromMemorySegment(sp, col, from + oy * step, NATIVE), lanes);
                        }
                        if (oy + 1 >= 0 && oy + 1 < oh) {
                            a1 = a1.add(FloatVector.fromMemorySegment(sp, col, from + (oy + 1) * step, NATIVE), lanes);
                        }
                        if (oy + 2 >= 0 && oy + 2 < oh) {
                            a2 = a2.add(FloatVector.fromMemorySegment(sp, col, from + (oy + 2) * step, NATIVE), lanes);
                        }
                        if (oy + 3 >= 0 && oy + 3 < oh) {
                            a3 = a3.add(FloatVector.fromMemorySegment(sp, col, from + (oy + 3) * step, NATIVE), lanes);
                        }
                    }
                }
                a0.intoMemorySegment(dx, at, NATIVE, inRow);
                a1.intoMemorySegment(dx, at + rowBytes, NATIVE, inRow);
                a2.intoMemorySegment(dx, at + 2 * rowBytes, NATIVE, inRow);
                a3.intoMemorySegment(dx, at + 3 * rowBytes, NATIVE, inRow);
            }
            for (; iy < h; iy++) {
                final long at = plane + iy * rowBytes;
                FloatVector a0 = FloatVector.fromMemorySegment(sp, dx, at, NATIVE);
                for (int kh = 0; kh < k; kh++) {
                    final int oy = iy - kh;
                    if (oy < 0 || oy >= oh) {
                        continue;
                    }
                    for (int kw = 0; kw < k; kw++) {
                        final VectorMask<Float> lanes = index.compare(VectorOperators.GE, kw).and(index.compare(VectorOperators.LT, kw + ow));
                        final long from = (rows + (long) (kh * k + kw) * ld - kw + (long) oy * ow) * Float.BYTES;
                        a0 = a0.add(FloatVector.fromMemorySegment(sp, col, from, NATIVE), lanes);
                    }
                }
                a0.intoMemorySegment(dx, at, NATIVE, inRow);
            }
        }
    }

    /*
     * col2im: per (channel, kh, kw) row and output row oy, dx's run gets col's run added, in whole
     * vectors, then scalar for the run's remainder. Each dx element receives its contributions in the
     * scalar reference's order (a vector covers distinct elements of one run), so the sums are
     * bit-identical.
     */
    @Override
    public void col2imAccumulate(MemorySegment dx, long dxOff, MemorySegment col, long colOff, int ld, int c, int h, int w, int k,
                                 int pad) {
        final VectorSpecies<Float> sp = species();
        final int lanes = species().length();
        final int oh = h + 2 * pad - k + 1;
        final int ow = w + 2 * pad - k + 1;
        final long dxFloats = dx.byteSize() / Float.BYTES;
        final long colFloats = col.byteSize() / Float.BYTES;
        if (pad == 0 && w <= lanes && k > 1 && colOff >= k - 1 && dxOff + (long) c * h * w - w + lanes <= dxFloats
                && colOff + ((long) c * k * k - 1) * ld + (long) (oh - 1) * ow + lanes <= colFloats) {
            col2imValidInRegisters(dx, dxOff, col, colOff, ld, c, h, w, k);
            return;
        }
        final FloatVector index = FloatVector.zero(sp).addIndex(1);
        for (int ci = 0; ci < c; ci++) {
            for (int kh = 0; kh < k; kh++) {
                for (int kw = 0; kw < k; kw++) {
                    final long row = colOff + ((long) (ci * k + kh) * k + kw) * ld;
                    final int lo = Math.max(0, pad - kw);
                    final int hi = Math.min(ow, w + pad - kw);
                    final int vecEnd = hi - Math.max(0, hi - lo) % lanes;
                    final VectorMask<Float> keep = index.compare(VectorOperators.LT, hi - vecEnd);
                    if (pad == 0 && ow < lanes && oh > 0) {
                        // valid rows narrower than a vector: one masked read-add-write per row, the checks hoisted to
                        // the last row (as in im2colValid). Rows go even, then odd: a row's 16-float load overlaps the
                        // masked store of the row before it (w < 16 floats apart), and a load that overlaps a masked
                        // store in flight waits for it to retire (no store forwarding): ~20 cycles a row on Zen 5.
                        // Two rows apart the footprints do not overlap when w >= 8. Each (ci, kh, kw) adds to a dx
                        // element at most once, so the order of its rows changes no sum: same bits (NOTES 18.6).
                        final long srcStep = (long) ow * Float.BYTES, dstStep = (long) w * Float.BYTES;
                        final long src0 = row * Float.BYTES, dst0 = (dxOff + ((long) ci * h + kh) * w + kw) * Float.BYTES;
                        if (dst0 + (oh - 1) * dstStep + (long) lanes * Float.BYTES <= dxFloats * Float.BYTES
                                && src0 + (oh - 1) * srcStep + (long) lanes * Float.BYTES <= colFloats * Float.BYTES) {
                            for (int parity = 0; parity < 2; parity++) {
                                for (int oy = parity; oy < oh; oy += 2) {
                                    final long sb = src0 + oy * srcStep, db = dst0 + oy * dstStep;
                                    FloatVector.fromMemorySegment(sp, dx, db, NATIVE).add(FloatVector.fromMemorySegment(sp, col, sb, NATIVE))
                                            .intoMemorySegment(dx, db, NATIVE, keep);
                                }
                            }
                            continue;
                        }
                    }
                    for (int parity = 0; parity < 2; parity++) { // even rows, then odd, as in the fast path above
                        for (int oy = parity; oy < oh; oy += 2) {
                            final int iy = oy + kh - pad;
                            if (iy < 0 || iy >= h) {
                                continue;
                            }
                            final long src = row + (long) oy * ow;
                            final long dst = dxOff + ((long) ci * h + iy) * w + kw - pad;
                            int ox = lo;
                            for (; ox < vecEnd; ox += lanes) {
                                FloatVector.fromMemorySegment(sp, dx, (dst + ox) * Float.BYTES, NATIVE).add(FloatVector.fromMemorySegment(sp, col, (src + ox) * Float.BYTES, NATIVE)).intoMemorySegment(dx, (dst + ox) * Float.BYTES, NATIVE);
                            }
                            if (ox >= hi) {
                                continue;
                            }
                            // the run's last hi - ox < lanes elements: one masked store (the lanes past the run are
                            // loaded, added and not written) where whole vectors lie inside dx and col, else scalar
                            if (dst + ox + lanes <= dxFloats && src + ox + lanes <= colFloats) {
                                FloatVector.fromMemorySegment(sp, dx, (dst + ox) * Float.BYTES, NATIVE).add(FloatVector.fromMemorySegment(sp, col, (src + ox) * Float.BYTES, NATIVE)).intoMemorySegment(dx, (dst + ox) * Float.BYTES, NATIVE, keep);
                                continue;
                            }
                            for (; ox < hi; ox++) {
                                dx.setAtIndex(F, dst + ox, dx.getAtIndex(F, dst + ox) + col.getAtIndex(F, src + ox));
                            }
                        }
                    }
                }
            }
        }
    }

    @Override
    public void unsignedBytesToFloats(MemorySegment dst, long dstOff, MemorySegment src, long srcOff, long count, float scale) {
        final VectorSpecies<Byte> bs = byteSpecies();
        final VectorSpecies<Integer> is = intSpecies();
        final int lanes = species().length();
        // 1 on 256/512-bit vectors (vpmovzxbd then vcvtdq2ps); 2 or 4 on the narrow ones
        final int parts = byteSpecies().length() / lanes;
        final long bound = byteSpecies().loopBound(count);
        long i = 0;
        for (; i < bound; i += byteSpecies().length()) {
            final ByteVector bytes = ByteVector.fromMemorySegment(bs, src, srcOff + i, NATIVE);
            for (int part = 0; part < parts; part++) {
                ((FloatVector) bytes.convertShape(VectorOperators.ZERO_EXTEND_B2I, is, part).convert(VectorOperators.I2F, 0))
                        .mul(scale).intoMemorySegment(dst, (dstOff + i + (long) part * lanes) * Float.BYTES, NATIVE);
            }
        }
        for (; i < count; i++) { // scalar tail
            dst.setAtIndex(F, dstOff + i, (src.get(ValueLayout.JAVA_BYTE, srcOff + i) & 0xFF) * scale);
        }
    }

    /*
     * Softmax cross-entropy with the examples in the lanes: the logits are transposed into the scratch (a row per
     * class, n floats long), so each class is one vector of lanes examples and every step below is lane-wise, the
     * same operations in the same order as ScalarKernels.softmaxRow's for one row. The exps overwrite the
     * transposed logits and the deltas the exps, which are then transposed into delta; rows past the last whole
     * vector of examples run softmaxRow itself. A row's max, norm and label logit go to the scratch, and the loss
     * terms are summed in row order in a scalar loop (one log per row). Before: two Math.exp calls in double per
     * logit, 100 us of the MLP's 3.2 ms gradient at batch 512 (NOTES 24). Every zero vector is made where it is used:
     * one shared by the example loop's iterations was boxed by C2 once per call at 512 rows, 80 B (not at 16 or 128;
     * SoftmaxAllocationTest).
     */
    @Override
    public double softmaxCrossEntropy(MemorySegment logits, long logitsOff, int n, int classes, int[] labels, MemorySegment delta,
                                      long deltaOff, float gradScale, long[] correct, MemorySegment scratch) {
        ScalarKernels.checkSoftmax(n, classes, labels, scratch);
        final VectorSpecies<Float> sp = species();
        final int lanes = sp.length();
        final int whole = n / lanes * lanes;
        final long stats = ScalarKernels.softmaxStatsOffset(n, classes); // max, norm, label logit: three rows of n floats
        long hits = 0;
        if (whole > 0) {
            transpose(scratch, 0, logits, logitsOff, n, classes);
            for (int r = 0; r < whole; r += lanes) {
                final FloatVector label = (FloatVector) IntVector.fromArray(intSpecies(), labels, r).convert(VectorOperators.I2F, 0);
                FloatVector max = FloatVector.broadcast(sp, Float.NEGATIVE_INFINITY);
                FloatVector argmax = FloatVector.zero(sp);
                FloatVector zLabel = FloatVector.zero(sp);
                for (int c = 0; c < classes; c++) {
                    final FloatVector z = FloatVector.fromMemorySegment(sp, scratch, ((long) c * n + r) * Float.BYTES, NATIVE);
                    final VectorMask<Float> above = z.compare(VectorOperators.GT, max);
                    max = max.blend(z, above);
                    argmax = argmax.blend((float) c, above);
                    zLabel = zLabel.blend(z, label.compare(VectorOperators.EQ, (float) c));
                }
                FloatVector norm = FloatVector.zero(sp);
                for (int c = 0; c < classes; c++) {
                    final long at = ((long) c * n + r) * Float.BYTES;
                    final FloatVector e = exp(FloatVector.fromMemorySegment(sp, scratch, at, NATIVE).sub(max));
                    norm = norm.add(e);
                    e.intoMemorySegment(scratch, at, NATIVE);
                }
                hits += argmax.compare(VectorOperators.EQ, label).trueCount();
                max.intoMemorySegment(scratch, (stats + r) * Float.BYTES, NATIVE);
                norm.intoMemorySegment(scratch, (stats + n + r) * Float.BYTES, NATIVE);
                zLabel.intoMemorySegment(scratch, (stats + 2L * n + r) * Float.BYTES, NATIVE);
                if (delta != null) {
                    for (int c = 0; c < classes; c++) {
                        final long at = ((long) c * n + r) * Float.BYTES;
                        final FloatVector oneHot = FloatVector.zero(sp).blend(1f, label.compare(VectorOperators.EQ, (float) c));
                        FloatVector.fromMemorySegment(sp, scratch, at, NATIVE).div(norm).sub(oneHot).mul(gradScale)
                                .intoMemorySegment(scratch, at, NATIVE);
                    }
                }
            }
            if (delta != null) {
                // all n rows (the ones past whole get the transposed logits, overwritten below)
                transpose(delta, deltaOff, scratch, 0, classes, n);
            }
        }
        double loss = 0;
        for (int r = 0; r < whole; r++) {
            loss += ScalarKernels.lossTerm(scratch.getAtIndex(F, stats + n + r), scratch.getAtIndex(F, stats + r),
                    scratch.getAtIndex(F, stats + 2L * n + r));
        }
        if (correct != null) {
            correct[0] += hits;
        }
        for (int r = whole; r < n; r++) {
            loss += ScalarKernels.softmaxRow(logits, logitsOff + (long) r * classes, classes, labels[r], delta,
                    deltaOff + (long) r * classes, gradScale, correct);
        }
        return loss;
    }

    /**
     * {@link ScalarKernels#exp} lane-wise, operation for operation, except how 2^k is made: a product of the powers
     * 2^-64 ... 2^-1 that -k (0 to 126, an integer-valued float) holds, chosen by compares from the largest down.
     * Every factor and partial product is a normal power of two, so the product is 2^k exactly, the value the scalar
     * code builds from exponent bits. Not by bits here: a reinterpreting conversion's fallback, which the interpreter
     * and C1 run before C2 compiles this, stores the vector into a heap byte segment, and those segments then show up
     * in the type profiles of the JDK's segment accessors that every GEMM inlines: measured, the MLP's gradient at
     * batch 16 slowed from 104-109 to 117-121 us (NOTES 24).
     */
    private FloatVector exp(FloatVector x) {
        final VectorSpecies<Float> sp = species();
        final FloatVector c = x.max(ScalarKernels.EXP_MIN).min(ScalarKernels.EXP_MAX);
        final FloatVector t = c.mul(ScalarKernels.EXP_LOG2E).add(ScalarKernels.EXP_ROUND);
        final FloatVector kf = t.sub(ScalarKernels.EXP_ROUND);
        FloatVector r = kf.fma(FloatVector.broadcast(sp, -ScalarKernels.EXP_LN2_HI), c);
        r = kf.fma(FloatVector.broadcast(sp, -ScalarKernels.EXP_LN2_LO), r);
        FloatVector p = FloatVector.broadcast(sp, ScalarKernels.EXP_P5).fma(r, FloatVector.broadcast(sp, ScalarKernels.EXP_P4));
        p = p.fma(r, FloatVector.broadcast(sp, ScalarKernels.EXP_P3));
        p = p.fma(r, FloatVector.broadcast(sp, ScalarKernels.EXP_P2));
        p = p.fma(r, FloatVector.broadcast(sp, ScalarKernels.EXP_P1));
        p = p.fma(r, FloatVector.broadcast(sp, ScalarKernels.EXP_P0));
        final FloatVector y = p.fma(r.mul(r), r).add(1f);
        FloatVector left = kf.neg();
        FloatVector scale = FloatVector.broadcast(sp, 1f);
        for (int bit = 64; bit >= 1; bit >>= 1) {
            final VectorMask<Float> has = left.compare(VectorOperators.GE, (float) bit);
            left = left.blend(left.sub((float) bit), has);
            scale = scale.blend(scale.mul(Math.scalb(1f, -bit)), has);
        }
        return y.mul(scale);
    }

    @Override
    public void zero(MemorySegment s, long off, long count) {
        final VectorSpecies<Float> sp = species();
        final long bound = sp.loopBound(count);
        final FloatVector zero = FloatVector.zero(sp);
        long i = 0;
        for (; i < bound; i += sp.length()) {
            zero.intoMemorySegment(s, (off + i) * Float.BYTES, NATIVE);
        }
        final int rem = (int) (count - i);
        if (rem > 0 && off + i + sp.length() <= s.byteSize() / Float.BYTES) {
            // the last rem < lanes floats: one masked store, in range (so intrinsified; out of range it would box). The
            // conv layers zero many short runs (im2col's padding columns, dy's), 7 to 12 floats: about 1 % of the CNN's
            // gradient at batch 16 against the element loop (NOTES 25.4)
            zero.intoMemorySegment(s, (off + i) * Float.BYTES, NATIVE, zero.addIndex(1).compare(VectorOperators.LT, rem));
            return;
        }
        for (; i < count; i++) {
            s.setAtIndex(F, off + i, 0f);
        }
    }

    @Override
    public void rowBiasActivation(MemorySegment y, long yOff, MemorySegment src, long srcOff, int lds, MemorySegment bias, long biasOff,
                                  int rows, int cols, boolean relu) {
        final VectorSpecies<Float> sp = species();
        final int bound = sp.loopBound(cols);
        final FloatVector zero = FloatVector.zero(sp);
        for (int r = 0; r < rows; r++) {
            final long row = yOff + (long) r * cols;
            final long from = srcOff + (long) r * lds;
            final float b = bias.getAtIndex(F, biasOff + r);
            final FloatVector bv = FloatVector.broadcast(sp, b);
            int c = 0;
            for (; c < bound; c += sp.length()) {
                FloatVector v = FloatVector.fromMemorySegment(sp, src, (from + c) * Float.BYTES, NATIVE).add(bv);
                if (relu) {
                    v = v.max(zero);
                }
                v.intoMemorySegment(y, (row + c) * Float.BYTES, NATIVE);
            }
            for (; c < cols; c++) { // scalar tail
                float v = src.getAtIndex(F, from + c) + b;
                y.setAtIndex(F, row + c, relu ? Math.max(v, 0f) : v);
            }
        }
    }

    /*
     * 2x2 max pooling. Per output row, chunks of L outputs: two whole vectors of the top input row
     * (2L floats from the window origins) are split into the even lanes (a, the (0,0) elements) and
     * the odd lanes (b) with a two-vector selectFrom, the same for the bottom row (c, d); then
     * max = a, and for b, c, d in that order a strict > compare and a blend, as in the scalar
     * reference, so ties, -0.0/+0.0 and even NaN come out bit-identical. The argmax lanes are the
     * window origins (iota*2 + origin) plus the winner's offset 0, 1, w or w+1, blended with the
     * same masks. A chunk that reaches past the end of its output row (always, for the thesis
     * shapes: ow = 13, 14 or 5 < 16 lanes) computes garbage in its extra lanes and writes it over
     * the next output rows, which are written later, in increasing order, in full. Such a chunk is
     * taken only where its four loads stay inside x and its stores inside the planes*oh*ow outputs;
     * the rest of the row is then scalar. No masked access; nothing outside the outputs is written.
     */
    /*
     * maxPool2x2Backward in one pass over dx instead of zeroing it and scattering dy: per 2x2 window row, the window
     * offsets (argmax minus the window's origin) of a vector of outputs pick dy or +0 for each of the four positions,
     * and the two rows of dx are written as the interleaved pairs (top: (0,0) (0,1), bottom: (1,0) (1,1)). Rows of at
     * least a vector go as whole vectors, the last one overlapping the one before. A row of fewer outputs than lanes
     * but more than half as many (the 13- and 14-wide pools of the CNN and LeNet) is one vector whose lanes past the
     * row write into later rows of dx, which the windows after it write over (the last window row's spill is checked
     * against the planes' end, and an odd column or row is zeroed after the writes that could reach it). Scalar where
     * a vector would leave dx, dy or argmax. Narrower rows zero dx and scatter dy.
     */
    @Override
    public void maxPool2x2Backward(MemorySegment dx, long dxOff, MemorySegment dy, long dyOff, MemorySegment argmax, long argOff, int planes,
                                   int h, int w) {
        final VectorSpecies<Float> sp = species();
        final VectorSpecies<Integer> isp = intSpecies();
        final int lanes = sp.length();
        final int oh = h / 2;
        final int ow = w / 2;
        if (2 * ow <= lanes) {
            // rows of at most half a vector of windows (the 5-wide pools of the CNN and LeNet, CIFAR's 8): a vector per
            // row writes 2-3x the floats it routes; 2.6-2.8x (5 wide) and ~1.2x (8 wide) the time of zeroing dx and
            // scattering dy (NOTES 34)
            zero(dx, dxOff, (long) planes * h * w);
            ScalarKernels.scatterPooled(dx, dy, dyOff, argmax, argOff, (long) planes * oh * ow);
            return;
        }
        final long dxEnd = dxOff + (long) planes * h * w; // nothing past the planes is written, even inside dx
        final long dyFloats = dy.byteSize() / Float.BYTES;
        final long argInts = argmax.byteSize() / Integer.BYTES;
        final FloatVector zero = FloatVector.zero(sp);
        final FloatVector first = FloatVector.fromArray(sp, interleave[0], 0);
        final FloatVector second = FloatVector.fromArray(sp, interleave[1], 0);
        final IntVector originStep = IntVector.zero(isp).addIndex(2);
        for (int plane = 0; plane < planes; plane++) {
            final long base = dxOff + (long) plane * h * w;
            final long outBase = (long) plane * oh * ow;
            for (int py = 0; py < oh; py++) {
                final long top = base + 2L * py * w;
                final long out = outBase + (long) py * ow;
                int px = 0;
                while (px < ow) {
                    final int at = ow >= lanes ? Math.min(px, ow - lanes) : 0; // the last vector overlaps the one before
                    final long origin = top + 2L * at;
                    if (origin + w + 2L * lanes > dxEnd || dyOff + out + at + lanes > dyFloats || argOff + out + at + lanes > argInts) {
                        break;
                    }
                    final IntVector off = IntVector.fromMemorySegment(isp, argmax, (argOff + out + at) * Integer.BYTES, NATIVE)
                            .sub(originStep.add((int) origin));
                    final FloatVector g = FloatVector.fromMemorySegment(sp, dy, (dyOff + out + at) * Float.BYTES, NATIVE);
                    final FloatVector a = zero.blend(g, off.compare(VectorOperators.EQ, 0).cast(sp));
                    final FloatVector b = zero.blend(g, off.compare(VectorOperators.EQ, 1).cast(sp));
                    final FloatVector c = zero.blend(g, off.compare(VectorOperators.EQ, w).cast(sp));
                    final FloatVector d = zero.blend(g, off.compare(VectorOperators.EQ, w + 1).cast(sp));
                    first.selectFrom(a, b).intoMemorySegment(dx, origin * Float.BYTES, NATIVE);
                    second.selectFrom(a, b).intoMemorySegment(dx, (origin + lanes) * Float.BYTES, NATIVE);
                    first.selectFrom(c, d).intoMemorySegment(dx, (origin + w) * Float.BYTES, NATIVE);
                    second.selectFrom(c, d).intoMemorySegment(dx, (origin + w + lanes) * Float.BYTES, NATIVE);
                    px = at + lanes;
                }
                for (; px < ow; px++) { // scalar: the window's four floats
                    final long origin = top + 2L * px;
                    final long best = argmax.getAtIndex(I, argOff + out + px);
                    final float g = dy.getAtIndex(F, dyOff + out + px);
                    dx.setAtIndex(F, origin, best == origin ? g : 0f);
                    dx.setAtIndex(F, origin + 1, best == origin + 1 ? g : 0f);
                    dx.setAtIndex(F, origin + w, best == origin + w ? g : 0f);
                    dx.setAtIndex(F, origin + w + 1, best == origin + w + 1 ? g : 0f);
                }
                if (w % 2 != 0) {
                    dx.setAtIndex(F, top + w - 1, 0f);
                    dx.setAtIndex(F, top + 2L * w - 1, 0f);
                }
            }
            if (h % 2 != 0) {
                zero(dx, base + (long) (h - 1) * w, w);
            }
        }
    }

    @Override
    public void maxPool2x2(MemorySegment y, long yOff, MemorySegment argmax, long argOff, MemorySegment x, long xOff, int planes, int h,
                           int w) {
        final VectorSpecies<Float> sp = species();
        final VectorSpecies<Integer> isp = intSpecies();
        final int lanes = sp.length();
        final int oh = h / 2;
        final int ow = w / 2;
        final long outputs = (long) planes * oh * ow;
        final long xFloats = x.byteSize() / Float.BYTES;
        final FloatVector even = FloatVector.zero(sp).addIndex(2);
        final FloatVector odd = even.add(1f);
        final IntVector originStep = IntVector.zero(isp).addIndex(2);
        final IntVector offB = IntVector.broadcast(isp, 1);
        final IntVector offC = IntVector.broadcast(isp, w);
        final IntVector offD = IntVector.broadcast(isp, w + 1);
        final IntVector offA = IntVector.zero(isp);
        for (int plane = 0; plane < planes; plane++) {
            final long base = xOff + (long) plane * h * w;
            final long outBase = (long) plane * oh * ow;
            for (int py = 0; py < oh; py++) {
                final long top = base + 2L * py * w;
                final long out = outBase + (long) py * ow;
                int px = 0;
                for (; px < ow; px += lanes) {
                    final long origin = top + 2L * px;
                    if (origin + w + 2L * lanes > xFloats || out + px + lanes > outputs) {
                        break;
                    }
                    final FloatVector t0 = FloatVector.fromMemorySegment(sp, x, origin * Float.BYTES, NATIVE);
                    final FloatVector t1 = FloatVector.fromMemorySegment(sp, x, (origin + lanes) * Float.BYTES, NATIVE);
                    final FloatVector b0 = FloatVector.fromMemorySegment(sp, x, (origin + w) * Float.BYTES, NATIVE);
                    final FloatVector b1 = FloatVector.fromMemorySegment(sp, x, (origin + w + lanes) * Float.BYTES, NATIVE);
                    FloatVector max = even.selectFrom(t0, t1);
                    IntVector off = offA;
                    final FloatVector b = odd.selectFrom(t0, t1);
                    VectorMask<Float> gt = b.compare(VectorOperators.GT, max);
                    max = max.blend(b, gt);
                    off = off.blend(offB, gt.cast(isp));
                    final FloatVector c = even.selectFrom(b0, b1);
                    gt = c.compare(VectorOperators.GT, max);
                    max = max.blend(c, gt);
                    off = off.blend(offC, gt.cast(isp));
                    final FloatVector d = odd.selectFrom(b0, b1);
                    gt = d.compare(VectorOperators.GT, max);
                    max = max.blend(d, gt);
                    off = off.blend(offD, gt.cast(isp));
                    max.intoMemorySegment(y, (yOff + out + px) * Float.BYTES, NATIVE);
                    originStep.add((int) origin).add(off).intoMemorySegment(argmax, (argOff + out + px) * Integer.BYTES, NATIVE);
                }
                for (; px < ow; px++) { // scalar tail, as ScalarKernels
                    final long origin = top + 2L * px;
                    final float a = x.getAtIndex(F, origin);
                    final float b = x.getAtIndex(F, origin + 1);
                    final float c = x.getAtIndex(F, origin + w);
                    final float d = x.getAtIndex(F, origin + w + 1);
                    float max = a;
                    long best = origin;
                    if (b > max) {
                        max = b;
                        best = origin + 1;
                    }
                    if (c > max) {
                        max = c;
                        best = origin + w;
                    }
                    if (d > max) {
                        max = d;
                        best = origin + w + 1;
                    }
                    y.setAtIndex(F, yOff + out + px, max);
                    argmax.setAtIndex(ValueLayout.JAVA_INT_UNALIGNED, argOff + out + px, (int) best);
                }
            }
        }
    }

    @Override
    public String description() {
        return "vector(" + species().vectorBitSize() + "-bit, " + species().length() + " lanes"
                + (packB ? ", GEMM B packed from " + PACK_B_MIN_ROWS + " rows and " + PACK_B_MIN_K + " k steps"
                        + (kBlock == Integer.MAX_VALUE ? "" : " in panels of " + kBlock + " k steps") : "")
                + (pairs ? ", GEMM in 16-register blocks" : "") + ")";
    }
}
