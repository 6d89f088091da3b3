package org.embed4j.vectors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.embed4j.testing.RandomVectors;
import org.embed4j.text.Subwords;
import org.junit.jupiter.api.Test;

/** WordVectors queries against a brute-force reference computed here in double precision. */
class WordVectorsTest {
    private static final int V = 300;
    private static final int D = 17;
    private static final double TOL = 1e-5;

    private final List<String> words = RandomVectors.words(V);
    private final float[] data = zeroRow(RandomVectors.gaussian(42, V * D), 7);
    private final WordVectors wv = WordVectors.of(words, data, D);

    /** Row 7 is all zeros: it must never be a neighbour. */
    private static float[] zeroRow(float[] x, int row) {
        java.util.Arrays.fill(x, row * D, row * D + D, 0f);
        return x;
    }

    private float[] row(int i) {
        float[] r = new float[D];
        System.arraycopy(data, i * D, r, 0, D);
        return r;
    }

    private static double cos(float[] a, float[] b) {
        double dot = 0;
        double na = 0;
        double nb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += (double) a[i] * b[i];
            na += (double) a[i] * a[i];
            nb += (double) b[i] * b[i];
        }
        return na == 0 || nb == 0 ? Double.NEGATIVE_INFINITY : dot / Math.sqrt(na * nb);
    }

    private record Scored(int row, double score) {}

    /** Reference top-k: all rows scored in double, excluded rows and zero rows dropped, ties to the lower row. */
    private static List<Scored> topK(double[] scores, int k, int... exclude) {
        List<Scored> all = new ArrayList<>();
        outer:
        for (int r = 0; r < scores.length; r++) {
            for (int e : exclude) {
                if (e == r) {
                    continue outer;
                }
            }
            if (scores[r] != Double.NEGATIVE_INFINITY) {
                all.add(new Scored(r, scores[r]));
            }
        }
        all.sort(Comparator.comparingDouble(Scored::score).reversed().thenComparingInt(Scored::row));
        return all.subList(0, Math.min(k, all.size()));
    }

    private void assertSame(List<Scored> expected, List<Neighbor> actual) {
        assertEquals(expected.size(), actual.size(), "number of neighbours");
        for (int i = 0; i < expected.size(); i++) {
            Scored e = expected.get(i);
            Neighbor a = actual.get(i);
            assertEquals(e.score(), a.score(), TOL, "score at position " + i);
            // a swap of two candidates whose scores agree to float precision is not an error
            if (!words.get(e.row()).equals(a.word())) {
                assertTrue(
                        Math.abs(e.score() - a.score()) < 1e-6,
                        "position " + i + ": expected " + words.get(e.row()) + " (" + e.score() + "), got " + a);
            }
        }
    }

    @Test
    void lookup() {
        assertEquals(V, wv.size());
        assertEquals(D, wv.dim());
        assertEquals(words, wv.words());
        assertEquals(3, wv.indexOf(words.get(3)));
        assertEquals(-1, wv.indexOf("absent"));
        assertTrue(wv.contains("w10"));
        assertFalse(wv.contains("absent"));
        assertArrayEquals(row(11), wv.vector("w11"));
        assertThrows(UnsupportedOperationException.class, () -> wv.words().add("x"));
        NoSuchElementException e = assertThrows(NoSuchElementException.class, () -> wv.vector("absent"));
        assertTrue(e.getMessage().contains("absent"), e.getMessage());
    }

    @Test
    void nearestMatchesBruteForce() {
        for (int q : new int[] {0, 1, 50, 299}) {
            double[] scores = new double[V];
            for (int r = 0; r < V; r++) {
                scores[r] = cos(row(q), row(r));
            }
            for (int k : new int[] {1, 5, 10}) {
                assertSame(topK(scores, k, q), wv.nearest(words.get(q), k));
            }
            List<Neighbor> byVector = wv.nearest(row(q), 4);
            assertEquals(words.get(q), byVector.get(0).word(), "a vector's own word comes first");
            assertSame(topK(scores, 4), byVector);
        }
    }

    @Test
    void batchNearestEqualsSingle() {
        List<String> queries = List.of("w20", "w21", words.get(0), "w299");
        List<List<Neighbor>> batch = wv.nearest(queries, 6);
        for (int i = 0; i < queries.size(); i++) {
            assertEquals(wv.nearest(queries.get(i), 6), batch.get(i));
        }
    }

    @Test
    void nearestEdgeCases() {
        assertEquals(List.of(), wv.nearest("w3", 0));
        // all rows but the query and the zero row
        assertEquals(V - 2, wv.nearest("w3", 10_000).size());
        assertThrows(IllegalArgumentException.class, () -> wv.nearest("w3", -1));
        assertThrows(IllegalArgumentException.class, () -> wv.nearest(new float[D + 1], 3));
        assertThrows(IllegalArgumentException.class, () -> wv.nearest(new float[D], 3));
        assertThrows(IllegalArgumentException.class, () -> wv.nearest("w7", 3), "zero vector");
        assertThrows(NoSuchElementException.class, () -> wv.nearest("absent", 3));
    }

    @Test
    void similarityIsCosine() {
        assertEquals(cos(row(3), row(9)), wv.similarity("w3", "w9"), 1e-12);
        assertEquals(1.0, wv.similarity("w3", "w3"), 1e-12);
        assertEquals(0.0, wv.similarity("w3", "w7"), 0.0, "zero vector");
    }

    @Test
    void analogyCosAddMatchesBruteForce() {
        int a = 10;
        int b = 11;
        int c = 12;
        double[] scores = new double[V];
        for (int r = 0; r < V; r++) {
            scores[r] =
                    r == 7 ? Double.NEGATIVE_INFINITY : cos(row(r), row(b)) - cos(row(r), row(a)) + cos(row(r), row(c));
        }
        assertSame(topK(scores, 5, a, b, c), wv.analogy("w10", "w11", "w12", 5, AnalogyMethod.COS_ADD));
    }

    @Test
    void analogyCosMulMatchesBruteForce() {
        int a = 20;
        int b = 21;
        int c = 22;
        double[] scores = new double[V];
        for (int r = 0; r < V; r++) {
            double ca = (cos(row(r), row(a)) + 1) / 2;
            double cb = (cos(row(r), row(b)) + 1) / 2;
            double cc = (cos(row(r), row(c)) + 1) / 2;
            scores[r] = r == 7 ? Double.NEGATIVE_INFINITY : cb * cc / (ca + 1e-3);
        }
        assertSame(topK(scores, 7, a, b, c), wv.analogy("w20", "w21", "w22", 7, AnalogyMethod.COS_MUL));
    }

    @Test
    void analogyRecoversAPlantedAnswer() {
        WordVectors small = RandomVectors.plantedAnalogy();
        for (AnalogyMethod m : AnalogyMethod.values()) {
            List<Neighbor> answer = small.analogy("man", "king", "woman", 2, m);
            assertEquals("queen", answer.get(0).word(), m.toString());
            assertFalse(answer.stream()
                    .anyMatch(n -> List.of("man", "king", "woman").contains(n.word())));
        }
    }

    @Test
    void oovVectorIsTheMeanOfItsNgramBuckets() {
        Subwords sub = new Subwords(3, 5, 97);
        float[] buckets = RandomVectors.gaussian(7, 97 * D);
        WordVectors withSub = WordVectors.withSubwords(words, data, buckets, D, sub);
        assertTrue(withSub.hasSubwords());
        assertArrayEquals(row(5), withSub.vector("w5"), "vocabulary words keep their own rows");
        String oov = "unseenword";
        int[] ids = sub.ngramBuckets(oov);
        assertTrue(ids.length > 0);
        float[] expected = new float[D];
        for (int id : ids) {
            for (int d = 0; d < D; d++) {
                expected[d] += buckets[id * D + d];
            }
        }
        float[] actual = withSub.vector(oov);
        for (int d = 0; d < D; d++) {
            assertEquals(expected[d] / ids.length, actual[d], 1e-5, "dimension " + d);
        }
        // OOV queries work everywhere a word is accepted
        assertEquals(withSub.nearest(actual, 3), withSub.nearest(oov, 3));
        assertEquals(cos(actual, row(4)), withSub.similarity(oov, "w4"), 1e-6);
        assertThrows(
                IllegalArgumentException.class,
                () -> WordVectors.withSubwords(words, data, new float[5], D, sub),
                "bucket rows of the wrong size");
    }

    @Test
    void rejectsBadInput() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> WordVectors.of(List.of("a", "b", "a"), new float[6], 2));
        assertTrue(e.getMessage().contains("'a'"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> WordVectors.of(List.of("a"), new float[3], 2));
        assertThrows(IllegalArgumentException.class, () -> WordVectors.of(List.of("a"), new float[0], 0));
    }

    @Test
    void concurrentQueriesAgree() throws Exception {
        WordVectors fresh = WordVectors.of(words, data, D); // lazy backend setup raced by the threads
        List<Neighbor> expected = wv.nearest("w42", 5);
        try (ExecutorService pool = Executors.newFixedThreadPool(4)) {
            List<Future<List<Neighbor>>> results = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                results.add(pool.submit(() -> fresh.nearest("w42", 5)));
            }
            for (Future<List<Neighbor>> f : results) {
                assertEquals(expected, f.get());
            }
        }
    }
}
