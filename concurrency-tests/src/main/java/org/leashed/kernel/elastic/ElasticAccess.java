package org.leashed.kernel.elastic;

import java.lang.foreign.MemorySegment;

/**
 * jcstress-only bridges to the package-private {@link ReportRing} and {@link XiMeter} (split package on
 * the class path, see {@code org.leashed.kernel.algo.internal.RoundBarrierAccess}); the kernel needs no
 * visibility change. Forwards only; adds no ordering.
 */
public final class ElasticAccess {
    private ElasticAccess() {
    }

    /** {@link ReportRing}: one producer thread, one consumer thread. */
    public static final class Ring {
        /** What {@link #drain} hands each record to. */
        public interface Sink {
            void accept(long a, long b, long c, long d);
        }

        private final ReportRing ring;

        public Ring(int capacity) {
            this.ring = new ReportRing(capacity);
        }

        public boolean offer(long a, long b, long c, long d) {
            return ring.offer(a, b, c, d);
        }

        public int drain(Sink sink, int limit) {
            return ring.drain(sink::accept, limit);
        }
    }

    /** {@link XiMeter}'s frozen-gradient budget: workers {@link #freeze}, the regulator {@link #onReport}s. */
    public static final class Xi {
        public static final int NO_COPY = XiMeter.NO_COPY;
        private final XiMeter meter;

        public Xi(int dimension, int capacity, int sampleEvery) {
            this.meter = new XiMeter(dimension, capacity, sampleEvery, 0.1, false, 2);
        }

        public int freeze(MemorySegment gradient) {
            return meter.freeze(gradient);
        }

        public void onReport(long iteration, long readIteration, int copy) {
            meter.onReport(iteration, readIteration, copy, 0.0);
        }

        public long liveCopies() {
            return meter.liveCopies();
        }

        public long livePeak() {
            return meter.livePeak();
        }

        public long budgetMisses() {
            return meter.budgetMisses();
        }

        public void evictAll() {
            meter.evictAll();
        }

        public void close() {
            meter.close();
        }
    }
}
