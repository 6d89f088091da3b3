package org.embed4j.backend;

/**
 * Keeps the k best (row, score) candidates seen so far, best = higher score, ties = lower row (the order
 * e4j_topk documents). A bounded heap whose root is the worst kept candidate: O(V log k) per query, without
 * boxing. NaN scores count as -inf. One instance per query; not thread-safe.
 */
final class TopKSelector {
    private final int k;
    private final long[] rows;
    private final float[] scores;
    private int size;

    TopKSelector(int k) {
        this.k = k;
        this.rows = new long[k];
        this.scores = new float[k];
    }

    void offer(long row, float score) {
        float s = Float.isNaN(score) ? Float.NEGATIVE_INFINITY : score;
        if (size < k) {
            rows[size] = row;
            scores[size] = s;
            siftUp(size++);
        } else if (k > 0 && better(row, s, rows[0], scores[0])) {
            rows[0] = row;
            scores[0] = s;
            siftDown(0);
        }
    }

    /** Writes the kept candidates best first; slots past the number seen get row -1 and score -inf. */
    void drainInto(long[] outRows, float[] outScores) {
        int n = size;
        // Repeatedly move the worst (the root) to the end of the kept range: a heap sort, worst last.
        for (int end = n - 1; end >= 0; end--) {
            outRows[end] = rows[0];
            outScores[end] = scores[0];
            size = end;
            if (end > 0) {
                rows[0] = rows[end];
                scores[0] = scores[end];
                siftDown(0);
            }
        }
        for (int i = n; i < k; i++) {
            outRows[i] = -1;
            outScores[i] = Float.NEGATIVE_INFINITY;
        }
    }

    private static boolean better(long rowA, float scoreA, long rowB, float scoreB) {
        return scoreA > scoreB || (scoreA == scoreB && rowA < rowB);
    }

    private void siftUp(int i) {
        while (i > 0) {
            int parent = (i - 1) / 2;
            if (!better(rows[parent], scores[parent], rows[i], scores[i])) {
                break;
            }
            swap(i, parent);
            i = parent;
        }
    }

    private void siftDown(int i) {
        while (true) {
            int worst = i;
            int left = 2 * i + 1;
            int right = left + 1;
            if (left < size && better(rows[worst], scores[worst], rows[left], scores[left])) {
                worst = left;
            }
            if (right < size && better(rows[worst], scores[worst], rows[right], scores[right])) {
                worst = right;
            }
            if (worst == i) {
                return;
            }
            swap(i, worst);
            i = worst;
        }
    }

    private void swap(int a, int b) {
        long r = rows[a];
        rows[a] = rows[b];
        rows[b] = r;
        float s = scores[a];
        scores[a] = scores[b];
        scores[b] = s;
    }
}
