package org.embed4j.vectors;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Objects;
import java.util.concurrent.atomic.LongAdder;
import org.embed4j.backend.Backend;
import org.embed4j.backend.Backends;
import org.embed4j.internal.scope.ModelScope;

/**
 * Exact cosine k-nearest-neighbour search over the rows of a (V,D) float matrix: for each query the k rows of highest
 * {@code cos(q, x_v)}, best first, ties to the lower row, exactly as the backend's float {@code topk} kernel ranks
 * them. Every call answers all of its queries in one call of a search kernel, which is what {@link BatchedSearcher}
 * builds on.
 *
 * <p>Two scans give the same answers:
 * <ul>
 *   <li>float ({@link #of}): the {@code topk} kernel over the float rows;</li>
 *   <li>int8 ({@link #withInt8}): one pass of the {@code topk_i8} kernel over int8 rows (a quarter of the bytes, all
 *       queries scored while a block of rows is in cache) picks a pool of candidates per query by approximate cosine;
 *       the pool is rescored with the float kernel (so scores and order are the float ones, bit for bit), and the
 *       answer is <em>certified</em>: every row outside the pool has an approximate score of at most the pool's
 *       lowest, a, and the int8 error of a cosine is at most {@code e = maxHalfScale·||q||_1/||q||} plus the
 *       scan's int16 rounding of the query (and float rounding), so when the k-th rescored cosine exceeds
 *       {@code a + e} no row outside the pool can belong to the top k. A query that is not certified is searched
 *       again over the float rows. {@link #fallbacks} counts them.</li>
 * </ul>
 * The int8 scan runs on a host backend (the process's backend when it is a host one). Immutable apart from the
 * counters, and thread-safe.
 */
public final class ExactSearch {
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED;
    /** Extra candidates per query beyond k in the int8 pool (the pool is at least 2k). */
    static final int POOL_EXTRA = 32;

    private final MemorySegment matrix; // (V,D) F32
    private final long rows;
    private final int dim;
    private final Search search;
    private final Int8Rows int8; // null: float scan
    private final LongAdder queries = new LongAdder();
    private final LongAdder fallbacks = new LongAdder();

    private ExactSearch(MemorySegment matrix, long rows, int dim, Search search, Int8Rows int8) {
        this.matrix = matrix;
        this.rows = rows;
        this.dim = dim;
        this.search = search;
        this.int8 = int8;
    }

    /** Float search over {@code rows} (V×D floats, row-major), copied off the heap. */
    public static ExactSearch of(float[] rows, int dim) {
        Objects.requireNonNull(rows, "rows");
        WordVectors.checkRows("rows", rows, rows.length / Math.max(dim, 1), dim);
        long v = rows.length / dim;
        MemorySegment seg = Arena.ofAuto().allocate(Math.max(4, (long) rows.length * Float.BYTES), 64);
        seg = seg.asSlice(0, (long) rows.length * Float.BYTES);
        MemorySegment.copy(rows, 0, seg, F32, 0, rows.length);
        return of(seg, v, dim);
    }

    /**
     * Float search over {@code n} rows of {@code dim} floats in {@code rows} (native order, for instance a memory-mapped
     * file), used in place; the caller keeps the memory alive and unchanged.
     */
    public static ExactSearch of(MemorySegment rows, long n, int dim) {
        Objects.requireNonNull(rows, "rows");
        if (dim <= 0 || n < 0 || rows.byteSize() < n * dim * Float.BYTES) {
            throw new IllegalArgumentException(
                    "rows has " + rows.byteSize() + " bytes, expected " + n + " rows x dim " + dim + " floats");
        }
        return new ExactSearch(rows, n, dim, new Search(ModelScope.open("exact search"), rows, n, dim, null), null);
    }

    /** Float search over the word rows of {@code vectors}, sharing their memory and row norms. */
    public static ExactSearch of(WordVectors vectors) {
        Objects.requireNonNull(vectors, "vectors");
        return new ExactSearch(vectors.matrix(), vectors.size(), vectors.dim(), vectors.search(), null);
    }

    /** The same rows searched by an int8 scan with float rescoring (quantizes the rows once: V·D bytes more). */
    public ExactSearch withInt8() {
        if (int8 != null) {
            return this;
        }
        return new ExactSearch(matrix, rows, dim, search, Int8Rows.quantize(matrix, rows, dim, search::norm));
    }

    /** Number of rows V. */
    public long size() {
        return rows;
    }

