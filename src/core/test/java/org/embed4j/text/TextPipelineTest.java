package org.embed4j.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tokenizer, corpus reader, vocabulary, subsampling and the negative table against hand-computed values and word2vec's formulas. */
class TextPipelineTest {
    @TempDir
    Path dir;

    @Test
    void tokenizerKeepsInnerApostrophesAndSplitsPunctuation() {
        Tokenizer t = new Tokenizer(false);
        assertEquals(
                List.of("Don't", "stop", "it's", "O'Neil's", "rock", "n", "roll"),
                t.tokenize("Don't stop -- it's O'Neil's rock 'n' roll!"));
        assertEquals(
                List.of("naïve", "café", "日本語", "x2", "don’t", "𝒳y"), t.tokenize("naïve, café; 日本語 (x2) don’t 𝒳y"));
        assertEquals(List.of("istanbul", "straße"), new Tokenizer(true).tokenize("ISTANBUL Straße"));
        assertEquals(List.of("a", "b"), t.tokenize("  a\tb  "));
        assertEquals(List.of(), t.tokenize("'' -- ..."));
    }

    @Test
    void readerStreamsPlainAndGzipAlike() throws IOException {
        String text = "first line\nsecond line\n\nthird\n";
        Path plain = dir.resolve("c.txt");
        Files.writeString(plain, text);
        Path gz = dir.resolve("c.data"); // gzip found by magic bytes, not name
        try (OutputStream o = new GZIPOutputStream(Files.newOutputStream(gz))) {
            o.write(text.getBytes(StandardCharsets.UTF_8));
        }
        for (Path p : List.of(plain, gz)) {
            List<String> lines = new ArrayList<>();
            new CorpusReader(p).forEachLine(lines::add);
            assertEquals(List.of("first line", "second line", "", "third"), lines);
        }
        var e = assertThrows(
                java.io.UncheckedIOException.class,
                () -> new CorpusReader(dir.resolve("missing.txt")).forEachLine(l -> {}));
        assertTrue(e.getMessage().contains("missing.txt"));
    }

    @Test
    void vocabularyIsMostFrequentFirstWithMinCountAndMaxSize() throws IOException {
        Path p = dir.resolve("v.txt");
        Files.writeString(p, "b a b c a b\nd a b c\n");
        Vocabulary v = Vocabulary.count(new CorpusReader(p), new Tokenizer(false), 2, 100);
        assertEquals(List.of("b", "a", "c"), v.words());
        assertEquals(4, v.count(0));
        assertEquals(9, v.totalCount());
        assertEquals(-1, v.id("d"));
        assertEquals(1, v.id("a"));
        Vocabulary top2 = Vocabulary.of(Map.of("x", 3L, "y", 3L, "z", 9L), 1, 2);
        assertEquals(List.of("z", "x"), top2.words()); // tie broken by the word, not hash order
        assertThrows(IllegalArgumentException.class, () -> Vocabulary.of(Map.of(), 0, 10));
    }

    @Test
    void vocabularyPruningKeepsFrequentWords() throws IOException {
        Path p = dir.resolve("prune.txt");
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 200; i++) {
            sb.append("the rare").append(i).append(" the of\n");
        }
        Files.writeString(p, sb.toString());
        Vocabulary v = Vocabulary.count(new CorpusReader(p), new Tokenizer(false), 1, 100, 50);
        assertEquals("the", v.word(0));
        assertEquals(400, v.count(0));
        assertEquals("of", v.word(1));
        assertTrue(v.size() <= 52, "pruned table has " + v.size() + " words");
    }

    @Test
    void subsamplingUsesWord2VecFormula() {
        long[] counts = {1_000_000, 1_000, 1};
        long total = 1_001_001;
        Subsampler s = new Subsampler(counts, 1e-4);
        for (int w = 0; w < 3; w++) {
            double st = 1e-4 * total;
            double expected = Math.min(1, (Math.sqrt(counts[w] / st) + 1) * st / counts[w]);
            assertEquals(expected, s.keepProbability(w), 1e-6);
        }
        assertTrue(s.keepProbability(0) < 0.02);
        assertEquals(1.0f, new Subsampler(counts, 0).keepProbability(0));
        assertTrue(s.keep(2, 0.999f));
        assertThrows(IllegalArgumentException.class, () -> new Subsampler(counts, -1));
    }

    @Test
    void negativeTableFollowsUnigramPower() {
        long[] counts = {1000, 100, 10, 1};
        NegativeSampler n = new NegativeSampler(counts, 1_000_000, 0.75);
        int[] hist = new int[4];
        for (int w : n.table()) {
            hist[w]++;
        }
        double norm = 0;
        for (long c : counts) {
            norm += Math.pow(c, 0.75);
        }
        for (int w = 0; w < 4; w++) {
            assertEquals(Math.pow(counts[w], 0.75) / norm, hist[w] / 1e6, 2e-5, "share of word " + w);
        }
        assertEquals(n.table()[(int) ((123456789L >>> 16) % 1_000_000)], n.sample(123456789L));
        assertThrows(IllegalArgumentException.class, () -> new NegativeSampler(new long[0]));
    }
}
