package org.embed4j.deploy;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;
import org.embed4j.text.Tokenizer;
import org.embed4j.vectors.Neighbor;
import org.embed4j.vectors.WordVectors;

/**
 * The embedding of a text as the mean of its word vectors, {@code e = (1/n) Σ_w v(w)} over the n words (by
 * {@link Tokenizer}, the word2vec tokenizer) that have a vector: a word is looked up by the vectors' rule
 * ({@link WordVectors}: as written, then lower-cased with {@link Locale#ROOT}); a word in neither form gets its subword vector (the mean of its
 * character n-gram rows, as fastText's {@code getWordVector}) when the vectors have subwords and is skipped
 * otherwise. A text with no such word embeds to the zero vector and reports n = 0. This matches gensim's
 * mean of {@code KeyedVectors} lookups over the known words and, with subwords, fastText's mean of word vectors.
 *
 * <p>Built on {@link QuantizedVectors}, the rows are the dequantized ones, and so are the subword rows of an OOV
 * word's vector (the same mean, within the quantization error).
 *
 * <p>Hot path: the result goes into a caller-provided buffer and each word's row is copied into a per-thread
 * scratch row, so a call allocates only what tokenisation does (one string per token, and an n-gram id list per
 * OOV word with subwords) — nothing that grows with the vocabulary. A thread's first call allocates its D-float
 * scratch row, so a server with one virtual thread per request pays one row per request. Immutable and
 * thread-safe: the vectors are immutable and the scratch is per thread. The embedder does not own the vectors:
 * closing them makes its calls throw {@link IllegalStateException}.
 */
public final class TextEmbedder {
    private final Rows vectors;
    private final WordVectors floatVectors; // null when built on quantized vectors
    private final QuantizedVectors quantized; // null when built on float vectors
    private final Tokenizer tokenizer = new Tokenizer(false);
    private final ThreadLocal<Accumulator> scratch;

    /** Embeds with float word vectors (subwords used when they have them). */
    public TextEmbedder(WordVectors vectors) {
        this.floatVectors = Objects.requireNonNull(vectors, "vectors");
        this.quantized = null;
        this.vectors = new FloatRows(vectors);
        this.scratch = ThreadLocal.withInitial(() -> new Accumulator(this.vectors));
    }

    /** Embeds with quantized vectors: the mean of the dequantized rows (quantized subwords used when they have them). */
    public TextEmbedder(QuantizedVectors vectors) {
        this.floatVectors = null;
        this.quantized = Objects.requireNonNull(vectors, "vectors");
        this.vectors = new QuantizedRows(vectors);
        this.scratch = ThreadLocal.withInitial(() -> new Accumulator(this.vectors));
    }

    /** The float vectors this embedder reads, or null when it reads {@link #quantized()} ones. */
    public WordVectors vectors() {
        return floatVectors;
    }

    /** The quantized vectors this embedder reads, or null when it reads float ones. */
    public QuantizedVectors quantized() {
        return quantized;
    }

    /** Embedding dimension D. */
    public int dim() {
        return vectors.dim();
    }

    /**
     * Writes the embedding of {@code text} into {@code out[offset .. offset+D)} and returns the number of words
     * averaged (0: no word had a vector and the row is zeros).
     */
    public int embed(CharSequence text, float[] out, int offset) {
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(out, "out");
        Objects.checkFromIndexSize(offset, vectors.dim(), out.length);
        Accumulator acc = scratch.get();
        acc.start(out, offset);
        tokenizer.tokenize(text, acc);
        return acc.finish();
    }

    /**
     * Embeds text i into row i of {@code out} (at least N×D floats, row-major) and, when {@code counts} is not
     * null, stores the number of words averaged in {@code counts[i]}. Allocates nothing beyond tokenisation.
     */
    public void embedBatch(List<? extends CharSequence> texts, float[] out, int[] counts) {
        Objects.requireNonNull(texts, "texts");
        Objects.requireNonNull(out, "out");
        int n = texts.size();
        int dim = vectors.dim();
        if ((long) n * dim > out.length) {
            throw new IllegalArgumentException(
                    "out has " + out.length + " floats, " + n + " texts x dim " + dim + " need " + (long) n * dim);
        }
        if (counts != null && counts.length < n) {
            throw new IllegalArgumentException("counts has " + counts.length + " ints for " + n + " texts");
        }
        for (int i = 0; i < n; i++) {
            int c = embed(Objects.requireNonNull(texts.get(i), "text " + i), out, i * dim);
            if (counts != null) {
                counts[i] = c;
            }
        }
    }

    /** {@link #embedBatch(List, float[], int[])} returning the counts. */
    public int[] embedBatch(List<? extends CharSequence> texts, float[] out) {
        int[] counts = new int[Objects.requireNonNull(texts, "texts").size()];
        embedBatch(texts, out, counts);
        return counts;
    }

