package org.embed4j.deploy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Set;
import org.embed4j.testing.RandomVectors;
import org.embed4j.vectors.Neighbor;
import org.embed4j.vectors.WordVectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** int8/fp16 quantization against the float model it came from. */
class QuantizedVectorsTest {

    @ParameterizedTest
    @ValueSource(ints = {1, 7, 8, 9, 17, 33, 100})
    void int8ErrorIsAtMostHalfAScalePerElement(int dim) {
        int v = 64;
        float[] x = RandomVectors.gaussian(dim, v * dim);
        for (int d = 0; d < dim; d++) {
            x[3 * dim + d] = 0f; // a zero row: scale 0, zeros back
            x[5 * dim + d] *= 1e-30f; // a tiny row: the scale stays normal enough to round-trip
        }
        WordVectors w = WordVectors.of(RandomVectors.words(v), x, dim);
        QuantizedVectors q = QuantizedVectors.quantize(w, Precision.INT8);
        float[] row = new float[dim];
        for (int r = 0; r < v; r++) {
            float max = 0;
            for (int d = 0; d < dim; d++) {
                max = Math.max(max, Math.abs(x[r * dim + d]));
            }
            float scale = q.scale(r);
            assertEquals(max / 127f, scale, 0f, "scale of row " + r);
            q.vector(r, row, 0);
            for (int d = 0; d < dim; d++) {
                double err = Math.abs(x[r * dim + d] - row[d]);
                double bound = scale / 2 * (1 + 1e-5) + Math.ulp(max);
                assertTrue(
                        err <= bound,
                        "row " + r + " col " + d + ": |" + x[r * dim + d] + " - " + row[d] + "| = " + err + " > "
                                + bound);
            }
        }
        assertArrayEquals(new float[dim], q.vector(3));
    }

    @Test
    void fp16ErrorIsHalfAnUlpOfHalf() {
        int v = 50;
        int dim = 31;
        float[] x = RandomVectors.gaussian(3, v * dim);
        x[0] = 60000f;
        x[1] = 1e-6f; // subnormal in fp16
        WordVectors w = WordVectors.of(RandomVectors.words(v), x, dim);
        QuantizedVectors q = QuantizedVectors.quantize(w, Precision.FP16);
        for (int r = 0; r < v; r++) {
            float[] row = q.vector(r);
            for (int d = 0; d < dim; d++) {
                float a = x[r * dim + d];
                double bound = Math.abs(a) * 0x1p-11 + 0x1p-25;
                assertTrue(Math.abs(a - row[d]) <= bound, "row " + r + " col " + d + ": " + a + " -> " + row[d]);
                assertEquals(Float.float16ToFloat(Float.floatToFloat16(a)), row[d], 0f);
            }
        }
        assertEquals(1f, q.scale(0));
    }

