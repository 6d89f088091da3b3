package org.embed4j.deploy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.embed4j.testing.RandomVectors;
import org.embed4j.text.Subwords;
import org.embed4j.text.Tokenizer;
import org.embed4j.vectors.Neighbor;
import org.embed4j.vectors.VectorsFormat;
import org.embed4j.vectors.VectorsIO;
import org.embed4j.vectors.WordVectors;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TextEmbedder against a plain reference mean, its batch and nearest forms, threads and allocation. */
class TextEmbedderTest {
    private static final String TEXT = "w1 w2, W3! w4 unknown w5 w6 w7 w8 w9 w10 w11 w12 w13 w14 w15 w16 w17 w18 zzz";

    @TempDir
    Path dir;

    /** The definition: mean over tokens of the row as written, else lower-cased, else subwords, else skipped. */
    private static float[] reference(WordVectors v, String text) {
        double[] sum = new double[v.dim()];
        int n = 0;
        for (String w : new Tokenizer(false).tokenize(text)) {
            float[] row = null;
            if (v.contains(w)) {
                row = v.vector(w);
            } else if (v.contains(w.toLowerCase(Locale.ROOT))) {
                row = v.vector(w.toLowerCase(Locale.ROOT));
            } else if (v.hasSubwords()) {
                row = v.vector(w);
            }
            if (row != null) {
                for (int d = 0; d < row.length; d++) {
                    sum[d] += row[d];
                }
                n++;
            }
        }
        float[] out = new float[v.dim()];
        for (int d = 0; d < out.length; d++) {
            out[d] = n == 0 ? 0f : (float) (sum[d] / n);
        }
        return out;
    }

    @Test
    void embedIsTheMeanOfKnownWords() {
        WordVectors v = RandomVectors.model(1, 200, 17);
        TextEmbedder e = new TextEmbedder(v);
        float[] out = new float[3 + 17];
        out[0] = 42f;
        assertEquals(18, e.embed(TEXT, out, 3), "18 of the 20 words are known (W3 by its lower case)");
        assertEquals(42f, out[0], "nothing outside the row is written");
        assertArrayEquals(reference(v, TEXT), java.util.Arrays.copyOfRange(out, 3, 20), 1e-5f);
        java.util.Arrays.fill(out, 7f);
        assertEquals(0, e.embed("nothing known here", out, 0));
        assertArrayEquals(new float[17], java.util.Arrays.copyOf(out, 17));
        assertEquals(0, e.embed("", out, 0));
        assertThrows(IndexOutOfBoundsException.class, () -> e.embed("w1", out, 4));
        assertThrows(NullPointerException.class, () -> e.embed(null, out, 0));
    }

    @Test
    void unknownWordsAreTheOnesTheMeanSkips() {
        TextEmbedder e = new TextEmbedder(RandomVectors.model(1, 200, 17));
        assertEquals(
                List.of("unknown", "zzz"),
                List.copyOf(e.unknownWords(TEXT + " unknown")),
                "in order, once each; W3 is known by its lower case");
        assertEquals(List.of(), List.copyOf(e.unknownWords("w1 w2")));
        WordVectors sub = WordVectors.withSubwords(
                List.of("cat"),
                RandomVectors.gaussian(1, 8),
                RandomVectors.gaussian(2, 50 * 8),
                8,
                new Subwords(3, 5, 50));
        assertEquals(
                List.of(),
                List.copyOf(new TextEmbedder(sub).unknownWords("cats zzz")),
                "with subwords every word has a vector");
    }

    @Test
    void outOfVocabularyWordsUseSubwords() {
        int dim = 8;
        Subwords sub = new Subwords(3, 5, 500);
        List<String> words = List.of("cat", "dog", "house");
        WordVectors v = WordVectors.withSubwords(
                words, RandomVectors.gaussian(1, 3 * dim), RandomVectors.gaussian(2, 500 * dim), dim, sub);
        TextEmbedder e = new TextEmbedder(v);
        float[] out = new float[dim];
        assertEquals(3, e.embed("cat houses dogs", out, 0));
        assertArrayEquals(reference(v, "cat houses dogs"), out, 1e-5f);
    }

