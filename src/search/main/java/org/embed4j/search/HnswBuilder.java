package org.embed4j.search;

import static org.apache.lucene.codecs.lucene99.Lucene99HnswVectorsFormat.HNSW_GRAPH_THRESHOLD;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.codecs.lucene104.Lucene104Codec;
import org.apache.lucene.codecs.lucene104.Lucene104HnswScalarQuantizedVectorsFormat;
import org.apache.lucene.codecs.lucene99.Lucene99HnswVectorsFormat;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.document.NumericDocValuesField;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.LogDocMergePolicy;
import org.apache.lucene.index.MergePolicy;
import org.apache.lucene.index.NoMergePolicy;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.Sort;
import org.apache.lucene.search.SortField;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.MMapDirectory;
import org.apache.lucene.util.quantization.QuantizedByteVectorValues.ScalarEncoding;

/**
 * Writes the Lucene index of an {@link HnswIndex} into an empty directory. Every non-zero row becomes a document with
 * a vector and its row number in a {@code row} doc-values field; zero rows are left out, so every document has a
 * vector. Rows are added in row order, which is the order the graph inserts them in: an order unrelated to where the
 * rows lie, as HNSW needs (inserting clustered rows one cluster after another builds a graph of lower recall).
 *
 * <p>One build thread builds the graph as the rows arrive, and the index is sorted on each row's position in
 * {@link LocalityOrder}: when the segment is written, Lucene renumbers the graph's nodes into that order, so near rows
 * are near in the vector and graph files and a search touches fewer pages and cache lines. With several threads,
 * each first adds a contiguous share of the rows without a graph into its own segment, and Lucene's concurrent HNSW
 * merge, finding no graph to start from, inserts every document into one new graph with one worker a thread; it
 * inserts in document order, so these documents stay in row order (sorted on {@code row}), without the locality
 * order.
 */
final class HnswBuilder {
    static final String ROW = "row";
    private static final String POS = "pos";

    /** A segment of fewer vectors than this gets no graph: the rows of a parallel build wait for the merge. */
    private static final int NO_GRAPH = Integer.MAX_VALUE;

    private HnswBuilder() {}

    static void write(HnswIndex.RowReader source, int rows, int dim, Path dir, HnswIndex.Options o) throws IOException {
        int threads = Math.max(1, Math.min(o.buildThreads(), rows / 1024));
        try (Directory d = new MMapDirectory(dir)) {
            if (threads == 1) {
                int[] order = LocalityOrder.of(source, rows, dim);
                long[] pos = new long[rows];
                for (int i = 0; i < order.length; i++) {
                    pos[order[i]] = i;
                }
                try (IndexWriter w = new IndexWriter(
                        d, config(codec(o, 1, null, HNSW_GRAPH_THRESHOLD), NoMergePolicy.INSTANCE, POS))) {
                    add(w, source, 0, rows, dim, pos);
                    commit(w, dim, rows, o);
                }
                return;
            }
            try (IndexWriter w = new IndexWriter(d, config(codec(o, 1, null, NO_GRAPH), NoMergePolicy.INSTANCE, ROW))) {
                addInParallel(w, source, rows, dim, threads);
                w.commit();
            }
            try (ExecutorService merge = Executors.newFixedThreadPool(threads);
                    IndexWriter w = new IndexWriter(
                            d,
                            config(codec(o, threads, merge, HNSW_GRAPH_THRESHOLD), new LogDocMergePolicy(), ROW)
                                    .setOpenMode(IndexWriterConfig.OpenMode.APPEND))) {
                w.forceMerge(1);
                commit(w, dim, rows, o);
            }
        }
    }

    private static IndexWriterConfig config(Lucene104Codec codec, MergePolicy merges, String sortField) {
        IndexWriterConfig config = new IndexWriterConfig()
                .setCodec(codec)
                .setOpenMode(IndexWriterConfig.OpenMode.CREATE)
                .setMergePolicy(merges)
                // one segment a thread: flush only at commit (a 1M x 100 graph needs ~0.7 GB; the per-thread
                // hard limit is 1945 MB)
                .setMaxBufferedDocs(IndexWriterConfig.DISABLE_AUTO_FLUSH)
                .setRAMBufferSizeMB(1900)
                .setUseCompoundFile(false);
        config.setIndexSort(new Sort(new SortField(sortField, SortField.Type.LONG)));
        return config;
    }

    private static void commit(IndexWriter w, int dim, int rows, HnswIndex.Options o) throws IOException {
        w.setLiveCommitData(HnswIndex.commitData(dim, rows, o.bits()).entrySet());
        w.commit();
    }

    private static void addInParallel(IndexWriter w, HnswIndex.RowReader source, int rows, int dim, int threads)
            throws IOException {
        try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
            List<Future<?>> parts = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int from = (int) ((long) rows * t / threads);
                int to = (int) ((long) rows * (t + 1) / threads);
                parts.add(pool.submit(() -> {
                    add(w, source, from, to, dim, null);
                    return null;
                }));
            }
            for (Future<?> f : parts) {
                f.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("HNSW build interrupted", e);
        } catch (ExecutionException e) {
            switch (e.getCause()) {
                case IOException io -> throw io;
                case RuntimeException r -> throw r;
                default -> throw new IOException(e.getCause());
            }
        }
    }

    /** Adds the non-zero rows among {@code from .. to)}, with their positions in the locality order when given. */
    private static void add(IndexWriter w, HnswIndex.RowReader source, int from, int to, int dim, long[] pos)
            throws IOException {
        float[] row = new float[dim];
        for (int r = from; r < to; r++) {
            source.row(r, row);
            if (!HnswIndex.normalize(row, "row " + r)) {
                continue;
            }
            Document doc = new Document();
            doc.add(new NumericDocValuesField(ROW, r));
            if (pos != null) {
                doc.add(new NumericDocValuesField(POS, pos[r]));
            }
            doc.add(new KnnFloatVectorField(HnswIndex.FIELD, row.clone(), VectorSimilarityFunction.DOT_PRODUCT));
            w.addDocument(doc);
        }
    }

    private static Lucene104Codec codec(HnswIndex.Options o, int threads, ExecutorService merge, int graphThreshold) {
        KnnVectorsFormat format = o.bits() == HnswIndex.FLOAT_BITS
                ? new Lucene99HnswVectorsFormat(o.maxConn(), o.beamWidth(), threads, merge, graphThreshold)
                : new Lucene104HnswScalarQuantizedVectorsFormat(
                        encoding(o.bits()), o.maxConn(), o.beamWidth(), threads, merge, graphThreshold);
        return new Lucene104Codec() {
            @Override
            public KnnVectorsFormat getKnnVectorsFormatForField(String field) {
                return format;
            }
        };
    }

    static ScalarEncoding encoding(int bits) {
        return switch (bits) {
            case 8 -> ScalarEncoding.UNSIGNED_BYTE;
            case 7 -> ScalarEncoding.SEVEN_BIT;
            case 4 -> ScalarEncoding.PACKED_NIBBLE;
            default -> throw new IllegalArgumentException("bits must be 32, 8, 7 or 4, got " + bits);
        };
    }
}
