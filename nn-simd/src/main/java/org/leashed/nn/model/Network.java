package org.leashed.nn.model;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Objects;
import java.util.SplittableRandom;

import org.leashed.nn.data.Dataset;
import org.leashed.nn.simd.Kernels;

/**
 * A multi-layer perceptron over one flat parameter vector: dense layers with ReLU, a softmax output
 * and the mean multi-class cross-entropy loss. Layer {@code l} (1-based) owns {@code W_l: (in, out)}
 * row-major followed by {@code b_l: (out)} in the vector; the offsets are computed once here.
 *
 * <p>Thread safety: immutable; every method takes the caller's {@link Workspace}, which holds all
 * mutable scratch. {@link #lossAndGradient} and {@link #evaluate} allocate nothing.
 */
public final class Network {
    final int[] widths;
    private final long[] weightIndex;
    private final long[] biasIndex;
    private final long parameterCount;
    private final Kernels kernels;
    private final String name;

    private Network(String name, int[] widths, Kernels kernels) {
        this.name = name;
        this.widths = widths.clone();
        this.kernels = kernels;
        this.weightIndex = new long[widths.length];
        this.biasIndex = new long[widths.length];
        long at = 0;
        for (int l = 1; l < widths.length; l++) {
            weightIndex[l] = at;
            at += (long) widths[l - 1] * widths[l];
            biasIndex[l] = at;
            at += widths[l];
        }
        if (at > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("network has " + at + " parameters, more than " + Integer.MAX_VALUE);
        }
        this.parameterCount = at;
    }

    /**
     * The thesis MLP family: {@code inputs -> hiddenLayers x units (ReLU) -> classes (softmax)}.
     * {@code mlp(784, 3, 128, 10)} is Table B.1 with d = 134,794.
     *
     * @throws IllegalArgumentException if a size is not positive
     */
    public static Network mlp(int inputs, int hiddenLayers, int units, int classes) {
        if (inputs < 1 || hiddenLayers < 0 || units < 1 || classes < 2) {
            throw new IllegalArgumentException("MLP sizes must be inputs>=1, hiddenLayers>=0, units>=1, classes>=2; got "
                    + inputs + ", " + hiddenLayers + ", " + units + ", " + classes);
        }
        int[] widths = new int[hiddenLayers + 2];
        widths[0] = inputs;
        for (int l = 1; l <= hiddenLayers; l++) {
            widths[l] = units;
        }
        widths[hiddenLayers + 1] = classes;
        StringBuilder sb = new StringBuilder("MLP ");
        for (int l = 0; l < widths.length; l++) {
            sb.append(l == 0 ? "" : "-").append(widths[l]);
        }
        return new Network(sb.toString(), widths, Kernels.get());
    }

    /** The same network computed with other kernels (e.g. {@link Kernels#scalar()} as a reference). */
    public Network withKernels(Kernels other) {
        return new Network(name, widths, Objects.requireNonNull(other, "kernels"));
    }

    /** Number of parameters d. */
    public long parameterCount() {
        return parameterCount;
    }

    /** e.g. {@code "MLP 784-128-128-128-10 (d=134794)"}. */
    public String describe() {
        return name + " (d=" + parameterCount + ")";
    }

    /** Kernels this network computes with. */
    public Kernels kernels() {
        return kernels;
    }

    /** Input features expected per example. */
    public int inputs() {
        return widths[0];
    }

    /** Output classes. */
    public int classes() {
        return widths[widths.length - 1];
    }

