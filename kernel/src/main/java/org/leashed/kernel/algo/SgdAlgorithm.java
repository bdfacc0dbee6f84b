package org.leashed.kernel.algo;

import java.lang.foreign.MemorySegment;
import java.util.function.Consumer;

import org.leashed.kernel.run.AlgorithmKind;

/**
 * One parallel SGD algorithm of the thesis (Ch. B): the shared parameter state it owns and the loop
 * each of its m workers runs. Chosen once before the run ({@link SgdAlgorithms#create}); the trainer
 * only starts threads, hands out update tickets, pauses workers between epochs and reports.
 *
 * <p>Lifecycle: created on the coordinating thread (theta_0 written there), then each worker thread
 * calls {@link #newWorker} once before its first epoch and runs {@link WorkerLoop#runEpoch()} once per
 * epoch. {@link #withLatest} is called only while no worker runs (between epochs, after the run).
 * {@link #interrupt()} may be called from any thread at any time. {@link #close()} after all workers
 * were joined.
 */
public interface SgdAlgorithm extends AutoCloseable {
    /** Which algorithm this is. */
    AlgorithmKind kind();

    /**
     * Creates worker {@code context.workerId()}'s loop. Called on that worker's thread, so the
     * per-worker memory it allocates is first touched there.
     */
    WorkerLoop newWorker(WorkerContext context);

    /**
     * Lends the latest published parameters ({@code d} floats) to {@code action}, off the clock. For
     * Leashed-SGD the vector is leased for the duration of the call. The action may also write them
     * before any worker thread started (the trainer restores a checkpoint this way; Thread.start
     * publishes the writes).
     */
    void withLatest(Consumer<MemorySegment> action);

    /**
     * Releases workers blocked inside the algorithm (the SYNC round barrier) so that they can observe a
     * stop request. Idempotent; after it the algorithm cannot be resumed.
     */
    void interrupt();

    /** Peak number of d-float vectors alive and their off-heap bytes (see the implementations). */
    MemoryFootprint footprint();

    /** Frees what the algorithm allocated outside the run's arena (the LSH pool). */
    @Override
    void close();

    /** One worker's loop. Confined to its thread. */
    @FunctionalInterface
    interface WorkerLoop {
        /**
         * Runs this worker's share of one epoch: takes tickets from {@link WorkerContext#takeTicket()}
         * until it says no, or until a stop was requested. Allocates nothing.
         */
        void runEpoch();
    }

    /**
     * Peak memory of a run's parameter-sized vectors.
     *
     * @param liveVectorsPeak  most d-float vectors alive at once (parameters, candidates, local copies,
     *                         gradient buffers)
     * @param offHeapBytesPeak their bytes, momentum buffers included
     */
    record MemoryFootprint(long liveVectorsPeak, long offHeapBytesPeak) {
    }
}
