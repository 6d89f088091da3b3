package org.embed4j.deploy;

/**
 * The k best (row, score) pairs offered so far: higher score first, ties to the lower row (the order of the
 * e4j_topk kernel, so quantized and float searches rank alike). A bounded min-heap whose root is the worst
 * kept pair: O(V log k) per query, no boxing. NaN scores are never kept. One instance per query; not thread-safe.
 */
final class TopK {
    private final int k;
    private final int[] rows;
    private final float[] scores;
    private int size;

    TopK(int k) {
        this.k = k;
        this.rows = new int[k];
        this.scores = new float[k];
    }

    void offer(int row, float score) {
        if (k == 0 || Float.isNaN(score)) {
            return;
        }
        if (size < k) {
            rows[size] = row;
            scores[size] = score;
            up(size++);
        } else if (better(row, score, rows[0], scores[0])) {
            rows[0] = row;
            scores[0] = score;
            down(0);
        }
    }

    int size() {
        return size;
    }

    /** Empties the heap into {@code outRows}/{@code outScores}, best first; returns the number written. */
    int drain(int[] outRows, float[] outScores) {
        int n = size;
        for (int end = n - 1; end >= 0; end--) {
            outRows[end] = rows[0];
            outScores[end] = scores[0];
            size = end;
            if (end > 0) {
                rows[0] = rows[end];
                scores[0] = scores[end];
                down(0);
            }
        }
        return n;
    }

    private static boolean better(int r1, float s1, int r2, float s2) {
        return s1 > s2 || (s1 == s2 && r1 < r2);
    }

    private void up(int i) {
        while (i > 0) {
            int p = (i - 1) / 2;
            if (!better(rows[p], scores[p], rows[i], scores[i])) {
                return;
            }
            swap(i, p);
            i = p;
        }
    }

    private void down(int i) {
        while (true) {
            int l = 2 * i + 1;
            if (l >= size) {
                return;
            }
            int worst = l;
            int r = l + 1;
            if (r < size && better(rows[l], scores[l], rows[r], scores[r])) {
                worst = r;
            }
            if (!better(rows[i], scores[i], rows[worst], scores[worst])) {
                return;
            }
            swap(i, worst);
            i = worst;
        }
    }

    private void swap(int a, int b) {
        int r = rows[a];
        rows[a] = rows[b];
        rows[b] = r;
        float s = scores[a];
        scores[a] = scores[b];
        scores[b] = s;
    }
}
