package org.embed4j.vectors;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import java.util.RandomAccess;
import org.embed4j.internal.scope.ModelScope;
import org.embed4j.text.Subwords;

/**
 * Word vectors: a vocabulary of V words, a (V,D) float matrix whose row v is the vector of word v, and
 * optionally fastText subword bucket rows for out-of-vocabulary words. Queries:
 * <ul>
 *   <li>{@link #vector}: a word's row; for an OOV word with subwords, the mean of the bucket rows of the
 *       character n-grams of {@code "<word>"} (fastText's {@code getWordVector} for unknown words).</li>
 *   <li>{@link #nearest}: the k words of highest cosine similarity, through the backend's top-k kernel
 *       (the query word itself excluded), like word2vec's distance.</li>
 *   <li>{@link #mostSimilar}: gensim's {@code most_similar(positive, negative, topn)}.</li>
 *   <li>{@link #analogy}: a:b::c:? by 3CosAdd or 3CosMul (Levy &amp; Goldberg 2014), a, b and c excluded.</li>
 *   <li>{@link #similarity}: the cosine of two words' vectors.</li>
 * </ul>
 * Vocabulary rows are expected most frequent first (as word2vec and fastText write them); evaluation
 * restricted to the top-N words relies on it.
 *
 * <p>Looking up a word (every method that takes one): the word as written; when that form is not in the vocabulary,
 * its lower-cased form ({@link Locale#ROOT}); when neither is, and these vectors have subwords, the subword vector of
 * the word as written. Nothing else is normalised. A word none of these resolve is a
 * {@link NoSuchElementException} for the throwing methods ({@link #vector(String)}, the queries), an empty
 * {@link Optional} for {@link #findVector}, and -1 for {@link #indexOf}.
 *
 * <p>Storage: the matrix lives off the Java heap, either copied there ({@link #of}) or memory-mapped from a
 * native file ({@link #load}), and is never written after construction. Instances are immutable and thread-safe.
 * {@link #close()} frees that memory (unmaps the file) at once: it refuses new calls, lets the calls in flight on
 * other threads finish, then frees; any later call is an {@link IllegalStateException}. Vectors that are never
 * closed are freed when they become unreachable.
 */
public final class WordVectors implements AutoCloseable {
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED;

    private final ModelScope scope;
    private final Vocab vocab;
    private final int dim;
    private final MemorySegment matrix; // (V,D) F32, native order
    private final Subwords subwords; // null: no subword rows
    private final MemorySegment buckets; // (bucket,D) F32 or null
    private final Search search;
    private final List<String> words;
    private final RowCheck check;

    /**
     * Vectors whose memory ({@code matrix}, {@code norms}, {@code buckets}) belongs to {@code scope} and whose rows
     * the reader has checked ({@link RowCheck}).
     */
    WordVectors(
            ModelScope scope,
            Vocab vocab,
            int dim,
            MemorySegment matrix,
            MemorySegment norms,
            Subwords subwords,
            MemorySegment buckets) {
        this(scope, vocab, dim, matrix, norms, subwords, buckets, RowCheck.NONE);
    }

    /** As above, for rows that {@code check} checks when they are used (a memory-mapped file). */
    WordVectors(
            ModelScope scope,
            Vocab vocab,
            int dim,
            MemorySegment matrix,
            MemorySegment norms,
            Subwords subwords,
            MemorySegment buckets,
            RowCheck check) {
        this.scope = scope;
        this.vocab = vocab;
        this.dim = dim;
        this.matrix = matrix;
        this.subwords = subwords;
        this.buckets = buckets;
        this.check = check;
        this.search = new Search(scope, matrix, vocab.size(), dim, norms, check);
        this.words = new WordList(scope, vocab);
    }

    /**
     * Vectors for {@code words} (row order kept, words unique), {@code vectors} being V×D floats row-major;
     * the floats are copied off the heap.
     */
    public static WordVectors of(List<String> words, float[] vectors, int dim) {
        Objects.requireNonNull(words, "words");
        Objects.requireNonNull(vectors, "vectors");
        checkRows("vectors", vectors, words.size(), dim);
        checkValues("vectors", vectors, dim);
        HeapVocab vocab = new HeapVocab(words);
        ModelScope scope = ModelScope.open(name(words.size(), dim));
        return new WordVectors(scope, vocab, dim, offHeap(scope.arena(), vectors), null, null, null);
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
        checkValues("wordRows", wordRows, dim);
        checkValues("bucketRows", bucketRows, dim);
        HeapVocab vocab = new HeapVocab(words);
        ModelScope scope = ModelScope.open(name(words.size(), dim));
        Arena arena = scope.arena();
        return new WordVectors(scope, vocab, dim, offHeap(arena, wordRows), null, subwords, offHeap(arena, bucketRows));
    }

