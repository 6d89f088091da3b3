package org.embed4j.text;

import java.util.Arrays;

/**
 * The Huffman tree of hierarchical softmax over word counts, built as word2vec C's CreateBinaryTree builds it: the
 * words sorted by count, most frequent first (ties: lower id first; a {@link Vocabulary} is already in that order),
 * then V − 1 merges of the two lightest nodes, taken from two queues (the leaves from the rarest up, the merged nodes
 * in the order they were made; on a tie the merged node goes first), the second of each pair being branch 1. Frequent
 * words get short codes. The V − 1 inner nodes are numbered in the order they were merged, so the root is V − 2.
 *
 * <p>Word w's code lists, root first, each inner node n on its path and the branch b taken below it, packed as
 * {@code 2·n + b} in {@link #codes()} from {@code offsets()[w]} to {@code offsets()[w+1]}: the layout the word2vec
 * kernels read (C: code_offsets / codes). word2vec C trains node n with target 1 − b.
 *
 * <p>Immutable and thread-safe; the accessors return copies.
 */
public final class HuffmanCodes {
    private final long[] offsets;
    private final int[] codes;
    private final int maxLength;

    private HuffmanCodes(long[] offsets, int[] codes, int maxLength) {
        this.offsets = offsets;
        this.codes = codes;
        this.maxLength = maxLength;
    }

    /** The tree over {@code counts} (word id order, each &ge; 0, at least 2 words). */
    public static HuffmanCodes of(long[] counts) {
        int v = counts.length;
        if (v < 2) {
            throw new IllegalArgumentException("a Huffman tree needs at least 2 words, got " + v);
        }
        Integer[] order = new Integer[v];
        for (int i = 0; i < v; i++) {
            if (counts[i] < 0) {
                throw new IllegalArgumentException("counts[" + i + "] = " + counts[i] + " is negative");
            }
            order[i] = i;
        }
        Arrays.sort(
                order, (a, b) -> counts[a] != counts[b] ? Long.compare(counts[b], counts[a]) : Integer.compare(a, b));
        long[] weight = new long[2 * v];
        for (int i = 0; i < v; i++) {
            weight[i] = counts[order[i]];
        }
        Arrays.fill(weight, v, 2 * v, Long.MAX_VALUE);
        int[] parent = new int[2 * v];
        boolean[] branch = new boolean[2 * v];
        int leaf = v - 1; // next leaf, from the rarest
        int merged = v; // next merged node, in creation order
        for (int a = 0; a < v - 1; a++) {
            int min1 = leaf >= 0 && weight[leaf] < weight[merged] ? leaf-- : merged++;
            int min2 = leaf >= 0 && weight[leaf] < weight[merged] ? leaf-- : merged++;
            weight[v + a] = saturatedAdd(weight[min1], weight[min2]);
            parent[min1] = v + a;
            parent[min2] = v + a;
            branch[min2] = true;
        }
        int root = 2 * v - 2;
        int[] depth = new int[v];
        long total = 0;
        int max = 0;
        for (int i = 0; i < v; i++) {
            for (int n = i; n != root; n = parent[n]) {
                depth[i]++;
            }
            total += depth[i];
            max = Math.max(max, depth[i]);
        }
        int[] rank = new int[v]; // rank[w]: w's place in the sorted order (its leaf)
        for (int i = 0; i < v; i++) {
            rank[order[i]] = i;
        }
        long[] offsets = new long[v + 1];
        for (int w = 0; w < v; w++) { // offsets in word id order
            offsets[w + 1] = offsets[w] + depth[rank[w]];
        }
        int[] codes = new int[Math.toIntExact(total)];
        for (int w = 0; w < v; w++) {
            int j = depth[rank[w]];
            for (int n = rank[w]; n != root; n = parent[n]) { // leaf upwards: fill the code from its end
                codes[(int) (offsets[w] + --j)] = 2 * (parent[n] - v) + (branch[n] ? 1 : 0);
            }
        }
        return new HuffmanCodes(offsets, codes, max);
    }

    private static long saturatedAdd(long a, long b) {
        long s = a + b;
        return s < 0 ? Long.MAX_VALUE : s;
    }

    /** V, the number of words (leaves). */
    public int size() {
        return offsets.length - 1;
    }

    /** V − 1, the number of inner nodes (rows of the hierarchical-softmax weights). */
    public int innerNodes() {
        return offsets.length - 2;
    }

    /** The longest code. */
    public int maxLength() {
        return maxLength;
    }

    /** The length of word w's code (its depth in the tree). */
    public int length(int w) {
        return (int) (offsets[w + 1] - offsets[w]);
    }

    /** The i-th inner node on word w's path, root first. */
    public int node(int w, int i) {
        return codes[(int) (offsets[w] + checkedIndex(w, i))] >> 1;
    }

    /** The branch (0 or 1) taken below {@link #node(int, int)}. */
    public int branch(int w, int i) {
        return codes[(int) (offsets[w] + checkedIndex(w, i))] & 1;
    }

    /** (V+1) offsets of each word's code in {@link #codes()}. */
    public long[] offsets() {
        return offsets.clone();
    }

    /** Every word's code, {@code 2·node + branch} per entry, root first. */
    public int[] codes() {
        return codes.clone();
    }

    private int checkedIndex(int w, int i) {
        if (i < 0 || i >= length(w)) {
            throw new IndexOutOfBoundsException("code index " + i + " outside [0, " + length(w) + ") of word " + w);
        }
        return i;
    }
}
