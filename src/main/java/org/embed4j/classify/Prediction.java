package org.embed4j.classify;

/** One predicted label and its softmax probability. */
public record Prediction(String label, double probability) {
}