    /**
     * Writes N(0, stddev) into every weight and bias (thesis Alg. B.1), deterministically from
     * {@code seed}.
     */
    public void initialize(MemorySegment params, long seed, float stddev) {
        checkParams(params, "params");
        SplittableRandom random = new SplittableRandom(seed);
        for (long i = 0; i < parameterCount; i++) {
            params.setAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, i, (float) (random.nextGaussian() * stddev));
        }
    }

    /** Scratch memory for batches of up to {@code maxBatch} examples. */
    public Workspace newWorkspace(int maxBatch) {
        return new Workspace(this, maxBatch);
    }

    /**
     * Mean cross-entropy over the examples {@code batchIndices[0..batchSize)} of {@code data}; writes
     * the mean gradient into {@code grad} (overwriting it). {@code params} is only read.
     *
     * @throws IllegalArgumentException if shapes disagree
     */
    public float lossAndGradient(Workspace ws, MemorySegment params, MemorySegment grad, Dataset data, int[] batchIndices, int batchSize) {
        checkCall(ws, params, data, batchSize);
        checkParams(grad, "grad");
        gather(ws, data, batchIndices, 0, batchSize);
        forward(ws, params, batchSize);
        final Kernels kernels = this.kernels;
        final int layers = widths.length - 1;
        final int classes = widths[layers];
        MemorySegment delta = ws.deltaA;
        MemorySegment spare = ws.deltaB;
        double loss = softmaxCrossEntropy(ws.activations[layers], data, batchIndices, 0, batchSize, delta, 1.0f / batchSize, null);
        for (int l = layers; l >= 1; l--) {
            int in = widths[l - 1];
            int out = widths[l];
            MemorySegment previous = ws.activations[l - 1];
            // dW_l (in, out) = A_{l-1}^T (in, b) . delta (b, out)
            kernels.gemm(in, out, batchSize, previous, 0, 1, in, delta, 0, out, grad, weightIndex[l], out, false);
            kernels.columnSums(grad, biasIndex[l], delta, 0, batchSize, out);
            if (l > 1) {
                // dA_{l-1} (b, in) = delta (b, out) . W_l^T (out, in), then through the ReLU of layer l-1
                kernels.transpose(ws.transposed, 0, params, weightIndex[l], in, out);
                kernels.gemm(batchSize, in, out, delta, 0, out, 1, ws.transposed, 0, in, spare, 0, in, false);
                kernels.reluBackward(spare, 0, previous, 0, (long) batchSize * in);
                MemorySegment t = delta;
                delta = spare;
                spare = t;
            }
        }
        assert classes == data.classes();
        return (float) loss;
    }

    /**
     * Mean loss and accuracy over examples {@code [from, from + count)}, forward only, in chunks of
     * the workspace's batch size.
     */
    public Evaluation evaluate(Workspace ws, MemorySegment params, Dataset data, int from, int count) {
        Objects.checkFromIndexSize(from, count, data.count());
        checkCall(ws, params, data, 1);
        final int[] indices = ws.sequential;
        final int layers = widths.length - 1;
        double lossSum = 0;
        long correct = 0;
        long[] correctOut = new long[1];
        for (int start = from; start < from + count; start += ws.maxBatch) {
            int n = Math.min(ws.maxBatch, from + count - start);
            for (int i = 0; i < n; i++) {
                indices[i] = start + i;
            }
            gather(ws, data, indices, 0, n);
            forward(ws, params, n);
            correctOut[0] = 0;
            lossSum += softmaxCrossEntropy(ws.activations[layers], data, indices, 0, n, null, 0f, correctOut) * n;
            correct += correctOut[0];
        }
        return new Evaluation(lossSum / count, (double) correct / count, count);
    }

    private void gather(Workspace ws, Dataset data, int[] indices, int offset, int n) {
        final long rowBytes = (long) widths[0] * Float.BYTES;
        final MemorySegment images = data.images();
        for (int r = 0; r < n; r++) {
            int index = indices[offset + r];
            MemorySegment.copy(images, index * rowBytes, ws.input, r * rowBytes, rowBytes);
        }
    }

    private void forward(Workspace ws, MemorySegment params, int batch) {
        final Kernels kernels = this.kernels;
        final int layers = widths.length - 1;
        for (int l = 1; l <= layers; l++) {
            int in = widths[l - 1];
            int out = widths[l];
            MemorySegment x = ws.activations[l - 1];
            MemorySegment y = ws.activations[l];
            // Z_l (b, out) = A_{l-1} (b, in) . W_l (in, out) + b_l ; ReLU on hidden layers
            kernels.gemm(batch, out, in, x, 0, in, 1, params, weightIndex[l], out, y, 0, out, false);
            kernels.biasActivation(y, 0, params, biasIndex[l], batch, out, l < layers);
        }
    }

    /**
     * Sum over the batch of the cross-entropy of {@code logits (n, classes)}, divided by n; when
     * {@code delta} is given, writes {@code (softmax - onehot) * gradScale} into it.
     */
    private double softmaxCrossEntropy(MemorySegment logits, Dataset data, int[] indices, int offset, int n,
                                       MemorySegment delta, float gradScale, long[] correctOut) {
        final int classes = widths[widths.length - 1];
        final ValueLayout.OfFloat f = ValueLayout.JAVA_FLOAT_UNALIGNED;
        double sum = 0;
        long correct = 0;
        for (int r = 0; r < n; r++) {
            long row = (long) r * classes;
            int label = data.label(indices[offset + r]);
            float max = Float.NEGATIVE_INFINITY;
            int argmax = 0;
            for (int c = 0; c < classes; c++) {
                float z = logits.getAtIndex(f, row + c);
                if (z > max) {
                    max = z;
                    argmax = c;
                }
            }
            double norm = 0;
            for (int c = 0; c < classes; c++) {
                norm += Math.exp(logits.getAtIndex(f, row + c) - max);
            }
            double logNorm = Math.log(norm) + max;
            sum += logNorm - logits.getAtIndex(f, row + label);
            if (argmax == label) {
                correct++;
            }
            if (delta != null) {
                for (int c = 0; c < classes; c++) {
                    double p = Math.exp(logits.getAtIndex(f, row + c) - logNorm);
                    delta.setAtIndex(f, row + c, (float) ((p - (c == label ? 1 : 0)) * gradScale));
                }
            }
        }
        if (correctOut != null) {
            correctOut[0] = correct;
        }
        return sum / n;
    }

    private void checkCall(Workspace ws, MemorySegment params, Dataset data, int batchSize) {
        if (ws.network.widths.length != widths.length || !java.util.Arrays.equals(ws.network.widths, widths)) {
            throw new IllegalArgumentException("workspace was made for " + ws.network.describe() + ", not " + describe());
        }
        if (batchSize < 1 || batchSize > ws.maxBatch) {
            throw new IllegalArgumentException("batchSize must be in [1, " + ws.maxBatch + "], got " + batchSize);
        }
        if (data.features() != widths[0] || data.classes() != classes()) {
            throw new IllegalArgumentException("data set " + data.name() + " has " + data.features() + " features and "
                    + data.classes() + " classes; " + describe() + " expects " + widths[0] + " and " + classes());
        }
        checkParams(params, "params");
    }

    private void checkParams(MemorySegment segment, String what) {
        if (segment.byteSize() < parameterCount * Float.BYTES) {
            throw new IllegalArgumentException(what + " holds " + segment.byteSize() / Float.BYTES + " floats, expected at least "
                    + parameterCount);
        }
    }
}
