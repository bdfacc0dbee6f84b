package org.leashed.perf.report;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

/** Writes result files with the SPEC "Output" field names, for report and sweep tests. */
public final class SyntheticResults {
    private SyntheticResults() {
    }

    /** The kind of run to fake. */
    public enum Kind { CONVERGED, DIVERGED, CRASHED, ELASTIC }

    public static ObjectNode run(String algo, int threads, String persistence, long seed, Kind kind) {
        final JsonNodeFactory f = JsonNodeFactory.instance;
        final SplittableRandom random = new SplittableRandom(seed * 31 + threads);
        final ObjectNode root = f.objectNode();
        final ObjectNode config = root.putObject("config");
        config.put("algo", algo).put("threads", threads).put("persistence", persistence).put("arch", "MLP")
                .put("dataset", "MNIST").put("epochs", 6).put("batch", 512).put("lr", 0.005)
                .put("stepsize", "TAIL").put("tail_amplitude", 0.5).put("seed", seed);
        config.putArray("epsilon").add(0.5).add(0.1);
        root.putObject("machine").put("cores", 2).put("jdk", "25").put("pinning", "none")
                .put("topology", "1 package, 2 cores");
        root.put("outcome", kind == Kind.DIVERGED ? "diverged" : kind == Kind.CRASHED ? "crashed" : "converged");
        final double initial = 2.30;
        root.put("initial_loss", initial);
        final ArrayNode epochs = root.putArray("epochs");
        final ArrayNode epochLoss = root.putArray("epoch_loss");
        final ArrayNode epochTime = root.putArray("epoch_time");
        double loss = initial;
        double wall = 0.0;
        final double speed = "LSH".equals(algo) ? 0.55 : 0.7;
        Double t50 = null;
        Double t10 = null;
        for (int e = 1; e <= 6; e++) {
            wall += 1.5 + random.nextDouble() * 0.3;
            loss = kind == Kind.DIVERGED ? loss * 0.97 : loss * (speed + random.nextDouble() * 0.05);
            final ObjectNode epoch = epochs.addObject().put("epoch", e).put("wall_s", wall).put("updates", 117L * e);
            if (kind == Kind.CRASHED && e >= 4) {
                epoch.put("loss", "NaN");
                epochLoss.add("NaN");
            } else {
                epoch.put("loss", loss);
                epochLoss.add(loss);
            }
            epochTime.add(wall);
            if (kind != Kind.CRASHED && t50 == null && loss < 0.5 * initial) {
                t50 = wall;
            }
            if (kind != Kind.CRASHED && t10 == null && loss < 0.1 * initial) {
                t10 = wall;
            }
        }
        final ObjectNode tte = root.putObject("time_to_epsilon");
        putOrNull(tte, "0.5", t50);
        putOrNull(tte, "0.1", t10);
        final ObjectNode staleness = root.putObject("staleness_hist");
        for (int tau = 0; tau <= 3 * threads; tau++) {
            final double centre = "LSH".equals(algo) ? threads - 1 : threads + 1;
            final long count = Math.round(1000 * Math.exp(-0.5 * (tau - centre) * (tau - centre) / threads));
            if (count > 0) {
                staleness.put(Integer.toString(tau), count);
            }
        }
        if ("LSH".equals(algo)) {
            root.putObject("cas_tries_hist").put("1", 900).put("2", 80).put("3", 20);
        }
        root.putObject("tc_ns").put("p50", 4.0e7).put("p99", 5.2e7 + random.nextDouble() * 1e6).put("mean", 4.2e7);
        root.putObject("tu_ns").put("p50", 6.0e5).put("p99", 9.0e5).put("mean", 6.4e5);
        root.putObject("memory").put("live_vectors_peak", "LSH".equals(algo) ? 2 * threads : 2 * threads + 1)
                .put("offheap_bytes_peak", 539_176L * (2 * threads + 1));
        root.put("worker_seconds", wall * threads);
        root.putObject("contention").put("predicted_n_star", 0.03).put("measured_n_mean", 0.04);
        root.putObject("test").put("loss", loss).put("accuracy", kind == Kind.CRASHED ? 0.1 : 0.9);
        if (kind == Kind.ELASTIC) {
            final ObjectNode elastic = root.putObject("elastic");
            final ArrayNode parallelism = elastic.putArray("parallelism");
            final ArrayNode xi = elastic.putArray("xi");
            for (int i = 0; i <= 20; i++) {
                parallelism.addArray().add(i * 0.5).add(1 + (i / 5) % 2);
                xi.addArray().add(i * 0.5).add(0.1 + 0.05 * ((i / 5) % 2) + random.nextDouble() * 0.01);
            }
            elastic.put("break_even_s", 4.5);
        }
        root.put("an_extra_field_from_the_future", "ignored");
        return root;
    }

    private static void putOrNull(ObjectNode node, String key, Double value) {
        if (value == null) {
            node.putNull(key);
        } else {
            node.put(key, value);
        }
    }

    public static Path write(Path dir, String name, ObjectNode run) throws IOException {
        final Path file = dir.resolve(name + ".json");
        Files.writeString(file, run.toPrettyString());
        return file;
    }

    /** Ten runs over three settings plus one elastic run: every figure has data. */
    public static void writeCampaign(Path dir) throws IOException {
        Files.createDirectories(dir);
        for (long seed = 1; seed <= 3; seed++) {
            write(dir, "async-m2-s" + seed, run("ASYNC", 2, "inf", seed, seed == 3 ? Kind.DIVERGED : Kind.CONVERGED));
            write(dir, "lsh-ps0-m2-s" + seed, run("LSH", 2, "0", seed, Kind.CONVERGED));
            write(dir, "hog-m2-s" + seed, run("HOG", 2, "inf", seed, seed == 2 ? Kind.CRASHED : Kind.CONVERGED));
        }
        write(dir, "elastic-lsh-m2-s1", run("LSH", 2, "inf", 1, Kind.ELASTIC));
    }
}
