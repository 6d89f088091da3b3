package org.embed4j.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import org.embed4j.internal.scope.ModelScope;
import org.embed4j.io.Snippet;
import org.embed4j.text.Subwords;
import org.embed4j.vectors.Neighbor;
import org.embed4j.vectors.WordVectors;

/**
 * Word vectors stored at reduced {@link Precision} for deployment: int8 with one float scale per row (4x
 * smaller than float32) or fp16 (2x smaller). Every query is answered on the dequantized rows
 * {@code x̃_v = s_v · q_v} (int8) or {@code half(x_v)} (fp16), so the accuracy cost measured on
 * {@link #toWordVectors()} is the cost a service sees:
 * <ul>
 *   <li>{@link #nearest}: the k rows of highest cosine {@code q·x̃_v / (|q| |x̃_v|)}, through the backend's top-k
 *       kernel on one dequantized block of rows at a time ({@link QuantizedSearch}: the float matrix never exists);
 *       ties to the lower row, rows of norm 0 never match, the query word itself excluded.</li>
 *   <li>{@link #similarity}: the cosine of two words' dequantized vectors.</li>
 * </ul>
 * The norms {@code |x̃_v|} are computed once at quantization and stored. Rows are kept in the order of the
 * source (most frequent first by the word2vec/fastText convention).
 *
 * <p>Subwords: when the source has fastText subword (character n-gram bucket) rows, they are quantized too, each
 * row with its own scale like a word row, and an out-of-vocabulary word gets what {@link WordVectors#vector(String)}
 * gives it, computed on the dequantized bucket rows: the mean of the rows of its n-grams (zeros when it has none).
 * Bucket rows only build such vectors; searches rank the word rows, as with float vectors.
 *
 * <p>Words are looked up as {@link WordVectors} looks them up: as written, then lower-cased ({@link Locale#ROOT}),
 * then (with subwords) by the subword vector of the word as written.
 *
 * <p>Storage is off the Java heap (little-endian), either built by {@link #quantize} or memory-mapped by
 * {@link #load}. Immutable and thread-safe; a search allocates its result lists and one block of scratch.
 * {@link #close()} frees the memory (unmaps the file) at once, after the calls in flight on other threads; any
 * later call is an {@link IllegalStateException}. Vectors never closed are freed once unreachable.
 */
public final class QuantizedVectors implements AutoCloseable {
    static final ValueLayout.OfFloat LE_F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfShort LE_I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final ModelScope scope;
    private final List<String> words;
    private final Map<String, Integer> index;
    private final int dim;
    private final Precision precision;
    private final QuantizedMatrix rows; // (V,D) the word rows
    private final MemorySegment norms; // (V) f32 LE, norms of the dequantized word rows
    private final Subwords subwords; // null: no subword rows
    private final QuantizedMatrix buckets; // (bucket,D) subword rows, or null
    private final Path file; // the mapped file, or null when built in memory

    /** Vectors whose off-heap memory belongs to {@code scope}, memory-mapped from {@code file} (null: built here). */
    QuantizedVectors(
            Path file,
            ModelScope scope,
            List<String> words,
            Map<String, Integer> index,
            int dim,
            Precision precision,
            QuantizedMatrix rows,
            MemorySegment norms,
            Subwords subwords,
            QuantizedMatrix buckets) {
        this.file = file;
        this.scope = scope;
        this.words = List.copyOf(words);
        this.index = index;
        this.dim = dim;
        this.precision = precision;
        this.rows = rows;
        this.norms = norms;
        this.subwords = subwords;
        this.buckets = buckets;
    }

