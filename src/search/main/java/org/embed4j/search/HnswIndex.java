package org.embed4j.search;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;
import org.apache.lucene.codecs.lucene99.Lucene99HnswVectorsFormat;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.index.KnnVectorValues;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.NumericDocValues;
import org.apache.lucene.search.AcceptDocs;
import org.apache.lucene.search.KnnCollector;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TopKnnCollector;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.MMapDirectory;
import org.apache.lucene.util.VectorUtil;
import org.embed4j.vectors.Hits;

/**
 * An HNSW graph (Lucene's {@code Lucene99HnswVectorsFormat} over float vectors, or
 * {@code Lucene104HnswScalarQuantizedVectorsFormat} over quantized ones) over the rows of a (V,D) matrix for
 * approximate cosine search: rows are stored L2-normalized with the dot-product similarity, as the documents of a
 * single segment in an order that keeps near rows near ({@link LocalityOrder}); a document's row is in a doc-values
 * field, read into memory when the index opens (an index without it, written by older builds, has row v as document
 * v). The index is a directory beside the model ({@link #besideModel}),
 * written to a temporary sibling and renamed into place, and read through {@link MMapDirectory}: opening maps the
 * files, it does not load them. Zero rows get no vector and are never returned, as in exact search.
 *
 * <p>{@link #search} explores the graph with a candidate list of {@code ef} entries (at least k) and returns the k
 * best with their cosines; larger {@code ef} buys recall with time. Over quantized vectors, all ef candidates are
 * rescored with the exact cosines of their float vectors before the k best are taken. An index without a bit count
 * in its commit data holds float vectors. An open index is thread-safe; close it once.
 */
public final class HnswIndex implements Closeable {
    static final String FIELD = "v";
    static final int FLOAT_BITS = 32;
    static final int MAX_BUILD_THREADS = 64;
    private static final String DIM = "embed4j.dim";
    private static final String ROWS = "embed4j.rows";
    private static final String BITS = "embed4j.bits";

    /**
     * Graph settings: {@code maxConn} neighbours per node (Lucene's M), the build beam width, the bits a stored
     * vector coordinate has in the graph ({@code 32}: float vectors; {@code 8}, {@code 7} or {@code 4}: Lucene's
     * optimized scalar quantization, searched on the quantized vectors and rescored with the float ones, which are
     * kept too) and the threads that build it.
     */
    public record Options(int maxConn, int beamWidth, int bits, int buildThreads) {
        public Options {
            if (maxConn < 2 || maxConn > Lucene99HnswVectorsFormat.MAXIMUM_MAX_CONN) {
                throw new IllegalArgumentException(
                        "maxConn must be in [2, " + Lucene99HnswVectorsFormat.MAXIMUM_MAX_CONN + "], got " + maxConn);
            }
            if (beamWidth < 1 || beamWidth > Lucene99HnswVectorsFormat.MAXIMUM_BEAM_WIDTH) {
                throw new IllegalArgumentException("beamWidth must be in [1, "
                        + Lucene99HnswVectorsFormat.MAXIMUM_BEAM_WIDTH + "], got " + beamWidth);
            }
            if (bits != FLOAT_BITS) {
                HnswBuilder.encoding(bits); // refuses a bit count with no encoding
            }
            if (buildThreads < 1 || buildThreads > MAX_BUILD_THREADS) {
                throw new IllegalArgumentException(
                        "buildThreads must be in [1, " + MAX_BUILD_THREADS + "], got " + buildThreads);
            }
        }

        /** Float vectors, one build thread. */
        public Options(int maxConn, int beamWidth) {
            this(maxConn, beamWidth, FLOAT_BITS, 1);
        }

        /** M = 16, beam width 100 (Lucene's defaults), float vectors, one build thread. */
        public static Options defaults() {
            return new Options(16, 100);
        }

        /** These settings with {@code bits} bits a coordinate. */
        public Options withBits(int bits) {
            return new Options(maxConn, beamWidth, bits, buildThreads);
        }

        /** These settings built by {@code threads} threads. */
        public Options withBuildThreads(int threads) {
            return new Options(maxConn, beamWidth, bits, threads);
        }
    }

    /** Where row r of the indexed matrix comes from: D floats written into {@code out}. */
    @FunctionalInterface
    public interface RowReader {
        void row(int r, float[] out);
    }

