package org.embed4j.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * word2phrase's scoring against counts made by hand, its left-to-right joining, longer phrases from a second pass,
 * the bounded-memory counting, and the tokenizer keeping the '_' of a phrase.
 */
class PhrasesTest {
    @TempDir
    Path dir;

    private static final Tokenizer TOK = new Tokenizer(false);

    /**
     * Counts: new 4, york 4, N = 13 tokens; pairs: new york 3, each other pair once. With min-count 2 only "new york"
     * counts: score (3 − 2) / (4·4) · 13 = 0.8125.
     */
    @Test
    void scoresMatchCountsMadeByHand() throws IOException {
        Path c = Files.writeString(
                dir.resolve("c.txt"), "new york city\nnew york times\nin new york\nnew ideas\nyork minster\n");
        Phrases p = Phrases.learn(new CorpusReader(c), TOK, 2, 0.5, 1000);
        assertEquals(13, p.tokens());
        assertEquals(1, p.size());
        assertEquals((3 - 2) / (4.0 * 4.0) * 13, p.scoreOf("new", "york"), 1e-12);
        assertEquals(0.8125, Phrases.score(3, 4, 4, 13, 2), 1e-12);
        assertTrue(Double.isNaN(p.scoreOf("york", "city")), "a pair seen once is below min-count 2");
        assertEquals("in new_york city", p.apply("in new york city"));
        assertEquals("new_york york new_york", p.apply("new york york new york"));
        assertEquals("york new", p.apply("york new"), "pairs are ordered");
        assertEquals(0, Phrases.learn(new CorpusReader(c), TOK, 2, 0.82, 1000).size(), "0.8125 does not pass 0.82");
    }

    @Test
    void aWordJoinedToTheOneBeforeIsNotJoinedToTheOneAfter() throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 50; i++) {
            sb.append("alpha beta gamma\n")
                    .append("x")
                    .append(i)
                    .append(" y")
                    .append(i)
                    .append('\n');
        }
        Path c = Files.writeString(dir.resolve("chain.txt"), sb);
        Phrases p = Phrases.learn(new CorpusReader(c), TOK, 5, 1, 1000);
        assertTrue(p.scoreOf("alpha", "beta") > 1 && p.scoreOf("beta", "gamma") > 1);
        assertEquals("alpha_beta gamma", p.apply("alpha beta gamma"));
        assertEquals(List.of("alpha_beta", "beta_gamma"), p.phrases());
    }

    @Test
    void aSecondPassJoinsPhrasesIntoLongerOnes() throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 30; i++) {
            sb.append("new york times\n");
        }
        for (int line = 0; line < 10; line++) {
            for (int i = 0; i < 100; i++) {
                sb.append('f').append(line * 100 + i).append(' ');
            }
            sb.append('\n');
        }
        Path c = Files.writeString(dir.resolve("nyt.txt"), sb);
        Path one = dir.resolve("one.txt");
        Path two = dir.resolve("out/two.txt.gz");
        Phrases.rewrite(c, one, TOK, 5, 10, 1, 1000, null);
        assertEquals("new_york times", Files.readAllLines(one).get(0));
        int[] passes = {0};
        Phrases last = Phrases.rewrite(c, two, TOK, 5, 10, 2, 1000, p -> passes[0]++);
        assertEquals(2, passes[0]);
        assertEquals(List.of("new_york_times"), last.phrases());
        try (var in = new GZIPInputStream(Files.newInputStream(two))) {
            List<String> lines = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8)
                    .lines()
                    .toList();
            assertEquals(40, lines.size(), "every line kept");
            assertEquals("new_york_times", lines.get(0));
        }
        try (var files = Files.list(dir.resolve("out"))) {
            assertEquals(List.of(two), files.toList(), "no temporary file left behind");
        }
    }

    @Test
    void boundedCountingDropsRareEntriesButKeepsFrequentPhrases() throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 40; i++) {
            sb.append("new york\n");
        }
        for (int i = 0; i < 2000; i++) {
            sb.append("r").append(i).append(" s").append(i).append(" new york\n");
        }
        Path c = Files.writeString(dir.resolve("big.txt"), sb);
        Phrases exact = Phrases.learn(new CorpusReader(c), TOK, 5, 0, 1_000_000);
        Phrases bounded = Phrases.learn(new CorpusReader(c), TOK, 5, 0, 50);
        assertEquals(List.of("new_york"), exact.phrases());
        assertEquals(List.of("new_york"), bounded.phrases());
        assertEquals(exact.tokens(), bounded.tokens());
    }

    @Test
    void theTokenizerKeepsThePhraseJoiner() {
        assertEquals(List.of("new_york", "x", "a", "b", "c_d"), TOK.tokenize("new_york _x a__b c_d_"));
    }

    @Test
    void badSettingsAreNamed() throws IOException {
        Path c = Files.writeString(dir.resolve("x.txt"), "a b\n");
        CorpusReader r = new CorpusReader(c);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Phrases.learn(r, TOK, 0, 1, 100))
                .getMessage()
                .contains("minCount"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Phrases.learn(r, TOK, 1, -1, 100))
                .getMessage()
                .contains("threshold"));
        assertThrows(
                IllegalArgumentException.class, () -> Phrases.rewrite(c, dir.resolve("y"), TOK, 1, 1, 0, 100, null));
    }
}
