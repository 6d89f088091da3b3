package org.embed4j.deploy;

import java.util.Objects;
import org.embed4j.vectors.WordVectors;

/**
 * Vocabulary pruning for deployment: keeps the first N rows of a vectors model. Vectors files are ordered
 * most frequent word first by convention (word2vec, fastText and our trainers write them so; GloVe's
 * released files too), so the first N rows are the N most frequent words; this is what gensim's
 * {@code load_word2vec_format(limit=N)} keeps. Row order and the kept rows' floats are unchanged (bit-exact).
 *
 * <p>Subword (character n-gram bucket) rows are kept by default, all of them: every word's n-grams hash into
 * the same shared buckets, so no bucket belongs to the dropped words alone, and keeping them is what lets a
 * dropped or unseen word still get its fastText vector (the mean of its n-gram rows). Pruning a subword model
 * therefore shrinks only the word rows. Unless it drops subword rows, the result reads the input's memory
 * ({@link WordVectors#firstWords}): it is usable while the input is open. Stateless and thread-safe.
 */
public final class Pruning {
    private Pruning() {}

    /** The first {@code keep} rows of {@code vectors} (all of them when it has fewer), subword rows kept. */
    public static WordVectors keepMostFrequent(WordVectors vectors, int keep) {
        return keepMostFrequent(vectors, keep, true);
    }

    /**
     * The first {@code keep} rows of {@code vectors} (all of them when it has fewer); its subword rows too when
     * {@code keepSubwords} (the result then builds vectors for out-of-vocabulary words as the input does),
     * otherwise the result is a plain word-vector model.
     */
    public static WordVectors keepMostFrequent(WordVectors vectors, int keep, boolean keepSubwords) {
        Objects.requireNonNull(vectors, "vectors");
        if (keep <= 0) {
            throw new IllegalArgumentException("keep must be > 0, got " + keep);
        }
        int n = Math.min(keep, vectors.size());
        WordVectors head = vectors.firstWords(n);
        if (keepSubwords || !head.hasSubwords()) {
            return head;
        }
        int dim = vectors.dim();
        if ((long) n * dim > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("keep " + n + " x dim " + dim + " is too large for one float array");
        }
        float[] rows = new float[n * dim];
        for (int r = 0; r < n; r++) {
            head.vector(r, rows, r * dim);
        }
        return WordVectors.of(head.words(), rows, dim);
    }
}
