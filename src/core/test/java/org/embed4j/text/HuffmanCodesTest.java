package org.embed4j.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Huffman codes against a tree built by hand with word2vec C's CreateBinaryTree, and the properties every code must
 * have on random counts: prefix-free over the inner nodes (each word a distinct leaf), the Kraft sum exactly 1, an
 * optimal total length (equal to a textbook Huffman construction's), codes in word-id order whatever the count order.
 */
class HuffmanCodesTest {

    /**
     * counts 5 3 2 1: merges (1+2)=inner 0 [word 3 branch 0, word 2 branch 1], (3+3)=inner 1 [inner 0 branch 0
     * (a merged node wins a tie), word 1 branch 1], (5+6)=inner 2, the root [word 0 branch 0, inner 1 branch 1].
     */
    @Test
    void matchesATreeBuiltByHandTheWayWord2vecBuildsIt() {
        HuffmanCodes h = HuffmanCodes.of(new long[] {5, 3, 2, 1});
        assertEquals(4, h.size());
        assertEquals(3, h.innerNodes());
        assertEquals(3, h.maxLength());
        assertArrayEquals(new long[] {0, 1, 3, 6, 9}, h.offsets());
        // 2·node + branch, root first
        assertArrayEquals(new int[] {4, 5, 3, 5, 2, 1, 5, 2, 0}, h.codes());
        assertEquals(2, h.node(2, 0));
        assertEquals(1, h.branch(2, 0));
        assertEquals(0, h.node(3, 2));
        assertEquals(0, h.branch(3, 2));
        assertThrows(IndexOutOfBoundsException.class, () -> h.node(0, 1));
    }

    @Test
    void countsInAnyOrderGiveTheSameCodesPerWord() {
        HuffmanCodes sorted = HuffmanCodes.of(new long[] {5, 3, 2, 1});
        HuffmanCodes shuffled = HuffmanCodes.of(new long[] {2, 5, 1, 3}); // words 1, 3, 0, 2 in count order
        int[] sameAs = {2, 0, 3, 1};
        for (int w = 0; w < 4; w++) {
            assertEquals(sorted.length(sameAs[w]), shuffled.length(w), "length of word " + w);
            for (int i = 0; i < shuffled.length(w); i++) {
                assertEquals(sorted.node(sameAs[w], i), shuffled.node(w, i));
                assertEquals(sorted.branch(sameAs[w], i), shuffled.branch(w, i));
            }
        }
    }

    @Test
    void randomCountsGiveOptimalPrefixFreeCodes() {
        SplittableRandom rnd = new SplittableRandom(11);
        for (int v : new int[] {2, 3, 7, 100, 1021}) {
            long[] counts = new long[v];
            for (int i = 0; i < v; i++) {
                counts[i] = 1 + (long) Math.exp(rnd.nextDouble() * 12);
            }
            HuffmanCodes h = HuffmanCodes.of(counts);
            Set<String> paths = new HashSet<>();
            double kraft = 0;
            long cost = 0;
            for (int w = 0; w < v; w++) {
                StringBuilder path = new StringBuilder();
                assertEquals(v - 2, h.node(w, 0), "every code starts at the root");
                for (int i = 0; i < h.length(w); i++) {
                    assertTrue(h.node(w, i) >= 0 && h.node(w, i) < v - 1);
                    path.append(h.branch(w, i));
                }
                assertTrue(paths.add(path.toString()), "two words share the code " + path);
                kraft += Math.pow(2, -h.length(w));
                cost += counts[w] * h.length(w);
            }
            assertEquals(1.0, kraft, 1e-12, "Kraft sum");
            assertEquals(huffmanCost(counts), cost, "total code length for V=" + v);
        }
    }

    /** The textbook construction's Σ count·depth (the sum of the merged weights). */
    private static long huffmanCost(long[] counts) {
        java.util.PriorityQueue<Long> q = new java.util.PriorityQueue<>();
        for (long c : counts) {
            q.add(c);
        }
        long cost = 0;
        while (q.size() > 1) {
            long s = q.poll() + q.poll();
            cost += s;
            q.add(s);
        }
        return cost;
    }

    @Test
    void rejectsTooFewWordsAndNegativeCounts() {
        assertThrows(IllegalArgumentException.class, () -> HuffmanCodes.of(new long[] {4}));
        var e = assertThrows(IllegalArgumentException.class, () -> HuffmanCodes.of(new long[] {4, -1}));
        assertTrue(e.getMessage().contains("counts[1]"), e.getMessage());
    }
}
