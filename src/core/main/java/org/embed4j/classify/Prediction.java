package org.embed4j.classify;

/** One predicted label and its probability (as {@link TextClassifier#probabilities} defines it for the model's loss). */
public record Prediction(String label, double probability) {}
