package org.leashed.perf.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TopologyTest {
    @TempDir
    Path sys;

    /**
     * A fake sysfs for 2 packages = 2 NUMA nodes, 2 cores each, 2-way SMT, numbered the usual Linux way:
     * cpu0-3 are the first hardware threads of (pkg0 core0, pkg0 core1, pkg1 core0, pkg1 core1), cpu4-7
     * their siblings.
     */
    private Topology twoSocketSmt() throws IOException {
        write("cpu/online", "0-7");
        for (int cpu = 0; cpu < 8; cpu++) {
            final int first = cpu % 4;
            write("cpu/cpu" + cpu + "/topology/physical_package_id", Integer.toString(first / 2));
            write("cpu/cpu" + cpu + "/topology/core_id", Integer.toString(first % 2));
            write("cpu/cpu" + cpu + "/topology/thread_siblings_list", first + "," + (first + 4));
        }
        write("node/node0/cpulist", "0-1,4-5");
        write("node/node1/cpulist", "2-3,6-7");
        return Topology.read(sys);
    }

    private void write(String relative, String content) throws IOException {
        final Path file = sys.resolve(relative);
        Files.createDirectories(file.getParent());
        Files.writeString(file, content + "\n");
    }

    private static List<Integer> assign(PinningPolicy policy, Topology topology, int workers) {
        final List<Integer> cpus = new ArrayList<>();
        for (int worker = 0; worker < workers; worker++) {
            cpus.add(policy.cpuFor(worker, topology).orElseThrow());
        }
        return cpus;
    }

    @Test
    void shouldReadPackagesCoresSiblingsAndNodesWhenSysfsDescribesTwoSockets() throws IOException {
        final Topology topology = twoSocketSmt();
        assertEquals(8, topology.cpuCount());
        assertEquals(2, topology.packageCount());
        assertEquals(2, topology.nodeCount());
        assertEquals(4, topology.coreCount());
        assertEquals(new Topology.Cpu(6, 1, 0, 1, 1), topology.cpus().get(6));
        assertEquals("2 package(s), 2 NUMA node(s), 4 core(s), 8 CPU(s)", topology.describe());
    }

    @Test
    void shouldFillPhysicalCoresNodeByNodeBeforeSiblingsWhenPolicyIsCompact() throws IOException {
        assertEquals(List.of(0, 1, 2, 3, 4, 5, 6, 7, 0, 1),
                assign(PinningPolicy.Compact.INSTANCE, twoSocketSmt(), 10));
    }

    @Test
    void shouldAlternateNodesWhenPolicyIsScatter() throws IOException {
        assertEquals(List.of(0, 2, 1, 3, 4, 6, 5, 7, 0),
                assign(PinningPolicy.Scatter.INSTANCE, twoSocketSmt(), 9));
    }

    @Test
    void shouldCycleListedCpusAndRejectOfflineOnesWhenPolicyIsExplicit() throws IOException {
        final Topology topology = twoSocketSmt();
        assertEquals(List.of(7, 1, 5, 6, 7), assign(PinningPolicy.parse("7,1,5-6"), topology, 5));
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PinningPolicy.parse("9").cpuFor(0, topology));
        assertTrue(e.getMessage().contains("CPU 9") && e.getMessage().contains("0-7"), e.getMessage());
        assertEquals(OptionalInt.empty(), PinningPolicy.parse("none").cpuFor(3, topology));
        assertThrows(IllegalArgumentException.class, () -> PinningPolicy.Compact.INSTANCE.cpuFor(-1, topology));
    }

    @Test
    void shouldTreatMachineAsOneNodeWhenNodeDirectoryIsAbsent() throws IOException {
        write("cpu/online", "0");
        write("cpu/cpu0/topology/physical_package_id", "0");
        write("cpu/cpu0/topology/core_id", "0");
        write("cpu/cpu0/topology/thread_siblings_list", "0");
        final Topology topology = Topology.read(sys);
        assertEquals(1, topology.nodeCount());
        assertEquals(0, topology.cpus().getFirst().nodeId());
    }

    @Test
    void shouldNameFileWhenSysfsEntryIsMissingOrMalformed() throws IOException {
        write("cpu/online", "0-1");
        write("cpu/cpu0/topology/physical_package_id", "zero");
        final IllegalStateException malformed = assertThrows(IllegalStateException.class, () -> Topology.read(sys));
        assertTrue(malformed.getMessage().contains("physical_package_id") && malformed.getMessage().contains("\"zero\""),
                malformed.getMessage());
        write("cpu/cpu0/topology/physical_package_id", "0");
        final UncheckedIOException missing = assertThrows(UncheckedIOException.class, () -> Topology.read(sys));
        assertTrue(missing.getMessage().contains("core_id"), missing.getMessage());
    }

    @Test
    void shouldMatchSysfsWhenReadingThisMachine() throws IOException {
        final Topology topology = Topology.read();
        final String online = Files.readString(Path.of("/sys/devices/system/cpu/online")).strip();
        assertEquals(CpuList.parse(online).cardinality(), topology.cpuCount());
        assertEquals(Runtime.getRuntime().availableProcessors() <= topology.cpuCount(), true,
                "the JVM never sees more CPUs than are online");
    }
}
