package org.embed4j.cli.report;

import java.io.IOException;
import java.util.Locale;
import java.util.Objects;
import org.embed4j.cli.data.EvalFiles;
import org.embed4j.vectors.AnalogyResult;
import org.embed4j.vectors.Evaluation;
import org.embed4j.vectors.SimilarityResult;
import org.embed4j.vectors.WordVectors;

/**
 * The accuracy of a vectors model before and after shrinking: WS353 Spearman ({@link Evaluation#similarity})
 * and Google-analogy accuracy restricted to the {@code restrict} most frequent words
 * ({@link Evaluation#analogy}, word2vec compute-accuracy style). Either result is null when its file is
 * missing. Immutable.
 */
public record ModelScores(SimilarityResult similarity, AnalogyResult analogy, int restrict) {

    /** Scores {@code v} on the files of {@code files} (a null file is skipped). */
    public static ModelScores of(WordVectors v, EvalFiles files, int restrict) throws IOException {
        Objects.requireNonNull(v, "v");
        Objects.requireNonNull(files, "files");
        return new ModelScores(
                files.similarity() == null ? null : Evaluation.similarity(v, files.similarity()),
                files.analogy() == null ? null : Evaluation.analogy(v, files.analogy(), restrict),
                restrict);
    }

    /** The lines a command prints: each score before and after, and the change. */
    public static String compare(ModelScores before, ModelScores after) {
        StringBuilder sb = new StringBuilder();
        if (before.similarity() != null && after.similarity() != null) {
            SimilarityResult b = before.similarity();
            SimilarityResult a = after.similarity();
            sb.append(String.format(
                    Locale.ROOT,
                    "ws353 spearman: before %.4f after %.4f (change %+.4f; pairs covered %d -> %d of %d)%n",
                    b.spearman(),
                    a.spearman(),
                    a.spearman() - b.spearman(),
                    b.covered(),
                    a.covered(),
                    b.total()));
        } else {
            sb.append("ws353 spearman: skipped (wordsim353.tsv not found; give --similarity)")
                    .append('\n');
        }
        if (before.analogy() != null && after.analogy() != null) {
            AnalogyResult b = before.analogy();
            AnalogyResult a = after.analogy();
            sb.append(String.format(
                    Locale.ROOT,
                    "analogy accuracy (restrict %d): before %s after %s (change %s; questions covered %d -> %d of %d)%n",
                    before.restrict(),
                    percent(b.totalAccuracy()),
                    percent(a.totalAccuracy()),
                    points(a.totalAccuracy() - b.totalAccuracy()),
                    b.covered(),
                    a.covered(),
                    b.total()));
        } else {
            sb.append("analogy accuracy: skipped (questions-words.txt not found; give --analogy)")
                    .append('\n');
        }
        return sb.toString();
    }

    private static String percent(double x) {
        return Double.isNaN(x) ? "n/a" : String.format(Locale.ROOT, "%.2f%%", 100 * x);
    }

    private static String points(double x) {
        return Double.isNaN(x) ? "n/a" : String.format(Locale.ROOT, "%+.2f points", 100 * x);
    }
}
