package org.leashed.perf.topology;

import java.util.Objects;
import java.util.OptionalInt;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

/**
 * Pins training workers according to a {@link PinningPolicy}. Two ways to hook it into a trainer:
 *
 * <ul>
 *   <li>as a worker-start hook ({@link IntConsumer}): the trainer calls {@code accept(workerIndex)} first
 *       thing in each worker thread, before the worker touches any data (first-touch NUMA placement then
 *       happens on the pinned CPU);</li>
 *   <li>as a {@link ThreadFactory} ({@link #threadFactory}): threads are numbered in creation order and
 *       pin themselves when they start.</li>
 * </ul>
 *
 * <p>A refused pin throws in the worker thread ({@link IllegalStateException} from {@link Affinity}):
 * an experiment that asked for pinning must not silently run unpinned.
 *
 * <p>Thread safety: immutable apart from the factory's creation counter (an {@link AtomicInteger}).
 */
public final class WorkerPinner implements IntConsumer {
    private final PinningPolicy policy;
    private final Topology topology;

    public WorkerPinner(PinningPolicy policy, Topology topology) {
        this.policy = Objects.requireNonNull(policy, "policy");
        this.topology = Objects.requireNonNull(topology, "topology");
    }

    /** Pins the calling thread as worker {@code workerIndex}; does nothing for {@code none}. */
    @Override
    public void accept(int workerIndex) {
        final OptionalInt cpu = policy.cpuFor(workerIndex, topology);
        if (cpu.isPresent()) {
            Affinity.pinCurrentThread(cpu.getAsInt());
        }
    }

    /** The CPU worker {@code workerIndex} will get, for logging and the result file's {@code machine}. */
    public OptionalInt cpuFor(int workerIndex) {
        return policy.cpuFor(workerIndex, topology);
    }

    /** A thread factory whose i-th thread pins itself as worker i before running its task. */
    public ThreadFactory threadFactory(String namePrefix) {
        final AtomicInteger next = new AtomicInteger();
        return task -> {
            final int workerIndex = next.getAndIncrement(); // creation order defines the worker index
            final Thread thread = new Thread(() -> {
                accept(workerIndex);
                task.run();
            }, namePrefix + workerIndex);
            thread.setDaemon(false);
            return thread;
        };
    }
}
