package org.leashed.perf.results;

import org.leashed.perf.topology.Topology;

/** Describes the running machine for result files and run headers. */
public final class MachineInfo {
    private MachineInfo() {
    }

    /**
     * The running machine. Topology comes from sysfs; where sysfs cannot be read (not Linux, restricted
     * container) it is recorded as unknown (zeros) rather than failing the run.
     *
     * @param pinning the {@code --pin} spelling in effect
     */
    public static ResultDocument.Machine current(String pinning) {
        ResultDocument.Topology topology;
        try {
            final Topology t = Topology.read();
            topology = new ResultDocument.Topology(t.cpuCount(), t.coreCount(), t.packageCount(), t.nodeCount(), t.describe());
        } catch (RuntimeException e) {
            topology = new ResultDocument.Topology(0, 0, 0, 0, "unknown (" + e.getMessage() + ")");
        }
        final Runtime runtime = Runtime.getRuntime();
        return new ResultDocument.Machine(runtime.availableProcessors(), topology,
                System.getProperty("java.runtime.version", System.getProperty("java.version")),
                System.getProperty("java.vm.name", "unknown"),
                System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"),
                runtime.maxMemory(), pinning);
    }
}
