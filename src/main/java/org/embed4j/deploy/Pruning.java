package org.embed4j.deploy;

import java.util.Objects;
import org.embed4j.vectors.WordVectors;

/**
 * Vocabulary pruning for deployment: keeps the first N rows of a vectors model. Vectors files are ordered
 * most frequent word first by convention (word2vec, fastText and our trainers write them so; GloVe's
 * released files too), so the first N rows are the N most frequent words; this is what gensim's
 * {@code load_word2vec_format(limit=N)} keeps. Row order and the kept rows' floats are unchanged (bit-exact).
 * Subword rows are not kept (the result is a plain word-vector model). Stateless and thread-safe.
 */
public final class Pruning {
    private static final System.Logger LOG = System.getLogger(Pruning.class.getName());

    private Pruning() {
    }

    /** The first {@code keep} rows of {@code vectors} (all of them when it has fewer). */
    public static WordVectors keepMostFrequent(WordVectors vectors, int keep) {
        Objects.requireNonNull(vectors, "vectors");
        if (keep <= 0) {
            throw new IllegalArgumentException("keep must be > 0, got " + keep);
        }
        int n = Math.min(keep, vectors.size());
        int dim = vectors.dim();
        if ((long) n * dim > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("keep " + n + " x dim " + dim + " is too large for one float array");
        }
        if (vectors.hasSubwords()) {
            LOG.log(System.Logger.Level.INFO, "pruning {0}: its subword rows are dropped, OOV words get no vector",
                    vectors);
        }
        float[] rows = new float[n * dim];
        for (int r = 0; r < n; r++) {
            vectors.vector(r, rows, r * dim);
        }
        return WordVectors.of(vectors.words().subList(0, n), rows, dim);
    }
}
