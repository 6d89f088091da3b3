package org.embed4j.vectors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.embed4j.testing.RandomVectors;
import org.junit.jupiter.api.Test;

/**
 * Exact search answers: the int8 scan with float rescoring returns exactly the float search's rows and scores (bit
 * for bit) on random and clustered fixtures, with and without exclusions; the float search equals a brute-force
 * double-precision ranking where the gaps are wide; inputs are checked.
 */
class ExactSearchTest {

    /** Rows around a few centres: many close neighbours, the hard case for a candidate pool. */
    static float[] clustered(long seed, int v, int d, int centres) {
        Random r = new Random(seed);
        float[] c = RandomVectors.gaussian(seed + 1, centres * d);
        float[] w = new float[v * d];
        for (int i = 0; i < v; i++) {
            int cc = r.nextInt(centres);
            for (int j = 0; j < d; j++) {
                w[i * d + j] = c[cc * d + j] + 0.3f * (float) r.nextGaussian();
            }
        }
        return w;
    }

    private static void assertSameHits(Hits want, Hits got, String what) {
        assertArrayEquals(want.found(), got.found(), what + ": found");
        for (int j = 0; j < want.queries(); j++) {
            assertArrayEquals(want.rows(j), got.rows(j), what + ": rows of query " + j);
            assertArrayEquals(want.scores(j), got.scores(j), what + ": scores of query " + j);
        }
    }

    @Test
    void int8WithRescoringEqualsFloatSearch() {
        for (int d : new int[] {7, 33, 100}) {
            for (float[] rows : new float[][] {RandomVectors.gaussian(3, 5000 * d), clustered(4, 5000, d, 20)}) {
                ExactSearch exact = ExactSearch.of(rows, d);
                ExactSearch int8 = exact.withInt8();
                int q = 37;
                float[] queries = clustered(9, q, d, 20);
                for (int k : new int[] {1, 10, 50}) {
                    assertSameHits(exact.search(queries, q, k), int8.search(queries, q, k), "d=" + d + " k=" + k);
                    int[] exclude = new int[q];
                    for (int j = 0; j < q; j++) {
                        exclude[j] =
                                j % 3 == 0 ? -1 : exact.search(queries, q, 1).rows()[j];
                    }
                    assertSameHits(
                            exact.search(queries, q, k, exclude),
                            int8.search(queries, q, k, exclude),
                            "d=" + d + " k=" + k + " with exclusions");
                }
                assertTrue(int8.fallbacks() < int8.queries(), "most int8 answers are certified: " + int8.fallbacks());
            }
        }
    }

    @Test
    void floatSearchMatchesBruteForce() {
        int d = 16;
        int v = 300;
        float[] rows = RandomVectors.gaussian(5, v * d);
        float[] q = RandomVectors.gaussian(6, d);
        Hits h = ExactSearch.of(rows, d).withInt8().search(q, 1, v);
        assertEquals(v, h.found()[0]);
        double prev = Double.POSITIVE_INFINITY;
        for (int i = 0; i < v; i++) {
            int r = h.rows(0)[i];
            double cos = WordVectors.cosine(q, java.util.Arrays.copyOfRange(rows, r * d, r * d + d));
            assertEquals(cos, h.scores(0)[i], 1e-5, "row " + r);
            assertTrue(cos <= prev + 1e-5, "descending at " + i);
            prev = cos;
        }
    }

    @Test
    void badInput() {
        ExactSearch s = ExactSearch.of(RandomVectors.gaussian(1, 40), 4).withInt8();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> s.search(new float[8], 2, 3));
        assertTrue(e.getMessage().contains("query 0"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> s.search(new float[5], 1, 3));
        assertThrows(IllegalArgumentException.class, () -> s.search(new float[] {1, Float.NaN, 0, 0}, 1, 3));
        assertThrows(IllegalArgumentException.class, () -> s.search(new float[] {1, 0, 0, 0}, 1, -1));
        assertThrows(IndexOutOfBoundsException.class, () -> s.search(new float[] {1, 0, 0, 0}, 1, 3, new int[] {10}));
        assertEquals(10, s.search(new float[] {1, 0, 0, 0}, 1, 99).found()[0], "k clipped to V");
    }
}
