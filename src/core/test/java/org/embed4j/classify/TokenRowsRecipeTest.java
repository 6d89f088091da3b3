package org.embed4j.classify;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.embed4j.internal.hash.Fnv1a;
import org.embed4j.text.Subwords;
import org.junit.jupiter.api.Test;

/**
 * The allocation-free hot path (token char ranges, FNV-1a from chars, the open-addressing word table) against the
 * obvious recipe it replaced, kept here as the reference: a substring per code-point-cut token, a HashMap of words,
 * and FNV-1a over {@code getBytes(UTF_8)}. Random texts mix ASCII, accents, CJK, emoji (surrogate pairs), unpaired
 * surrogates, apostrophes, capitals that lower-case to longer strings, and whitespace of several kinds.
 */
class TokenRowsRecipeTest {
    private static final String[] PIECES = {
        "a",
        "b",
        "z",
        "Q",
        "0",
        "9",
        "-",
        "_",
        "'",
        "\u2019",
        "!",
        "?",
        ".",
        ",",
        "<",
        ">",
        "/",
        "\"",
        "\\",
        " ",
        " ",
        " ",
        "\t",
        "\n",
        "\u00a0",
        "\u2003",
        "\u0001",
        "\u007f",
        "é",
        "ß",
        "Ä",
        "\u0130",
        "ñ",
        "\u0301",
        "日本",
        "语",
        "\u0800",
        "\u07ff",
        "\uffff",
        "\ud83d\ude00",
        "\ud801\udc00",
        "\ud83d",
        "\ude00",
        "don't",
        "good",
        "film",
        "Good",
        "FILM",
        "w123",
        "</s>",
    };

    private static String randomText(SplittableRandom r, int maxPieces) {
        StringBuilder s = new StringBuilder();
        int n = r.nextInt(maxPieces + 1);
        for (int i = 0; i < n; i++) {
            s.append(PIECES[r.nextInt(PIECES.length)]);
        }
        return s.toString();
    }

    /** The tokenizer as first written: code point by code point, a substring per token. */
    private static List<String> referenceTokens(String text, boolean lowercase) {
        String s = lowercase ? text.toLowerCase(Locale.ROOT) : text;
        List<String> out = new ArrayList<>();
        int n = s.length();
        int i = 0;
        while (i < n) {
            int cp = s.codePointAt(i);
            if (Character.isWhitespace(cp) || Character.isSpaceChar(cp)) {
                i += Character.charCount(cp);
                continue;
            }
            if (isWordChar(cp)) {
                int start = i;
                while (i < n) {
                    int c = s.codePointAt(i);
                    if (isWordChar(c)) {
                        i += Character.charCount(c);
                    } else if ((c == '\'' || c == '\u2019')
                            && i > start
                            && i + 1 < n
                            && isWordChar(s.codePointAt(i + 1))) {
                        i += 1;
                    } else {
                        break;
                    }
                }
                out.add(s.substring(start, i));
            } else {
                int len = Character.charCount(cp);
                out.add(s.substring(i, i + len));
                i += len;
            }
        }
        return out;
    }

    private static boolean isWordChar(int cp) {
        return Character.isLetterOrDigit(cp)
                || Character.getType(cp) == Character.NON_SPACING_MARK
                || cp == '-'
                || cp == '_';
    }

