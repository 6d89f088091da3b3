package org.embed4j.spark;

import java.io.Serializable;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * The rows of one weight matrix that a shard changed in a sync round: their ids, ascending, and their values after
 * the round. {@link #changed} finds them by comparing the matrix after training with the round's starting copy, so
 * no kernel has to report what it touched (negative sampling touches output rows the caller never sees). Immutable.
 */
final class RowDelta implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED;

    final long[] rows;
    final FloatRows values; // rows.length × dim

    RowDelta(long[] rows, FloatRows values) {
        this.rows = rows;
        this.values = values;
    }

    /** The rows of {@code after} (rows × dim floats, native order) whose bytes differ from {@code before}'s. */
    static RowDelta changed(MemorySegment after, FloatRows before) {
        int dim = before.dim();
        long rowBytes = (long) dim * Float.BYTES;
        long[] ids = new long[16];
        int n = 0;
        for (long r = 0; r < before.rows(); r++) {
            MemorySegment b = MemorySegment.ofArray(before.block(r));
            long off = (long) before.offset(r) * Float.BYTES;
            long at = r * rowBytes;
            if (MemorySegment.mismatch(after, at, at + rowBytes, b, off, off + rowBytes) >= 0) {
                if (n == ids.length) {
                    ids = Arrays.copyOf(ids, n * 2);
                }
                ids[n++] = r;
            }
        }
        FloatRows values = new FloatRows(n, dim);
        for (int i = 0; i < n; i++) {
            MemorySegment.copy(after, F32, ids[i] * rowBytes, values.block(i), values.offset(i), dim);
        }
        return new RowDelta(Arrays.copyOf(ids, n), values);
    }
}