    /** Vector dimension D. */
    public int dim() {
        return dim;
    }

    /** True when the scan reads int8 rows. */
    public boolean isInt8() {
        return int8 != null;
    }

    /** Queries answered so far. */
    public long queries() {
        return queries.sum();
    }

    /** Queries whose int8 answer could not be certified and were searched again over the float rows. */
    public long fallbacks() {
        return fallbacks.sum();
    }

    /** {@link #search(float[], int, int, int[])} without exclusions. */
    public Hits search(float[] queries, int count, int k) {
        return search(queries, count, k, null);
    }

    /**
     * The k rows of highest cosine for each of {@code count} queries ({@code queries}: count×D floats, row-major);
     * {@code exclude[j]} (or null; -1 = none) is a row that query j must not return. A query that is zero or not
     * finite is an {@link IllegalArgumentException} naming it. k is clipped to V.
     */
    public Hits search(float[] queries, int count, int k, int[] exclude) {
        checkQueries(queries, count, dim);
        if (k < 0) {
            throw new IllegalArgumentException("k must be >= 0, got " + k);
        }
        if (exclude != null) {
            if (exclude.length != count) {
                throw new IllegalArgumentException("exclude has " + exclude.length + " entries, expected " + count);
            }
            for (int j = 0; j < count; j++) {
                if (exclude[j] < -1 || exclude[j] >= rows) {
                    throw new IndexOutOfBoundsException(
                            "exclude[" + j + "] = " + exclude[j] + " is not -1 or a row < " + rows);
                }
            }
        }
        this.queries.add(count);
        int kk = (int) Math.min(k, rows);
        if (count == 0 || kk == 0) {
            return new Hits(kk, new int[0], new float[0], new int[count]);
        }
        if (int8 == null) {
            return floatSearch(queries, count, kk, exclude);
        }
        return Int8Scan.search(this, queries, count, kk, exclude);
    }

    // ------------------------------------------------------------------ package-private: the int8 scan's parts

    Int8Rows int8Rows() {
        return int8;
    }

    MemorySegment matrix() {
        return matrix;
    }

    float norm(long row) {
        return search.norm(row);
    }

    void countFallbacks(int n) {
        fallbacks.add(n);
    }

    /** Float top-k of the given queries; exclusions as in {@link #search}. */
    Hits floatSearch(float[] queries, int count, int k, int[] exclude) {
        long[] ex = null;
        if (exclude != null) {
            ex = new long[count];
            for (int j = 0; j < count; j++) {
                ex[j] = exclude[j];
            }
        }
        Search.TopK top = search.topk(queries, count, ex, ex == null ? 0 : 1, k, rows);
        Hits out = new Hits(k, new int[count * k], new float[count * k], new int[count]);
        for (int j = 0; j < count; j++) {
            int n = 0;
            for (int i = 0; i < top.k(); i++) {
                long row = top.idx()[j * top.k() + i];
                float score = top.score()[j * top.k() + i];
                if (row >= 0 && score != Float.NEGATIVE_INFINITY) {
                    out.rows()[j * k + n] = (int) row;
                    out.scores()[j * k + n++] = score;
                }
            }
            out.found()[j] = n;
        }
        return out;
    }

    /** A host backend: the process's choice when it runs on the host, else the last host one available. */
    static Backend hostBackend() {
        Backend b = Backends.auto();
        if (b.device().isHost()) {
            return b;
        }
        Backend host = null;
        for (Backend x : Backends.available()) {
            if (x.device().isHost()) {
                host = x;
            }
        }
        if (host == null) {
            throw new IllegalStateException("no host backend is available for the int8 scan");
        }
        return host;
    }

    static void checkQueries(float[] queries, int count, int dim) {
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
    }

    /** Copies the float rows {@code ids[0..n)} and their norms into {@code rows} (n,D) and {@code norms} (n). */
    void gatherInto(int[] ids, int n, MemorySegment rows, MemorySegment norms) {
        long rowBytes = (long) dim * Float.BYTES;
        for (int i = 0; i < n; i++) {
            MemorySegment.copy(matrix, ids[i] * rowBytes, rows, i * rowBytes, rowBytes);
            norms.setAtIndex(F32, i, search.norm(ids[i]));
        }
    }

    @Override
    public String toString() {
        return "ExactSearch(" + rows + " rows, dim " + dim + (int8 == null ? ", float" : ", int8 + float rescoring")
                + ")";
    }
}
