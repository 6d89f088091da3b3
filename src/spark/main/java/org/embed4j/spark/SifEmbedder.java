package org.embed4j.spark;

import java.util.Arrays;
import java.util.Locale;
import org.embed4j.text.Tokenizer;
import org.embed4j.vectors.WordVectors;

/**
 * A text's SIF-weighted mean of word vectors (Arora, Liang &amp; Ma 2017, without the common-component removal):
 * {@code e = (1/n) Σ_w a/(a + p(w)) · v(w)} over the n words that have a vector, found as {@code TextEmbedder} finds
 * them (the word2vec tokenizer; a word as written, then lower-cased, then its subword vector when the vectors have
 * subwords; others skipped). The vectors files keep no counts, only the words most frequent first, so p(w) is
 * Zipf's law for the word's rank r (from 0): {@code p = 1 / ((r + 1) · H_V)}, H_V the V-th harmonic number; an
 * out-of-vocabulary word built from subwords counts as rarer than every vocabulary word. A text with no such word
 * embeds to zeros. Immutable and thread-safe (per-thread scratch).
 */
final class SifEmbedder {
    private final WordVectors vectors;
    private final float[] weights; // per row
    private final float oovWeight;
    private final Tokenizer tokenizer = new Tokenizer(false);
    private final ThreadLocal<float[]> scratch;

    SifEmbedder(WordVectors vectors, double a) {
        if (!(a > 0) || Double.isInfinite(a)) {
            throw new IllegalArgumentException("the SIF parameter a must be a finite number > 0, got " + a);
        }
        this.vectors = vectors;
        int v = vectors.size();
        double harmonic = 0;
        for (int r = 1; r <= v; r++) {
            harmonic += 1.0 / r;
        }
        this.weights = new float[v];
        for (int r = 0; r < v; r++) {
            weights[r] = (float) (a / (a + 1.0 / ((r + 1) * harmonic)));
        }
        this.oovWeight = (float) (a / (a + 1.0 / ((v + 1) * harmonic)));
        int dim = vectors.dim();
        this.scratch = ThreadLocal.withInitial(() -> new float[dim]);
    }

    int dim() {
        return vectors.dim();
    }

    /** The embedding of {@code text} into {@code out[0, D)}; returns the number of words averaged. */
    int embed(String text, float[] out) {
        float[] row = scratch.get();
        Arrays.fill(out, 0, vectors.dim(), 0f);
        int[] n = {0};
        tokenizer.tokenize(text, w -> {
            int i = vectors.indexOf(w);
            if (i < 0) {
                String lower = w.toLowerCase(Locale.ROOT);
                if (!lower.equals(w)) {
                    i = vectors.indexOf(lower);
                }
            }
            float weight;
            if (i >= 0) {
                vectors.vector(i, row, 0);
                weight = weights[i];
            } else if (vectors.hasSubwords()) {
                vectors.vector(w, row, 0);
                weight = oovWeight;
            } else {
                return;
            }
            for (int d = 0; d < row.length; d++) {
                out[d] += weight * row[d];
            }
            n[0]++;
        });
        if (n[0] > 1) {
            float inv = 1f / n[0];
            for (int d = 0; d < row.length; d++) {
                out[d] *= inv;
            }
        }
        return n[0];
    }
}
