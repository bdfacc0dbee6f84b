package org.leashed.kernel.elastic;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Bounded single-producer single-consumer ring of fixed-size primitive records: one per worker, from
 * the worker (producer) to the regulator (consumer). Together the rings form the regulator's
 * many-to-one queue: each worker's reports stay in its own FIFO order, and workers never contend with
 * each other. Records are four longs in a preallocated on-heap array, so reporting allocates nothing.
 *
 * <p>Why not Agrona: the kernel declares Agrona, but Agrona 2.x reaches {@code jdk.internal.misc.Unsafe}
 * and fails with IllegalAccessError unless the JVM runs with
 * {@code --add-exports java.base/jdk.internal.misc=ALL-UNNAMED}, which neither the test nor the CLI
 * JVM flags include. A Lamport ring with release/acquire indices is a few lines and needs no flag.
 *
 * <pre>
 * indices (long[48]):  [0..15] pad | [16] producer index | [17..31] pad | [32] consumer index | [33..47] pad
 * records (long[4 * capacity]): record r at 4 * (r &amp; mask): a, b, c, d (meaning chosen by the caller)
 * </pre>
 *
 * <h2>Memory ordering</h2>
 * <table>
 *   <tr><th>field</th><th>writer</th><th>reader</th><th>edge</th></tr>
 *   <tr><td>records[]</td><td>plain, producer, before the producer-index release</td><td>plain, consumer,
 *       after the producer-index acquire</td><td>setProducerRelease → getProducerAcquire: a record's
 *       longs are visible before its index.</td></tr>
 *   <tr><td>producer index</td><td>setRelease, producer only</td><td>getAcquire, consumer</td><td>as above.</td></tr>
 *   <tr><td>consumer index</td><td>setRelease, consumer only</td><td>getAcquire, producer (only when its
 *       cached copy says full)</td><td>the consumer's reads of a record happen-before the producer
 *       overwrites its cell.</td></tr>
 *   <tr><td>cachedConsumer</td><td colspan="3">plain, producer-confined.</td></tr>
 * </table>
 */
final class ReportRing {
    /** Longs per record. */
    static final int RECORD_LONGS = 4;
    private static final VarHandle INDEX = MethodHandles.arrayElementVarHandle(long[].class);
    private static final int PRODUCER = 16;   // 128 bytes from the header and from the consumer index
    private static final int CONSUMER = 32;
    private static final int INDEX_LONGS = 48;

    /** What {@link #drain} hands each record to. */
    interface Sink {
        void accept(long a, long b, long c, long d);
    }

    private final long[] indices = new long[INDEX_LONGS];
    private final long[] records;
    private final int capacity;
    private final int mask;
    private long cachedConsumer;

    /**
     * @param capacity records, a power of two, at least 2
     * @throws IllegalArgumentException otherwise
     */
    ReportRing(int capacity) {
        if (capacity < 2 || Integer.bitCount(capacity) != 1 || capacity > (1 << 24)) {
            throw new IllegalArgumentException("capacity must be a power of two in [2, 2^24], got " + capacity);
        }
        this.capacity = capacity;
        this.mask = capacity - 1;
        this.records = new long[capacity * RECORD_LONGS];
    }

    /** Producer only. Appends a record; false when the ring is full. */
    boolean offer(long a, long b, long c, long d) {
        final long p = getProducerPlain();
        if (p - cachedConsumer >= capacity) {
            cachedConsumer = getConsumerAcquire();
            if (p - cachedConsumer >= capacity) {
                return false;
            }
        }
        final long[] records = this.records;
        final int base = (int) (p & mask) * RECORD_LONGS;
        records[base] = a;       // plain: published by the release below
        records[base + 1] = b;
        records[base + 2] = c;
        records[base + 3] = d;
        setProducerRelease(p + 1);
        return true;
    }

    /** Consumer only. Hands up to {@code limit} records to {@code sink} in FIFO order; returns how many. */
    int drain(Sink sink, int limit) {
        final long c = getConsumerPlain();
        final long available = getProducerAcquire() - c;
        final int n = (int) Math.min(available, limit);
        final long[] records = this.records;
        for (int k = 0; k < n; k++) {
            final int base = (int) ((c + k) & mask) * RECORD_LONGS;
            // plain: the producer-index acquire above made these stores visible.
            sink.accept(records[base], records[base + 1], records[base + 2], records[base + 3]);
        }
        if (n > 0) {
            setConsumerRelease(c + n);
        }
        return n;
    }

    /** Records waiting (approximate when called concurrently with either side). */
    long size() {
        return getProducerAcquire() - getConsumerAcquire();
    }

    int capacity() {
        return capacity;
    }

    private long getProducerPlain() {
        // plain: the producer is the only writer of its index and reads its own last store.
        return (long) INDEX.get(indices, PRODUCER);
    }

    private long getProducerAcquire() {
        // acquire: pairs with setProducerRelease; the record's longs are visible after this.
        return (long) INDEX.getAcquire(indices, PRODUCER);
    }

    private void setProducerRelease(long value) {
        // release: orders the record's plain stores before the index that exposes them.
        INDEX.setRelease(indices, PRODUCER, value);
    }

    private long getConsumerPlain() {
        // plain: the consumer is the only writer of its index.
        return (long) INDEX.get(indices, CONSUMER);
    }

    private long getConsumerAcquire() {
        // acquire: pairs with setConsumerRelease; the consumer's reads of freed cells are done.
        return (long) INDEX.getAcquire(indices, CONSUMER);
    }

    private void setConsumerRelease(long value) {
        // release: orders the consumer's record reads before the producer may overwrite the cells.
        INDEX.setRelease(indices, CONSUMER, value);
    }
}