    @Test
    void batchAndNearestMatchSingleCalls() {
        WordVectors v = RandomVectors.model(3, 300, 16);
        TextEmbedder e = new TextEmbedder(v);
        List<String> texts = List.of("w1 w2 w3", "none of these", "w7", TEXT);
        float[] out = new float[texts.size() * 16];
        int[] counts = e.embedBatch(texts, out);
        assertArrayEquals(new int[] {3, 0, 1, 18}, counts);
        float[] one = new float[16];
        for (int i = 0; i < texts.size(); i++) {
            e.embed(texts.get(i), one, 0);
            assertArrayEquals(one, java.util.Arrays.copyOfRange(out, i * 16, i * 16 + 16), "text " + i);
        }
        List<List<Neighbor>> near = e.nearest(texts, 4);
        assertEquals(4, near.size());
        assertEquals(List.of(), near.get(1));
        assertEquals(
                v.nearest("w7", 4).get(0).word(), near.get(2).get(1).word(), "w7 itself first, then its neighbour");
        assertEquals("w7", near.get(2).get(0).word());
        e.embed(TEXT, one, 0);
        assertEquals(
                v.nearest(one, 4).stream().map(Neighbor::word).toList(),
                near.get(3).stream().map(Neighbor::word).toList());
        assertThrows(IllegalArgumentException.class, () -> e.embedBatch(texts, new float[10]));
        assertThrows(IllegalArgumentException.class, () -> e.embedBatch(texts, out, new int[1]));
    }

    @Test
    void quantizedVectorsEmbedTheirDequantizedRows() {
        WordVectors v = RandomVectors.model(9, 300, 16);
        QuantizedVectors q = QuantizedVectors.quantize(v, Precision.INT8);
        TextEmbedder e = new TextEmbedder(q);
        float[] out = new float[16];
        assertEquals(18, e.embed(TEXT, out, 0));
        assertArrayEquals(reference(q.toWordVectors(), TEXT), out, 1e-5f);
        List<List<Neighbor>> near = e.nearest(List.of("w7", "nothing known"), 3);
        assertEquals("w7", near.get(0).get(0).word());
        assertEquals(List.of(), near.get(1));
        assertEquals(q, e.quantized());
        assertEquals(null, e.vectors());
    }

    @Test
    void threadsGetTheSameAnswers() throws Exception {
        WordVectors v = RandomVectors.model(4, 500, 32);
        TextEmbedder e = new TextEmbedder(v);
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            texts.add("w" + i + " w" + (i * 7 % 500) + " x W" + (i * 13 % 500));
        }
        float[] expected = new float[texts.size() * 32];
        e.embedBatch(texts, expected);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<float[]>> results = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                results.add(pool.submit(() -> {
                    float[] out = new float[texts.size() * 32];
                    for (int rep = 0; rep < 20; rep++) {
                        e.embedBatch(texts, out, null);
                    }
                    return out;
                }));
            }
            for (Future<float[]> f : results) {
                assertArrayEquals(expected, f.get());
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void allocationPerCallIsBoundedAndIndependentOfTheModel() throws Exception {
        Assumptions.assumeTrue(
                ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean,
                "needs com.sun.management.ThreadMXBean");
        int dim = 200;
        WordVectors heap = RandomVectors.model(5, 1_000, dim);
        Path smallFile = dir.resolve("small.e4jv");
        Path bigFile = dir.resolve("big.e4jv");
        VectorsIO.write(heap, smallFile, VectorsFormat.NATIVE);
        VectorsIO.write(RandomVectors.model(6, 50_000, dim), bigFile, VectorsFormat.NATIVE);
        // memory-mapped, as a service opens them; 1k vs 50k words
        long bytesSmall = bytesPerCall(new TextEmbedder(VectorsIO.read(smallFile)));
        long bytesBig = bytesPerCall(new TextEmbedder(VectorsIO.read(bigFile)));
        long bytesHeap = bytesPerCall(new TextEmbedder(heap));
        // TEXT has 20 tokens: tokenising costs tens of bytes per token; copying one row per token would cost
        // 20 x 800 bytes
        long bound = 20 * 120 + 512;
        assertTrue(bytesHeap < bound, "heap model: " + bytesHeap + " bytes per call");
        assertTrue(bytesSmall < bound, "mapped 1k-word model: " + bytesSmall + " bytes per call");
        assertTrue(bytesBig < bound, "mapped 50k-word model: " + bytesBig + " bytes per call");
        assertTrue(Math.abs(bytesBig - bytesSmall) < 64, bytesSmall + " vs " + bytesBig + " bytes per call");
    }

    private static long bytesPerCall(TextEmbedder e) {
        var mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        float[] out = new float[e.dim()];
        int calls = 20_000;
        for (int i = 0; i < calls; i++) { // warm-up: JIT and the per-thread scratch
            e.embed(TEXT, out, 0);
        }
        long tid = Thread.currentThread().threadId();
        long before = mx.getThreadAllocatedBytes(tid);
        for (int i = 0; i < calls; i++) {
            e.embed(TEXT, out, 0);
        }
        long after = mx.getThreadAllocatedBytes(tid);
        return (after - before) / calls;
    }
}
