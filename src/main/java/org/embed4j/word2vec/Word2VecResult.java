package org.embed4j.word2vec;

import java.nio.file.Path;

import org.embed4j.text.Vocabulary;
import org.embed4j.vectors.WordVectors;

/**
 * What a training run produced: the vocabulary (with counts), the vectors, and how it went:
 * words processed (corpus words × epochs, before subsampling, as word2vec counts them), wall seconds of
 * the training phase (vocabulary counting excluded, as word2vec reports), words/s over all threads,
 * the mean loss per positive pair over the last 5% of training, and the metrics/curve files (null when
 * not written).
 */
public record Word2VecResult(Vocabulary vocabulary, WordVectors vectors, Word2VecOptions options, long words,
                             double trainSeconds, double wordsPerSecond, double finalLoss, String backend,
                             Path metricsFile, Path curveFile) {
}
