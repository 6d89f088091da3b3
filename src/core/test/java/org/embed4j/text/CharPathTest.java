package org.embed4j.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The allocation-free paths of the text pipeline (lines and words as ranges of a reused buffer, word ids and counts
 * looked up by characters, the negative table written to native memory) give exactly what the String paths give.
 */
class CharPathTest {
    @TempDir
    Path dir;

    private static List<String> linesOf(CorpusReader r) {
        List<String> out = new ArrayList<>();
        r.forEachLineChars((buf, from, to) -> out.add(new String(buf, from, to - from)));
        return out;
    }

    private static List<String> stringLines(CorpusReader r) {
        List<String> out = new ArrayList<>();
        r.forEachLine(out::add);
        return out;
    }

    @Test
    void charLinesEqualReadLineOnEveryTerminator() throws IOException {
        String longLine = "x".repeat(200_000); // longer than the 64k buffer
        List<String> texts = List.of(
                "a\nb\r\nc\rd",
                "a\n\n\nb\n",
                "\r\n\r\n",
                "",
                "one line without end",
                longLine + "\n" + longLine + "\r\n" + "tail",
                "é ü 日本\r\n𝒳\n");
        for (String text : texts) {
            Path p = dir.resolve("t.txt");
            Files.writeString(p, text);
            CorpusReader r = new CorpusReader(p);
            assertEquals(stringLines(r), linesOf(r), () -> "text of " + text.length() + " chars");
        }
        // a \r\n split across the buffer boundary at every offset near it
        for (int pad = 65_530; pad < 65_540; pad++) {
            Path p = dir.resolve("b.txt");
            Files.writeString(p, "y".repeat(pad) + "\r\nnext\r\n\r\nlast");
            CorpusReader r = new CorpusReader(p);
            assertEquals(stringLines(r), linesOf(r), "pad " + pad);
        }
        Path gz = dir.resolve("c.data");
        try (OutputStream o = new GZIPOutputStream(Files.newOutputStream(gz))) {
            o.write("first\r\nsecond\n".getBytes(StandardCharsets.UTF_8));
        }
        assertEquals(List.of("first", "second"), linesOf(new CorpusReader(gz)));
        var e = assertThrows(
                java.io.UncheckedIOException.class,
                () -> new CorpusReader(dir.resolve("missing.txt")).forEachLineChars((b, f, t) -> {}));
        assertEquals(true, e.getMessage().contains("missing.txt"));
    }