    /**
     * The words of {@code text} that the embedding skips (no vector in either form and no subwords), in order of
     * first occurrence, each once: what a service reports when a text embeds to nothing.
     */
    public Set<String> unknownWords(CharSequence text) {
        Objects.requireNonNull(text, "text");
        Set<String> out = new LinkedHashSet<>();
        if (!vectors.hasSubwords()) {
            tokenizer.tokenize(text, w -> {
                if (vectors.indexOf(w) < 0) {
                    out.add(w);
                }
            });
        }
        return out;
    }

    /**
     * The k words nearest by cosine to each text's embedding, all texts in one search (one top-k kernel call for
     * float vectors, one pass over the blocks for quantized ones); a text with no known word (zero embedding)
     * gets an empty list.
     */
    public List<List<Neighbor>> nearest(List<? extends CharSequence> texts, int k) {
        int n = Objects.requireNonNull(texts, "texts").size();
        int dim = vectors.dim();
        float[] all = new float[n * dim];
        int[] counts = embedBatch(texts, all);
        int known = 0;
        for (int c : counts) {
            known += c > 0 ? 1 : 0;
        }
        float[] queries = new float[known * dim];
        int q = 0;
        for (int i = 0; i < n; i++) {
            if (counts[i] > 0) {
                System.arraycopy(all, i * dim, queries, q++ * dim, dim);
            }
        }
        List<List<Neighbor>> found = vectors.nearest(queries, known, k);
        List<List<Neighbor>> out = new ArrayList<>(n);
        q = 0;
        for (int i = 0; i < n; i++) {
            out.add(counts[i] > 0 ? found.get(q++) : List.of());
        }
        return List.copyOf(out);
    }

    /** What the embedder needs of a vectors model: row lookup, an allocation-free row copy, batch search. */
    private interface Rows {
        int dim();

        int indexOf(String word);

        void vector(int row, float[] out, int offset);

        boolean hasSubwords();

        /** The subword vector of an out-of-vocabulary word (only called when {@link #hasSubwords()}). */
        void subwordVector(String word, float[] out, int offset);

        List<List<Neighbor>> nearest(float[] queries, int count, int k);
    }

    private record FloatRows(WordVectors v) implements Rows {
        @Override
        public int dim() {
            return v.dim();
        }

        @Override
        public int indexOf(String word) {
            return v.indexOf(word);
        }

        @Override
        public void vector(int row, float[] out, int offset) {
            v.vector(row, out, offset);
        }

        @Override
        public boolean hasSubwords() {
            return v.hasSubwords();
        }

        @Override
        public void subwordVector(String word, float[] out, int offset) {
            v.vector(word, out, offset);
        }

        @Override
        public List<List<Neighbor>> nearest(float[] queries, int count, int k) {
            return v.nearest(queries, count, k);
        }
    }

    private record QuantizedRows(QuantizedVectors q) implements Rows {
        @Override
        public int dim() {
            return q.dim();
        }

        @Override
        public int indexOf(String word) {
            return q.indexOf(word);
        }

        @Override
        public void vector(int row, float[] out, int offset) {
            q.vector(row, out, offset);
        }

        @Override
        public boolean hasSubwords() {
            return q.hasSubwords();
        }

        @Override
        public void subwordVector(String word, float[] out, int offset) {
            q.vector(word, out, offset);
        }

        @Override
        public List<List<Neighbor>> nearest(float[] queries, int count, int k) {
            return q.nearest(queries, count, k);
        }
    }

    /** The running sum of one call, reused by its thread; a Consumer so that no lambda is allocated per call. */
    private static final class Accumulator implements Consumer<String> {
        private final Rows vectors;
        private final float[] row;
        private float[] out;
        private int offset;
        private int count;

        Accumulator(Rows vectors) {
            this.vectors = vectors;
            this.row = new float[vectors.dim()];
        }

        void start(float[] out, int offset) {
            this.out = out;
            this.offset = offset;
            this.count = 0;
            java.util.Arrays.fill(out, offset, offset + row.length, 0f);
        }

        @Override
        public void accept(String word) {
            int i = vectors.indexOf(word);
            if (i >= 0) {
                vectors.vector(i, row, 0);
            } else if (vectors.hasSubwords()) {
                vectors.subwordVector(word, row, 0);
            } else {
                return;
            }
            for (int d = 0; d < row.length; d++) {
                out[offset + d] += row[d];
            }
            count++;
        }

        int finish() {
            if (count > 1) {
                float inv = 1f / count;
                for (int d = 0; d < row.length; d++) {
                    out[offset + d] *= inv;
                }
            }
            out = null; // do not keep the caller's buffer reachable from the thread
            return count;
        }
    }
}
