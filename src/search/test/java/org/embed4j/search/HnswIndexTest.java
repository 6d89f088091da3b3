package org.embed4j.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.embed4j.testing.RandomVectors;
import org.embed4j.vectors.ExactSearch;
import org.embed4j.vectors.Hits;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The HNSW graph against exact search: recall@10 on a clustered random set, mapped round trip, zero rows, input. */
class HnswIndexTest {
    @TempDir
    Path tmp;

    static float[] clustered(long seed, int v, int d, int centres) {
        Random r = new Random(seed);
        float[] c = RandomVectors.gaussian(seed + 1, centres * d);
        float[] w = new float[v * d];
        for (int i = 0; i < v; i++) {
            int cc = r.nextInt(centres);
            for (int j = 0; j < d; j++) {
                w[i * d + j] = c[cc * d + j] + 0.5f * (float) r.nextGaussian();
            }
        }
        return w;
    }

    @Test
    void recallAgainstExactSearchAfterAMappedRoundTrip() throws Exception {
        int v = 4000;
        int d = 32;
        float[] rows = clustered(21, v, d, 40);
        Arrays.fill(rows, 7 * d, 8 * d, 0f); // a zero row: never a neighbour
        Path dir = HnswIndex.besideModel(tmp.resolve("rows.e4jv"));
        long bytes = HnswIndex.build(
                (r, out) -> System.arraycopy(rows, r * d, out, 0, d), v, d, dir, HnswIndex.Options.defaults());
        assertTrue(bytes > (long) v * d * 4, "the index holds the vectors and the graph: " + bytes);
        // rebuilding replaces the index in place
        HnswIndex.build((r, out) -> System.arraycopy(rows, r * d, out, 0, d), v, d, dir, HnswIndex.Options.defaults());
        try (var files = Files.list(tmp)) {
            assertEquals(1, files.count(), "only the index directory is left beside the model");
        }
        ExactSearch exact = ExactSearch.of(rows, d);
        float[] queries = clustered(22, 200, d, 40);
        try (HnswIndex index = HnswIndex.open(dir)) {
            assertEquals(v, index.size());
            int hit = 0;
            for (int j = 0; j < 200; j++) {
                float[] q = Arrays.copyOfRange(queries, j * d, j * d + d);
                Hits want = exact.search(q, 1, 10);
                Hits got = index.search(q, 10, 100);
                Set<Integer> truth = new HashSet<>();
                for (int r : want.rows(0)) {
                    truth.add(r);
                }
                for (int i = 0; i < got.found()[0]; i++) {
                    int r = got.rows()[i];
                    assertTrue(r != 7, "the zero row is never returned");
                    if (truth.contains(r)) {
                        hit++;
                        double cos =
                                org.embed4j.vectors.WordVectors.cosine(q, Arrays.copyOfRange(rows, r * d, r * d + d));
                        assertEquals(cos, got.scores()[i], 1e-4, "the score is the cosine");
                    }
                }
            }
            double recall = hit / 2000.0;
            assertTrue(recall >= 0.95, "recall@10 " + recall);
            assertThrows(IllegalArgumentException.class, () -> index.search(new float[d], 10, 100));
            assertThrows(IllegalArgumentException.class, () -> index.search(new float[3], 10, 100));
        }
        assertThrows(java.io.IOException.class, () -> HnswIndex.open(tmp.resolve("missing")));
    }

    /** recall@10 of {@code index} at ef 100 against exact search; every returned score is the exact cosine. */
    static double recall(HnswIndex index, float[] rows, int d, float[] queries) {
        ExactSearch exact = ExactSearch.of(rows, d);
        int n = queries.length / d;
        int hit = 0;
        for (int j = 0; j < n; j++) {
            float[] q = Arrays.copyOfRange(queries, j * d, j * d + d);
            Set<Integer> truth = new HashSet<>();
            for (int r : exact.search(q, 1, 10).rows(0)) {
                truth.add(r);
            }
            Hits got = index.search(q, 10, 100);
            for (int i = 0; i < got.found()[0]; i++) {
                int r = got.rows()[i];
                hit += truth.contains(r) ? 1 : 0;
                double cos = org.embed4j.vectors.WordVectors.cosine(q, Arrays.copyOfRange(rows, r * d, r * d + d));
                assertEquals(cos, got.scores()[i], 1e-4, "the score of row " + r + " is its exact cosine");
                assertTrue(i == 0 || got.scores()[i] <= got.scores()[i - 1], "best first");
            }
        }
        return hit / (10.0 * n);
    }

