package org.embed4j.search;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Arrays;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.NumericDocValues;
import org.apache.lucene.store.MMapDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The locality order: a permutation of the non-zero rows, the same every time, with near rows next to each other. */
class LocalityOrderTest {
    @Test
    void orderHoldsEveryNonZeroRowOnceAndKeepsNearRowsTogether() {
        int v = 6000;
        int d = 20;
        float[] rows = HnswIndexTest.clustered(61, v, d, 50);
        Arrays.fill(rows, 17 * d, 18 * d, 0f);
        Arrays.fill(rows, 4000 * d, 4001 * d, 0f);
        HnswIndex.RowReader source = (r, out) -> System.arraycopy(rows, r * d, out, 0, d);
        int[] order = LocalityOrder.of(source, v, d);
        assertEquals(v - 2, order.length, "the two zero rows are left out");
        int[] sorted = order.clone();
        Arrays.sort(sorted);
        for (int i = 0, r = 0; i < sorted.length; i++, r++) {
            if (r == 17 || r == 4000) {
                r++;
            }
            assertEquals(r, sorted[i], "every non-zero row once");
        }
        assertArrayEquals(order, LocalityOrder.of(source, v, d), "deterministic");
        int[] identity = sorted; // the rows' own order: the clusters are interleaved at random
        double ordered = meanNeighbourCosine(rows, d, order);
        double unordered = meanNeighbourCosine(rows, d, identity);
        assertTrue(
                ordered > unordered + 0.3,
                "consecutive rows are nearer in the order: cosine " + ordered + " against " + unordered);
    }

    @Test
    void aOneThreadBuildWritesItsDocumentsInLocalityOrder(@TempDir Path tmp) throws Exception {
        int v = 3000;
        int d = 16;
        float[] rows = HnswIndexTest.clustered(71, v, d, 20);
        Arrays.fill(rows, 5 * d, 6 * d, 0f);
        HnswIndex.RowReader source = (r, out) -> System.arraycopy(rows, r * d, out, 0, d);
        Path dir = tmp.resolve("graph");
        HnswIndex.build(source, v, d, dir, HnswIndex.Options.defaults());
        int[] docs;
        try (var fs = new MMapDirectory(dir);
                var reader = DirectoryReader.open(fs)) {
            LeafReader leaf = reader.leaves().get(0).reader();
            NumericDocValues row = leaf.getNumericDocValues(HnswBuilder.ROW);
            docs = new int[leaf.maxDoc()];
            for (int doc = 0; doc < docs.length; doc++) {
                assertTrue(row.advanceExact(doc));
                docs[doc] = (int) row.longValue();
            }
        }
        assertArrayEquals(LocalityOrder.of(source, v, d), docs, "document d is the d-th row of the locality order");
        try (HnswIndex index = HnswIndex.open(dir)) {
            for (int r : new int[] {0, 4, 6, 1234, v - 1}) {
                assertEquals(
                        r,
                        index.search(Arrays.copyOfRange(rows, r * d, r * d + d), 1, 50)
                                .rows()[0]);
            }
        }
    }

    @Test
    void aNonFiniteRowIsRefused() {
        float[] rows = new float[300 * 4];
        Arrays.fill(rows, 1f);
        rows[123 * 4 + 2] = Float.NaN;
        var e = assertThrows(
                IllegalArgumentException.class,
                () -> LocalityOrder.of((r, out) -> System.arraycopy(rows, r * 4, out, 0, 4), 300, 4));
        assertTrue(e.getMessage().contains("row 123"), e.getMessage());
    }

    private static double meanNeighbourCosine(float[] rows, int d, int[] order) {
        double sum = 0;
        for (int i = 1; i < order.length; i++) {
            sum += org.embed4j.vectors.WordVectors.cosine(
                    Arrays.copyOfRange(rows, order[i - 1] * d, order[i - 1] * d + d),
                    Arrays.copyOfRange(rows, order[i] * d, order[i] * d + d));
        }
        return sum / (order.length - 1);
    }
}
