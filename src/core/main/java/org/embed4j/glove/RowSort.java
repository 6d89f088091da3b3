package org.embed4j.glove;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import org.embed4j.backend.SortedIndices;
import org.embed4j.tensor.DType;
import org.embed4j.tensor.Tensor;

/**
 * The index sort that the fused update kernel takes ({@link SortedIndices}: unique rows ascending, positions sorted
 * stably by row, segment starts), computed in Java into tensors allocated once per worker. Why not
 * {@code Backend.sortIndices}: it allocates three tensors per call, each in its own shared arena, and closing a
 * shared arena costs a handshake with every thread; at two sorts per batch that took as long as the update kernels
 * themselves. The kernels still validate the sort (sorted, in range) before using it. Owned by one thread.
 */
final class RowSort implements AutoCloseable {
    private static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED;

    private final Tensor uniq;
    private final Tensor seg;
    private final Tensor perm;
    private final long[] keys;

    /** For batches of at most {@code capacity} indices. */
    RowSort(int capacity) {
        this.uniq = Tensor.allocate(DType.I64, capacity);
        this.seg = Tensor.allocate(DType.I64, capacity + 1L);
        this.perm = Tensor.allocate(DType.I64, capacity);
        this.keys = new long[capacity];
    }

    /**
     * The sort of {@code rows[0, n)} (each in [0, 2^31)). The returned record's tensors are views of this sorter's
     * and valid until the next call; do not close it.
     */
    SortedIndices sort(int[] rows, int n) {
        for (int i = 0; i < n; i++) {
            keys[i] = (long) rows[i] << 32 | i; // row first, then position: a stable order
        }
        Arrays.sort(keys, 0, n);
        MemorySegment u = uniq.segment();
        MemorySegment s = seg.segment();
        MemorySegment p = perm.segment();
        int unique = 0;
        long prev = -1;
        for (int i = 0; i < n; i++) {
            long row = keys[i] >>> 32;
            if (row != prev) {
                u.setAtIndex(I64, unique, row);
                s.setAtIndex(I64, unique, i);
                unique++;
                prev = row;
            }
            p.setAtIndex(I64, i, keys[i] & 0xFFFF_FFFFL);
        }
        s.setAtIndex(I64, unique, n);
        return new SortedIndices(uniq.rows(0, unique), seg.rows(0, unique + 1L), perm.rows(0, n), unique, n);
    }

    @Override
    public void close() {
        uniq.close();
        seg.close();
        perm.close();
    }
}