    @Test
    void quantizedGraphsRescoreWithTheFloatVectors() throws Exception {
        int v = 4000;
        int d = 32;
        float[] rows = clustered(31, v, d, 40);
        float[] queries = clustered(32, 100, d, 40);
        for (int bits : new int[] {8, 7, 4}) {
            Path dir = tmp.resolve("q" + bits);
            HnswIndex.build(
                    (r, out) -> System.arraycopy(rows, r * d, out, 0, d),
                    v,
                    d,
                    dir,
                    HnswIndex.Options.defaults().withBits(bits));
            try (HnswIndex index = HnswIndex.open(dir)) {
                assertEquals(bits, index.bits());
                assertTrue(index.toString().contains(bits + "-bit"), index.toString());
                double recall = recall(index, rows, d, queries);
                assertTrue(recall >= 0.9, bits + " bits: recall@10 " + recall);
            }
        }
    }

    @Test
    void severalBuildThreadsKeepDocumentsAsRows() throws Exception {
        int v = 5000;
        int d = 24;
        float[] rows = clustered(41, v, d, 30);
        Arrays.fill(rows, 4321 * d, 4322 * d, 0f);
        Path dir = tmp.resolve("threads");
        HnswIndex.build(
                (r, out) -> System.arraycopy(rows, r * d, out, 0, d),
                v,
                d,
                dir,
                HnswIndex.Options.defaults().withBuildThreads(3));
        try (HnswIndex index = HnswIndex.open(dir)) {
            assertEquals(v, index.size());
            for (int r : new int[] {0, 1, 1666, 1667, 3333, 3334, 4320, 4322, v - 1}) {
                Hits h = index.search(Arrays.copyOfRange(rows, r * d, r * d + d), 1, 50);
                assertEquals(r, h.rows()[0], "a row's own vector finds that row");
            }
            double recall = recall(index, rows, d, clustered(42, 100, d, 30));
            assertTrue(recall >= 0.95, "recall@10 " + recall);
        }
    }

    /** A one-segment Lucene index of the rows with the given commit data, written without {@link HnswIndex#build}. */
    static void writeRaw(Path dir, float[] rows, int d, java.util.Map<String, String> commitData) throws Exception {
        Files.createDirectories(dir);
        try (var fs = new org.apache.lucene.store.MMapDirectory(dir);
                var w = new org.apache.lucene.index.IndexWriter(fs, new org.apache.lucene.index.IndexWriterConfig())) {
            for (int r = 0; r < rows.length / d; r++) {
                float[] x = Arrays.copyOfRange(rows, r * d, r * d + d);
                HnswIndex.normalize(x, "row");
                var doc = new org.apache.lucene.document.Document();
                doc.add(new org.apache.lucene.document.KnnFloatVectorField(
                        HnswIndex.FIELD, x, org.apache.lucene.index.VectorSimilarityFunction.DOT_PRODUCT));
                w.addDocument(doc);
            }
            w.setLiveCommitData(commitData.entrySet());
            w.forceMerge(1);
            w.commit();
        }
    }

    @Test
    void anIndexWithoutABitCountHoldsFloatVectors() throws Exception {
        int d = 16;
        float[] rows = RandomVectors.gaussian(51, 500 * d);
        // the commit data of indexes written before the bit count was recorded
        Path plain = tmp.resolve("plain");
        writeRaw(plain, rows, d, java.util.Map.of("embed4j.dim", "16", "embed4j.rows", "500"));
        try (HnswIndex index = HnswIndex.open(plain)) {
            assertEquals(32, index.bits());
            assertTrue(recall(index, rows, d, RandomVectors.gaussian(52, 20 * d)) >= 0.95);
        }
        Path odd = tmp.resolve("odd");
        writeRaw(odd, rows, d, java.util.Map.of("embed4j.dim", "16", "embed4j.rows", "500", "embed4j.bits", "5"));
        var e = assertThrows(java.io.IOException.class, () -> HnswIndex.open(odd));
        assertTrue(e.getMessage().contains("5-bit"), e.getMessage());
    }

    @Test
    void badOptionsNameTheValue() {
        var bits = assertThrows(IllegalArgumentException.class, () -> new HnswIndex.Options(16, 100, 5, 1));
        assertTrue(bits.getMessage().contains("got 5"), bits.getMessage());
        var threads = assertThrows(IllegalArgumentException.class, () -> new HnswIndex.Options(16, 100, 32, 0));
        assertTrue(threads.getMessage().contains("buildThreads")
                && threads.getMessage().contains("got 0"));
        var many = assertThrows(IllegalArgumentException.class, () -> new HnswIndex.Options(16, 100, 8, 65));
        assertTrue(many.getMessage().contains("got 65"), many.getMessage());
        var m = assertThrows(IllegalArgumentException.class, () -> new HnswIndex.Options(1, 100));
        assertTrue(m.getMessage().contains("got 1"), m.getMessage());
    }
}
