package org.embed4j.cli;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.embed4j.classify.Classifier;
import org.embed4j.classify.Prediction;
import org.embed4j.io.TextLines;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code embed4j predict <model> [-k N] < texts}: reads one text per line from stdin and writes, per line,
 * the k most probable labels with their probabilities ({@code label prob label prob ...}, most probable first),
 * streaming: output is flushed whenever no more input is waiting, so it works in a pipe with an interactive
 * producer. An empty line gets the uniform distribution's top labels; with {@code --threshold} a line may get none
 * (an empty output line). With {@code --explain} each line is instead a JSON object with, per label, its logit and
 * each term's share of it ({@link ExplanationJson}). Exit code 0, or 1 on a bad model.
 */
@Command(
        name = "predict",
        mixinStandardHelpOptions = true,
        description = "Label texts read from stdin, one per line, with a saved classifier.")
final class PredictCommand implements Callable<Integer> {
    @Parameters(index = "0", description = "model file written by train-classifier (fastText-style or MLP)")
    Path model;

    @Option(names = "-k", description = "labels per line (default 1)")
    int k = 1;

    @Option(
            names = "--threshold",
            description = "only labels with at least this probability (default 0; for"
                    + " one-vs-all models, 0.5 keeps the labels the model believes in); a line may then get no label")
    double threshold;

    @Option(
            names = "--explain",
            description = "print one JSON object per line: each label's logit and every word's and n-gram's share of"
                    + " it (fastText-style: output row . input row / terms; MLP: gradient x input), largest first")
    boolean explain;

    @Option(
            names = "--explain-terms",
            description = "with --explain: at most this many terms per label (default 10; 0: all)")
    int explainTerms = 10;

    @Override
    public Integer call() {
        return VectorsCommands.run("predict", () -> {
            if (k < 1) {
                throw new IllegalArgumentException("-k must be >= 1, got " + k);
            }
            try (Classifier c = Classifier.load(model)) {
                predictLines(c);
            }
            return 0;
        });
    }

    /** One line of predictions per line of standard input. */
    private void predictLines(Classifier c) throws java.io.IOException {
        TextLines in = TextLines.of(System.in, "standard input");
        PrintWriter out = new PrintWriter(
                new java.io.BufferedWriter(new java.io.OutputStreamWriter(System.out, StandardCharsets.UTF_8), 1 << 16),
                false);
        StringBuilder sb = new StringBuilder();
        String line;
        while ((line = in.next()) != null) {
            if (explain) {
                out.println(ExplanationJson.write(c.explain(line, k), explainTerms));
                if (!in.ready()) {
                    out.flush();
                }
                continue;
            }
            List<Prediction> top = c.predict(line, k, threshold);
            sb.setLength(0);
            for (Prediction p : top) {
                if (!sb.isEmpty()) {
                    sb.append(' ');
                }
                sb.append(p.label()).append(' ').append(String.format(Locale.ROOT, "%.5f", p.probability()));
            }
            out.println(sb);
            if (!in.ready()) {
                out.flush();
            }
        }
        out.flush();
    }
}
