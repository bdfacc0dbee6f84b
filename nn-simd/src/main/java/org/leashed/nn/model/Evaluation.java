package org.leashed.nn.model;

/** Mean loss and accuracy over {@code count} examples. */
public record Evaluation(double loss, double accuracy, int count) {
}
