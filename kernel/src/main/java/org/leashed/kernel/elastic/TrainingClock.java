package org.leashed.kernel.elastic;

/**
 * Training time: wall time while the coordinator has released the workers into an epoch, frozen while
 * it evaluates the loss between epochs (off the clock, like the run's {@code wall_s}). Workers stamp
 * their reports with it so that the parallelism and xi series, R^E and the break-even time share the
 * time axis of the epoch records.
 *
 * <h2>Memory ordering</h2>
 * <table>
 *   <tr><th>field</th><th>writer</th><th>reader</th><th>edge</th></tr>
 *   <tr><td>state</td><td>volatile store of an immutable {@link State}, coordinator only, twice per
 *       epoch</td><td>volatile load, any thread</td><td>a reader sees a consistent (origin, paused) pair;
 *       one object instead of two fields avoids a torn read.</td></tr>
 * </table>
 */
public final class TrainingClock {
    private record State(long originNanos, boolean paused, long pausedAtNanos) {
    }

    private volatile State state;

    /** A clock at 0, paused. */
    public TrainingClock() {
        long now = System.nanoTime();
        state = new State(now, true, now); // volatile store: published to threads started later anyway
    }

    /**
     * Coordinator only: the clock runs from {@code now} (a {@link System#nanoTime()} value) on. Passing
     * the instant the coordinator also measures its epoch wall time from keeps both totals equal.
     */
    public void resume(long now) {
        State s = state; // volatile load: the coordinator's own last store
        if (s.paused()) {
            // volatile store: reports stamped after it use the running state; earlier ones the paused value.
            state = new State(s.originNanos() + (now - s.pausedAtNanos()), false, 0);
        }
    }

    /** Coordinator only: the clock stands still from {@code now} (a {@link System#nanoTime()} value) on. */
    public void pause(long now) {
        State s = state; // volatile load: the coordinator's own last store
        if (!s.paused()) {
            state = new State(s.originNanos(), true, now); // volatile store
        }
    }

    /** Training nanoseconds so far. */
    public long nanos() {
        State s = state; // volatile load: one consistent snapshot
        return (s.paused() ? s.pausedAtNanos() : System.nanoTime()) - s.originNanos();
    }
}
