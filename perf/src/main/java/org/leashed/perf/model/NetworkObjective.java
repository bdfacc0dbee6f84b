package org.leashed.perf.model;

import java.lang.foreign.MemorySegment;
import java.util.Objects;
import java.util.SplittableRandom;
import org.leashed.kernel.Objective;
import org.leashed.nn.data.Dataset;
import org.leashed.nn.model.Evaluation;
import org.leashed.nn.model.Network;
import org.leashed.nn.model.Workspace;

/**
 * Adapts an {@code nn-simd} {@link Network} and a training {@link Dataset} to the kernel's
 * {@link Objective}: the objective is the mean cross-entropy over the whole training set, and a stochastic
 * gradient is the mean gradient over a mini-batch of {@code batchSize} examples.
 *
 * <p>Sampling: each {@link Sampler} walks its own random permutation of the training set (Fisher-Yates,
 * from the sampler's seed) and takes consecutive batches from it; when fewer than {@code batchSize}
 * indices are left it reshuffles and starts over. So within one worker every example is seen once per
 * pass (sampling without replacement), while different workers draw independent orders. This is the usual
 * "shuffled epochs" scheme; the kernel's epoch (ceil(|D|/b) updates across all workers) is independent of
 * each worker's pass.
 *
 * <p>Memory: a sampler owns a {@link Workspace} (off-heap scratch, confined to its worker thread), an
 * {@code int[]} permutation of the training set and an {@code int[]} batch buffer, all allocated in
 * {@link #newSampler}; {@link Sampler#sampleGradient} allocates nothing. {@link #loss} uses one evaluation
 * workspace guarded by this object's monitor (the kernel calls it only between epochs, off the clock).
 *
 * <p>Thread safety: immutable apart from the evaluation workspace (guarded); samplers are confined.
 */
public final class NetworkObjective implements Objective {
    /** Examples per chunk when evaluating the full training or test set. */
    public static final int EVALUATION_CHUNK = 1000;

    private final Network network;
    private final Dataset training;
    private final int batchSize;
    private final float initStd;
    private final int dimension;
    private Workspace evaluationWorkspace; // guarded by this

    /**
     * @param network   the model
     * @param training  the training set; its feature count must equal the network's input count
     * @param batchSize examples per stochastic gradient, 1..|training|
     * @param initStd   standard deviation of the N(0, initStd) initialisation of weights and biases
     * @throws IllegalArgumentException if shapes disagree, {@code batchSize} is out of range or
     *                                  {@code initStd} is negative or not finite
     */
    public NetworkObjective(Network network, Dataset training, int batchSize, float initStd) {
        this.network = Objects.requireNonNull(network, "network");
        this.training = Objects.requireNonNull(training, "training");
        if (training.features() != network.inputs()) {
            throw new IllegalArgumentException("data set " + training.name() + " has " + training.features()
                    + " features per example, but the network expects " + network.inputs() + " inputs");
        }
        if (training.classes() != network.classes()) {
            throw new IllegalArgumentException("data set " + training.name() + " has " + training.classes()
                    + " classes, but the network has " + network.classes() + " outputs");
        }
        if (batchSize < 1 || batchSize > training.count()) {
            throw new IllegalArgumentException("batch size is " + batchSize + ", expected 1.." + training.count()
                    + " (the training set size of " + training.name() + ")");
        }
        if (!(initStd >= 0) || Float.isInfinite(initStd)) {
            throw new IllegalArgumentException("initialisation standard deviation is " + initStd + ", expected a finite value >= 0");
        }
        this.batchSize = batchSize;
        this.initStd = initStd;
        this.dimension = Math.toIntExact(network.parameterCount());
    }

    @Override
    public int dimension() {
        return dimension;
    }

    @Override
    public void initialize(MemorySegment params, long seed) {
        network.initialize(params, seed, initStd);
    }

    @Override
    public double loss(MemorySegment params) {
        return evaluate(params, training).loss();
    }

    /**
     * Mean loss and accuracy of {@code params} over all of {@code data} (e.g. the held-out test set), in
     * chunks of {@link #EVALUATION_CHUNK}. Call only while no worker writes {@code params}.
     */
    public synchronized Evaluation evaluate(MemorySegment params, Dataset data) {
        if (evaluationWorkspace == null) {
            evaluationWorkspace = network.newWorkspace(EVALUATION_CHUNK);
        }
        return network.evaluate(evaluationWorkspace, params, data, 0, data.count());
    }

    /** The network. */
    public Network network() {
        return network;
    }

    /** The training set. */
    public Dataset training() {
        return training;
    }

    /** Examples per stochastic gradient. */
    public int batchSize() {
        return batchSize;
    }

    @Override
    public Sampler newSampler(int workerId, long seed) {
        return new BatchSampler(network, training, batchSize, seed);
    }

    /** Frees the evaluation workspace; samplers are closed by their owners. */
    public synchronized void closeEvaluation() {
        if (evaluationWorkspace != null) {
            evaluationWorkspace.close();
            evaluationWorkspace = null;
        }
    }

    /** One worker's sampler: its own workspace, permutation and random stream. Confined to one thread. */
    static final class BatchSampler implements Sampler {
        private final Network network;
        private final Dataset training;
        private final int batchSize;
        private SplittableRandom random;
        private final Workspace workspace;
        private final int[] permutation;
        private final int[] batch;
        private int nextIndex;

        BatchSampler(Network network, Dataset training, int batchSize, long seed) {
            this.network = network;
            this.training = training;
            this.batchSize = batchSize;
            this.random = new SplittableRandom(seed);
            this.workspace = network.newWorkspace(batchSize);
            this.permutation = new int[training.count()];
            for (int i = 0; i < permutation.length; i++) {
                permutation[i] = i;
            }
            this.batch = new int[batchSize];
            this.nextIndex = permutation.length; // forces a shuffle before the first batch
        }

        /** Back to the state of a fresh sampler with {@code seed}: identity permutation, shuffle pending. */
        @Override
        public void reseed(long seed) {
            random = new SplittableRandom(seed);
            for (int i = 0; i < permutation.length; i++) {
                permutation[i] = i;
            }
            nextIndex = permutation.length;
        }

        @Override
        public float sampleGradient(MemorySegment params, MemorySegment grad) {
            nextBatch();
            return network.lossAndGradient(workspace, params, grad, training, batch, batchSize);
        }

        /** Fills {@code batch} with the next {@code batchSize} indices of the permutation. Package-private for tests. */
        int[] nextBatch() {
            final int[] permutation = this.permutation;
            final int batchSize = this.batchSize;
            if (nextIndex + batchSize > permutation.length) {
                shuffle(permutation);
                nextIndex = 0;
            }
            System.arraycopy(permutation, nextIndex, batch, 0, batchSize);
            nextIndex += batchSize;
            return batch;
        }

        private void shuffle(int[] values) {
            final SplittableRandom random = this.random;
            for (int i = values.length - 1; i > 0; i--) {
                final int j = random.nextInt(i + 1);
                final int t = values[i];
                values[i] = values[j];
                values[j] = t;
            }
        }

        @Override
        public void close() {
            workspace.close();
        }
    }
}