    /** Quantizes every word row of {@code source}, and its subword rows when it has them. */
    public static QuantizedVectors quantize(WordVectors source, Precision precision) {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(precision, "precision");
        int v = source.size();
        int dim = source.dim();
        List<String> words = List.copyOf(source.words());
        ModelScope scope = ModelScope.open("QuantizedVectors(" + v + " words, dim " + dim + ", " + precision + ")");
        try {
            MemorySegment norms = scope.arena().allocate(Math.max(4, v * 4L)).asSlice(0, v * 4L);
            QuantizedMatrix rows = QuantizedMatrix.encode(
                    scope.arena(), v, dim, precision, (r, out) -> source.vector(r, out, 0), norms, "word rows");
            Subwords sub = source.subwords();
            QuantizedMatrix buckets = sub == null
                    ? null
                    : QuantizedMatrix.encode(
                            scope.arena(),
                            sub.bucket(),
                            dim,
                            precision,
                            (r, out) -> source.bucketVector(r, out, 0),
                            null,
                            "subword bucket rows");
            return new QuantizedVectors(
                    null, scope, words, QuantizedFormat.indexOf(words), dim, precision, rows, norms, sub, buckets);
        } catch (RuntimeException | Error e) {
            scope.close();
            throw e;
        }
    }

    /** Reads a file written by {@link #save} (memory-mapped; see {@link QuantizedFormat}). */
    public static QuantizedVectors load(Path path) throws IOException {
        Objects.requireNonNull(path, "path");
        ModelScope scope = ModelScope.open("quantized vectors " + path);
        try {
            return QuantizedFormat.read(path, scope);
        } catch (IOException | RuntimeException | Error e) {
            scope.close();
            throw e;
        }
    }