    /**
     * Opens a vectors file of any {@link VectorsFormat}, detected from its first bytes and name as
     * {@link VectorsIO#detect} does; the native format is memory-mapped, the others are read into memory.
     */
    public static WordVectors load(Path path) throws IOException {
        return VectorsIO.read(path);
    }

    // ------------------------------------------------------------------ lookup

    /** Number of words V. */
    public int size() {
        scope.checkOpen();
        return vocab.size();
    }

    /** Vector dimension D. */
    public int dim() {
        scope.checkOpen();
        return dim;
    }

    /** The words in row order (an unmodifiable view, unusable once these vectors are closed). */
    public List<String> words() {
        scope.checkOpen();
        return words;
    }

    /**
     * The row of {@code word}: as written, else lower-cased (see the class comment); -1 when neither is in the
     * vocabulary (even when subwords would give the word a vector).
     */
    public int indexOf(String word) {
        Objects.requireNonNull(word, "word");
        scope.enter();
        try {
            return rowOf(word);
        } finally {
            scope.exit();
        }
    }

    /** Whether {@link #indexOf} finds {@code word}. */
    public boolean contains(String word) {
        return indexOf(word) >= 0;
    }

    /** True when out-of-vocabulary words get vectors from subword rows. */
    public boolean hasSubwords() {
        scope.checkOpen();
        return subwords != null;
    }

    /** The subword settings, or null when these vectors have none. */
    public Subwords subwords() {
        scope.checkOpen();
        return subwords;
    }

    /** A copy of row {@code row}. */
    public float[] vector(int row) {
        float[] out = new float[dim];
        vector(row, out, 0);
        return out;
    }

    /**
     * The vector of {@code word} (a copy), looked up as the class comment says: the row of the word or of its
     * lower-cased form, else its subword vector (zeros when it has no n-gram), else {@link NoSuchElementException}.
     */
    public float[] vector(String word) {
        float[] out = new float[dim];
        vector(word, out, 0);
        return out;
    }

    /** {@link #vector(String)}, empty instead of an exception when the word has no vector. */
    public Optional<float[]> findVector(String word) {
        Objects.requireNonNull(word, "word");
        scope.enter();
        try {
            int row = rowOf(word);
            if (row < 0 && subwords == null) {
                return Optional.empty();
            }
            float[] out = new float[dim];
            vectorInto(word, row, out, 0);
            return Optional.of(out);
        } finally {
            scope.exit();
        }
    }

    /**
     * Copies row {@code row} into {@code out[offset .. offset+D)}: {@link #vector(int)} without allocating, for
     * callers that reuse their own buffers on a hot path.
     */
    public void vector(int row, float[] out, int offset) {
        Objects.checkIndex(row, vocab.size());
        Objects.checkFromIndexSize(offset, dim, Objects.requireNonNull(out, "out").length);
        scope.enter();
        try {
            check.row(row);
            MemorySegment.copy(matrix, F32, (long) row * dim * Float.BYTES, out, offset, dim);
        } finally {
            scope.exit();
        }
    }

