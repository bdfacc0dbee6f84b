package org.leashed.perf.topology;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import java.util.TreeMap;

/**
 * Which CPU worker {@code i} runs on ({@code --pin}). Policies are chosen once, before a run; workers
 * beyond the number of CPUs wrap around (worker i gets the CPU of worker i mod n).
 *
 * <ul>
 *   <li>{@code none}: no pinning; the OS schedules threads.</li>
 *   <li>{@code compact}: physical cores before SMT siblings, and within that NUMA node by NUMA node
 *       (node 0's cores, then node 1's, ...). Workers share a node (and its memory and last-level cache)
 *       as long as it has a free physical core, and no two workers share a core until every core has
 *       one: the order in which the thesis' experiments grow m (one thread per core up to the core count,
 *       hyper-threads beyond it).</li>
 *   <li>{@code scatter}: round-robin over NUMA nodes (over packages when there is one node), each node
 *       handing out its CPUs in compact order. Spreads memory bandwidth and cache over all sockets at small
 *       m, at the price of cross-node traffic on the shared parameter vector.</li>
 *   <li>a CPU list such as {@code 0,2,4-7}: worker i gets the i-th listed CPU, in the order written
 *       ({@code 3,1} puts worker 0 on CPU 3).</li>
 * </ul>
 */
public sealed interface PinningPolicy {

    /**
     * The CPU for a worker, or empty when the policy does not pin.
     *
     * @param workerIndex 0-based worker index, {@code >= 0}
     * @param topology    the machine
     * @throws IllegalArgumentException if {@code workerIndex < 0}, or an explicit list names a CPU that
     *                                  is not online in {@code topology}
     */
    OptionalInt cpuFor(int workerIndex, Topology topology);

    /** The flag spelling ({@code none}, {@code compact}, {@code scatter} or the CPU list). */
    String spelling();

    /**
     * Parses a {@code --pin} value: {@code none}, {@code compact}, {@code scatter} (case-insensitive) or a
     * CPU list.
     *
     * @throws IllegalArgumentException naming the value and the accepted forms
     */
    static PinningPolicy parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("pinning policy is missing; expected none, compact, scatter or a CPU list such as 0,2,4-7");
        }
        final String value = text.strip().toLowerCase(Locale.ROOT);
        switch (value) {
            case "none":
                return None.INSTANCE;
            case "compact":
                return Compact.INSTANCE;
            case "scatter":
                return Scatter.INSTANCE;
            default:
                if (value.isEmpty() || !Character.isDigit(value.charAt(0))) {
                    throw new IllegalArgumentException("pinning policy \"" + text
                            + "\" is not none, compact, scatter or a CPU list such as 0,2,4-7");
                }
                return new Explicit(CpuList.parseOrdered(value));
        }
    }

    private static void checkWorker(int workerIndex) {
        if (workerIndex < 0) {
            throw new IllegalArgumentException("workerIndex must be >= 0, was " + workerIndex);
        }
    }

    /** CPUs in compact order: physical cores first, node by node, package, core; then SMT siblings. */
    static List<Topology.Cpu> compactOrder(List<Topology.Cpu> cpus) {
        return cpus.stream().sorted(Comparator.comparingInt(Topology.Cpu::smtIndex)
                .thenComparingInt(Topology.Cpu::nodeId)
                .thenComparingInt(Topology.Cpu::packageId)
                .thenComparingInt(Topology.Cpu::coreId)
                .thenComparingInt(Topology.Cpu::id)).toList();
    }

    /** No pinning. */
    enum None implements PinningPolicy {
        INSTANCE;

        @Override
        public OptionalInt cpuFor(int workerIndex, Topology topology) {
            checkWorker(workerIndex);
            return OptionalInt.empty();
        }

        @Override
        public String spelling() {
            return "none";
        }
    }

    /** Physical cores first, one NUMA node at a time; SMT siblings last. */
    enum Compact implements PinningPolicy {
        INSTANCE;

        @Override
        public OptionalInt cpuFor(int workerIndex, Topology topology) {
            checkWorker(workerIndex);
            final List<Topology.Cpu> order = compactOrder(topology.cpus());
            return OptionalInt.of(order.get(workerIndex % order.size()).id());
        }

        @Override
        public String spelling() {
            return "compact";
        }
    }

    /** Round-robin across NUMA nodes (packages when there is a single node). */
    enum Scatter implements PinningPolicy {
        INSTANCE;

        @Override
        public OptionalInt cpuFor(int workerIndex, Topology topology) {
            checkWorker(workerIndex);
            final List<Topology.Cpu> order = scatterOrder(topology);
            return OptionalInt.of(order.get(workerIndex % order.size()).id());
        }

        static List<Topology.Cpu> scatterOrder(Topology topology) {
            final boolean byNode = topology.nodeCount() > 1;
            final Map<Integer, List<Topology.Cpu>> domains = new TreeMap<>();
            for (Topology.Cpu cpu : topology.cpus()) {
                domains.computeIfAbsent(byNode ? cpu.nodeId() : cpu.packageId(), k -> new ArrayList<>()).add(cpu);
            }
            final List<List<Topology.Cpu>> queues = new ArrayList<>();
            domains.values().forEach(cpus -> queues.add(compactOrder(cpus)));
            final List<Topology.Cpu> order = new ArrayList<>(topology.cpuCount());
            for (int round = 0; order.size() < topology.cpuCount(); round++) {
                for (List<Topology.Cpu> queue : queues) {
                    if (round < queue.size()) {
                        order.add(queue.get(round));
                    }
                }
            }
            return order;
        }

        @Override
        public String spelling() {
            return "scatter";
        }
    }

    /**
     * An explicit CPU list; worker i gets the (i mod n)-th CPU in the order written.
     *
     * @param cpus the listed CPUs, non-empty, no duplicates (as {@link CpuList#parseOrdered} returns them)
     */
    record Explicit(int[] cpus) implements PinningPolicy {
        public Explicit {
            if (cpus.length == 0) {
                throw new IllegalArgumentException("explicit CPU list must name at least one CPU");
            }
            cpus = cpus.clone();
        }

        @Override
        public int[] cpus() {
            return cpus.clone();
        }

        @Override
        public OptionalInt cpuFor(int workerIndex, Topology topology) {
            checkWorker(workerIndex);
            final int cpu = cpus[workerIndex % cpus.length];
            if (!topology.contains(cpu)) {
                final BitSet online = new BitSet();
                topology.cpus().forEach(c -> online.set(c.id()));
                throw new IllegalArgumentException("pinning list " + spelling() + " names CPU " + cpu
                        + ", which is not online (online: " + CpuList.format(online) + ")");
            }
            return OptionalInt.of(cpu);
        }

        @Override
        public String spelling() {
            return String.join(",", java.util.Arrays.stream(cpus).mapToObj(Integer::toString).toList());
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Explicit that && java.util.Arrays.equals(cpus, that.cpus);
        }

        @Override
        public int hashCode() {
            return java.util.Arrays.hashCode(cpus);
        }

        @Override
        public String toString() {
            return "Explicit[" + spelling() + "]";
        }
    }
}
