package org.embed4j.vectors;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.RandomAccess;
import org.embed4j.text.Subwords;

/**
 * Word vectors: a vocabulary of V words, a (V,D) float matrix whose row v is the vector of word v, and
 * optionally fastText subword bucket rows for out-of-vocabulary words. Queries:
 * <ul>
 *   <li>{@link #vector}: a word's row; for an OOV word with subwords, the mean of the bucket rows of the
 *       character n-grams of {@code "<word>"} (fastText's {@code getWordVector} for unknown words).</li>
 *   <li>{@link #nearest}: the k words of highest cosine similarity, through the backend's top-k kernel
 *       (the query word itself excluded), like gensim's {@code most_similar} and word2vec's distance.</li>
 *   <li>{@link #analogy}: a:b::c:? by 3CosAdd or 3CosMul (Levy &amp; Goldberg 2014), a, b and c excluded.</li>
 *   <li>{@link #similarity}: the cosine of two words' vectors.</li>
 * </ul>
 * Vocabulary rows are expected most frequent first (as word2vec and fastText write them); evaluation
 * restricted to the top-N words relies on it.
 *
 * <p>Storage: the matrix lives off the Java heap, either copied there ({@link #of}) or memory-mapped from a
 * native file ({@link VectorsIO}), and is never written after construction. Instances are immutable and
 * thread-safe; there is nothing to close (memory is released when the instance becomes unreachable).
 */
public final class WordVectors {
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED;
    /** Levy &amp; Goldberg's epsilon in the 3CosMul denominator. */
    private static final double COSMUL_EPS = 1e-3;

    private final Vocab vocab;
    private final int dim;
    private final MemorySegment matrix; // (V,D) F32, native order
    private final Subwords subwords; // null: no subword rows
    private final MemorySegment buckets; // (bucket,D) F32 or null
    private final Search search;
    private final List<String> words;

    WordVectors(
            Vocab vocab, int dim, MemorySegment matrix, MemorySegment norms, Subwords subwords, MemorySegment buckets) {
        this.vocab = vocab;
        this.dim = dim;
        this.matrix = matrix;
        this.subwords = subwords;
        this.buckets = buckets;
        this.search = new Search(matrix, vocab.size(), dim, norms);
        this.words = new WordList(vocab);
    }

    /**
     * Vectors for {@code words} (row order kept, words unique), {@code vectors} being V×D floats row-major;
     * the floats are copied.
     */
    public static WordVectors of(List<String> words, float[] vectors, int dim) {
        Objects.requireNonNull(words, "words");
        Objects.requireNonNull(vectors, "vectors");
        checkRows("vectors", vectors, words.size(), dim);
        return new WordVectors(new HeapVocab(words), dim, offHeap(vectors), null, null, null);
    }

    /**
     * Vectors trained with fastText subwords. {@code wordRows} (V×D) are the words' final vectors (what
     * {@link #vector} returns for vocabulary words, fastText's composed word + n-gram mean); {@code bucketRows}
     * (bucket×D) are the n-gram rows used to build vectors of out-of-vocabulary words. Both are copied.
     */
    public static WordVectors withSubwords(
            List<String> words, float[] wordRows, float[] bucketRows, int dim, Subwords subwords) {
        Objects.requireNonNull(words, "words");
        Objects.requireNonNull(wordRows, "wordRows");
        Objects.requireNonNull(bucketRows, "bucketRows");
        Objects.requireNonNull(subwords, "subwords");
        if (!subwords.enabled()) {
            throw new IllegalArgumentException("subwords are off (maxn=0) in " + subwords + "; use WordVectors.of");
        }
        checkRows("wordRows", wordRows, words.size(), dim);
        checkRows("bucketRows", bucketRows, subwords.bucket(), dim);
        return new WordVectors(new HeapVocab(words), dim, offHeap(wordRows), null, subwords, offHeap(bucketRows));
    }

    // ------------------------------------------------------------------ lookup

    /** Number of words V. */
    public int size() {
        return vocab.size();
    }

    /** Vector dimension D. */
    public int dim() {
        return dim;
    }

    /** The words in row order (an unmodifiable view). */
    public List<String> words() {
        return words;
    }

    /** The row of {@code word}, or -1 when it is not in the vocabulary. */
    public int indexOf(String word) {
        return vocab.indexOf(Objects.requireNonNull(word, "word"));
    }

    public boolean contains(String word) {
        return indexOf(word) >= 0;
    }

    /** True when out-of-vocabulary words get vectors from subword rows. */
    public boolean hasSubwords() {
        return subwords != null;
    }

    /** The subword settings, or null when these vectors have none. */
    public Subwords subwords() {
        return subwords;
    }

