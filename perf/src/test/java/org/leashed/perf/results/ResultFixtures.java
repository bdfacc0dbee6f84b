package org.leashed.perf.results;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.leashed.kernel.run.AlgorithmKind;
import org.leashed.kernel.run.EpochStats;
import org.leashed.kernel.run.Outcome;
import org.leashed.kernel.run.Percentiles;
import org.leashed.kernel.run.RunResult;
import org.leashed.kernel.run.StepSizeConfig;
import org.leashed.kernel.run.TrainingConfig;
import org.leashed.memory.PersistenceBound;

/** A deterministic finished run and its context, shared by the results tests. */
final class ResultFixtures {
    static final List<Double> EPSILONS = List.of(0.5, 0.1, 0.025);

    private ResultFixtures() {
    }

    static ResultAssembler.Context context() {
        final Map<String, Object> config = new LinkedHashMap<>();
        config.put("algo", "LSH");
        config.put("threads", 2);
        config.put("epsilon", EPSILONS);
        config.put("time_limit", 0.0);
        return new ResultAssembler.Context("test", "2025-01-01T00:00:00Z", config,
                new ResultDocument.Machine(2, new ResultDocument.Topology(2, 2, 1, 1, "1 package(s)"), "25", "vm", "Linux",
                        1L << 30, "none"),
                new ResultDocument.KernelInfo("vector(256-bit)", "vector(256-bit)"), 134_794, EPSILONS);
    }

    static RunResult finishedRun() {
        final TrainingConfig config = new TrainingConfig(AlgorithmKind.LSH, 2, PersistenceBound.unbounded(), 3, 117, 0.005f,
                0f, StepSizeConfig.none(), 1, EPSILONS, 0, false);
        final Map<String, Double> tte = new LinkedHashMap<>();
        tte.put("0.5", 1.5);
        tte.put("0.1", 3.0);
        tte.put("0.025", null);
        return new RunResult(config, Outcome.DIVERGED, 2.3,
                List.of(new EpochStats(1, 1.0, 1.5, 117), new EpochStats(2, 0.3, 3.0, 234), new EpochStats(3, 0.2, 4.5, 351)),
                tte, new long[] {100, 200, 0, 51}, new long[] {0, 300, 40, 11}, new Percentiles(1e5, 2e5, 1.1e5, 351),
                new Percentiles(50, 900, 70, 351), 7, 7 * 134_794L * 4, 9.0, 0.0013, 0.002, 351, 0, "vector(256-bit)", 4.5, null);
    }
}
