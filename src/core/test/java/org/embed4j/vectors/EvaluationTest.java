package org.embed4j.vectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.embed4j.testing.RandomVectors;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Spearman by hand, similarity and analogy scores on tiny synthetic files, and parsing of the real sets. */
class EvaluationTest {
    @TempDir
    Path dir;

    @Test
    void spearmanWithTiesByHand() {
        // x ranks (1, 2.5, 2.5, 4), y ranks (1, 3, 2, 4): r = 4.5 / sqrt(4.5 * 5)
        double r = Spearman.correlation(new double[] {1, 2, 2, 3}, new double[] {10, 30, 20, 40});
        assertEquals(4.5 / Math.sqrt(4.5 * 5), r, 1e-12);
        assertEquals(0.9486832980505138, r, 1e-12);
        assertEquals(
                List.of(1.0, 2.5, 2.5, 4.0),
                java.util.Arrays.stream(Spearman.ranks(new double[] {5, 7, 7, 9}))
                        .boxed()
                        .toList());
        assertEquals(-1.0, Spearman.correlation(new double[] {1, 2, 3}, new double[] {3, 2, 1}), 1e-12);
        assertTrue(Double.isNaN(Spearman.correlation(new double[] {1}, new double[] {1})));
        assertTrue(Double.isNaN(Spearman.correlation(new double[] {1, 1, 1}, new double[] {1, 2, 3})));
    }

    /** Unit vectors at angles 0, 10, 20, ... degrees: cosine decreases with the angle between them. */
    private static WordVectors angles(List<String> words) {
        float[] x = new float[words.size() * 2];
        for (int i = 0; i < words.size(); i++) {
            double a = Math.toRadians(10 * i);
            x[2 * i] = (float) Math.cos(a);
            x[2 * i + 1] = (float) Math.sin(a);
        }
        return WordVectors.of(words, x, 2);
    }

    @Test
    void similarityOnAPairFile() throws IOException {
        WordVectors v = angles(List.of("a", "b", "c", "d", "e"));
        Path pairs = dir.resolve("pairs.txt");
        // cosines: a-b cos10 > a-c cos20 > a-e cos40; human scores in the opposite order for one pair
        Files.writeString(pairs, """
                # a comment
                # w1\tw2\tscore
                a\tb\t9.0
                A c 7.5
                a\te\t8.0

                a  zzz 1.0
                """);
        SimilarityResult r = Evaluation.similarity(v, pairs);
        assertEquals(3, r.covered());
        assertEquals(4, r.total());
        assertEquals(1, r.oov());
        // human ranks (3, 1, 2), model ranks (3, 2, 1)
        assertEquals(Spearman.pearson(new double[] {3, 1, 2}, new double[] {3, 2, 1}), r.spearman(), 1e-12);
        assertEquals(0.5, r.spearman(), 1e-12);
        Files.writeString(pairs, "a b notanumber\n");
        IOException e = assertThrows(IOException.class, () -> Evaluation.similarity(v, pairs));
        assertTrue(e.getMessage().contains("line 1"), e.getMessage());
        for (String gold : List.of("NaN", "Infinity", "-Infinity", "1e999")) {
            Files.writeString(pairs, "a b 5\na c " + gold + "\n");
            e = assertThrows(IOException.class, () -> Evaluation.similarity(v, pairs));
            assertTrue(
                    e.getMessage().contains("line 2: score \"" + gold + "\" is not a finite number"), e.getMessage());
        }
        Files.write(pairs, new byte[] {'a', ' ', 'b', ' ', '1', '\n', 'a', ' ', (byte) 0xe9, ' ', '2', '\n'});
        e = assertThrows(IOException.class, () -> Evaluation.similarity(v, pairs));
        assertTrue(e.getMessage().contains("line 2 is not valid UTF-8 at byte offset 8"), e.getMessage());
    }

    /** A model where b - a + c lands exactly on d for the planted questions. */
    private static WordVectors planted() {
        List<String> words =
                List.of("man", "king", "woman", "queen", "big", "bigger", "small", "smaller", "noise", "rare");
        float[] x = {
            1, 0, 0, 0, 0,
            1, 1, 0, 0, 0,
            0, 0, 1, 0, 0,
            0, 1, 1, 0, 0,
            0, 0, 0, 1, 0,
            0, 0, 0, 1, 1,
            0, 0.2f, 0, 0, 0, // "small" (the syntactic question below gets "noise" instead of "smaller")
            1, 0, 0, 0, 1,
            0, 0.6f, 0.1f, 0, 0.9f,
            0, 1, 1, 0, 0.01f
        };
        return WordVectors.of(words, x, 5);
    }