    @Test
    void refusesWhatCannotBeQuantized() {
        float[] x = {1, 2, Float.NaN, 4};
        // non-finite rows never become word vectors, so they never reach the quantizer
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> WordVectors.of(List.of("a", "b"), x, 2));
        assertTrue(e.getMessage().contains("row 1") && e.getMessage().contains("NaN"), e.getMessage());
        WordVectors big = WordVectors.of(List.of("a"), new float[] {1e6f, 0}, 2);
        e = assertThrows(IllegalArgumentException.class, () -> QuantizedVectors.quantize(big, Precision.FP16));
        assertTrue(e.getMessage().contains("fp16 range"), e.getMessage());
        assertEquals(1, QuantizedVectors.quantize(big, Precision.INT8).size());
    }

    @Test
    void nearestPreservesMostNeighbours() {
        int v = 3000;
        int dim = 64;
        WordVectors w = RandomVectors.model(11, v, dim);
        for (Precision p : Precision.values()) {
            QuantizedVectors q = QuantizedVectors.quantize(w, p);
            int hits = 0;
            int total = 0;
            for (int i = 0; i < 60; i++) {
                String word = w.words().get(i * 37);
                Set<String> truth = words(w.nearest(word, 10));
                List<Neighbor> got = q.nearest(word, 10);
                assertEquals(10, got.size());
                for (Neighbor n : got) {
                    hits += truth.contains(n.word()) ? 1 : 0;
                    assertTrue(!n.word().equals(word), "the query word is excluded");
                }
                total += 10;
            }
            double recall = (double) hits / total;
            assertTrue(recall >= (p == Precision.INT8 ? 0.9 : 0.98), p + " recall@10 " + recall);
        }
    }

    @Test
    void nearestMatchesBruteForceOnDequantizedRows() {
        int v = 400;
        int dim = 19;
        WordVectors w = RandomVectors.model(5, v, dim);
        QuantizedVectors q = QuantizedVectors.quantize(w, Precision.INT8);
        float[] deq = new float[v * dim];
        for (int r = 0; r < v; r++) {
            q.vector(r, deq, r * dim);
        }
        float[] query = RandomVectors.gaussian(99, 3 * dim);
        List<List<Neighbor>> batch = q.nearest(query, 3, 5);
        for (int j = 0; j < 3; j++) {
            double[] cos = new double[v];
            for (int r = 0; r < v; r++) {
                cos[r] = cosine(query, j * dim, deq, r * dim, dim);
            }
            List<Neighbor> got = batch.get(j);
            assertEquals(5, got.size());
            double prev = Double.POSITIVE_INFINITY;
            for (Neighbor n : got) {
                int r = q.indexOf(n.word());
                assertEquals(cos[r], n.score(), 1e-5, "cosine of " + n.word());
                assertTrue(n.score() <= prev + 1e-7, "best first");
                prev = n.score();
            }
            // nothing outside the answer beats its last entry
            Set<String> in = words(got);
            for (int r = 0; r < v; r++) {
                if (!in.contains(w.words().get(r))) {
                    assertTrue(cos[r] <= got.get(4).score() + 1e-5, "row " + r + " was missed");
                }
            }
            float[] one = java.util.Arrays.copyOfRange(query, j * dim, (j + 1) * dim);
            assertEquals(words(got), words(q.nearest(one, 5)));
        }
        String a = w.words().get(1);
        String b = w.words().get(2);
        assertEquals(cosine(deq, dim, deq, 2 * dim, dim), q.similarity(a, b), 1e-6);
        assertThrows(NoSuchElementException.class, () -> q.nearest("absent", 3));
        assertThrows(IllegalArgumentException.class, () -> q.nearest(new float[dim], 3));
        assertThrows(IllegalArgumentException.class, () -> q.nearest(a, -1));
        assertEquals(v - 1, q.nearest(a, v + 10).size(), "k is capped at V minus the query word");
    }

    @Test
    void nearestMergesBlocksLikeOneSearch() {
        int v = 2 * QuantizedSearch.BLOCK + 333; // three blocks, the last one partial
        int dim = 7;
        WordVectors w = RandomVectors.model(21, v, dim);
        for (Precision p : Precision.values()) {
            QuantizedVectors q = QuantizedVectors.quantize(w, p);
            float[] deq = new float[v * dim];
            for (int r = 0; r < v; r++) {
                q.vector(r, deq, r * dim);
            }
            String word = w.words().get(QuantizedSearch.BLOCK + 5); // excluded from the second block
            int self = q.indexOf(word);
            Integer[] order = new Integer[v];
            double[] cos = new double[v];
            for (int r = 0; r < v; r++) {
                order[r] = r;
                cos[r] = r == self ? Double.NEGATIVE_INFINITY : cosine(deq, self * dim, deq, r * dim, dim);
            }
            java.util.Arrays.sort(order, (a, b) -> Double.compare(cos[b], cos[a]));
            for (int k : new int[] {1, 10, QuantizedSearch.BLOCK + 50}) {
                List<Neighbor> got = q.nearest(word, k);
                assertEquals(k, got.size());
                for (int i = 0; i < k; i++) {
                    // compare scores, not words: near-ties may swap under float rounding
                    assertEquals(cos[order[i]], got.get(i).score(), 1e-5, p + " k " + k + " rank " + i);
                    assertTrue(!got.get(i).word().equals(word));
                }
            }
        }
    }

    @Test
    void tiesAcrossBlocksGoToTheLowerRow() {
        int dim = 6;
        int v = QuantizedSearch.BLOCK + 10;
        float[] x = RandomVectors.gaussian(31, v * dim);
        int twin = QuantizedSearch.BLOCK + 2; // same position in the second block as row 2 in the first
        System.arraycopy(x, 2 * dim, x, twin * dim, dim);
        WordVectors w = WordVectors.of(RandomVectors.words(v), x, dim);
        for (Precision p : Precision.values()) {
            QuantizedVectors q = QuantizedVectors.quantize(w, p);
            List<Neighbor> got = q.nearest(q.vector(2), 3);
            assertEquals(got.get(0).score(), got.get(1).score(), p + ": the twins tie");
            assertEquals(
                    List.of(w.words().get(2), w.words().get(twin)),
                    List.of(got.get(0).word(), got.get(1).word()),
                    p + ": the lower row first");
        }
    }

    @Test
    void toWordVectorsIsTheDequantizedModel() {
        WordVectors w = RandomVectors.model(8, 120, 12);
        QuantizedVectors q = QuantizedVectors.quantize(w, Precision.INT8);
        WordVectors back = q.toWordVectors();
        assertEquals(w.words(), back.words());
        for (int r = 0; r < w.size(); r += 7) {
            assertArrayEquals(q.vector(r), back.vector(r));
        }
        assertEquals(120L * 12 + 120 * 4 + 120 * 4, q.vectorBytes());
        assertEquals(
                120L * 12 * 2 + 120 * 4,
                QuantizedVectors.quantize(w, Precision.FP16).vectorBytes());
    }

    private static Set<String> words(List<Neighbor> list) {
        Set<String> s = new HashSet<>();
        list.forEach(n -> s.add(n.word()));
        return s;
    }

    /** Cosine in double, the reference the quantized search is checked against. */
    private static double cosine(float[] x, int xo, float[] y, int yo, int d) {
        double dot = 0;
        double nx = 0;
        double ny = 0;
        for (int i = 0; i < d; i++) {
            dot += (double) x[xo + i] * y[yo + i];
            nx += (double) x[xo + i] * x[xo + i];
            ny += (double) y[yo + i] * y[yo + i];
        }
        return nx == 0 || ny == 0 ? 0 : dot / Math.sqrt(nx * ny);
    }
}
