package org.embed4j.vectors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.NoSuchElementException;
import org.embed4j.deploy.Precision;
import org.embed4j.deploy.QuantizedVectors;
import org.embed4j.text.Subwords;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The lookup API of word vectors: gensim's most_similar against hand-computed cosines, the Optional lookups, the
 * one case policy (as written, then lower-cased) on every kind of vocabulary, and {@link WordVectors#load}.
 */
class WordVectorsLookupTest {
    @TempDir
    Path dir;

    /** 2-D vectors whose cosines are easy by hand. */
    private static WordVectors plane() {
        return WordVectors.of(
                List.of("a", "b", "c", "d", "e"),
                new float[] {
                    1, 0, // a
                    0, 1, // b
                    1, 1, // c
                    -1, 0, // d
                    3, 4 // e
                },
                2);
    }

    private static void assertNeighbors(List<Neighbor> actual, Object... wordAndScore) {
        assertEquals(wordAndScore.length / 2, actual.size(), actual::toString);
        for (int i = 0; i < actual.size(); i++) {
            assertEquals(wordAndScore[2 * i], actual.get(i).word(), actual::toString);
            assertEquals((double) wordAndScore[2 * i + 1], actual.get(i).score(), 1e-6, actual::toString);
        }
    }

    @Test
    void mostSimilarRanksByCosineWithTheSumOfUnitVectors() {
        try (WordVectors v = plane()) {
            // q = â + b̂ = (1, 1): c = 1, e = 7 / (5·√2), d = -1/√2; a and b excluded
            assertNeighbors(
                    v.mostSimilar(List.of("a", "b"), List.of(), 3),
                    "c",
                    1.0,
                    "e",
                    7 / (5 * Math.sqrt(2)),
                    "d",
                    -1 / Math.sqrt(2));
            // q = ê - â = (0.6, 0.8) - (1, 0) = (-0.4, 0.8), |q| = √0.8: b = 0.8/√0.8, d = 0.4/√0.8
            double nq = Math.sqrt(0.8);
            assertNeighbors(v.mostSimilar(List.of("e"), List.of("a"), 2), "b", 0.8 / nq, "d", 0.4 / nq);
            // negative only: q = -â; the query word excluded, the rest by cosine with (-1, 0)
            assertNeighbors(
                    v.mostSimilar(List.of(), List.of("a"), 4), "d", 1.0, "b", 0.0, "e", -0.6, "c", -1 / Math.sqrt(2));
        }
    }

    @Test
    void mostSimilarOfAnAnalogyRanksAs3CosAdd() {
        try (WordVectors v = plane()) {
            // b - a + c over unit vectors: gensim's most_similar(positive=[b, c], negative=[a])
            List<Neighbor> gensim = v.mostSimilar(List.of("b", "c"), List.of("a"), 2);
            List<Neighbor> analogy = v.analogy("a", "b", "c", 2, AnalogyMethod.COS_ADD);
            assertEquals(
                    analogy.stream().map(Neighbor::word).toList(),
                    gensim.stream().map(Neighbor::word).toList());
        }
    }

    @Test
    void mostSimilarChecksItsArguments() {
        try (WordVectors v = plane()) {
            assertThrows(IllegalArgumentException.class, () -> v.mostSimilar(List.of(), List.of(), 3));
            assertThrows(IllegalArgumentException.class, () -> v.mostSimilar(List.of("a"), List.of(), -1));
            assertThrows(NoSuchElementException.class, () -> v.mostSimilar(List.of("zebra"), List.of(), 3));
            // a + d = 0: no direction to rank by
            IllegalArgumentException e =
                    assertThrows(IllegalArgumentException.class, () -> v.mostSimilar(List.of("a", "d"), List.of(), 3));
            assertTrue(e.getMessage().contains("zero"), e.getMessage());
            assertEquals(List.of(), v.mostSimilar(List.of("a"), List.of(), 0));
        }
    }

    @Test
    void findVectorIsEmptyWhereVectorThrows() {
        try (WordVectors v = plane()) {
            assertArrayEquals(new float[] {3, 4}, v.findVector("e").orElseThrow());
            assertTrue(v.findVector("zebra").isEmpty());
            assertThrows(NoSuchElementException.class, () -> v.vector("zebra"));
            assertEquals(-1, v.indexOf("zebra"));
            assertFalse(v.contains("zebra"));
        }
        Subwords sub = new Subwords(3, 4, 16);
        float[] buckets = new float[16 * 2];
        java.util.Arrays.fill(buckets, 0.5f);
        try (WordVectors v = WordVectors.withSubwords(List.of("a"), new float[] {1, 0}, buckets, 2, sub)) {
            // an OOV word with n-grams gets the mean of its bucket rows: present, not in the vocabulary
            assertArrayEquals(new float[] {0.5f, 0.5f}, v.findVector("zebra").orElseThrow());
            assertEquals(-1, v.indexOf("zebra"));
        }
    }

    /** Vocabulary with both spellings of one word, and a word that only exists lower-cased. */
    private static WordVectors cased() {
        return WordVectors.of(
                List.of("money", "Paris", "paris", "école"),
                new float[] {
                    1, 0, // money
                    0, 1, // Paris
                    1, 1, // paris
                    -1, 2 // école
                },
                2);
    }

    private static void assertCasePolicy(WordVectors v) {
        assertEquals(0, v.indexOf("Money"), "not in the vocabulary as written: its lower-cased form");
        assertEquals(1.0, v.similarity("Money", "money"), 1e-12);
        assertEquals(1, v.indexOf("Paris"), "as written wins over lower-cased");
        assertEquals(2, v.indexOf("PARIS"));
        assertEquals(3, v.indexOf("ÉCOLE"), "lower-casing is Locale.ROOT's, not ASCII only");
        assertArrayEquals(new float[] {1, 0}, v.findVector("MONEY").orElseThrow());
        assertArrayEquals(new float[] {1, 0}, v.vector("MoNeY"));
        assertEquals(-1, v.indexOf("Mony"));
        assertTrue(v.contains("MONEY"));
        assertEquals("paris", v.nearest("MONEY", 1).get(0).word(), "and the query word is excluded by its row");
    }

    @Test
    void oneCasePolicyForHeapVectors() {
        try (WordVectors v = cased()) {
            assertCasePolicy(v);
        }
    }

    @ParameterizedTest
    @EnumSource(VectorsFormat.class)
    void oneCasePolicyForEveryFormatLoaded(VectorsFormat format) throws IOException {
        Path file = dir.resolve("cased" + VectorsFormatsTest.extension(format));
        try (WordVectors v = cased()) {
            VectorsIO.write(v, file, format);
        }
        try (WordVectors loaded = WordVectors.load(file)) {
            assertEquals(List.of("money", "Paris", "paris", "école"), loaded.words());
            assertCasePolicy(loaded);
        }
    }

    @Test
    void oneCasePolicyForQuantizedVectors() {
        try (WordVectors v = cased();
                QuantizedVectors q = QuantizedVectors.quantize(v, Precision.FP16)) {
            assertEquals(0, q.indexOf("Money"));
            assertEquals(1, q.indexOf("Paris"));
            assertEquals(2, q.indexOf("PARIS"));
            assertEquals(3, q.indexOf("ÉCOLE"));
            assertEquals(1.0, q.similarity("Money", "money"), 1e-6);
            assertArrayEquals(new float[] {1, 0}, q.findVector("MONEY").orElseThrow());
            assertTrue(q.findVector("Mony").isEmpty());
            assertThrows(NoSuchElementException.class, () -> q.vector("Mony"));
        }
    }

    @Test
    void loadDetectsTheFormat() throws IOException {
        try (WordVectors v = plane()) {
            for (VectorsFormat format : VectorsFormat.values()) {
                Path file = dir.resolve("plane-" + format + VectorsFormatsTest.extension(format));
                VectorsIO.write(v, file, format);
                try (WordVectors loaded = WordVectors.load(file)) {
                    assertEquals(v.words(), loaded.words(), format::toString);
                    for (int r = 0; r < v.size(); r++) {
                        assertArrayEquals(v.vector(r), loaded.vector(r), 1e-6f, format + " row " + r);
                    }
                }
            }
        }
    }
}