    private final Directory dir;
    private final DirectoryReader reader;
    private final LeafReader leaf;
    private final int dim;
    private final int rows;
    private final int bits;

    /** Document → row, from the index's {@code row} field; null where document d is row d. */
    private final int[] docRows;

    private HnswIndex(Directory dir, DirectoryReader reader, int dim, int rows, int bits) throws IOException {
        this.dir = dir;
        this.reader = reader;
        this.leaf = reader.leaves().isEmpty() ? null : reader.leaves().get(0).reader();
        this.dim = dim;
        this.rows = rows;
        this.bits = bits;
        this.docRows = leaf == null ? null : docRows(leaf, rows);
    }

    /** The row of every document, or null when the index has no row field (document d is row d). */
    private static int[] docRows(LeafReader leaf, int rows) throws IOException {
        NumericDocValues field = leaf.getNumericDocValues(HnswBuilder.ROW);
        if (field == null) {
            return null;
        }
        int[] map = new int[leaf.maxDoc()];
        for (int d = 0; d < map.length; d++) {
            if (!field.advanceExact(d)) {
                throw new IOException("HNSW index document " + d + " has no row");
            }
            long r = field.longValue();
            if (r < 0 || r >= rows) {
                throw new IOException("HNSW index document " + d + " names row " + r + " of " + rows);
            }
            map[d] = (int) r;
        }
        return map;
    }

    private int row(int doc) {
        return docRows == null ? doc : docRows[doc];
    }

    /** The index directory of a model file: {@code <model>.hnsw}. */
    public static Path besideModel(Path model) {
        return model.resolveSibling(model.getFileName() + ".hnsw");
    }

    /**
     * Builds the graph over rows {@code 0 .. rows)} of {@code dim} floats and writes it to {@code target} (replacing
     * an index there). Returns the bytes written. With several build threads, {@code source} is called from all of
     * them at once.
     */
    public static long build(RowReader source, int rows, int dim, Path target, Options options) throws IOException {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(options, "options");
        if (rows < 0 || dim <= 0) {
            throw new IllegalArgumentException("rows must be >= 0 and dim > 0, got " + rows + " x " + dim);
        }
        Path parent = target.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Path tmp = Files.createTempDirectory(parent, target.getFileName() + ".tmp");
        try {
            HnswBuilder.write(source, rows, dim, tmp, options);
            replace(tmp, target);
        } finally {
            deleteTree(tmp);
        }
        return size(target);
    }

