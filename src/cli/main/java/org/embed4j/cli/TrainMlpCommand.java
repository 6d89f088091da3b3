package org.embed4j.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.embed4j.backend.Backend;
import org.embed4j.backend.Backends;
import org.embed4j.classify.LabeledText;
import org.embed4j.classify.mlp.MlpConfig;
import org.embed4j.classify.mlp.MlpTrainer;
import org.embed4j.cli.data.Datasets;
import org.embed4j.cli.report.ProgressReporter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code embed4j train-mlp --train <file> --test <file>}: an MLP classifier (mean of word embeddings →
 * Linear+ReLU → Linear, softmax cross-entropy, Adam) trained on a TREC-format file ({@code COARSE:fine question}),
 * then its test accuracy printed. Exit code 0 on success, 1 on bad input (message on stderr).
 */
@Command(
        name = "train-mlp",
        mixinStandardHelpOptions = true,
        description = "Train the embedding-MLP text classifier on TREC-format files and print the test accuracy.")
final class TrainMlpCommand implements Callable<Integer> {
    private static final MlpConfig D = MlpConfig.defaults();

    @Option(names = "--train", required = true, description = "training file, one 'LABEL:fine text' per line")
    Path train;

    @Option(names = "--test", required = true, description = "test file, same format")
    Path test;

    @Option(names = "--epochs", description = "passes over the training set (default " + "10" + ")")
    int epochs = D.epochs();

    @Option(names = "--batch-size", description = "texts per step (default 64)")
    int batchSize = D.batchSize();

    @Option(names = "--dim", description = "embedding dimension (default 100)")
    int dim = D.dim();

    @Option(names = "--hidden", description = "hidden units (default 100)")
    int hidden = D.hidden();

    @Option(names = "--lr", description = "Adam learning rate (default 0.01)")
    float lr = D.lr();

    @Option(names = "--seed", description = "random seed (default 1)")
    long seed = D.seed();

    @Option(names = "--dropout", description = "dropout after the hidden layer (default 0.5)")
    float dropout = D.dropout();

    @Option(names = "--min-count", description = "drop words and n-grams seen fewer times in training (default 2)")
    int minCount = D.minCount();

    @Option(
            names = "--word-ngrams",
            description = "also embed word n-grams up to this length (default 2; 1: words only)")
    int wordNgrams = D.wordNgrams();

    @Option(names = "--backend", description = "auto, cuda, cpu or java (default: auto)")
    String backendName;

    @Option(names = "--quiet", description = "no progress bar")
    boolean quiet;

    @Override
    public Integer call() {
        return VectorsCommands.run("train-mlp", () -> {
            MlpConfig config = new MlpConfig(
                    epochs,
                    batchSize,
                    dim,
                    hidden,
                    lr,
                    seed,
                    dropout,
                    minCount,
                    wordNgrams,
                    D.devFraction(),
                    D.patience());
            List<LabeledText> trainSet = Datasets.readTrec(train, false);
            List<LabeledText> testSet = Datasets.readTrec(test, false);
            Backend backend = backendName == null ? Backends.auto() : Backends.get(backendName);
            MlpTrainer.Result r;
            try (ProgressReporter bar = new ProgressReporter(!quiet)) {
                r = new MlpTrainer(config, backend).listener(bar).train(trainSet);
            }
            System.out.printf(
                    Locale.ROOT,
                    "backend %s, vocabulary %d terms, %d classes %s%n",
                    backend.name(),
                    r.classifier().words().size(),
                    r.classifier().labels().size(),
                    r.classifier().labels());
            for (int e = 0; e < r.epochLoss().size(); e++) {
                System.out.printf(
                        Locale.ROOT,
                        "epoch %d: train loss %.4f%s%n",
                        e + 1,
                        r.epochLoss().get(e),
                        e < r.devAccuracy().size()
                                ? String.format(
                                        Locale.ROOT,
                                        ", dev accuracy %.4f",
                                        r.devAccuracy().get(e))
                                : "");
            }
            System.out.printf(
                    Locale.ROOT, "training time %.1f s, kept epoch %d%n", r.trainMillis() / 1000.0, r.bestEpoch());
            int correct = 0;
            for (LabeledText t : testSet) {
                correct += r.classifier().predict(t.text(), 1).get(0).label().equals(t.label()) ? 1 : 0;
            }
            System.out.printf(
                    Locale.ROOT,
                    "test accuracy %.2f%% (%d/%d)%n",
                    100.0 * correct / testSet.size(),
                    correct,
                    testSet.size());
            return 0;
        });
    }
}