    /** A copy of row {@code row}. */
    public float[] vector(int row) {
        Objects.checkIndex(row, vocab.size());
        float[] out = new float[dim];
        MemorySegment.copy(matrix, F32, (long) row * dim * Float.BYTES, out, 0, dim);
        return out;
    }

    /**
     * The vector of {@code word} (a copy). Out of vocabulary: the mean of its n-gram bucket rows when these
     * vectors have subwords (zeros when the word has no n-gram), else {@link NoSuchElementException}.
     */
    public float[] vector(String word) {
        int i = indexOf(word);
        if (i >= 0) {
            return vector(i);
        }
        if (subwords == null) {
            throw new NoSuchElementException("word '" + word + "' is not in the vocabulary of " + size()
                    + " words, and these vectors have no subwords to build one");
        }
        int[] ids = subwords.ngramBuckets(word);
        float[] out = new float[dim];
        for (int id : ids) {
            long base = (long) id * dim;
            for (int d = 0; d < dim; d++) {
                out[d] += buckets.getAtIndex(F32, base + d);
            }
        }
        if (ids.length > 0) {
            float inv = 1f / ids.length;
            for (int d = 0; d < dim; d++) {
                out[d] *= inv;
            }
        }
        return out;
    }

    /**
     * Copies row {@code row} into {@code out[offset .. offset+D)}: {@link #vector(int)} without allocating, for
     * callers that reuse their own buffers on a hot path.
     */
    public void vector(int row, float[] out, int offset) {
        Objects.checkIndex(row, vocab.size());
        Objects.checkFromIndexSize(offset, dim, Objects.requireNonNull(out, "out").length);
        MemorySegment.copy(matrix, F32, (long) row * dim * Float.BYTES, out, offset, dim);
    }

    /**
     * {@link #vector(String)} written into {@code out[offset .. offset+D)} instead of a new array (an OOV word
     * with subwords still allocates its n-gram id list, no float row).
     */
    public void vector(String word, float[] out, int offset) {
        Objects.checkFromIndexSize(offset, dim, Objects.requireNonNull(out, "out").length);
        int i = indexOf(word);
        if (i >= 0) {
            vector(i, out, offset);
            return;
        }
        if (subwords == null) {
            throw new NoSuchElementException("word '" + word + "' is not in the vocabulary of " + size()
                    + " words, and these vectors have no subwords to build one");
        }
        java.util.Arrays.fill(out, offset, offset + dim, 0f);
        int[] ids = subwords.ngramBuckets(word);
        for (int id : ids) {
            long base = (long) id * dim;
            for (int d = 0; d < dim; d++) {
                out[offset + d] += buckets.getAtIndex(F32, base + d);
            }
        }
        if (ids.length > 0) {
            float inv = 1f / ids.length;
            for (int d = 0; d < dim; d++) {
                out[offset + d] *= inv;
            }
        }
    }

    // ------------------------------------------------------------------ queries

    /** Cosine similarity of the two words' vectors (0 when either vector is zero). */
    public double similarity(String w1, String w2) {
        return cosine(vector(w1), vector(w2));
    }

    /** The k words most similar to {@code word} by cosine, best first, the word itself excluded. */
    public List<Neighbor> nearest(String word, int k) {
        return nearest(List.of(word), k).get(0);
    }

    /**
     * {@link #nearest(String, int)} for several words in one top-k kernel call; the i-th list answers
     * {@code words.get(i)}.
     */
    public List<List<Neighbor>> nearest(List<String> queryWords, int k) {
        checkK(k);
        int q = queryWords.size();
        float[] queries = new float[q * dim];
        long[] exclude = new long[q];
        for (int j = 0; j < q; j++) {
            String w = Objects.requireNonNull(queryWords.get(j), "query word");
            float[] v = vector(w);
            checkQuery(v, "word '" + w + "'");
            System.arraycopy(v, 0, queries, j * dim, dim);
            exclude[j] = indexOf(w);
        }
        return neighbors(search.topk(queries, q, exclude, 1, k, size()), q, 1.0);
    }

    /** The k words whose vectors have the highest cosine with {@code query} (length D), best first. */
    public List<Neighbor> nearest(float[] query, int k) {
        checkK(k);
        Objects.requireNonNull(query, "query");
        if (query.length != dim) {
            throw new IllegalArgumentException("query has " + query.length + " floats, expected dim " + dim);
        }
        checkQuery(query, "query vector");
        return neighbors(search.topk(query.clone(), 1, null, 0, k, size()), 1, 1.0)
                .get(0);
    }

