package org.embed4j.cli;

import picocli.CommandLine.Option;

/**
 * The word2vec options that {@code train-vectors} and {@code train-docvectors} declare alike (names, word2vec's
 * aliases, defaults and help): vocabulary, vector size, subsampling, threads, seed and backend. Declared once here,
 * shared as a picocli mixin; the options whose help or defaults differ between the two commands stay their own.
 */
final class Word2VecArgs {
    @Option(
            names = {"--dim", "-size"},
            defaultValue = "100",
            description = "vector size (default ${DEFAULT-VALUE})")
    int dim;

    @Option(
            names = {"--sample", "-sample"},
            defaultValue = "1e-4",
            description = "subsampling threshold, 0 = off (default ${DEFAULT-VALUE})")
    double sample;

    @Option(
            names = {"--min-count", "-min-count"},
            defaultValue = "5",
            description = "drop rarer words (default ${DEFAULT-VALUE})")
    int minCount;

    @Option(
            names = "--max-vocab",
            defaultValue = "0",
            description = "keep at most this many words, 0 = all (default ${DEFAULT-VALUE})")
    int maxVocab;

    @Option(
            names = {"--threads", "-threads"},
            description = "Hogwild worker threads (default: all cores)")
    Integer threads;

    @Option(
            names = "--seed",
            defaultValue = "1",
            description = "random seed; with --threads 1 runs are bit-reproducible (default ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--backend", defaultValue = "auto", description = "auto, cpu or java (default ${DEFAULT-VALUE})")
    String backend;
}
