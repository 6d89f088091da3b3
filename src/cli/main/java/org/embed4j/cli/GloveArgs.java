package org.embed4j.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * The options of {@code train-vectors --model glove} that word2vec does not have (GloVe's names where the reference
 * implementation has them). The shared ones (--dim, --window, --min-count, --epochs, --lr, --threads, ...) are
 * train-vectors' own or its {@link Word2VecArgs} and {@link CorpusArgs}; their GloVe defaults differ (window 10,
 * epochs 25, lr 0.05).
 */
final class GloveArgs {
    @Option(
            names = "--x-max",
            defaultValue = "100",
            description = "GloVe: weighting cutoff x_max (default ${DEFAULT-VALUE})")
    double xMax;

    @Option(
            names = "--alpha",
            defaultValue = "0.75",
            description = "GloVe: weighting exponent (default ${DEFAULT-VALUE})")
    double alpha;

    @Option(
            names = "--memory",
            defaultValue = "1024",
            description = "GloVe: MB of heap for the co-occurrence build; past it, sorted runs go to disk"
                    + " (default ${DEFAULT-VALUE}; at most 60% of -Xmx)")
    int memoryMb;

    @Option(
            names = "--asymmetric",
            description = "GloVe: count only the words before each word (the reference's -symmetric 0)")
    boolean asymmetric;

    @Option(names = "--no-distance-weighting", description = "GloVe: every pair in the window counts 1, not 1/distance")
    boolean noDistanceWeighting;

    @Option(
            names = "--adagrad",
            defaultValue = "elementwise",
            description = "GloVe: elementwise (the reference) or rowwise Adagrad state (default ${DEFAULT-VALUE})")
    String adagrad;

    @Option(
            names = "--pairs-per-batch",
            defaultValue = "4096",
            description = "GloVe: co-occurrence records per kernel call (default ${DEFAULT-VALUE})")
    int batchSize;

    @Option(
            names = "--glove-output",
            defaultValue = "w+c",
            description = "GloVe: w+c (word plus context vectors, the paper's) or w (default ${DEFAULT-VALUE})")
    String output;

    @Option(
            names = "--checkpoint",
            description = "save the weights (atomically) here after every epoch; GloVe also keeps its co-occurrence"
                    + " matrix beside it")
    Path checkpoint;

    @Option(names = "--resume", description = "continue from --checkpoint when it exists")
    boolean resume;

    @Option(
            names = "--work-dir",
            description = "GloVe: folder for temporary co-occurrence files (default: system temp)")
    Path workDir;
}
