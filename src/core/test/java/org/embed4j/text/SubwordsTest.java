package org.embed4j.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.embed4j.internal.hash.Fnv1a;
import org.junit.jupiter.api.Test;

/** Subwords against fastText's n-gram order and an independent code-point implementation of fastText's rules. */
class SubwordsTest {

    @Test
    void ngramsOfWhereMatchFastTextOrder() {
        Subwords s = new Subwords(3, 6, 2_000_000);
        // fastText: "<where>" n-grams of length 3..6 by start position, then length
        List<String> grams = List.of(
                "<wh", "<whe", "<wher", "<where", "whe", "wher", "where", "where>", "her", "here", "here>", "ere",
                "ere>", "re>");
        int[] expected = grams.stream()
                .mapToInt(g -> (int) (Integer.toUnsignedLong(Fnv1a.fastText(g)) % 2_000_000))
                .toArray();
        assertArrayEquals(expected, s.ngramBuckets("where"));
    }

    @Test
    void agreesWithCodePointReferenceOnAwkwardWords() {
        for (String w : List.of("a", "ab", "naïve", "日本語", "😀x", "don't", "straße", "x".repeat(40))) {
            for (int[] mm : new int[][] {{1, 1}, {1, 3}, {3, 6}, {2, 2}, {5, 9}}) {
                Subwords s = new Subwords(mm[0], mm[1], 1021);
                assertArrayEquals(reference(w, mm[0], mm[1], 1021), s.ngramBuckets(w), w + " " + mm[0] + ".." + mm[1]);
            }
        }
    }

    @Test
    void offMeansNoNgramsAndBadArgumentsAreNamed() {
        assertEquals(0, new Subwords(3, 0, 0).ngramBuckets("word").length);
        var e = assertThrows(IllegalArgumentException.class, () -> new Subwords(4, 3, 10));
        assertEquals(true, e.getMessage().contains("minn=4"));
        assertThrows(IllegalArgumentException.class, () -> new Subwords(3, 6, 0));
        assertThrows(IllegalArgumentException.class, () -> new Subwords(3, 6, 10).ngramBuckets(null));
        assertEquals(
                "maxn must be <= 20, got 21",
                assertThrows(IllegalArgumentException.class, () -> new Subwords(3, 21, 10))
                        .getMessage());
        assertEquals(
                25 - 20 + 1,
                new Subwords(20, 20, 10).ngramBuckets("abcdefghijklmnopqrstuvw").length); // "<w>": 25 points
    }

    /** fastText's rules restated on code points: every substring of "<w>" of n = minn..maxn code points but "<" and ">". */
    private static int[] reference(String word, int minn, int maxn, int bucket) {
        int[] cps = ("<" + word + ">").codePoints().toArray();
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < cps.length; i++) {
            for (int n = 1; n <= maxn && i + n <= cps.length; n++) {
                boolean lone = n == 1 && (i == 0 || i + n == cps.length);
                if (n >= minn && !lone) {
                    String g = new String(cps, i, n);
                    out.add((int) (Integer.toUnsignedLong(Fnv1a.fastText(g)) % bucket));
                }
            }
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }
}