    /**
     * {@link #vector(String)} written into {@code out[offset .. offset+D)} instead of a new array (an OOV word
     * with subwords still allocates its n-gram id list, no float row).
     */
    public void vector(String word, float[] out, int offset) {
        Objects.requireNonNull(word, "word");
        Objects.checkFromIndexSize(offset, dim, Objects.requireNonNull(out, "out").length);
        scope.enter();
        try {
            vectorInto(word, rowOf(word), out, offset);
        } finally {
            scope.exit();
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
        Queries.checkK(k);
        scope.enter();
        try {
            int q = queryWords.size();
            float[] queries = new float[q * dim];
            long[] exclude = new long[q];
            for (int j = 0; j < q; j++) {
                String w = Objects.requireNonNull(queryWords.get(j), "query word");
                int row = rowOf(w);
                vectorInto(w, row, queries, j * dim);
                Queries.checkQuery(queries, j * dim, dim, "word '" + w + "'");
                exclude[j] = row;
            }
            return Queries.neighbors(vocab, search.topk(queries, q, exclude, 1, k, size()), q, 1.0);
        } finally {
            scope.exit();
        }
    }

    /** The k words whose vectors have the highest cosine with {@code query} (length D), best first. */
    public List<Neighbor> nearest(float[] query, int k) {
        Objects.requireNonNull(query, "query");
        if (query.length != dim) {
            throw new IllegalArgumentException("query has " + query.length + " floats, expected dim " + dim);
        }
        return nearest(query.clone(), 1, k).get(0);
    }

    /**
     * The k nearest words by cosine to each of {@code count} query vectors ({@code queries}: count×D floats,
     * row-major) in one top-k kernel call; list j answers query j. A zero or non-finite query is an error naming it.
     */
    public List<List<Neighbor>> nearest(float[] queries, int count, int k) {
        Queries.checkK(k);
        Objects.requireNonNull(queries, "queries");
        if (count < 0 || (long) count * dim != queries.length) {
            throw new IllegalArgumentException(
                    "queries has " + queries.length + " floats, expected count " + count + " x dim " + dim);
        }
        for (int j = 0; j < count; j++) {
            Queries.checkQuery(queries, j * dim, dim, "query " + j);
        }
        scope.enter();
        try {
            return Queries.neighbors(vocab, search.topk(queries, count, null, 0, k, size()), count, 1.0);
        } finally {
            scope.exit();
        }
    }

    /**
     * The k words most similar to the combination of {@code positive} and {@code negative} words, best first, the
     * query words excluded: gensim's {@code most_similar(positive, negative, topn)}. The query is
     * {@code q = Σ_p p̂ − Σ_n n̂} over the words' unit vectors (3CosAdd when positive = [b, c], negative = [a]), and
     * a candidate's score is its cosine with q. Either list may be empty, not both.
     */
    public List<Neighbor> mostSimilar(List<String> positive, List<String> negative, int k) {
        Objects.requireNonNull(positive, "positive");
        Objects.requireNonNull(negative, "negative");
        Queries.checkK(k);
        if (positive.isEmpty() && negative.isEmpty()) {
            throw new IllegalArgumentException("mostSimilar needs at least one positive or negative word");
        }
        scope.enter();
        try {
            int words = positive.size() + negative.size();
            float[] q = new float[dim];
            float[] v = new float[dim];
            long[] exclude = new long[words];
            for (int i = 0; i < words; i++) {
                boolean plus = i < positive.size();
                String w = Objects.requireNonNull(
                        plus ? positive.get(i) : negative.get(i - positive.size()), "query word");
                int row = rowOf(w);
                vectorInto(w, row, v, 0);
                Queries.toUnit(v, w);
                for (int d = 0; d < dim; d++) {
                    q[d] += plus ? v[d] : -v[d];
                }
                exclude[i] = row;
            }
            Queries.checkQuery(q, 0, dim, "the combination of " + positive + " minus " + negative);
            return Queries.neighbors(vocab, search.topk(q, 1, exclude, words, k, size()), 1, 1.0)
                    .get(0);
        } finally {
            scope.exit();
        }
    }

    /**
     * a is to b as c is to ?: the k best candidates, a, b and c excluded. 3CosAdd scores
     * cos(d,b) - cos(d,a) + cos(d,c) (one top-k kernel call on b̂ - â + ĉ); 3CosMul scores
     * cos'(d,b)·cos'(d,c)/(cos'(d,a)+0.001) with cos' = (cos+1)/2. OOV words use subword vectors when available.
     */
    public List<Neighbor> analogy(String a, String b, String c, int k, AnalogyMethod method) {
        Queries.checkK(k);
        Objects.requireNonNull(method, "method");
        scope.enter();
        try {
            String[] terms = {a, b, c};
            float[] units = new float[3 * dim];
            long[] exclude = new long[3];
            for (int i = 0; i < 3; i++) {
                String w = Objects.requireNonNull(terms[i], "analogy word");
                exclude[i] = rowOf(w);
                vectorInto(w, (int) exclude[i], units, i * dim);
                Queries.toUnit(units, i * dim, dim, w);
            }
            if (method == AnalogyMethod.COS_ADD) {
                float[] q = new float[dim];
                double n2 = 0;
                for (int d = 0; d < dim; d++) {
                    q[d] = units[dim + d] - units[d] + units[2 * dim + d];
                    n2 += (double) q[d] * q[d];
                }
                if (n2 == 0) {
                    throw new IllegalArgumentException(
                            "analogy " + a + ":" + b + "::" + c + ":? has a zero query vector");
                }
                // the kernel ranks by cos(q, d); the Levy-Goldberg sum is that cosine times |q|
                return Queries.neighbors(vocab, search.topk(q, 1, exclude, 3, k, size()), 1, Math.sqrt(n2))
                        .get(0);
            }
            return Queries.cosMul(vocab, search.cosinesAll(units, 3), exclude, k, check);
        } finally {
            scope.exit();
        }
    }

    // ------------------------------------------------------------------ deployment: subword rows, pruning

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
        scope.enter();
        try {
            check.bucket(bucket);
            MemorySegment.copy(buckets, F32, (long) bucket * dim * Float.BYTES, out, offset, dim);
        } finally {
            scope.exit();
        }
    }

