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
}
