package org.embed4j.spark;

/**
 * The driver's merge of one weight matrix after a sync round: each row becomes the mean of the values the shards
 * that changed it sent back (sum, then divide by their count: the count is never 0 for a sent row, so no row becomes
 * ±Inf or NaN as in MLlib's Word2Vec before it divided by counts); rows that no shard changed keep their value.
 * The sums build up in a second matrix of the same shape, which then becomes the weights: memory is two copies of
 * the matrix and one int per row. Used by the driver thread that receives the task results, one at a time.
 */
final class RowAverage {
    private final FloatRows next;
    private final int[] counts;

    /** A merge into {@code buffer} (overwritten; the shape of the weights). */
    RowAverage(FloatRows buffer) {
        if (buffer.rows() > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("a matrix of " + buffer.rows() + " rows is more than one merge holds");
        }
        this.next = buffer;
        this.counts = new int[(int) buffer.rows()];
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
     * Finishes the round: rows that shards changed become their mean, the others are copied from {@code current}
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
            if (c == 0) {
                System.arraycopy(current.block(r), current.offset(r), dst, o, dim);
            } else {
                changed++;
                if (c > 1) {
                    float inv = 1f / c;
                    for (int j = 0; j < dim; j++) {
                        dst[o + j] *= inv;
                    }
                }
            }
        }
        return changed;
    }

    FloatRows merged() {
        return next;
    }
}