    /**
     * The k nearest words by cosine to each of {@code count} query vectors ({@code queries}: count×D floats,
     * row-major) in one top-k kernel call; list j answers query j. A zero or non-finite query is an error naming it.
     */
    public List<List<Neighbor>> nearest(float[] queries, int count, int k) {
        checkK(k);
        Objects.requireNonNull(queries, "queries");
        if (count < 0 || (long) count * dim != queries.length) {
            throw new IllegalArgumentException(
                    "queries has " + queries.length + " floats, expected count " + count + " x dim " + dim);
        }
        for (int j = 0; j < count; j++) {
            double n2 = 0;
            for (int d = 0; d < dim; d++) {
                n2 += (double) queries[j * dim + d] * queries[j * dim + d];
            }
            if (n2 == 0 || !Double.isFinite(n2)) {
                throw new IllegalArgumentException(
                        "query " + j + " has a zero or non-finite vector: no cosine neighbours");
            }
        }
        return neighbors(search.topk(queries, count, null, 0, k, size()), count, 1.0);
    }

    /**
     * a is to b as c is to ?: the k best candidates, a, b and c excluded. 3CosAdd scores
     * cos(d,b) - cos(d,a) + cos(d,c) (one top-k kernel call on b̂ - â + ĉ); 3CosMul scores
     * cos'(d,b)·cos'(d,c)/(cos'(d,a)+0.001) with cos' = (cos+1)/2. OOV words use subword vectors when available.
     */
    public List<Neighbor> analogy(String a, String b, String c, int k, AnalogyMethod method) {
        checkK(k);
        Objects.requireNonNull(method, "method");
        float[] va = unit(a);
        float[] vb = unit(b);
        float[] vc = unit(c);
        long[] exclude = {indexOf(a), indexOf(b), indexOf(c)};
        if (method == AnalogyMethod.COS_ADD) {
            float[] q = new float[dim];
            double n2 = 0;
            for (int d = 0; d < dim; d++) {
                q[d] = vb[d] - va[d] + vc[d];
                n2 += (double) q[d] * q[d];
            }
            if (n2 == 0) {
                throw new IllegalArgumentException("analogy " + a + ":" + b + "::" + c + ":? has a zero query vector");
            }
            // the kernel ranks by cos(q, d); the Levy-Goldberg sum is that cosine times |q|
            return neighbors(search.topk(q, 1, exclude, 3, k, size()), 1, Math.sqrt(n2))
                    .get(0);
        }
        float[] queries = new float[3 * dim];
        System.arraycopy(va, 0, queries, 0, dim);
        System.arraycopy(vb, 0, queries, dim, dim);
        System.arraycopy(vc, 0, queries, 2 * dim, dim);
        return cosMul(search.cosinesAll(queries, 3), exclude, k);
    }

    // ------------------------------------------------------------------ package-private: formats, evaluation

    /**
     * Copies subword bucket row {@code bucket} into {@code out[offset .. offset+D)}: what deployment code that
     * re-encodes the n-gram rows (quantization) reads. {@link IllegalStateException} when there are no subwords.
     */
    public void bucketVector(int bucket, float[] out, int offset) {
        if (subwords == null) {
            throw new IllegalStateException(this + " has no subword rows");
        }
        Objects.checkIndex(bucket, subwords.bucket());
        Objects.checkFromIndexSize(offset, dim, Objects.requireNonNull(out, "out").length);
        MemorySegment.copy(buckets, F32, (long) bucket * dim * Float.BYTES, out, offset, dim);
    }

    /**
     * The first {@code n} words with their rows and this model's subword rows, if any (vocabulary pruning).
     * Nothing is copied but the vocabulary: both models are immutable, so they share the row memory.
     */
    public WordVectors firstWords(int n) {
        Objects.checkFromIndexSize(0, n, size());
        return new WordVectors(
                new HeapVocab(words.subList(0, n)),
                dim,
                matrix.asSlice(0, (long) n * dim * Float.BYTES),
                null,
                subwords,
                buckets);
    }

    Vocab vocab() {
        return vocab;
    }

    /** The (V,D) matrix; read-only by contract. */
    MemorySegment matrix() {
        return matrix;
    }

    /** The (bucket,D) subword matrix, or null. */
    MemorySegment buckets() {
        return buckets;
    }

    Search search() {
        return search;
    }

    // ------------------------------------------------------------------ helpers

