package org.leashed.perf.topology;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The machine's CPU topology as Linux reports it under {@code /sys}: for every online CPU its package
 * (socket), core, NUMA node and position among its SMT siblings. Immutable.
 *
 * <p>Sources: {@code /sys/devices/system/cpu/online}, {@code cpuN/topology/physical_package_id},
 * {@code core_id}, {@code thread_siblings_list}, and {@code /sys/devices/system/node/nodeK/cpulist}
 * (a machine or container without the node directory is treated as one node 0).
 *
 * @param cpus online CPUs in ascending id order
 */
public record Topology(List<Cpu> cpus) {
    /** Default sysfs root. */
    public static final Path SYS = Path.of("/sys/devices/system");

    /**
     * One logical CPU (hardware thread).
     *
     * @param id        the logical CPU number (what {@code sched_setaffinity} takes)
     * @param packageId physical package (socket)
     * @param coreId    core id, unique within its package
     * @param nodeId    NUMA node
     * @param smtIndex  0 for the first hardware thread of its core, 1 for the second, ...
     */
    public record Cpu(int id, int packageId, int coreId, int nodeId, int smtIndex) {
    }

    public Topology {
        cpus = cpus.stream().sorted(Comparator.comparingInt(Cpu::id)).toList();
        if (cpus.isEmpty()) {
            throw new IllegalArgumentException("topology must have at least one CPU");
        }
    }

    /** Reads the running machine's topology from {@code /sys/devices/system}. */
    public static Topology read() {
        return read(SYS);
    }

    /**
     * Reads a topology from a sysfs-shaped tree ({@code root/cpu/...}, {@code root/node/...}), so that
     * tests can describe machines this one is not.
     *
     * @throws UncheckedIOException naming the file when a required file is missing or unreadable
     * @throws IllegalStateException naming the file when its content is malformed
     */
    public static Topology read(Path root) {
        final Path cpuDir = root.resolve("cpu");
        final BitSet online = CpuListFile.read(cpuDir.resolve("online"));
        final Map<Integer, Integer> nodeOf = new TreeMap<>();
        final Path nodeDir = root.resolve("node");
        if (Files.isDirectory(nodeDir)) {
            try (Stream<Path> nodes = Files.list(nodeDir)) {
                for (Path node : nodes.filter(p -> p.getFileName().toString().matches("node\\d+")).toList()) {
                    final int nodeId = Integer.parseInt(node.getFileName().toString().substring(4));
                    final BitSet cpus = CpuListFile.read(node.resolve("cpulist"));
                    cpus.stream().forEach(cpu -> nodeOf.put(cpu, nodeId));
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot list " + nodeDir, e);
            }
        }
        final List<Cpu> cpus = new ArrayList<>();
        online.stream().forEach(id -> {
            final Path topology = cpuDir.resolve("cpu" + id).resolve("topology");
            final int packageId = CpuListFile.readInt(topology.resolve("physical_package_id"));
            final int coreId = CpuListFile.readInt(topology.resolve("core_id"));
            final BitSet siblings = CpuListFile.read(topology.resolve("thread_siblings_list"));
            if (!siblings.get(id)) {
                throw new IllegalStateException(topology.resolve("thread_siblings_list") + " is \""
                        + CpuList.format(siblings) + "\" but must include CPU " + id + " itself");
            }
            final int smtIndex = siblings.get(0, id).cardinality();
            cpus.add(new Cpu(id, Math.max(0, packageId), coreId, nodeOf.getOrDefault(id, 0), smtIndex));
        });
        return new Topology(cpus);
    }

    /** Number of online logical CPUs. */
    public int cpuCount() {
        return cpus.size();
    }

    /** Distinct NUMA nodes. */
    public int nodeCount() {
        return (int) cpus.stream().mapToInt(Cpu::nodeId).distinct().count();
    }

    /** Distinct packages. */
    public int packageCount() {
        return (int) cpus.stream().mapToInt(Cpu::packageId).distinct().count();
    }

    /** Distinct physical cores. */
    public int coreCount() {
        return (int) cpus.stream().filter(c -> c.smtIndex() == 0).count();
    }

    /** Whether {@code cpu} is online in this topology. */
    public boolean contains(int cpu) {
        return cpus.stream().anyMatch(c -> c.id() == cpu);
    }

    /** A one-line description, e.g. {@code "2 package(s), 2 node(s), 16 core(s), 32 CPU(s)"}. */
    public String describe() {
        return packageCount() + " package(s), " + nodeCount() + " NUMA node(s), " + coreCount() + " core(s), "
                + cpuCount() + " CPU(s)";
    }

    /** Small helpers for sysfs files. */
    static final class CpuListFile {
        private CpuListFile() {
        }

        static String text(Path file) {
            try {
                return Files.readString(file).strip();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
            }
        }

        static BitSet read(Path file) {
            final String text = text(file);
            try {
                return text.isEmpty() ? new BitSet() : CpuList.parse(text);
            } catch (IllegalArgumentException e) {
                throw new IllegalStateException(file + " is malformed: " + e.getMessage(), e);
            }
        }

        static int readInt(Path file) {
            final String text = text(file);
            try {
                return Integer.parseInt(text);
            } catch (NumberFormatException e) {
                throw new IllegalStateException(file + " is \"" + text + "\" but must be an integer", e);
            }
        }
    }
}
