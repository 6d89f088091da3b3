package org.embed4j.classify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The hs label tree is a full binary prefix code, Huffman-optimal in shape, and its probabilities sum to 1. */
class HuffmanTreeTest {

    /** Label c's code read from the root down (the path is stored leaf's parent first). */
    private static String rootFirstCode(HuffmanTree t, int c) {
        StringBuilder sb = new StringBuilder();
        boolean[] code = t.code(c);
        for (int i = code.length - 1; i >= 0; i--) {
            sb.append(code[i] ? '1' : '0');
        }
        return sb.toString();
    }

    private static void assertPrefixCode(HuffmanTree t) {
        int k = t.labels();
        Set<String> codes = new HashSet<>();
        double kraft = 0;
        for (int c = 0; c < k; c++) {
            String code = rootFirstCode(t, c);
            assertTrue(codes.add(code), "code " + code + " of label " + c + " is not unique");
            kraft += Math.pow(2, -code.length());
            int[] path = t.path(c);
            assertEquals(path.length, code.length());
            if (k > 1) {
                assertEquals(k - 2, path[path.length - 1], "every path ends at the root, inner node K-2");
            }
            for (int n : path) {
                assertTrue(n >= 0 && n < k - 1, "inner node " + n + " outside [0, " + (k - 2) + "]");
            }
        }
        for (String a : codes) {
            for (String b : codes) {
                assertTrue(a.equals(b) || !b.startsWith(a), a + " is a prefix of " + b);
            }
        }
        // a full binary tree: its leaves' depths satisfy Kraft's inequality with equality
        assertEquals(1.0, kraft, 1e-12);
    }

    @Test
    void uniformCountsGiveABalancedTree() {
        for (int k : new int[] {1, 2, 3, 7, 8, 16, 50, 257}) {
            long[] counts = new long[k];
            Arrays.fill(counts, 10);
            HuffmanTree t = new HuffmanTree(counts);
            assertPrefixCode(t);
            int lo = (int) Math.floor(Math.log(k) / Math.log(2));
            int hi = (int) Math.ceil(Math.log(k) / Math.log(2));
            for (int c = 0; c < k; c++) {
                int depth = t.path(c).length;
                assertTrue(
                        depth >= lo && depth <= hi,
                        "k " + k + " label " + c + " depth " + depth + " not in [" + lo + ", " + hi + "]");
            }
        }
    }

    @Test
    void frequentLabelsGetShorterCodesAndTheCostIsOptimal() {
        SplittableRandom rng = new SplittableRandom(3);
        for (int trial = 0; trial < 20; trial++) {
            int k = 2 + rng.nextInt(60);
            long[] counts = new long[k];
            for (int c = 0; c < k; c++) {
                counts[c] = 1 + rng.nextInt(1000) * (long) rng.nextInt(50);
            }
            HuffmanTree t = new HuffmanTree(counts);
            assertPrefixCode(t);
            long cost = 0;
            for (int a = 0; a < k; a++) {
                cost += counts[a] * t.path(a).length;
                for (int b = 0; b < k; b++) {
                    if (counts[a] > counts[b]) {
                        assertTrue(
                                t.path(a).length <= t.path(b).length,
                                "count " + counts[a] + " deeper than " + counts[b]);
                    }
                }
            }
            assertEquals(optimalCost(counts), cost, "weighted path length of k " + k);
        }
    }

    /** The minimum Σ count·depth over all prefix codes: the sum of every merge of the two smallest weights. */
    private static long optimalCost(long[] counts) {
        long[] w = counts.clone();
        int n = w.length;
        long cost = 0;
        while (n > 1) {
            Arrays.sort(w, 0, n);
            long merged = w[0] + w[1];
            cost += merged;
            w[0] = merged;
            w[1] = w[n - 1];
            n--;
        }
        return cost;
    }

    @Test
    void countsWhoseSumOverflowsAreRefused() {
        // the largest sums that fit still build a tree (zero counts as one)
        assertPrefixCode(new HuffmanTree(new long[] {Long.MAX_VALUE / 2, Long.MAX_VALUE / 2}));
        assertPrefixCode(new HuffmanTree(new long[] {Long.MAX_VALUE - 1, 0}));
        for (long[] counts : new long[][] {{Long.MAX_VALUE, 1}, {Long.MAX_VALUE - 1, 0, 0}, {1L << 62, 1L << 62}}) {
            var e = assertThrows(
                    IllegalArgumentException.class, () -> new HuffmanTree(counts), Arrays.toString(counts));
            assertTrue(e.getMessage().contains("sum past 2^63"), e.getMessage());
        }
    }

    @Test
    void probabilitiesArePathProductsAndSumToOne() {
        long[] counts = {50, 20, 20, 5, 3, 1, 1};
        HuffmanTree t = new HuffmanTree(counts);
        SplittableRandom rng = new SplittableRandom(9);
        double[] scores = new double[counts.length - 1];
        for (int i = 0; i < scores.length; i++) {
            scores[i] = rng.nextDouble(-4, 4);
        }
        float[] probs = new float[counts.length];
        t.probabilities(scores.clone(), probs, 0); // it overwrites the scores it is given
        double sum = 0;
        for (int c = 0; c < probs.length; c++) {
            double expected = 1;
            for (int i = 0; i < t.path(c).length; i++) {
                double s = scores[t.path(c)[i]];
                expected *= 1 / (1 + Math.exp(t.code(c)[i] ? -s : s));
            }
            assertEquals(expected, probs[c], 1e-6, "label " + c);
            sum += probs[c];
        }
        assertEquals(1.0, sum, 1e-6);
        float[] one = new float[1];
        new HuffmanTree(new long[] {4}).probabilities(new double[0], one, 0);
        assertEquals(1f, one[0]);
    }
}