    private List<Neighbor> cosMul(float[] cos, long[] exclude, int k) {
        int v = size();
        if (k == 0) {
            return List.of();
        }
        // min-heap of the best k (score, row); worse = lower score, then higher row
        PriorityQueue<double[]> heap = new PriorityQueue<>(
                Math.max(1, Math.min(k, v)),
                (x, y) -> x[0] != y[0] ? Double.compare(x[0], y[0]) : Double.compare(y[1], x[1]));
        for (int r = 0; r < v; r++) {
            if (r == exclude[0] || r == exclude[1] || r == exclude[2] || cos[r * 3] == Float.NEGATIVE_INFINITY) {
                continue;
            }
            double ca = (cos[r * 3] + 1.0) / 2;
            double cb = (cos[r * 3 + 1] + 1.0) / 2;
            double cc = (cos[r * 3 + 2] + 1.0) / 2;
            double score = cb * cc / (ca + COSMUL_EPS);
            if (heap.size() < k) {
                heap.add(new double[] {score, r});
            } else if (score > heap.peek()[0]) {
                heap.poll();
                heap.add(new double[] {score, r});
            }
        }
        List<double[]> best = new ArrayList<>(heap);
        best.sort((x, y) -> x[0] != y[0] ? Double.compare(y[0], x[0]) : Double.compare(x[1], y[1]));
        List<Neighbor> out = new ArrayList<>(best.size());
        for (double[] e : best) {
            out.add(new Neighbor(vocab.word((int) e[1]), e[0]));
        }
        return List.copyOf(out);
    }

    private List<List<Neighbor>> neighbors(Search.TopK top, int q, double scale) {
        List<List<Neighbor>> all = new ArrayList<>(q);
        for (int j = 0; j < q; j++) {
            List<Neighbor> list = new ArrayList<>(top.k());
            for (int i = 0; i < top.k(); i++) {
                long row = top.idx()[j * top.k() + i];
                float score = top.score()[j * top.k() + i];
                if (row >= 0 && score != Float.NEGATIVE_INFINITY) {
                    list.add(new Neighbor(vocab.word((int) row), score * scale));
                }
            }
            all.add(List.copyOf(list));
        }
        return List.copyOf(all);
    }

    private float[] unit(String word) {
        float[] v = vector(word);
        double n2 = 0;
        for (float x : v) {
            n2 += (double) x * x;
        }
        if (n2 == 0 || !Double.isFinite(n2)) {
            throw new IllegalArgumentException("word '" + word + "' has a zero or non-finite vector");
        }
        float inv = (float) (1 / Math.sqrt(n2));
        for (int d = 0; d < v.length; d++) {
            v[d] *= inv;
        }
        return v;
    }

    /** The cosine of x and y, accumulated in double (0 when either is all zeros). */
    public static double cosine(float[] x, float[] y) {
        double dot = 0;
        double nx = 0;
        double ny = 0;
        for (int d = 0; d < x.length; d++) {
            dot += (double) x[d] * y[d];
            nx += (double) x[d] * x[d];
            ny += (double) y[d] * y[d];
        }
        return nx == 0 || ny == 0 ? 0 : dot / Math.sqrt(nx * ny);
    }

    private static void checkQuery(float[] v, String what) {
        double n2 = 0;
        for (float x : v) {
            n2 += (double) x * x;
        }
        if (n2 == 0 || !Double.isFinite(n2)) {
            throw new IllegalArgumentException(what + " has a zero or non-finite vector: no cosine neighbours");
        }
    }

    private static void checkK(int k) {
        if (k < 0) {
            throw new IllegalArgumentException("k must be >= 0, got " + k);
        }
    }

    static void checkRows(String name, float[] values, long rows, int dim) {
        if (dim <= 0) {
            throw new IllegalArgumentException("dim must be > 0, got " + dim);
        }
        if (rows * dim != values.length) {
            throw new IllegalArgumentException(name + " has " + values.length + " floats, expected " + rows
                    + " rows x dim " + dim + " = " + rows * dim);
        }
    }

    private static MemorySegment offHeap(float[] values) {
        MemorySegment seg = Arena.ofAuto()
                .allocate(Math.max(1L, (long) values.length * Float.BYTES), 64)
                .asSlice(0, (long) values.length * Float.BYTES);
        MemorySegment.copy(values, 0, seg, F32, 0, values.length);
        return seg;
    }

    @Override
    public String toString() {
        return "WordVectors(" + size() + " words, dim " + dim + (subwords == null ? "" : ", " + subwords) + ")";
    }

    /** The vocabulary as an unmodifiable random-access list. */
    private static final class WordList extends AbstractList<String> implements RandomAccess {
        private final Vocab vocab;

        WordList(Vocab vocab) {
            this.vocab = vocab;
        }

        @Override
        public String get(int index) {
            Objects.checkIndex(index, vocab.size());
            return vocab.word(index);
        }

        @Override
        public int size() {
            return vocab.size();
        }
    }
}
