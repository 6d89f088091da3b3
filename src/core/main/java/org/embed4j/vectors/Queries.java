package org.embed4j.vectors;

import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;

/**
 * The arithmetic around {@link WordVectors}' queries that the search kernels do not do: argument checks, unit
 * vectors, the 3CosMul ranking over all-row cosines, and top-k answers turned into {@link Neighbor} lists. Sums are
 * accumulated in double. Stateless and thread-safe.
 */
final class Queries {
    /** Levy &amp; Goldberg's epsilon in the 3CosMul denominator. */
    private static final double COSMUL_EPS = 1e-3;

    private Queries() {}

    static void checkK(int k) {
        if (k < 0) {
            throw new IllegalArgumentException("k must be >= 0, got " + k);
        }
    }

    /** A query of zero or non-finite norm has no cosine neighbours: an error naming it ({@code what}). */
    static void checkQuery(float[] v, int offset, int dim, String what) {
        double n2 = 0;
        for (int d = 0; d < dim; d++) {
            n2 += (double) v[offset + d] * v[offset + d];
        }
        if (n2 == 0 || !Double.isFinite(n2)) {
            throw new IllegalArgumentException(what + " has a zero or non-finite vector: no cosine neighbours");
        }
    }

    /** Scales {@code v} to unit length in place; a zero or non-finite vector is an error naming {@code word}. */
    static void toUnit(float[] v, String word) {
        toUnit(v, 0, v.length, word);
    }

    /** {@link #toUnit(float[], String)} on {@code v[offset .. offset+dim)}. */
    static void toUnit(float[] v, int offset, int dim, String word) {
        double n2 = 0;
        for (int d = 0; d < dim; d++) {
            n2 += (double) v[offset + d] * v[offset + d];
        }
        if (n2 == 0 || !Double.isFinite(n2)) {
            throw new IllegalArgumentException("word '" + word + "' has a zero or non-finite vector");
        }
        float inv = (float) (1 / Math.sqrt(n2));
        for (int d = 0; d < dim; d++) {
            v[offset + d] *= inv;
        }
    }

    /** The answers of {@code q} queries, each score multiplied by {@code scale}; empty slots dropped. */
    static List<List<Neighbor>> neighbors(Vocab vocab, Search.TopK top, int q, double scale) {
        List<List<Neighbor>> all = new ArrayList<>(q);
        for (int j = 0; j < q; j++) {
            List<Neighbor> list = new ArrayList<>(top.k());
            for (int i = 0; i < top.k(); i++) {
                long row = top.idx()[j * top.k() + i];
                float score = top.score()[j * top.k() + i];
                if (row >= 0 && score != Float.NEGATIVE_INFINITY) {
                    list.add(new Neighbor(vocab.word((int) row), score * scale));
                }
            }
            all.add(List.copyOf(list));
        }
        return List.copyOf(all);
    }

    /**
     * The k best rows by 3CosMul, cos'(d,b)·cos'(d,c)/(cos'(d,a)+0.001) with cos' = (cos+1)/2, from {@code cos}
     * (V,3) row-major (a, b, c per row; -infinity for rows of norm 0, which never match), the three
     * {@code exclude} rows left out; ties to the lower row. The rows of the answer are checked ({@link RowCheck})
     * and so are their cosines: a NaN, which would sort first, is an error instead.
     */
    static List<Neighbor> cosMul(Vocab vocab, float[] cos, long[] exclude, int k, RowCheck check) {
        int v = vocab.size();
        if (k == 0) {
            return List.of();
        }
        // min-heap of the best k (score, row); worse = lower score, then higher row
        PriorityQueue<double[]> heap = new PriorityQueue<>(
                Math.max(1, Math.min(k, v)),
                (x, y) -> x[0] != y[0] ? Double.compare(x[0], y[0]) : Double.compare(y[1], x[1]));
        for (int r = 0; r < v; r++) {
            if (r == exclude[0] || r == exclude[1] || r == exclude[2] || cos[r * 3] == Float.NEGATIVE_INFINITY) {
                continue;
            }
            double ca = (cos[r * 3] + 1.0) / 2;
            double cb = (cos[r * 3 + 1] + 1.0) / 2;
            double cc = (cos[r * 3 + 2] + 1.0) / 2;
            double score = cb * cc / (ca + COSMUL_EPS);
            if (heap.size() < k) {
                heap.add(new double[] {score, r});
            } else if (score > heap.peek()[0]) {
                heap.poll();
                heap.add(new double[] {score, r});
            }
        }
        List<double[]> best = new ArrayList<>(heap);
        best.sort((x, y) -> x[0] != y[0] ? Double.compare(y[0], x[0]) : Double.compare(x[1], y[1]));
        List<Neighbor> out = new ArrayList<>(best.size());
        for (double[] e : best) {
            int r = (int) e[1];
            check.row(r);
            for (int j = 0; j < 3; j++) {
                Search.clampCosine(cos[r * 3 + j], r); // a NaN would rank first: refused, never answered
            }
            out.add(new Neighbor(vocab.word(r), e[0]));
        }
        return List.copyOf(out);
    }
}
