package org.embed4j.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.embed4j.vectors.AnalogyResult;
import org.embed4j.vectors.Evaluation;
import org.embed4j.vectors.SimilarityResult;
import org.embed4j.vectors.WordVectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code embed4j evaluate <model> --similarity <file>... --analogy <file> [--msr <file>] [--restrict 30000]}:
 * Spearman on word-pair files and analogy accuracy (word2vec compute-accuracy style), one line each.
 */
@Command(
        name = "evaluate",
        mixinStandardHelpOptions = true,
        description = "Score vectors on word-similarity (Spearman) and analogy (accuracy) benchmarks.")
final class EvaluateCommand implements Callable<Integer> {
    @Parameters(index = "0", description = "vectors file")
    Path model;

    @Option(names = "--similarity", arity = "1..*", description = "word-pair files: w1 w2 score (e.g. wordsim353.tsv)")
    List<Path> similarity = new ArrayList<>();

    @Option(names = "--analogy", description = "questions-words.txt (Google analogies)")
    Path analogy;

    @Option(names = "--msr", description = "MSR analogy csv (,type,word1,word2,word3,target)")
    Path msr;

    @Option(
            names = "--restrict",
            defaultValue = "30000",
            description =
                    "analogies use only the N most frequent words (default ${DEFAULT-VALUE}, as compute-accuracy)")
    int restrict;

    @Option(names = "--format", description = "file format when detection is not wanted")
    String format;

    @Override
    public Integer call() {
        return VectorsCommands.run("evaluate", () -> {
            if (similarity.isEmpty() && analogy == null && msr == null) {
                throw new IllegalArgumentException("nothing to evaluate: give --similarity, --analogy and/or --msr");
            }
            WordVectors v = VectorsCommands.load(model, format);
            System.out.printf("model %s: %d words, dim %d%n", model, v.size(), v.dim());
            for (Path p : similarity) {
                SimilarityResult r = Evaluation.similarity(v, p);
                System.out.printf(
                        "similarity %s: spearman %.4f (%d/%d pairs covered, %d OOV)%n",
                        p.getFileName(), r.spearman(), r.covered(), r.total(), r.oov());
            }
            if (analogy != null) {
                print("analogy " + analogy.getFileName(), Evaluation.analogy(v, analogy, restrict));
            }
            if (msr != null) {
                print("msr " + msr.getFileName(), Evaluation.msrAnalogy(v, msr, restrict));
            }
            return 0;
        });
    }

    private void print(String what, AnalogyResult r) {
        System.out.printf(
                "%s (restrict %d): semantic %s, syntactic %s, total %s (%d/%d questions covered, %.1f%%)%n",
                what,
                restrict,
                percent(r.semanticAccuracy()),
                percent(r.syntacticAccuracy()),
                percent(r.totalAccuracy()),
                r.covered(),
                r.total(),
                100 * r.coverage());
    }

    private static String percent(double x) {
        return Double.isNaN(x) ? "n/a" : String.format(java.util.Locale.ROOT, "%.2f%%", 100 * x);
    }
}
