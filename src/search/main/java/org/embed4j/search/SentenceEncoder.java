package org.embed4j.search;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.embed4j.text.Tokenizer;
import org.embed4j.vectors.WordVectors;

/**
 * Sentence vectors from word vectors (Arora, Liang &amp; Ma 2017, "A simple but tough-to-beat baseline for sentence
 * embeddings"): {@code v_s = (1/n) Σ_w a/(a + p(w)) · v_w} over the n words of s that have a vector (SIF weights;
 * {@code a = 0} gives the plain mean), then {@code v_s - u (u · v_s)}, the projection on the first principal
 * component u of the collection's sentence vectors removed (uncentred, as the paper's code does with a truncated
 * SVD). p(w) is the word's frequency among the collection's own words; a word the collection never used has p = 0.
 *
 * <p>Words are found as {@link org.embed4j.deploy.TextEmbedder} finds them (by {@link Tokenizer}, as written, then
 * lower-cased, then from subwords when the vectors have them; others are skipped). Immutable and thread-safe.
 */
public final class SentenceEncoder {
    private final WordVectors vectors;
    private final Tokenizer tokenizer = new Tokenizer(false);
    private final Map<String, Long> counts;
    private final long total;
    private final double a;
    private final float[] pc; // unit (D), or null: no removal

    SentenceEncoder(WordVectors vectors, Map<String, Long> counts, long total, double a, float[] pc) {
        this.vectors = vectors;
        this.counts = Map.copyOf(counts);
        this.total = total;
        this.a = a;
        this.pc = pc == null ? null : pc.clone();
    }

    /** Word frequencies of {@code texts} under the lookup rule, for SIF weights. */
    static Map<String, Long> countWords(WordVectors vectors, List<String> texts) {
        Tokenizer t = new Tokenizer(false);
        Map<String, Long> counts = new HashMap<>();
        for (String text : texts) {
            t.tokenize(text, w -> {
                String key = key(vectors, w);
                if (key != null) {
                    counts.merge(key, 1L, Long::sum);
                }
            });
        }
        return counts;
    }

    /** The SIF weight of a word: a / (a + p(w)), or 1 when a = 0. */
    double weight(String key) {
        if (a <= 0 || total == 0) {
            return 1;
        }
        return a / (a + counts.getOrDefault(key, 0L) / (double) total);
    }

    /**
     * Writes the sentence vector of {@code text} into {@code out[off .. off+D)} and returns the number of words used
     * (0: the row is zeros).
     */
    public int encode(CharSequence text, float[] out, int off) {
        int n = weightedMean(text, out, off);
        if (n > 0 && pc != null) {
            removeComponent(pc, out, off, vectors.dim());
        }
        return n;
    }

    /** The weighted mean alone (before the component removal). */
    int weightedMean(CharSequence text, float[] out, int off) {
        Objects.requireNonNull(text, "text");
        int dim = vectors.dim();
        java.util.Arrays.fill(out, off, off + dim, 0f);
        float[] row = new float[dim];
        int[] n = {0};
        tokenizer.tokenize(text, w -> {
            String key = key(vectors, w);
            if (key == null) {
                return;
            }
            vectors.vector(key, row, 0);
            float wt = (float) weight(key);
            for (int d = 0; d < dim; d++) {
                out[off + d] += wt * row[d];
            }
            n[0]++;
        });
        if (n[0] > 0) {
            float inv = 1f / n[0];
            for (int d = 0; d < dim; d++) {
                out[off + d] *= inv;
            }
        }
        return n[0];
    }

    /** The first principal component, or null. */
    float[] component() {
        return pc == null ? null : pc.clone();
    }

    double sifA() {
        return a;
    }

    Map<String, Long> counts() {
        return counts;
    }

    long total() {
        return total;
    }

    /**
     * The word as the vocabulary spells it (lookups fall back to lower case, so "C" counts as "c"), the word itself
     * when it is out of the vocabulary but has subword rows, or null: skipped.
     */
    static String key(WordVectors v, String word) {
        int row = v.indexOf(word);
        if (row >= 0) {
            return v.words().get(row);
        }
        return v.hasSubwords() ? word : null;
    }

    /**
     * The first principal component of rows (N×D, uncentred): the unit top eigenvector of XᵀX by power iteration
     * (sign fixed so that its largest coordinate is positive), or null when every row is zero.
     */
    static float[] firstComponent(float[] rows, int n, int dim) {
        double[] u = new double[dim];
        for (int i = 0; i < n; i++) { // start from the sum of the rows: close to u when rows share a direction
            for (int d = 0; d < dim; d++) {
                u[d] += rows[i * dim + d];
            }
        }
        if (!unit(u)) {
            java.util.Arrays.fill(u, 1);
            unit(u);
        }
        for (int iter = 0; iter < 100; iter++) {
            double[] next = new double[dim];
            for (int i = 0; i < n; i++) {
                double dot = 0;
                for (int d = 0; d < dim; d++) {
                    dot += rows[i * dim + d] * u[d];
                }
                for (int d = 0; d < dim; d++) {
                    next[d] += dot * rows[i * dim + d];
                }
            }
            if (!unit(next)) {
                return null;
            }
            double change = 0;
            for (int d = 0; d < dim; d++) {
                change = Math.max(change, Math.abs(next[d] - u[d]));
            }
            u = next;
            if (change < 1e-9) {
                break;
            }
        }
        int arg = 0;
        for (int d = 1; d < dim; d++) {
            arg = Math.abs(u[d]) > Math.abs(u[arg]) ? d : arg;
        }
        float[] out = new float[dim];
        for (int d = 0; d < dim; d++) {
            out[d] = (float) (u[arg] < 0 ? -u[d] : u[d]);
        }
        return out;
    }

    /** v -= u (u · v) for a unit u. */
    static void removeComponent(float[] u, float[] v, int off, int dim) {
        double dot = 0;
        for (int d = 0; d < dim; d++) {
            dot += (double) u[d] * v[off + d];
        }
        for (int d = 0; d < dim; d++) {
            v[off + d] -= (float) (u[d] * dot);
        }
    }

    private static boolean unit(double[] v) {
        double n2 = 0;
        for (double x : v) {
            n2 += x * x;
        }
        if (n2 == 0 || !Double.isFinite(n2)) {
            return false;
        }
        double inv = 1 / Math.sqrt(n2);
        for (int i = 0; i < v.length; i++) {
            v[i] *= inv;
        }
        return true;
    }
}
