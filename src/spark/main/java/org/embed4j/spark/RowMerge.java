package org.embed4j.spark;

/**
 * The driver's merge of one weight matrix after a sync round, over the rows the shards changed (c of them sent row
 * r, with values v_1..v_c; w is the round's starting value):
 * <ul>
 *   <li>{@link DataParallel.Merge#AVERAGE}: w' = (v_1 + ... + v_c) / c, the mean of the shards' values (MLlib's
 *       Word2Vec merge, with its division by the count: c is never 0 for a sent row, so no row becomes ±Inf or
 *       NaN);</li>
 *   <li>{@link DataParallel.Merge#SUM}: w' = w + Σ (v_i − w), every shard's change applied, as Hogwild threads
 *       apply theirs to one shared matrix (a row that two shards trained moves as far as one machine would have
 *       moved it, not half as far).</li>
 * </ul>
 * Rows that no shard changed keep their value. The sums build up in a second matrix of the same shape, which then
 * becomes the weights: memory is two copies of the matrix and one int per row. Used by the driver thread that
 * receives the task results, one at a time.
 */
final class RowMerge {
    private final FloatRows next;
    private final int[] counts;
    private final DataParallel.Merge mode;

    /** A merge into {@code buffer} (overwritten; the shape of the weights). */
    RowMerge(FloatRows buffer, DataParallel.Merge mode) {
        if (buffer.rows() > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("a matrix of " + buffer.rows() + " rows is more than one merge holds");
        }
        this.next = buffer;
        this.counts = new int[(int) buffer.rows()];
        this.mode = mode;
    }

    /** Adds one shard's changed rows. */
    void add(RowDelta d) {
        int dim = next.dim();
        if (d.values.dim() != dim) {
            throw new IllegalArgumentException(
                    "a shard sent rows of dim " + d.values.dim() + " for a matrix of " + dim);
        }
        for (int i = 0; i < d.rows.length; i++) {
            int r = Math.toIntExact(d.rows[i]);
            float[] src = d.values.block(i);
            int so = d.values.offset(i);
            float[] dst = next.block(r);
            int o = next.offset(r);
            if (counts[r]++ == 0) {
                System.arraycopy(src, so, dst, o, dim);
            } else {
                for (int j = 0; j < dim; j++) {
                    dst[o + j] += src[so + j];
                }
            }
        }
    }

    /**
     * Finishes the round: rows that shards changed are merged, the others are copied from {@code current}
     * (the round's starting weights, free to be the next round's buffer afterwards). Returns how many rows changed;
     * the result is {@link #merged()}.
     */
    long finish(FloatRows current) {
        next.checkSameShape(current);
        int dim = next.dim();
        long changed = 0;
        for (int r = 0; r < counts.length; r++) {
            float[] dst = next.block(r);
            int o = next.offset(r);
            int c = counts[r];
            float[] cur = current.block(r);
            int co = current.offset(r);
            if (c == 0) {
                System.arraycopy(cur, co, dst, o, dim);
                continue;
            }
            changed++;
            if (c > 1 && mode == DataParallel.Merge.AVERAGE) {
                float inv = 1f / c;
                for (int j = 0; j < dim; j++) {
                    dst[o + j] *= inv;
                }
            } else if (c > 1) { // w + Σ (v_i − w) = Σ v_i − (c − 1)·w
                float k = c - 1;
                for (int j = 0; j < dim; j++) {
                    dst[o + j] -= k * cur[co + j];
                }
            }
        }
        return changed;
    }

    FloatRows merged() {
        return next;
    }
}
