package org.embed4j.vectors;

/**
 * An analogy benchmark score, word2vec compute-accuracy style: each accuracy is correct / covered questions of
 * its kind (NaN when none is covered), {@code covered} questions had all four words in the restricted
 * vocabulary, out of {@code total} questions in the file.
 */
public record AnalogyResult(
        double semanticAccuracy, double syntacticAccuracy, double totalAccuracy, int covered, int total) {
    /** Share of the questions that were answered at all (covered / total). */
    public double coverage() {
        return total == 0 ? Double.NaN : (double) covered / total;
    }
}
