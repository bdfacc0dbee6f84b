package org.leashed.perf.cli;

/** The thesis networks selectable with {@code --arch}. */
public enum Architecture {
    /** Multi-layer perceptron, {@code --layers} hidden ReLU layers of {@code --units} (Table B.1). */
    MLP,
    /** The small CNN of Table B.2. */
    CNN,
    /** LeNet (Ch. C, D). */
    LENET,
    /** The 4-convolution CIFAR CNN of Fig. A.1. */
    CIFARCNN
}