    @Test
    void byteRangesGiveEveryLineToExactlyOnePart() throws IOException {
        SplittableRandom rnd = new SplittableRandom(3);
        String[] ends = {"\n", "\r\n", "\r", "\n\n", "\r\r\n"};
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 400; i++) {
            sb.append(i % 11 == 0 ? "é日" : "").append("line").append(i).append(ends[rnd.nextInt(ends.length)]);
        }
        sb.append("tail without end");
        Path p = dir.resolve("split.txt");
        Files.writeString(p, sb.toString());
        CorpusReader r = new CorpusReader(p);
        List<String> whole = stringLines(r);
        long size = r.byteSize();
        for (int trial = 0; trial < 300; trial++) {
            long[] cut = {0, rnd.nextLong(size + 1), rnd.nextLong(size + 1), size};
            java.util.Arrays.sort(cut);
            List<String> parts = new ArrayList<>();
            for (int k = 0; k < 3; k++) {
                r.forEachLineChars(cut[k], cut[k + 1], (buf, from, to) -> parts.add(new String(buf, from, to - from)));
            }
            assertEquals(whole, parts, "cuts " + java.util.Arrays.toString(cut));
        }
        Path gz = dir.resolve("g.gz");
        try (OutputStream o = new GZIPOutputStream(Files.newOutputStream(gz))) {
            o.write("a\n".getBytes(StandardCharsets.UTF_8));
        }
        assertEquals(false, new CorpusReader(gz).splittable());
        assertThrows(IllegalStateException.class, () -> new CorpusReader(gz).forEachLineChars(0, 1, (b, f, t) -> {}));
        assertThrows(IllegalArgumentException.class, () -> r.forEachLineChars(5, 4, (b, f, t) -> {}));
    }

    @Test
    void parallelVocabularyCountEqualsOneThread() throws IOException {
        SplittableRandom rnd = new SplittableRandom(17);
        StringBuilder sb = new StringBuilder();
        while (sb.length() < Vocabulary.PARALLEL_MIN_BYTES + 100_000) {
            int n = 1 + rnd.nextInt(15);
            for (int k = 0; k < n; k++) {
                sb.append(k == 0 ? "" : " ").append("Word").append((int) (Math.pow(rnd.nextDouble(), 4) * 20_000));
            }
            sb.append(rnd.nextInt(5) == 0 ? "\r\n" : "\n");
        }
        Path p = dir.resolve("big.txt");
        Files.writeString(p, sb.toString());
        CorpusReader r = new CorpusReader(p);
        Tokenizer t = new Tokenizer(true);
        Vocabulary one = Vocabulary.count(r, t, 2, 5000, Vocabulary.DEFAULT_MAX_ENTRIES, 1);
        for (int threads : new int[] {2, 3}) {
            Vocabulary many = Vocabulary.count(r, t, 2, 5000, Vocabulary.DEFAULT_MAX_ENTRIES, threads);
            assertEquals(one.words(), many.words());
            assertArrayEquals(one.counts(), many.counts());
        }
        // a part past maxEntries: counted again on one thread, with the same pruning as there
        Vocabulary pruned1 = Vocabulary.count(r, t, 1, 100_000, 3000, 1);
        Vocabulary pruned2 = Vocabulary.count(r, t, 1, 100_000, 3000, 2);
        assertEquals(pruned1.words(), pruned2.words());
        assertArrayEquals(pruned1.counts(), pruned2.counts());
    }

    @Test
    void charTokensEqualStringTokens() {
        List<String> lines = List.of(
                "Don't stop -- it's O'Neil's rock 'n' roll!",
                "naïve, café; 日本語 (x2) don’t 𝒳y",
                "ISTANBUL Straße İstanbul ΣΊΣΥΦΟΣ",
                "  a\tb  ",
                "'' -- ...",
                "MiXeD CaSe123 abc'",
                "");
        for (boolean lower : new boolean[] {false, true}) {
            Tokenizer t = new Tokenizer(lower);
            for (String line : lines) {
                List<String> got = new ArrayList<>();
                char[] buf = ("#" + line + "#").toCharArray(); // a range inside a bigger buffer
                t.tokenize(buf, 1, buf.length - 1, (w, s, e) -> got.add(new String(w, s, e - s)));
                assertEquals(t.tokenize(line), got, line + " lowercase " + lower);
            }
        }
    }

    @Test
    void idByCharsEqualsIdByString() {
        Map<String, Long> counts = new HashMap<>();
        SplittableRandom rnd = new SplittableRandom(5);
        for (int i = 0; i < 5000; i++) {
            counts.put("w" + Integer.toString(rnd.nextInt(1 << 20), 36), 1L + rnd.nextInt(100));
        }
        counts.put("Aa", 3L); // "Aa" and "BB" share String.hashCode
        counts.put("BB", 3L);
        Vocabulary v = Vocabulary.of(counts, 1, Integer.MAX_VALUE);
        for (String w : counts.keySet()) {
            char[] c = ("<" + w + ">").toCharArray();
            assertEquals(v.id(w), v.id(c, 1, c.length - 1), w);
        }
        for (String w : List.of("", "x", "w", "Ab", "aa", "w0000000")) {
            assertEquals(v.id(w), v.id(w.toCharArray(), 0, w.length()), w);
        }
    }

    @Test
    void countingByCharsEqualsCountingStrings() throws IOException {
        SplittableRandom rnd = new SplittableRandom(9);
        StringBuilder sb = new StringBuilder();
        Map<String, Long> want = new HashMap<>();
        for (int line = 0; line < 3000; line++) {
            int n = rnd.nextInt(12);
            for (int k = 0; k < n; k++) {
                String w = "t" + (int) Math.floor(Math.pow(rnd.nextDouble(), 3) * 4000);
                want.merge(w, 1L, Long::sum);
                sb.append(w).append(k % 3 == 0 ? ", " : " ");
            }
            sb.append(line % 7 == 0 ? "\r\n" : "\n");
        }
        Path p = dir.resolve("count.txt");
        Files.writeString(p, sb.toString());
        Vocabulary v = Vocabulary.count(new CorpusReader(p), new Tokenizer(false), 1, Integer.MAX_VALUE);
        Vocabulary expect = Vocabulary.of(want, 1, Integer.MAX_VALUE);
        assertEquals(expect.words(), v.words());
        assertArrayEquals(expect.counts(), v.counts());
    }
}
