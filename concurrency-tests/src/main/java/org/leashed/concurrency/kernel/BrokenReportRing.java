package org.leashed.concurrency.kernel;

import org.leashed.kernel.elastic.ElasticAccess;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A copy of {@code org.leashed.kernel.elastic.ReportRing} (the Lamport SPSC ring of four-long records)
 * with one deliberate bug, for the negative controls of {@link ReportRingTests} only. Everything the bug
 * does not name is as in the production class (same index padding, same cached consumer index).
 */
final class BrokenReportRing implements ReportRingTests.RecordRing {
    enum Bug {
        /**
         * The producer index is stored plain and loaded plain (no release/acquire pair). It lives in a
         * field of its own here, not in the {@code long[]} with the records: in the same array slice
         * C2's memory graph keeps the stores in order anyway, so the bug could never show on any CPU.
         */
        PLAIN_INDEX,
        /** The producer publishes its index before it writes the record (what PLAIN_INDEX allows a compiler or a weak CPU to do). */
        INDEX_BEFORE_RECORD,
        /** The consumer releases the cells (consumer index) before it has read them. */
        CONSUMER_RELEASES_EARLY,
        /** The producer's full check is off by one: it accepts capacity + 1 outstanding records. */
        FULL_CHECK_OFF_BY_ONE
    }

    private static final VarHandle INDEX = MethodHandles.arrayElementVarHandle(long[].class);
    private static final int PRODUCER = 16;
    private static final int CONSUMER = 32;
    /** CONSUMER_RELEASES_EARLY only: spins between the early release and the reads (timing only). */
    static final int WINDOW_SPINS = 64;

    private final Bug bug;
    private final long[] indices = new long[48];
    private final long[] records;
    private final int capacity;
    private final int mask;
    private long cachedConsumer;
    private long plainProducer; // PLAIN_INDEX only

    BrokenReportRing(int capacity, Bug bug) {
        this.capacity = capacity;
        this.mask = capacity - 1;
        this.records = new long[capacity * 4];
        this.bug = bug;
    }

    @Override
    public boolean offer(long a, long b, long c, long d) {
        final long p = bug == Bug.PLAIN_INDEX ? plainProducer : (long) INDEX.get(indices, PRODUCER);
        final long full = bug == Bug.FULL_CHECK_OFF_BY_ONE ? capacity + 1 : capacity; // BUG (FULL_CHECK_OFF_BY_ONE)
        if (p - cachedConsumer >= full) {
            cachedConsumer = (long) INDEX.getAcquire(indices, CONSUMER);
            if (p - cachedConsumer >= full) {
                return false;
            }
        }
        if (bug == Bug.INDEX_BEFORE_RECORD) {
            INDEX.setRelease(indices, PRODUCER, p + 1); // BUG: the record is exposed before it is written
        }
        final int base = (int) (p & mask) * 4;
        records[base] = a;
        records[base + 1] = b;
        records[base + 2] = c;
        records[base + 3] = d;
        if (bug == Bug.PLAIN_INDEX) {
            plainProducer = p + 1; // BUG: plain store; production uses setRelease
        } else if (bug != Bug.INDEX_BEFORE_RECORD) {
            INDEX.setRelease(indices, PRODUCER, p + 1);
        }
        return true;
    }

    @Override
    public int drain(ElasticAccess.Ring.Sink sink, int limit) {
        final long c = (long) INDEX.get(indices, CONSUMER);
        final long produced = bug == Bug.PLAIN_INDEX
                ? plainProducer // BUG: plain load; production uses getAcquire
                : (long) INDEX.getAcquire(indices, PRODUCER);
        final int n = (int) Math.min(produced - c, limit);
        if (n > 0 && bug == Bug.CONSUMER_RELEASES_EARLY) {
            INDEX.setRelease(indices, CONSUMER, c + n); // BUG: the cells are handed back before they are read
            for (int i = 0; i < WINDOW_SPINS; i++) {
                Thread.onSpinWait(); // widens the window in which the producer can overwrite them
            }
        }
        for (int k = 0; k < n; k++) {
            final int base = (int) ((c + k) & mask) * 4;
            sink.accept(records[base], records[base + 1], records[base + 2], records[base + 3]);
        }
        if (n > 0 && bug != Bug.CONSUMER_RELEASES_EARLY) {
            INDEX.setRelease(indices, CONSUMER, c + n);
        }
        return n;
    }
}
