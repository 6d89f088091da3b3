package org.embed4j.search;

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
import org.apache.lucene.index.NoMergePolicy;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.Sort;
import org.apache.lucene.search.SortField;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.MMapDirectory;
import org.apache.lucene.util.quantization.QuantizedByteVectorValues.ScalarEncoding;

/**
 * Writes the Lucene index of an {@link HnswIndex} into an empty directory. One build thread adds row v as document v
 * of the only segment. With several, each thread adds a contiguous share of the rows into its own segment (building
 * that segment's graph) and the segments are then merged into one by Lucene's concurrent HNSW merge with one worker
 * a thread; the index is sorted on a {@code row} doc-values field, so that document v is still row v.
 */
final class HnswBuilder {
    private static final String ROW = "row";

    private HnswBuilder() {}

    static void write(HnswIndex.RowReader source, int rows, int dim, Path dir, HnswIndex.Options o) throws IOException {
        int threads = Math.max(1, Math.min(o.buildThreads(), rows / 1024));
        try (ExecutorService merge = threads > 1 ? Executors.newFixedThreadPool(threads) : null) {
            IndexWriterConfig config = new IndexWriterConfig()
                    .setCodec(codec(o, threads, merge))
                    .setOpenMode(IndexWriterConfig.OpenMode.CREATE)
                    .setMergePolicy(threads > 1 ? new LogDocMergePolicy() : NoMergePolicy.INSTANCE)
                    // one segment a thread: flush only at commit (a 1M x 100 graph needs ~0.7 GB; the per-thread
                    // hard limit is 1945 MB)
                    .setMaxBufferedDocs(IndexWriterConfig.DISABLE_AUTO_FLUSH)
                    .setRAMBufferSizeMB(1900)
                    .setUseCompoundFile(false);
            if (threads > 1) {
                config.setIndexSort(new Sort(new SortField(ROW, SortField.Type.LONG)));
            }
            try (Directory d = new MMapDirectory(dir);
                    IndexWriter w = new IndexWriter(d, config)) {
                if (threads == 1) {
                    add(w, source, 0, rows, dim, false);
                } else {
                    addInParallel(w, source, rows, dim, threads);
                    w.commit();
                    w.forceMerge(1);
                }
                w.setLiveCommitData(HnswIndex.commitData(dim, rows, o.bits()).entrySet());
                w.commit();
            }
        }
    }

    private static void addInParallel(IndexWriter w, HnswIndex.RowReader source, int rows, int dim, int threads)
            throws IOException {
        try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
            List<Future<?>> parts = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int from = (int) ((long) rows * t / threads);
                int to = (int) ((long) rows * (t + 1) / threads);
                parts.add(pool.submit(() -> {
                    add(w, source, from, to, dim, true);
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

    private static void add(IndexWriter w, HnswIndex.RowReader source, int from, int to, int dim, boolean rowField)
            throws IOException {
        float[] row = new float[dim];
        for (int r = from; r < to; r++) {
            source.row(r, row);
            Document doc = new Document();
            if (rowField) {
                doc.add(new NumericDocValuesField(ROW, r));
            }
            if (HnswIndex.normalize(row, "row " + r)) {
                doc.add(new KnnFloatVectorField(HnswIndex.FIELD, row.clone(), VectorSimilarityFunction.DOT_PRODUCT));
            }
            w.addDocument(doc);
        }
    }

    private static Lucene104Codec codec(HnswIndex.Options o, int threads, ExecutorService merge) {
        KnnVectorsFormat format = o.bits() == HnswIndex.FLOAT_BITS
                ? new Lucene99HnswVectorsFormat(o.maxConn(), o.beamWidth(), threads, merge)
                : new Lucene104HnswScalarQuantizedVectorsFormat(
                        encoding(o.bits()), o.maxConn(), o.beamWidth(), threads, merge);
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
