package org.leashed.nn.model;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;

import org.leashed.nn.data.Dataset;
import org.leashed.nn.layer.Conv2d;
import org.leashed.nn.layer.Dense;
import org.leashed.nn.layer.Layer;
import org.leashed.nn.layer.MaxPool2x2;
import org.leashed.nn.layer.Shape;
import org.leashed.nn.simd.Kernels;

/**
 * A feed-forward network over one flat parameter vector: a list of {@link Layer}s (dense, 2-D
 * convolution, 2x2 max pooling) ending in a dense layer whose outputs are the logits of a softmax,
 * trained with the mean multi-class cross-entropy. Layer {@code l} owns the floats
 * {@code [paramIndex[l], paramIndex[l] + layer.parameterCount())} of the vector, in layer order;
 * the offsets are computed once here. A convolution is followed directly by a dense layer means the
 * dense layer reads the CHW maps flattened.
 *
 * <p>The thesis networks: {@link #mlp} (Table B.1), {@link #cnn} (Table B.2), {@link #lenet}
 * (Ch. C, D) and {@link #cifarCnn} (Fig. A.1).
 *
 * <p>Thread safety: immutable; every method takes the caller's {@link Workspace}, which holds all
 * mutable scratch. {@link #lossAndGradient} allocates nothing.
 */
public final class Network {
    final Shape input;
    final Layer[] layers;
    private final long[] paramIndex;
    private final long parameterCount;
    private final int classes;
    private final Kernels kernels;
    private final String name;

    private Network(String name, Shape input, Layer[] layers, Kernels kernels) {
        this.name = name;
        this.input = input;
        this.layers = layers;
        this.kernels = kernels;
        this.classes = layers[layers.length - 1].outputShape().size();
        this.paramIndex = new long[layers.length];
        long at = 0;
        for (int l = 0; l < layers.length; l++) {
            paramIndex[l] = at;
            at += layers[l].parameterCount();
        }
        if (at > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("network has " + at + " parameters, more than " + Integer.MAX_VALUE);
        }
        this.parameterCount = at;
    }

