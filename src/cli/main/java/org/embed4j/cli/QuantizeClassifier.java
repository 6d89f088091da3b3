package org.embed4j.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.embed4j.classify.ClassifierMetrics;
import org.embed4j.classify.LabeledText;
import org.embed4j.classify.TextClassifier;
import org.embed4j.deploy.Precision;
import picocli.CommandLine.Option;

/**
 * The classifier path of {@code embed4j quantize --model clf.e4jc --output clf-int8.e4jc [--int8|--fp16]
 * [--test <file|set>]}, as a picocli mixin of {@link QuantizeCommand}: stores both matrices of a fastText-style
 * classifier int8 with a float scale per row (or fp16) in the same .e4jc format, reads the result back, and prints
 * the file and weight sizes before/after and, with {@code --test}, test accuracy before/after and how often the
 * two models' top labels agree. One instance per command line.
 */
final class QuantizeClassifier {
    @Option(names = "--model", description = "a text classifier (.e4jc) to quantize instead of word vectors")
    Path model;

    @Option(names = "--output", description = "where to write the quantized classifier (with --model)")
    Path output;

    @Option(
            names = "--test",
            description = "labelled file or dataset name: print test accuracy before/after (with --model)")
    String test;

    @Option(names = "--seed", description = "seed of the 90/10 hold-out for datasets without a test split (default 1)")
    long seed = 1;

    @Option(names = "--data", description = "shared data folder holding classify/ (default ../shared/data)")
    Path data;

    /** Whether the command line asks for the classifier path. */
    boolean requested() {
        return model != null;
    }

    /** Quantizes {@link #model} into {@link #output} at {@code p}, what --int8 (the default) or --fp16 said. */
    int run(PrintWriter o, Precision flagPrecision) throws IOException {
        if (output == null) {
            throw new IllegalArgumentException("--model needs --output <quantized.e4jc>");
        }
        if (Files.exists(output) && Files.exists(model) && Files.isSameFile(model, output)) {
            throw new IllegalArgumentException("the output " + output + " is the input model: quantize would replace"
                    + " the original; give another output path");
        }
        Precision p = flagPrecision;
        List<LabeledText> examples =
                test == null ? null : ClassifyInputs.test(test, data, seed); // fail before the work
        TextClassifier before = TextClassifier.load(model);
        if (before.precision().isPresent()) {
            throw new IllegalArgumentException(
                    model + " is already quantized (" + before.precision().get() + "); quantize the float32 model");
        }
        long sizeBefore = Files.size(model);
        o.printf(
                "input %s: %d words, %d labels, dim %d, loss %s, %s on disk%n",
                model,
                before.vocabularySize(),
                before.labels().size(),
                before.options().dim(),
                before.options().loss(),
                ShrinkCommands.mb(sizeBefore));
        before.quantize(p).save(output);
        TextClassifier after = TextClassifier.load(output);
        long sizeAfter = Files.size(output);
        o.printf(
                "quantized %s (%s): %s on disk, size ratio %s%n",
                output, p, ShrinkCommands.mb(sizeAfter), ShrinkCommands.ratio(sizeAfter, sizeBefore));
        o.printf(
                "weights: float32 %s -> %s %s%n",
                ShrinkCommands.mb(before.weightBytes()), p, ShrinkCommands.mb(after.weightBytes()));
        if (examples != null) {
            printAccuracy(o, before, after, examples);
        }
        o.flush();
        return 0;
    }

    private static void printAccuracy(
            PrintWriter o, TextClassifier before, TextClassifier after, List<LabeledText> examples) {
        ClassifierMetrics b = ClassifierMetrics.evaluate(before, examples, 1);
        ClassifierMetrics a = ClassifierMetrics.evaluate(after, examples, 1);
        int agree = 0;
        for (LabeledText e : examples) {
            if (before.predictLabel(e.text()).equals(after.predictLabel(e.text()))) {
                agree++;
            }
        }
        o.printf(
                Locale.ROOT,
                "test accuracy: before %.2f%% after %.2f%% (change %+.2f points; %d examples)%n",
                100 * b.accuracy(),
                100 * a.accuracy(),
                100 * (a.accuracy() - b.accuracy()),
                examples.size());
        o.printf(
                Locale.ROOT,
                "top label unchanged on %d of %d test texts (%.3f%%)%n",
                agree,
                examples.size(),
                100.0 * agree / examples.size());
    }
}