    /**
     * The first {@code n} words with their rows and this model's subword rows, if any (vocabulary pruning).
     * Nothing is copied but the vocabulary: the result reads this model's memory, so closing this model closes
     * it too (closing the result leaves this model open).
     */
    public WordVectors firstWords(int n) {
        Objects.checkFromIndexSize(0, n, size());
        scope.enter();
        try {
            List<String> head = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                head.add(vocab.word(i));
            }
            HeapVocab headVocab = new HeapVocab(head);
            return new WordVectors(
                    scope.view("the first " + n + " words of " + this),
                    headVocab,
                    dim,
                    matrix.asSlice(0, (long) n * dim * Float.BYTES),
                    null,
                    subwords,
                    buckets,
                    check.view(headVocab));
        } finally {
            scope.exit();
        }
    }

    /**
     * Frees the memory of these vectors now (a memory-mapped file is unmapped): new calls are refused at once, calls
     * in flight on other threads finish first. Any later call is an {@link IllegalStateException}. Idempotent.
     */
    @Override
    public void close() {
        scope.close();
    }

    // ------------------------------------------------------------------ package-private: formats, evaluation

    /** What the formats and the evaluation run between (a call on these vectors). */
    ModelScope scope() {
        return scope;
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

    /**
     * Checks every row and subword row ({@link RowCheck}): what a writer runs first, so that a damaged mapped file is
     * never copied into another format. A pass over the matrix for mapped vectors, nothing for the others.
     */
    void checkAllRows() {
        for (long r = 0; r < vocab.size(); r++) {
            check.row(r);
        }
        for (long b = 0; subwords != null && b < subwords.bucket(); b++) {
            check.bucket(b);
        }
    }

    // ------------------------------------------------------------------ helpers

    /** The case policy of the class comment: as written, then lower-cased. Runs inside the scope. */
    @SuppressWarnings("ReferenceEquality") // toLowerCase returns the same instance when nothing changes
    private int rowOf(String word) {
        int i = vocab.indexOf(word);
        if (i < 0) {
            String lower = word.toLowerCase(Locale.ROOT); // the same instance when already lower case
            if (lower != word) {
                i = vocab.indexOf(lower);
            }
        }
        return i;
    }

    /** Row {@code row} of {@code word}, or its subword vector when row is -1. Runs inside the scope. */
    private void vectorInto(String word, int row, float[] out, int offset) {
        if (row >= 0) {
            check.row(row);
            MemorySegment.copy(matrix, F32, (long) row * dim * Float.BYTES, out, offset, dim);
            return;
        }
        if (subwords == null) {
            throw new NoSuchElementException("word '" + word + "' is not in the vocabulary of " + size()
                    + " words (as written or lower-cased), and these vectors have no subwords to build one");
        }
        Arrays.fill(out, offset, offset + dim, 0f);
        int[] ids = subwords.ngramBuckets(word);
        for (int id : ids) {
            check.bucket(id);
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

    static void checkRows(String name, float[] values, long rows, int dim) {
        if (dim <= 0) {
            throw new IllegalArgumentException("dim must be > 0, got " + dim);
        }
        if (rows * dim != values.length) {
            throw new IllegalArgumentException(name + " has " + values.length + " floats, expected " + rows
                    + " rows x dim " + dim + " = " + rows * dim);
        }
    }

    /** Every row of {@code values} must be valid as {@link RowCheck} says: finite, with a norm that fits a float. */
    private static void checkValues(String name, float[] values, int dim) {
        for (int r = 0; (long) r * dim < values.length; r++) {
            int bad = RowCheck.firstBad(values, r * dim, dim);
            if (bad >= 0) {
                throw new IllegalArgumentException(
                        name + " row " + r + ": " + RowCheck.problem(values, r * dim, bad, dim));
            }
        }
    }

    private static MemorySegment offHeap(Arena arena, float[] values) {
        MemorySegment seg = arena.allocate(Math.max(1L, (long) values.length * Float.BYTES), 64)
                .asSlice(0, (long) values.length * Float.BYTES);
        MemorySegment.copy(values, 0, seg, F32, 0, values.length);
        return seg;
    }

    private static String name(int words, int dim) {
        return "WordVectors(" + words + " words, dim " + dim + ")";
    }

    @Override
    public String toString() {
        return "WordVectors(" + vocab.size() + " words, dim " + dim + (subwords == null ? "" : ", " + subwords) + ")";
    }

    /** The vocabulary as an unmodifiable random-access list. */
    private static final class WordList extends AbstractList<String> implements RandomAccess {
        private final ModelScope scope;
        private final Vocab vocab;

        WordList(ModelScope scope, Vocab vocab) {
            this.scope = scope;
            this.vocab = vocab;
        }

        @Override
        public String get(int index) {
            Objects.checkIndex(index, vocab.size());
            scope.enter();
            try {
                return vocab.word(index);
            } finally {
                scope.exit();
            }
        }

        @Override
        public int size() {
            return vocab.size();
        }
    }
}
