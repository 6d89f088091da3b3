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

/** Tokenizer, corpus reader and vocabulary against hand-computed values. */
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
}