    /** Opens (memory-maps) the index in {@code dir}. */
    public static HnswIndex open(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IOException("no HNSW index at " + dir + " (build one with ./embed4j index)");
        }
        Directory d = new MMapDirectory(dir);
        try {
            DirectoryReader r = DirectoryReader.open(d);
            Map<String, String> data = r.getIndexCommit().getUserData();
            if (!data.containsKey(DIM) || !data.containsKey(ROWS) || r.leaves().size() > 1) {
                r.close();
                throw new IOException(dir + " is not an embed4j HNSW index (no row count, or several segments)");
            }
            int bits = Integer.parseInt(data.getOrDefault(BITS, Integer.toString(FLOAT_BITS)));
            if (bits != FLOAT_BITS && bits != 8 && bits != 7 && bits != 4) {
                r.close();
                throw new IOException(dir + " holds " + bits + "-bit vectors, which this version cannot read:"
                        + " rebuild it with ./embed4j index");
            }
            try {
                return new HnswIndex(d, r, Integer.parseInt(data.get(DIM)), Integer.parseInt(data.get(ROWS)), bits);
            } catch (IOException | RuntimeException e) {
                r.close();
                throw e;
            }
        } catch (IOException | RuntimeException e) {
            d.close();
            throw e;
        }
    }

    /** The user data of an index's commit: dimension, rows and bits a coordinate. */
    static Map<String, String> commitData(int dim, int rows, int bits) {
        return Map.of(DIM, Integer.toString(dim), ROWS, Integer.toString(rows), BITS, Integer.toString(bits));
    }

    /** Bits a stored coordinate has in the graph: 32 for float vectors. */
    public int bits() {
        return bits;
    }

    /** Rows indexed. */
    public int size() {
        return rows;
    }

    /** Vector dimension D. */
    public int dim() {
        return dim;
    }

    /** Bytes of the index files. */
    public static long size(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile)
                    .mapToLong(p -> {
                        try {
                            return Files.size(p);
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    })
                    .sum();
        }
    }

    /**
     * The k rows of (approximately) highest cosine with {@code query}, best first, exploring {@code ef} candidates
     * (raised to k when smaller). A zero or non-finite query is an {@link IllegalArgumentException}.
     */
    public Hits search(float[] query, int k, int ef) {
        Objects.requireNonNull(query, "query");
        if (query.length != dim) {
            throw new IllegalArgumentException("query has " + query.length + " floats, expected dim " + dim);
        }
        if (k < 0) {
            throw new IllegalArgumentException("k must be >= 0, got " + k);
        }
        float[] q = query.clone();
        if (!normalize(q, "query")) {
            throw new IllegalArgumentException("query has a zero vector: no cosine neighbours");
        }
        if (k == 0 || leaf == null) {
            return new Hits(k, new int[k], new float[k], new int[1]);
        }
        int candidates = Math.max(k, ef);
        KnnCollector top = new TopKnnCollector(candidates, Integer.MAX_VALUE);
        try {
            leaf.searchNearestVectors(FIELD, q, top, AcceptDocs.fromLiveDocs(null, leaf.maxDoc()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ScoreDoc[] docs = top.topDocs().scoreDocs.clone();
        float[] cos = bits == FLOAT_BITS ? fromLuceneScores(docs) : rescore(docs, q);
        Integer[] order = new Integer[docs.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, Comparator.comparingDouble((Integer i) -> -cos[i]).thenComparingInt(i -> row(docs[i].doc)));
        int n = Math.min(k, docs.length);
        Hits out = new Hits(k, new int[k], new float[k], new int[] {n});
        for (int i = 0; i < n; i++) {
            out.rows()[i] = row(docs[order[i]].doc);
            out.scores()[i] = cos[order[i]];
        }
        return out;
    }

    /** Lucene's dot-product scores, (1 + cos) / 2, as cosines. */
    private static float[] fromLuceneScores(ScoreDoc[] docs) {
        float[] cos = new float[docs.length];
        for (int i = 0; i < docs.length; i++) {
            cos[i] = 2 * docs[i].score - 1;
        }
        return cos;
    }

    /** The exact cosines of the hits with the (unit) query, from the float vectors stored beside the quantized ones. */
    private float[] rescore(ScoreDoc[] docs, float[] q) {
        Arrays.sort(docs, Comparator.comparingInt((ScoreDoc s) -> s.doc));
        float[] cos = new float[docs.length];
        try {
            FloatVectorValues values = leaf.getFloatVectorValues(FIELD);
            KnnVectorValues.DocIndexIterator it = values.iterator();
            for (int i = 0; i < docs.length; i++) {
                if (it.advance(docs[i].doc) != docs[i].doc) {
                    throw new IllegalStateException("HNSW hit " + docs[i].doc + " has no stored vector");
                }
                cos[i] = VectorUtil.dotProduct(q, values.vectorValue(it.index()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return cos;
    }

    @Override
    public void close() throws IOException {
        try {
            reader.close();
        } finally {
            dir.close();
        }
    }

    @Override
    public String toString() {
        return "HnswIndex(" + rows + " rows, dim " + dim + (bits == FLOAT_BITS ? "" : ", " + bits + "-bit") + ")";
    }

    /** Scales {@code v} to unit length; false (v untouched) when it is zero. Non-finite values are refused. */
    static boolean normalize(float[] v, String what) {
        double n2 = 0;
        for (float x : v) {
            n2 += (double) x * x;
        }
        if (!Double.isFinite(n2)) {
            throw new IllegalArgumentException(what + " has a non-finite value");
        }
        if (n2 == 0) {
            return false;
        }
        float inv = (float) (1 / Math.sqrt(n2));
        for (int i = 0; i < v.length; i++) {
            v[i] *= inv;
        }
        return true;
    }

    /** Moves the finished index into place: an old index at {@code target} is moved aside first, then deleted. */
    private static void replace(Path tmp, Path target) throws IOException {
        Path old = null;
        if (Files.exists(target)) {
            old = target.resolveSibling(target.getFileName() + ".old-" + System.nanoTime());
            Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
        }
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        if (old != null) {
            deleteTree(old);
        }
    }

    private static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            for (Path x : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(x);
            }
        }
    }
}
