package org.embed4j.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.embed4j.classify.Classifier;
import org.embed4j.classify.ClassifierMetrics;
import org.embed4j.classify.LabeledText;
import org.embed4j.cli.plot.ConfusionChart;
import org.embed4j.cli.plot.LabelScoresChart;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code embed4j test-classifier <model> <file|set>}: scores a saved classifier on labelled examples and prints
 * accuracy, per-class precision/recall/F1 with support, macro-F1, the confusion matrix (rows gold, columns
 * predicted) and fastText's P@k / R@k; with {@code --plot DIR}, the confusion matrix and the per-label scores as
 * pictures. Exit code 0 on success, 1 on bad input.
 */
@Command(
        name = "test-classifier",
        mixinStandardHelpOptions = true,
        description = "Evaluate a saved classifier on a labelled file or a dataset's test split.")
final class TestClassifierCommand implements Callable<Integer> {
    @Parameters(index = "0", description = "model file written by train-classifier (fastText-style or MLP)")
    Path model;

    @Parameters(index = "1", description = "test file (fastText __label__ format or label<TAB>text) or dataset name")
    String test;

    @Option(names = "-k", description = "labels per example for P@k and R@k (default 1)")
    int k = 1;

    @Option(names = "--seed", description = "seed of the 90/10 hold-out for datasets without a test split (default 1)")
    long seed = 1;

    @Option(names = "--data", description = "shared data folder holding classify/ (default ../shared/data)")
    Path data;

    @Option(
            names = "--plot",
            description = "also write confusion.png (confusion-matrix heat map) and labels.png (precision, recall and"
                    + " F1 per label) to this folder")
    Path plot;

    @Override
    public Integer call() {
        return VectorsCommands.run("test-classifier", () -> {
            if (k < 1) {
                throw new IllegalArgumentException("-k must be >= 1, got " + k);
            }
            try (Classifier c = Classifier.load(model)) {
                List<LabeledText> examples = ClassifyInputs.test(test, data, seed);
                ClassifierMetrics m = ClassifierMetrics.evaluate(c, examples, k);
                print(m);
                if (plot != null) {
                    plot(m);
                }
            }
            return 0;
        });
    }

    private void plot(ClassifierMetrics m) throws java.io.IOException {
        java.nio.file.Files.createDirectories(plot);
        String name = model.getFileName() + " on " + test;
        Path confusion = plot.resolve("confusion.png");
        Path labels = plot.resolve("labels.png");
        new ConfusionChart(
                        String.format(
                                Locale.ROOT,
                                "%s: %d examples, accuracy %.1f%%",
                                name,
                                m.examples(),
                                100 * m.accuracy()),
                        m.labels(),
                        m.confusion())
                .write(confusion);
        LabelScoresChart.write(
                labels, String.format(Locale.ROOT, "%s: per-label scores, macro-F1 %.3f", name, m.macroF1()), m);
        System.out.println("wrote " + confusion + ", " + labels);
    }

    private static void print(ClassifierMetrics m) {
        List<String> labels = m.labels();
        int w = Math.max(9, labels.stream().mapToInt(String::length).max().orElse(5) + 1);
        System.out.printf(
                "examples %d%naccuracy %.4f (%d/%d)%n", m.examples(), m.accuracy(), m.correctTop1(), m.examples());
        System.out.printf("P@%d %.4f%nR@%d %.4f%n", m.k(), m.precisionAtK(), m.k(), m.recallAtK());
        System.out.printf("macro-F1 %.4f%n%n", m.macroF1());
        System.out.printf("%-" + w + "s %9s %9s %9s %9s%n", "label", "precision", "recall", "F1", "support");
        for (int c = 0; c < labels.size(); c++) {
            System.out.printf(
                    "%-" + w + "s %9.4f %9.4f %9.4f %9d%n",
                    labels.get(c),
                    m.precision(c),
                    m.recall(c),
                    m.f1(c),
                    m.support(c));
        }
        System.out.printf("%nconfusion matrix (rows: gold, columns: predicted)%n%-" + w + "s", "");
        for (String l : labels) {
            System.out.printf(" %" + Math.max(6, l.length()) + "s", l);
        }
        System.out.println();
        for (int g = 0; g < labels.size(); g++) {
            System.out.printf("%-" + w + "s", labels.get(g));
            for (int p = 0; p < labels.size(); p++) {
                System.out.printf(" %" + Math.max(6, labels.get(p).length()) + "d", m.confusion()[g][p]);
            }
            System.out.println();
        }
    }
}