    @Test
    void analogyAccuracyOnATinyQuestionsFile() throws IOException {
        WordVectors v = planted();
        Path q = dir.resolve("questions.txt");
        Files.writeString(q, """
                : capital-common-countries
                man king woman queen
                woman queen man king
                man king woman unknownword
                : gram2-comparative
                big bigger small smaller
                Big Bigger Man King
                man king woman rare
                """);
        // restricted to the first 9 words: "rare" is out, so the last question is not covered
        AnalogyResult r = Evaluation.analogy(v, q, 9);
        assertEquals(6, r.total());
        assertEquals(4, r.covered());
        assertEquals(1.0, r.semanticAccuracy(), 1e-12);
        assertEquals(0.0, r.syntacticAccuracy(), 1e-12);
        assertEquals(0.5, r.totalAccuracy(), 1e-12);
        // the same answers as analogy() restricted by hand
        WordVectors first9 = WordVectors.of(v.words().subList(0, 9), java.util.Arrays.copyOf(floats(v), 9 * 5), 5);
        assertEquals(
                "queen",
                first9.analogy("man", "king", "woman", 1, AnalogyMethod.COS_ADD)
                        .get(0)
                        .word());
        assertEquals(
                "noise",
                first9.analogy("big", "bigger", "small", 1, AnalogyMethod.COS_ADD)
                        .get(0)
                        .word());
        // with every word allowed the last question is covered too (and answered "queen", so wrong)
        AnalogyResult all = Evaluation.analogy(v, q, 30_000);
        assertEquals(5, all.covered());
        assertEquals(2.0 / 5, all.totalAccuracy(), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> Evaluation.analogy(v, q, 0));
    }

    private static float[] floats(WordVectors v) {
        float[] x = new float[v.size() * v.dim()];
        for (int i = 0; i < v.size(); i++) {
            System.arraycopy(v.vector(i), 0, x, i * v.dim(), v.dim());
        }
        return x;
    }

    @Test
    void msrCsv() throws IOException {
        Path csv = dir.resolve("msr.csv");
        Files.writeString(csv, """
                ,type,word1,word2,word3,target
                0,NN_NNS,man,king,woman,queen
                1,JJ_JJR,big,bigger,small,smaller
                2,JJ_JJR,big,bigger,tiny,tinier
                """);
        AnalogyResult r = Evaluation.msrAnalogy(planted(), csv, 30_000);
        assertEquals(3, r.total());
        assertEquals(2, r.covered());
        assertTrue(Double.isNaN(r.semanticAccuracy()), "MSR has no semantic questions");
        assertEquals(0.5, r.syntacticAccuracy(), 1e-12);
        assertEquals(0.5, r.totalAccuracy(), 1e-12);
        Files.writeString(csv, "word1,word2\n");
        assertThrows(IOException.class, () -> Evaluation.msrAnalogy(planted(), csv, 10));
    }

    @Test
    void parsesTheRealBenchmarkFiles() throws IOException {
        Path eval = Path.of(System.getProperty("embed4j.shared.data", "../shared/data"), "eval");
        Assumptions.assumeTrue(Files.isDirectory(eval), "shared data not present: " + eval);
        // a vocabulary with some benchmark words, random vectors: only the counts are checked
        List<String> words = List.of(
                "king", "queen", "man", "woman", "athens", "greece", "baghdad", "iraq", "tiger", "cat", "love", "sex",
                "good", "better", "rough", "rougher", "boy", "girl");
        WordVectors v = WordVectors.of(words, RandomVectors.gaussian(1, words.size() * 8), 8);
        AnalogyResult google = Evaluation.analogy(v, eval.resolve("questions-words.txt"), 30_000);
        assertEquals(19_544, google.total());
        assertTrue(google.covered() > 0);
        assertEquals(
                8_000,
                Evaluation.msrAnalogy(v, eval.resolve("msr_analogy.csv"), 30_000)
                        .total());
        SimilarityResult ws = Evaluation.similarity(v, eval.resolve("wordsim353.tsv"));
        assertEquals(353, ws.total());
        assertTrue(ws.covered() >= 2, "tiger-cat and love-sex are covered");
        assertEquals(
                353, Evaluation.similarity(v, eval.resolve("EN-WS-353-ALL.txt")).total());
    }
}
