package org.embed4j.vectors;

/**
 * A word-similarity benchmark score: Spearman's rank correlation between the human scores and the cosine
 * similarities of the {@code covered} pairs whose two words are both in the vocabulary, out of {@code total}
 * pairs in the file ({@code total - covered} pairs had an out-of-vocabulary word). NaN when fewer than 2 pairs
 * are covered.
 */
public record SimilarityResult(double spearman, int covered, int total) {
    /** Pairs skipped because a word is out of vocabulary. */
    public int oov() {
        return total - covered;
    }
}