    /**
     * A network of the given layers on inputs of shape {@code input}.
     *
     * @throws IllegalArgumentException if the list is empty, a layer's input shape is not the previous
     *     output shape (a dense layer only needs the same size), or the last layer is not a dense layer
     *     without ReLU with at least 2 outputs
     */
    public static Network sequential(String name, Shape input, List<Layer> layers) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(input, "input");
        Layer[] array = layers.toArray(new Layer[0]);
        if (array.length == 0) {
            throw new IllegalArgumentException("a network needs at least one layer");
        }
        Shape shape = input;
        for (int l = 0; l < array.length; l++) {
            Layer layer = Objects.requireNonNull(array[l], "layer " + l);
            boolean fits = layer instanceof Dense ? layer.inputShape().size() == shape.size() : layer.inputShape().equals(shape);
            if (!fits) {
                throw new IllegalArgumentException("layer " + l + " (" + layer.describe() + ") expects input " + layer.inputShape()
                        + ", previous output is " + shape);
            }
            shape = layer.outputShape();
        }
        if (!(array[array.length - 1] instanceof Dense last) || last.relu() || last.outputs() < 2) {
            throw new IllegalArgumentException("the last layer must be a dense layer without ReLU and >= 2 outputs (the logits), got "
                    + array[array.length - 1].describe());
        }
        return new Network(name, input, array, Kernels.get());
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
        Builder b = new Builder(Shape.flat(inputs));
        StringBuilder sb = new StringBuilder("MLP ").append(inputs);
        for (int l = 0; l < hiddenLayers; l++) {
            b.dense(units, true);
            sb.append('-').append(units);
        }
        b.dense(classes, false);
        sb.append('-').append(classes);
        return sequential(sb.toString(), b.input, b.layers);
    }

    /**
     * The thesis CNN (Table B.2): conv 3x3x4 (valid) + ReLU, max-pool 2x2, conv 3x3x8 (valid) + ReLU,
     * max-pool 2x2, dense 128 + ReLU, dense {@code classes}. On 1x28x28 (28 -> 26 -> 13 -> 11 -> 5)
     * d = 40 + 296 + 25,728 + 1,290 = 27,354.
     *
     * @throws IllegalArgumentException if the input is too small (below 10x10) or a size is not positive
     */
    public static Network cnn(int channels, int height, int width, int classes) {
        Builder b = new Builder(new Shape(channels, height, width));
        b.conv(4, 3, 0).pool().conv(8, 3, 0).pool().dense(128, true).dense(classes, false);
        return b.build("CNN");
    }

    /**
     * LeNet-5 style, ReLU activations: conv 5x5x6 (pad 2) + ReLU, max-pool 2x2, conv 5x5x16 (valid)
     * + ReLU, max-pool 2x2, dense 120 + ReLU, dense 84 + ReLU, dense {@code classes}. On 1x28x28
     * (28 -> 28 -> 14 -> 10 -> 5) d = 156 + 2,416 + 48,120 + 10,164 + 850 = 61,706.
     *
     * @throws IllegalArgumentException if the input is too small (below 12x12) or a size is not positive
     */
    public static Network lenet(int channels, int height, int width, int classes) {
        Builder b = new Builder(new Shape(channels, height, width));
        b.conv(6, 5, 2).pool().conv(16, 5, 0).pool().dense(120, true).dense(84, true).dense(classes, false);
        return b.build("LeNet");
    }

    /**
     * The 4-convolution CIFAR network of Fig. A.1, "same" padding: conv 3x3x32 + ReLU, conv 3x3x32 +
     * ReLU, max-pool 2x2, conv 3x3x64 + ReLU, conv 3x3x64 + ReLU, max-pool 2x2, dense 256 + ReLU,
     * dense {@code classes}. On 3x32x32 (32 -> 16 -> 8, 64x8x8 = 4,096 features) d = 896 + 9,248 +
     * 18,496 + 36,928 + 1,048,832 + 2,570 = 1,116,970.
     *
     * @throws IllegalArgumentException if the input is smaller than 4x4 or a size is not positive
     */
    public static Network cifarCnn(int channels, int height, int width, int classes) {
        Builder b = new Builder(new Shape(channels, height, width));
        b.conv(32, 3, 1).conv(32, 3, 1).pool().conv(64, 3, 1).conv(64, 3, 1).pool().dense(256, true).dense(classes, false);
        return b.build("CIFAR-CNN");
    }

    /** Appends layers, tracking the shape. */
    private static final class Builder {
        final Shape input;
        final List<Layer> layers = new ArrayList<>();
        Shape shape;

        Builder(Shape input) {
            this.input = input;
            this.shape = input;
        }

        private Builder add(Layer layer) {
            layers.add(layer);
            shape = layer.outputShape();
            return this;
        }

        Builder conv(int filters, int kernel, int padding) {
            return add(new Conv2d(shape, filters, kernel, padding, true));
        }

        Builder pool() {
            return add(new MaxPool2x2(shape));
        }

        Builder dense(int outputs, boolean relu) {
            return add(new Dense(shape, outputs, relu));
        }

        Network build(String family) {
            StringBuilder sb = new StringBuilder(family).append(' ').append(input).append(':');
            for (Layer l : layers) {
                sb.append(' ').append(l.describe());
            }
            return sequential(sb.toString(), input, layers);
        }
    }

    /** The same network computed with other kernels (e.g. {@link Kernels#scalar()} as a reference). */
    public Network withKernels(Kernels other) {
        return new Network(name, input, layers, Objects.requireNonNull(other, "kernels"));
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

    /** Input features expected per example ({@code channels * height * width}). */
    public int inputs() {
        return input.size();
    }

    /** Shape of one input example. */
    public Shape inputShape() {
        return input;
    }

    /** Output classes. */
    public int classes() {
        return classes;
    }

    /** The layers, in order (an unmodifiable copy). */
    public List<Layer> layers() {
        return List.of(layers);
    }

    /** Index in the parameter vector of layer {@code l}'s first float. */
    public long parameterIndex(int l) {
        return paramIndex[Objects.checkIndex(l, layers.length)];
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
     * the mean gradient into {@code grad} (overwriting it). {@code params} is only read. Allocates
     * nothing.
     *
     * @throws IllegalArgumentException if shapes disagree
     */
    public float lossAndGradient(Workspace ws, MemorySegment params, MemorySegment grad, Dataset data, int[] batchIndices, int batchSize) {
        checkCall(ws, params, data, batchSize);
        checkParams(grad, "grad");
        if (batchIndices.length < batchSize) {
            throw new IllegalArgumentException("batchIndices holds " + batchIndices.length + " indices, batchSize is " + batchSize);
        }
        gather(ws, data, batchIndices, batchSize);
        forward(ws, params, batchSize);
        final Kernels kernels = this.kernels;
        final Layer[] layers = this.layers;
        MemorySegment delta = ws.deltaA;
        MemorySegment spare = ws.deltaB;
        double loss = softmaxCrossEntropy(ws, ws.activations[layers.length], data, batchIndices, batchSize, delta, 1.0f / batchSize, null);
        for (int l = layers.length - 1; l >= 0; l--) {
            MemorySegment dx = l > 0 ? spare : null;
            layers[l].backward(kernels, params, paramIndex[l], grad, ws.activations[l], ws.activations[l + 1], delta, dx, batchSize,
                    ws.scratch[l]);
            spare = delta;
            delta = dx;
        }
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
        double lossSum = 0;
        long correct = 0;
        long[] correctOut = new long[1];
        for (int start = from; start < from + count; start += ws.maxBatch) {
            int n = Math.min(ws.maxBatch, from + count - start);
            for (int i = 0; i < n; i++) {
                indices[i] = start + i;
            }
            gather(ws, data, indices, n);
            forward(ws, params, n);
            correctOut[0] = 0;
            lossSum += softmaxCrossEntropy(ws, ws.activations[layers.length], data, indices, n, null, 0f, correctOut) * n;
            correct += correctOut[0];
        }
        return new Evaluation(lossSum / count, (double) correct / count, count);
    }

    private void gather(Workspace ws, Dataset data, int[] indices, int n) {
        final long rowFloats = input.size();
        final MemorySegment in = ws.activations[0];
        for (int r = 0; r < n; r++) {
            data.copyExample(kernels, indices[r], in, r * rowFloats);
        }
    }

    private void forward(Workspace ws, MemorySegment params, int batch) {
        final Kernels kernels = this.kernels;
        final Layer[] layers = this.layers;
        for (int l = 0; l < layers.length; l++) {
            layers[l].forward(kernels, params, paramIndex[l], ws.activations[l], ws.activations[l + 1], batch, ws.scratch[l]);
        }
    }

    /**
     * Mean over the batch of the cross-entropy of {@code logits (n, classes)}; when {@code delta} is given, writes
     * {@code (softmax - onehot) * gradScale} into it; when {@code correctOut} is given, adds the rows the logits
     * classify right to it ({@link Kernels#softmaxCrossEntropy}).
     */
    private double softmaxCrossEntropy(Workspace ws, MemorySegment logits, Dataset data, int[] indices, int n,
                                       MemorySegment delta, float gradScale, long[] correctOut) {
        final int[] labels = ws.labels;
        for (int r = 0; r < n; r++) {
            labels[r] = data.label(indices[r]);
        }
        return kernels.softmaxCrossEntropy(logits, 0, n, classes, labels, delta, 0, gradScale, correctOut, ws.softmaxScratch) / n;
    }

    private void checkCall(Workspace ws, MemorySegment params, Dataset data, int batchSize) {
        if (ws.network.layers != layers && !Arrays.equals(ws.network.layers, layers)) {
            throw new IllegalArgumentException("workspace was made for " + ws.network.describe() + ", not " + describe());
        }
        if (batchSize < 1 || batchSize > ws.maxBatch) {
            throw new IllegalArgumentException("batchSize must be in [1, " + ws.maxBatch + "], got " + batchSize);
        }
        if (data.features() != input.size() || data.classes() != classes()) {
            throw new IllegalArgumentException("data set " + data.name() + " has " + data.features() + " features and "
                    + data.classes() + " classes; " + describe() + " expects " + input.size() + " and " + classes());
        }
        if (!(layers[0] instanceof Dense)
                && (data.channels() != input.channels() || data.height() != input.height() || data.width() != input.width())) {
            throw new IllegalArgumentException("data set " + data.name() + " has images " + data.channels() + "x" + data.height() + "x"
                    + data.width() + "; " + describe() + " expects " + input);
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