    private static int bytesFnv1a(String s) {
        int h = 0x811C9DC5;
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            h = (h ^ b) * 0x01000193;
        }
        return h;
    }

    /** Input rows as first written: words (+ their char n-grams), EOS, then hashed word n-grams. */
    private static int[] referenceRows(
            String text, List<String> words, boolean lowercase, int wordNgrams, int bucket, Subwords subwords) {
        Map<String, Integer> ids = new HashMap<>();
        for (int i = 0; i < words.size(); i++) {
            ids.put(words.get(i), i);
        }
        List<String> tokens = referenceTokens(text, lowercase);
        if (tokens.isEmpty()) {
            return new int[0];
        }
        tokens.add(Dictionary.EOS);
        List<Integer> rows = new ArrayList<>();
        for (String t : tokens) {
            Integer id = ids.get(t);
            if (id != null) {
                rows.add(id);
            }
            if (subwords.enabled() && !t.equals(Dictionary.EOS)) {
                for (int b : subwords.ngramBuckets(t)) {
                    rows.add(words.size() + b);
                }
            }
        }
        for (int i = 0; i < tokens.size(); i++) {
            long h = bytesFnv1a(tokens.get(i));
            for (int j = i + 1; j < tokens.size() && j < i + wordNgrams; j++) {
                h = h * 116049371L + bytesFnv1a(tokens.get(j));
                rows.add(words.size() + (int) Long.remainderUnsigned(h, bucket));
            }
        }
        return rows.stream().mapToInt(Integer::intValue).toArray();
    }

    @Test
    void fnv1aFromCharsEqualsFnv1aOfTheUtf8Bytes() {
        SplittableRandom r = new SplittableRandom(11);
        for (int k = 0; k < 20_000; k++) {
            String s = randomText(r, 12);
            // any range, also one that cuts a surrogate pair in two (each half is then unpaired: '?')
            int start = s.isEmpty() ? 0 : r.nextInt(s.length() + 1);
            int end = start + (s.length() == start ? 0 : r.nextInt(s.length() - start + 1));
            assertEquals(
                    bytesFnv1a(s.substring(start, end)),
                    Fnv1a.fastText(s.toCharArray(), start, end),
                    () -> "range [" + start + ", " + end + ") of "
                            + s.codePoints().mapToObj(Integer::toHexString).toList());
        }
        // every BMP char on its own, and every supplementary plane's first and last code point
        for (int c = 0; c <= 0xFFFF; c++) {
            String s = String.valueOf((char) c);
            assertEquals(bytesFnv1a(s), Fnv1a.fastText(s), () -> Integer.toHexString(s.charAt(0)));
        }
        for (int plane = 1; plane <= 16; plane++) {
            for (int cp : new int[] {plane << 16, (plane << 16) | 0xFFFF}) {
                String s = Character.toString(cp);
                assertEquals(bytesFnv1a(s), Fnv1a.fastText(s), () -> Integer.toHexString(cp));
            }
        }
    }

    @Test
    void tokensMatchTheCodePointRecipe() {
        SplittableRandom r = new SplittableRandom(12);
        for (boolean lowercase : new boolean[] {false, true}) {
            TextFeatures f = new TextFeatures(lowercase);
            for (int k = 0; k < 5_000; k++) {
                String text = randomText(r, 30);
                assertEquals(referenceTokens(text, lowercase), f.tokens(text), text);
            }
        }
        // every ASCII char between two word chars, so that the table-driven classes are all seen in context
        for (int c = 0; c < 128; c++) {
            String text = "ab" + (char) c + "cd " + (char) c;
            assertEquals(
                    referenceTokens(text, false), new TextFeatures(false).tokens(text), () -> "char " + text.charAt(2));
        }
    }

    @Test
    void inputRowsMatchTheSubstringRecipe() {
        SplittableRandom r = new SplittableRandom(13);
        int bucket = 10_007;
        for (boolean lowercase : new boolean[] {false, true}) {
            for (int[] config : new int[][] {{1, 0, 0}, {2, 0, 0}, {3, 2, 4}, {5, 1, 3}}) {
                int wordNgrams = config[0];
                // a vocabulary of tokens seen in some texts, EOS among them (so its row appears)
                LinkedHashSet<String> vocab = new LinkedHashSet<>();
                vocab.add(Dictionary.EOS);
                for (int k = 0; k < 200; k++) {
                    vocab.addAll(referenceTokens(randomText(r, 20), lowercase));
                }
                List<String> words = List.copyOf(vocab);
                Dictionary d = new Dictionary(words, List.of("x"), wordNgrams, bucket, lowercase, config[1], config[2]);
                Subwords subwords = new Subwords(config[1], config[2], d.bucket());
                Dictionary.TextRows reused = new Dictionary.TextRows();
                for (int k = 0; k < 2_000; k++) {
                    String text = randomText(r, 40);
                    int[] expected = referenceRows(text, words, lowercase, wordNgrams, d.bucket(), subwords);
                    assertArrayEquals(expected, d.inputRows(text), text);
                    d.inputRows(text, reused); // the buffers a thread reuses give the same rows
                    assertArrayEquals(expected, java.util.Arrays.copyOf(reused.ids, reused.count), text);
                }
                for (int id = 0; id < words.size(); id++) {
                    assertEquals(id, d.wordId(words.get(id)), words.get(id));
                }
                assertEquals(-1, d.wordId("never a token here"));
            }
        }
    }

    @Test
    void vocabularyWithoutEndOfLineGetsNoRowForIt() {
        Dictionary d = new Dictionary(List.of("good", "film"), List.of("x"), 1, 0, false);
        assertArrayEquals(new int[] {0, 1}, d.inputRows("good film unseen"));
        assertEquals(-1, d.wordId(Dictionary.EOS));
    }

    @Test
    void shortAndLongWordsAreFoundAlike() {
        // the table packs words of up to 7 chars below U+0100 into its slots and keeps the others aside: both sides
        // of each limit, and near misses that differ only in the last char or in length
        List<String> words = List.of(
                "abcdefg",
                "abcdefgh",
                "\u00ff\u00ff",
                "\u0100a",
                "a",
                "abcdefgi",
                "abcdef",
                "\u00e9t\u00e9",
                "\ud83d\ude00",
                "x1234567890123456789");
        Dictionary d = new Dictionary(words, List.of("x"), 1, 0, false);
        for (int id = 0; id < words.size(); id++) {
            assertEquals(id, d.wordId(words.get(id)), words.get(id));
        }
        for (String miss : List.of("abcdefh", "abcdefgj", "abcde", "\u00ff", "\u0100b", "x123456789012345678", "b")) {
            assertEquals(-1, d.wordId(miss), miss);
        }
        assertArrayEquals(
                new int[] {1, 3, 8, 9}, d.inputRows("abcdefgh \u0100a \ud83d\ude00 x1234567890123456789 zzz"));
    }

    @Test
    void duplicateWordsAreRefused() {
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(
                IllegalArgumentException.class,
                () -> new Dictionary(List.of("a", "b", "a"), List.of("x"), 1, 0, false));
        assertEquals("duplicate word \"a\"", e.getMessage());
    }
}
