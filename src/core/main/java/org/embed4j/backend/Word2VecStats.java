package org.embed4j.backend;

/** What one word2vec chunk did: the summed negative-sampling loss and the number of (input, output) pairs. */
public record Word2VecStats(double lossSum, long pairs) {}