    /** Writes these vectors to {@code path} atomically (temporary file, then rename). */
    public void save(Path path) throws IOException {
        scope.enter();
        try {
            QuantizedFormat.write(this, path);
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

    /** {@code call} between the scope's enter and exit. */
    private <T> T inScope(Supplier<T> call) {
        scope.enter();
        try {
            return call.get();
        } finally {
            scope.exit();
        }
    }

    // ------------------------------------------------------------------ lookup

    public int size() {
        scope.checkOpen();
        return words.size();
    }

    public int dim() {
        scope.checkOpen();
        return dim;
    }

    public Precision precision() {
        scope.checkOpen();
        return precision;
    }

    /** The words in row order (unmodifiable). */
    public List<String> words() {
        scope.checkOpen();
        return words;
    }

    /** The row of {@code word}: as written, else lower-cased; -1 when neither is in the vocabulary. */
    public int indexOf(String word) {
        Objects.requireNonNull(word, "word");
        scope.checkOpen(); // the index lives on the heap: nothing to wait for
        return rowOf(word);
    }

    @SuppressWarnings("ReferenceEquality") // toLowerCase returns the same instance when nothing changes
    private int rowOf(String word) {
        Integer i = index.get(word);
        if (i == null) {
            String lower = word.toLowerCase(Locale.ROOT); // the same instance when already lower case
            if (lower != word) {
                i = index.get(lower);
            }
        }
        return i == null ? -1 : i;
    }

    public boolean contains(String word) {
        return indexOf(word) >= 0;
    }

    /** True when out-of-vocabulary words get vectors from (quantized) subword rows. */
    public boolean hasSubwords() {
        scope.checkOpen();
        return subwords != null;
    }

    /** The subword settings, or null when these vectors have none. */
    public Subwords subwords() {
        scope.checkOpen();
        return subwords;
    }

    /** Bytes of vector storage: elements, per-row scales and norms, subword rows included (the vocabulary not counted). */
    public long vectorBytes() {
        scope.checkOpen();
        return rows.byteSize() + norms.byteSize() + (buckets == null ? 0 : buckets.byteSize());
    }

    /** The scale of word row {@code row} (int8: max|x|/127; fp16: 1). */
    public float scale(int row) {
        Objects.checkIndex(row, size());
        return inScope(() -> rows.scale(row));
    }

    /** The dequantized row {@code row} written into {@code out[offset .. offset+D)}; allocation-free. */
    public void vector(int row, float[] out, int offset) {
        Objects.checkIndex(row, size());
        Objects.checkFromIndexSize(offset, dim, Objects.requireNonNull(out, "out").length);
        scope.enter();
        try {
            rows.vector(row, out, offset);
        } finally {
            scope.exit();
        }
    }

    /** A copy of the dequantized row {@code row}. */
    public float[] vector(int row) {
        float[] out = new float[dim];
        vector(row, out, 0);
        return out;
    }

    /**
     * The dequantized vector of {@code word}. Out of vocabulary: the mean of its dequantized n-gram bucket rows when
     * these vectors have subwords (zeros when the word has no n-gram), else {@link NoSuchElementException}.
     */
    public float[] vector(String word) {
        float[] out = new float[dim];
        vector(word, out, 0);
        return out;
    }

    /**
     * {@link #vector(String)} written into {@code out[offset .. offset+D)} (an OOV word with subwords allocates its
     * n-gram id list, no float row).
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

    /** {@link #vector(String)}, empty instead of an exception when the word has no vector. */
    public Optional<float[]> findVector(String word) {
        Objects.requireNonNull(word, "word");
        return inScope(() -> {
            int r = rowOf(word);
            if (r < 0 && subwords == null) {
                return Optional.empty();
            }
            float[] out = new float[dim];
            vectorInto(word, r, out, 0);
            return Optional.of(out);
        });
    }

    /** Row {@code r} of {@code word}, or its subword vector when r is -1. Runs inside the scope. */
    private void vectorInto(String word, int r, float[] out, int offset) {
        if (r >= 0) {
            rows.vector(r, out, offset);
            return;
        }
        if (subwords == null) {
            throw notFound(word);
        }
        Arrays.fill(out, offset, offset + dim, 0f);
        int[] ids = subwords.ngramBuckets(word);
        for (int id : ids) {
            buckets.addTo(id, out, offset);
        }
        if (ids.length > 0) {
            float inv = 1f / ids.length; // the float model's mean, operation for operation
            for (int d = 0; d < dim; d++) {
                out[offset + d] *= inv;
            }
        }
    }

    // ------------------------------------------------------------------ queries

    /** Cosine similarity of two words' dequantized vectors (0 when either is zero); OOV words as {@link #vector(String)}. */
    public double similarity(String w1, String w2) {
        Objects.requireNonNull(w1, "w1");
        Objects.requireNonNull(w2, "w2");
        return inScope(() -> {
            int a = rowOf(w1);
            int b = rowOf(w2);
            if (a < 0 || b < 0) {
                float[] x = new float[dim];
                float[] y = new float[dim];
                vectorInto(w1, a, x, 0);
                vectorInto(w2, b, y, 0);
                return WordVectors.cosine(x, y);
            }
            float na = norm(a);
            float nb = norm(b);
            if (na == 0f || nb == 0f) {
                return 0.0;
            }
            float[] x = new float[dim];
            rows.vector(a, x, 0);
            return rows.dot(x, 0, b) / ((double) na * nb);
        });
    }

    /**
     * The k words most similar to {@code word}, best first, the word itself excluded; an OOV word is looked up by
     * its subword vector when these vectors have subwords.
     */
    public List<Neighbor> nearest(String word, int k) {
        Objects.requireNonNull(word, "word");
        return inScope(() -> {
            int r = rowOf(word);
            float[] query = new float[dim];
            vectorInto(word, r, query, 0);
            return search(query, 1, k, r < 0 ? null : new int[] {r}).get(0);
        });
    }

    /** The k words of highest cosine with {@code query} (D floats), best first. */
    public List<Neighbor> nearest(float[] query, int k) {
        Objects.requireNonNull(query, "query");
        return nearest(query, 1, k).get(0);
    }

    /**
     * The k nearest words to each of {@code count} queries ({@code queries}: count×D floats, row-major) in one
     * pass over the rows (each block is dequantized once for all queries); list j answers query j.
     */
    public List<List<Neighbor>> nearest(float[] queries, int count, int k) {
        Objects.requireNonNull(queries, "queries");
        if (count < 0 || (long) count * dim != queries.length) {
            throw new IllegalArgumentException(
                    "queries has " + queries.length + " floats, expected count " + count + " x dim " + dim);
        }
        return inScope(() -> search(queries.clone(), count, k, null));
    }

    /**
     * Dequantized float vectors with the same words and, when these have them, the dequantized subword rows: the
     * model a service queries, for evaluation with {@link org.embed4j.vectors.Evaluation}.
     */
    public WordVectors toWordVectors() {
        return toWordVectors(true);
    }

    /**
     * {@link #toWordVectors()}, with the subword rows only when {@code withSubwords}: the benchmarks look up
     * vocabulary words only, and fastText's two million bucket rows would cost gigabytes of floats for nothing.
     */
    public WordVectors toWordVectors(boolean withSubwords) {
        return inScope(() -> dequantized(withSubwords));
    }

    private WordVectors dequantized(boolean withSubwords) {
        float[] all = dequantizeAll(rows, size(), "words");
        if (!withSubwords || subwords == null) {
            return WordVectors.of(words, all, dim);
        }
        return WordVectors.withSubwords(
                words, all, dequantizeAll(buckets, subwords.bucket(), "subword rows"), dim, subwords);
    }

    // ------------------------------------------------------------------ package-private: the file format

    /** The word rows' elements: (V,D) int8, or (V,D) fp16 little-endian. */
    MemorySegment data() {
        return rows.data();
    }

    /** The word rows' scales (V) f32 LE for INT8, null for FP16. */
    MemorySegment scales() {
        return rows.scales();
    }

    MemorySegment norms() {
        return norms;
    }

    /** The subword bucket rows, or null. */
    QuantizedMatrix buckets() {
        return buckets;
    }

    // ------------------------------------------------------------------ helpers

    /** Runs inside the scope. */
    private List<List<Neighbor>> search(float[] queries, int count, int k, int[] exclude) {
        if (k < 0) {
            throw new IllegalArgumentException("k must be >= 0, got " + k);
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
        int kk = Math.min(k, size());
        if ((long) count * kk > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(count + " queries x k " + kk + " results do not fit one array");
        }
        List<List<Neighbor>> out = new ArrayList<>(count);
        if (kk == 0 || count == 0) {
            for (int j = 0; j < count; j++) {
                out.add(List.of());
            }
            return List.copyOf(out);
        }
        QuantizedSearch.Ranked best = QuantizedSearch.topk(this, queries, count, exclude, kk);
        for (int j = 0; j < count; j++) {
            List<Neighbor> list = new ArrayList<>(best.found()[j]);
            for (int i = 0; i < best.found()[j]; i++) {
                int row = best.rows()[j * kk + i];
                norm(row); // checks the stored norm of every row an answer names
                float score = best.scores()[j * kk + i];
                if (!(Math.abs(score) <= 1.001f)) {
                    throw new IllegalArgumentException("the cosine with row " + row + " is " + score
                            + ": a dot product overflowed float (the query has values too large)");
                }
                list.add(new Neighbor(words.get(row), Math.max(-1f, Math.min(1f, score))));
            }
            out.add(List.copyOf(list));
        }
        return List.copyOf(out);
    }

    private float[] dequantizeAll(QuantizedMatrix m, int count, String what) {
        long n = (long) count * dim;
        if (n > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(
                    count + " " + what + " x dim " + dim + " is too large for one float array");
        }
        float[] all = new float[(int) n];
        for (int r = 0; r < count; r++) {
            m.vector(r, all, r * dim);
        }
        return all;
    }

    /**
     * The stored norm of {@code row}, checked against the norm of the dequantized row: a stored norm that is not the
     * row's would put cosines outside [-1, 1] (a forged or damaged file), so it is an error naming the row.
     */
    private float norm(int row) {
        float stored = norms.getAtIndex(LE_F32, row);
        float[] x = new float[dim];
        rows.vector(row, x, 0);
        double s = 0;
        for (float v : x) {
            s += (double) v * v;
        }
        double actual = Math.sqrt(s);
        if (!(Math.abs(stored - actual) <= 1e-3 * actual)) {
            String where = file == null ? "quantized vectors" : "corrupt quantized vectors file " + file;
            String message =
                    where + ": the stored norm " + stored + " of row " + row + " ('" + Snippet.of(words.get(row))
                            + "') is not the norm " + (float) actual + " of its dequantized values";
            throw new UncheckedIOException(message, new IOException(message));
        }
        return stored;
    }

    private NoSuchElementException notFound(String word) {
        return new NoSuchElementException("word '" + word + "' is not in the vocabulary of " + size()
                + " quantized words, and these vectors have no subwords to build one");
    }

    @Override
    public String toString() {
        return "QuantizedVectors(" + words.size() + " words, dim " + dim + ", " + precision
                + (subwords == null ? "" : ", " + subwords) + ")";
    }
}
