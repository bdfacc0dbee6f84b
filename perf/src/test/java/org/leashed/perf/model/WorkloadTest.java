package org.leashed.perf.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.leashed.nn.data.Dataset;
import org.leashed.perf.cli.Architecture;

/** Every {@code --arch} builds on every data set's image shape, with the parameter counts of the thesis' tables. */
class WorkloadTest {
    private static Workload workload(int channels, int side) {
        final int features = channels * side * side;
        final Dataset tiny = Dataset.fromBytes("tiny", new byte[2 * features], new byte[] {0, 9}, channels, side, side, 10, 1f);
        return new Workload(tiny, tiny);
    }

    @ParameterizedTest(name = "{0} on {1}x{2}x{2}")
    @CsvSource({
        "MLP, 1, 28, 134794",      // Table B.1
        "CNN, 1, 28, 27354",       // Table B.2
        "LENET, 1, 28, 61706",
        "CIFARCNN, 3, 32, 1116970",
        "MLP, 3, 32, 427658",      // 3072-128-128-128-10
        "CNN, 3, 32, 38690"})      // valid convs: 32 -> 30 -> 15 -> 13 -> 6, dense 288 -> 128
    void shouldBuildTheNetworkOfEveryArchitectureForTheDatasetShape(Architecture arch, int channels, int side, long expected) {
        assertEquals(expected, workload(channels, side).network(arch, 3, 128).parameterCount());
    }
}
