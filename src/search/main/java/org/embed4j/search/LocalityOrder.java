package org.embed4j.search;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * An order of the non-zero rows of a matrix in which rows close in space are close in the order: a random-projection
 * tree (each node splits its rows at the median of their projections on the difference of two of them, down to
 * leaves of {@link #LEAF} rows), the leaves read left to right. Documents written in this order put a graph node's
 * neighbours near it in the vector and graph files, so a search touches fewer pages and cache lines. Zero rows are
 * left out. Deterministic for a given matrix.
 */
final class LocalityOrder {
    static final int LEAF = 256;
    private static final long SEED = 0x5EED_0DE2L;

    private final HnswIndex.RowReader source;
    private final int dim;
    private final float[] a;
    private final float[] b;
    private final float[] row;
    private final SplittableRandom random = new SplittableRandom(SEED);

    private LocalityOrder(HnswIndex.RowReader source, int dim) {
        this.source = source;
        this.dim = dim;
        this.a = new float[dim];
        this.b = new float[dim];
        this.row = new float[dim];
    }

    /** The non-zero rows among {@code 0 .. rows)}, in locality order. Non-finite values are refused. */
    static int[] of(HnswIndex.RowReader source, int rows, int dim) {
        return new LocalityOrder(source, dim).order(rows);
    }

    private int[] order(int rows) {
        int[] kept = new int[rows];
        int n = 0;
        for (int r = 0; r < rows; r++) {
            source.row(r, row);
            if (HnswIndex.normalize(row, "row " + r)) {
                kept[n++] = r;
            }
        }
        int[] order = Arrays.copyOf(kept, n);
        float[] proj = new float[n];
        split(order, proj, 0, n);
        return order;
    }

    /** Orders {@code order[from, to)}: median split on a random direction, then each half. */
    private void split(int[] order, float[] proj, int from, int to) {
        while (to - from > LEAF) {
            if (!direction(order, from, to)) {
                return; // every sampled pair was one point: nothing to separate
            }
            for (int i = from; i < to; i++) {
                source.row(order[i], row);
                HnswIndex.normalize(row, "row"); // checked in the first pass; the label is only for a throw
                float p = 0;
                for (int j = 0; j < dim; j++) {
                    p += row[j] * a[j];
                }
                proj[i] = p;
            }
            int mid = (from + to) >>> 1;
            select(order, proj, from, to - 1, mid);
            split(order, proj, from, mid);
            from = mid; // the right half in this frame: the recursion depth stays log2(rows / LEAF)
        }
    }

    /** Sets {@code a} to the difference of two sampled unit rows; false when no sample gave two distinct ones. */
    private boolean direction(int[] order, int from, int to) {
        for (int attempt = 0; attempt < 8; attempt++) {
            source.row(order[from + random.nextInt(to - from)], a);
            source.row(order[from + random.nextInt(to - from)], b);
            HnswIndex.normalize(a, "row");
            HnswIndex.normalize(b, "row");
            double n2 = 0;
            for (int j = 0; j < dim; j++) {
                a[j] -= b[j];
                n2 += (double) a[j] * a[j];
            }
            if (n2 > 1e-12) {
                return true;
            }
        }
        return false;
    }

    /** Quickselect: afterwards proj[k] is in its sorted place, smaller ones before it, larger after. */
    private void select(int[] order, float[] proj, int lo, int hi, int k) {
        while (lo < hi) {
            float pivot = proj[lo + random.nextInt(hi - lo + 1)];
            int i = lo;
            int j = hi;
            while (i <= j) {
                while (proj[i] < pivot) {
                    i++;
                }
                while (proj[j] > pivot) {
                    j--;
                }
                if (i <= j) {
                    swap(order, proj, i++, j--);
                }
            }
            if (k <= j) {
                hi = j;
            } else if (k >= i) {
                lo = i;
            } else {
                return;
            }
        }
    }

    private static void swap(int[] order, float[] proj, int i, int j) {
        int o = order[i];
        order[i] = order[j];
        order[j] = o;
        float p = proj[i];
        proj[i] = proj[j];
        proj[j] = p;
    }
}
