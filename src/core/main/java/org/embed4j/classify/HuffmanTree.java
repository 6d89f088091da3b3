package org.embed4j.classify;

import java.util.PriorityQueue;

/**
 * The binary tree of the hierarchical-softmax loss: a Huffman code over the K labels' training counts, built the
 * way fastText builds it (the two least frequent nodes are merged, again and again, until one root is left), so a
 * frequent label has a short path. The K − 1 inner nodes are numbered 0..K−2 (the root is K−2) and inner node n
 * owns row n of the output matrix: a logistic unit σ(output_n · hidden) that says "go right".
 * Label c's path lists its inner nodes from the leaf's parent up to the root with the branch taken at each
 * (true = right); its probability is Π σ(±score_n) along the path, so the K probabilities sum to 1.
 * Ties are broken by node number (leaves by label id, inner nodes by creation), so the tree is a function of the
 * counts alone: training and every reader of the saved counts rebuild the same tree. Immutable and thread-safe.
 */
final class HuffmanTree {
    private final int[][] paths; // per label: inner nodes, leaf's parent first
    private final boolean[][] codes; // per label: branch taken at each node of its path (true = right)

    /** Counts of 0 (not recorded) are treated as 1, which gives a balanced tree; their sum must fit a long. */
    HuffmanTree(long[] counts) {
        int k = counts.length;
        if (k == 0) {
            throw new IllegalArgumentException("a label tree needs at least one label");
        }
        int nodes = 2 * k - 1; // leaves 0..k-1, inner node n at k + n
        long[] weight = new long[nodes];
        int[] parent = new int[nodes];
        boolean[] right = new boolean[nodes];
        PriorityQueue<long[]> queue =
                new PriorityQueue<>((a, b) -> a[0] != b[0] ? Long.compare(a[0], b[0]) : Long.compare(a[1], b[1]));
        long total = 0;
        for (int c = 0; c < k; c++) {
            weight[c] = Math.max(1, counts[c]);
            queue.add(new long[] {weight[c], c});
            // a merged weight that wrapped around would sort first again and again: a chain K - 1 deep, whose
            // paths take O(K²) memory (counts come from model files too); with a sum that fits a long no path is
            // longer than about 90 nodes
            total += weight[c];
            if (total < 0) {
                throw new IllegalArgumentException(
                        "the label counts sum past 2^63 at label " + c + " (count " + counts[c] + ")");
            }
        }
        for (int n = k; n < nodes; n++) {
            int left = (int) queue.poll()[1];
            int rightChild = (int) queue.poll()[1];
            weight[n] = weight[left] + weight[rightChild];
            parent[left] = n;
            parent[rightChild] = n;
            right[rightChild] = true;
            queue.add(new long[] {weight[n], n});
        }
        paths = new int[k][];
        codes = new boolean[k][];
        int root = nodes - 1;
        for (int c = 0; c < k; c++) {
            int depth = 0;
            for (int j = c; j != root; j = parent[j]) {
                depth++;
            }
            paths[c] = new int[depth];
            codes[c] = new boolean[depth];
            int i = 0;
            for (int j = c; j != root; j = parent[j]) {
                paths[c][i] = parent[j] - k;
                codes[c][i] = right[j];
                i++;
            }
        }
    }

    int labels() {
        return paths.length;
    }

    /** The inner nodes (output rows) on label c's path, leaf's parent first. Do not modify. */
    int[] path(int c) {
        return paths[c];
    }

    /** The branches taken along {@link #path(int)} (true = right, the unit's target is 1). Do not modify. */
    boolean[] code(int c) {
        return codes[c];
    }

    /**
     * Every label's probability from the inner nodes' scores ({@code scores[n]} = output_n · hidden, n &lt; K − 1),
     * into {@code probs[offset .. offset + K)}; {@code scores} is overwritten with σ(scores), the go-right
     * probabilities. All K paths are evaluated (K·depth products after K − 1 dot products, the same order of work as
     * softmax), not fastText's best-first search with pruning, because the callers want all probabilities.
     */
    void probabilities(double[] scores, float[] probs, int offset) {
        int inner = paths.length - 1;
        for (int n = 0; n < inner; n++) {
            scores[n] = Supervised.sigmoid(scores[n]);
        }
        for (int c = 0; c < paths.length; c++) {
            double p = 1;
            int[] path = paths[c];
            boolean[] code = codes[c];
            for (int i = 0; i < path.length; i++) {
                p *= code[i] ? scores[path[i]] : 1 - scores[path[i]];
            }
            probs[offset + c] = (float) p;
        }
    }
}
