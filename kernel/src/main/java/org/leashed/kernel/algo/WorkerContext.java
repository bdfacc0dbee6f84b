package org.leashed.kernel.algo;

import java.lang.foreign.MemorySegment;

import org.leashed.kernel.stepsize.StepSizeTable;

/**
 * What the trainer gives one worker's loop: its identity, the epoch's update tickets, its gradient
 * oracle (with momentum and crash detection folded in), the current step sizes and its metrics.
 * Confined to the worker's thread except {@link #stopRequested()}.
 */
public interface WorkerContext {
    /** Worker index in [0, m). */
    int workerId();

    /** Number of workers m. */
    int workers();

    /** Parameter dimension d. */
    int dimension();

    /**
     * Takes one update ticket of the current epoch. {@code false} once the epoch's
     * {@code updatesPerEpoch} tickets are handed out or a stop was requested; the caller then returns
     * from {@link SgdAlgorithm.WorkerLoop#runEpoch()}.
     */
    boolean takeTicket();

    /** Updates per epoch (SYNC runs exactly this many rounds per epoch and takes no tickets). */
    long updatesPerEpoch();

    /** Whether the run is ending (time limit, crash, another worker's failure). */
    boolean stopRequested();

    /**
     * Samples a mini-batch gradient at {@code params} (only read), times it as T_c, folds it into the
     * worker's momentum state if momentum is on, and returns the step direction the update applies:
     * the gradient buffer, or the velocity {@code v = g + mu v} (eq. 1.3 / A.5). A non-finite
     * mini-batch loss requests a stop and records the crash. Allocates nothing.
     */
    MemorySegment computeStep(MemorySegment params);

    /** The buffer {@link #computeStep} returns (fixed for the run). */
    MemorySegment stepBuffer();

    /** Step sizes for this epoch; read once at the start of {@code runEpoch}. */
    StepSizeTable stepSizes();

    /** This worker's metrics (single writer: this worker). */
    WorkerMetrics metrics();

    /**
     * Called by the loop right after this worker's update was applied, before it computes its next
     * gradient: the update took position {@code iteration} in the algorithm's order of applied updates
     * and was computed on the state after {@code readIteration} updates (staleness = the difference;
     * ASYNC: the lock-guarded sequence, HOG: the update counter's total order, LSH: sequence numbers).
     * ELAsyncSGD's regulator consumes it (with the gradient still in the worker's buffer); otherwise it
     * does nothing. Allocates nothing.
     */
    default void onApplied(long iteration, long readIteration) {
    }

    /**
     * Brackets the update section for the trainer's stall watchdog: called when this worker starts
     * applying its update (ASYNC: after taking the lock, so lock waits are outside), with the current
     * {@code System.nanoTime()}; {@link #leaveUpdate()} when it is done. Two opaque stores, no allocation.
     */
    default void enterUpdate(long nanoTime) {
    }

    /** End of the update section (see {@link #enterUpdate}). */
    default void leaveUpdate() {
    }
}
