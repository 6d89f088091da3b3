package org.embed4j.backend;

import java.util.Arrays;
import org.embed4j.tensor.DType;
import org.embed4j.tensor.Tensor;

/**
 * The deterministic index sort of the Java reference (C: e4j_index_sort) and the index checks every
 * Java kernel runs before it writes anything.
 *
 * <p>Sort: the positions {@code j} of {@code idx} whose value is not {@code paddingIdx}, ordered by
 * {@code idx[j]} and, for equal rows, by position (stable). {@code uniq} holds the distinct rows in ascending
 * order and positions of row {@code uniq[u]} are {@code perm[seg[u] .. seg[u+1])}. Padding entries are
 * dropped, so {@code seg[U]} is the number of non-padding indices and may be less than N.
 *
 * <p>Result layout: uniq (U), seg (U+1), perm (N) I64 host tensors; perm's entries past {@code seg[U]}
 * are -1. The native sort uses (N), (N+1), (N) buffers: consumers read only the first U, U+1 and seg[U].
 *
 * <p>A counting sort over V would be O(N + V); this one is O(N log N) and allocates only O(N), which is what
 * a reference wants (V can be millions). Stateless and thread-safe.
 */
final class IndexSort {

    private IndexSort() {}

    /**
     * Throws {@link IndexOutOfBoundsException} naming the first index outside [0, V) by position and value.
     * Padding entries equal a valid row (or -1 = none), so every entry is checked.
     */
    static void checkRange(long[] idx, long numEmbeddings) {
        for (int j = 0; j < idx.length; j++) {
            if (idx[j] < 0 || idx[j] >= numEmbeddings) {
                throw new IndexOutOfBoundsException("index " + idx[j] + " at position " + j
                        + " is out of range for " + numEmbeddings + " embeddings (expected 0 <= index < "
                        + numEmbeddings + ")");
            }
        }
    }

    /**
     * Checks bag offsets (B+1 entries): offsets[0] == 0, non-decreasing, offsets[B] == N. Throws
     * {@link IllegalArgumentException} naming the first bad entry.
     */
    static void checkOffsets(long[] offsets, long numIndices) {
        if (offsets.length == 0) {
            throw new IllegalArgumentException("offsets must have B+1 >= 1 entries, got 0");
        }
        if (offsets[0] != 0) {
            throw new IllegalArgumentException("offsets[0] must be 0, got " + offsets[0]);
        }
        for (int b = 1; b < offsets.length; b++) {
            if (offsets[b] < offsets[b - 1]) {
                throw new IllegalArgumentException("offsets must be non-decreasing: offsets[" + b + "] = " + offsets[b]
                        + " < offsets[" + (b - 1) + "] = " + offsets[b - 1]);
            }
        }
        long last = offsets[offsets.length - 1];
        if (last != numIndices) {
            throw new IllegalArgumentException("the last offset must equal the number of indices " + numIndices
                    + ", got offsets[" + (offsets.length - 1) + "] = " + last);
        }
    }

    /** For each position j, the bag b with offsets[b] <= j < offsets[b+1] (offsets already checked). */
    static int[] bagOfPosition(long[] offsets, int numIndices) {
        int[] bagOf = new int[numIndices];
        for (int b = 0; b + 1 < offsets.length; b++) {
            for (long j = offsets[b]; j < offsets[b + 1]; j++) {
                bagOf[(int) j] = b;
            }
        }
        return bagOf;
    }

    /** Sorts host indices (I32/I64, any shape) after range-checking them; see the class comment. */
    static SortedIndices sort(Tensor indices, long numEmbeddings, long paddingIdx) {
        long[] idx = indices.toLongArray();
        checkRange(idx, numEmbeddings);
        int n = idx.length;

        // Sort (row, position) keys: the position tie-break makes the order stable by construction.
        long[][] live = sortedPairs(idx, paddingIdx, numEmbeddings);
        int kept = live[0].length;
        long[] rows = live[0];
        long[] positions = live[1];

        long[] perm = new long[n];
        Arrays.fill(perm, -1L);
        long[] uniqAll = new long[kept];
        long[] segAll = new long[kept + 1];
        int u = 0;
        for (int k = 0; k < kept; k++) {
            perm[k] = positions[k];
            if (k == 0 || rows[k] != rows[k - 1]) {
                uniqAll[u] = rows[k];
                segAll[u] = k;
                u++;
            }
        }
        segAll[u] = kept;

        Tensor uniq = Tensor.of(Arrays.copyOf(uniqAll, u));
        Tensor seg = Tensor.of(Arrays.copyOf(segAll, u + 1));
        Tensor permT = Tensor.of(perm);
        return new SortedIndices(uniq, seg, permT, u, n);
    }

    /** {rows, positions} of the non-padding entries, sorted by (row, position). */
    private static long[][] sortedPairs(long[] idx, long paddingIdx, long numEmbeddings) {
        int kept = 0;
        for (long v : idx) {
            if (v != paddingIdx) {
                kept++;
            }
        }
        long[] rows = new long[kept];
        long[] positions = new long[kept];
        if (numEmbeddings <= (1L << 32)) {
            // Pack row (< 2^32) and position (< 2^31) into one long so a primitive sort does the work.
            long[] keys = new long[kept];
            int k = 0;
            for (int j = 0; j < idx.length; j++) {
                if (idx[j] != paddingIdx) {
                    keys[k++] = (idx[j] << 31) | j;
                }
            }
            Arrays.sort(keys);
            for (int i = 0; i < kept; i++) {
                rows[i] = keys[i] >>> 31;
                positions[i] = keys[i] & 0x7fff_ffffL;
            }
        } else {
            Integer[] order = new Integer[kept];
            int k = 0;
            for (int j = 0; j < idx.length; j++) {
                if (idx[j] != paddingIdx) {
                    order[k++] = j;
                }
            }
            Arrays.sort(order, (a, b) -> idx[a] != idx[b] ? Long.compare(idx[a], idx[b]) : Integer.compare(a, b));
            for (int i = 0; i < kept; i++) {
                rows[i] = idx[order[i]];
                positions[i] = order[i];
            }
        }
        return new long[][] {rows, positions};
    }

    /**
     * The host arrays of a sort, checked for consistency before a kernel uses them: uniq strictly ascending in
     * [0, V), seg non-decreasing from 0 to at most N, perm entries in [0, N).
     */
    record Host(long[] uniq, long[] seg, long[] perm, int numUnique, int numIndices) {

        static Host of(SortedIndices sorted, long numRows) {
            int u = Math.toIntExact(sorted.numUnique());
            int n = Math.toIntExact(sorted.numIndices());
            long[] uniq = prefix(sorted.uniq(), u);
            long[] seg = prefix(sorted.seg(), u + 1);
            long[] perm = prefix(sorted.perm(), n);
            for (int i = 0; i < u; i++) {
                if (uniq[i] < 0 || uniq[i] >= numRows || (i > 0 && uniq[i] <= uniq[i - 1])) {
                    throw new IndexOutOfBoundsException("sorted row " + uniq[i] + " at unique position " + i
                            + " is out of range [0, " + numRows + ") or not ascending");
                }
            }
            if (seg[0] != 0 || seg[u] > n) {
                throw new IllegalArgumentException(
                        "sorted segments must run from 0 to at most " + n + ", got " + seg[0] + " .. " + seg[u]);
            }
            for (int i = 0; i < u; i++) {
                if (seg[i + 1] < seg[i]) {
                    throw new IllegalArgumentException("sorted segments must be non-decreasing at " + i);
                }
            }
            for (int k = 0; k < seg[u]; k++) {
                if (perm[k] < 0 || perm[k] >= n) {
                    throw new IndexOutOfBoundsException(
                            "sorted position " + perm[k] + " at " + k + " is out of range [0, " + n + ")");
                }
            }
            return new Host(uniq, seg, perm, u, n);
        }

        int start(int u) {
            return (int) seg[u];
        }

        int end(int u) {
            return (int) seg[u + 1];
        }

        private static long[] prefix(Tensor t, int count) {
            if (t.dtype() != DType.I64 || t.numel() < count) {
                throw new IllegalArgumentException(
                        "sorted index tensor must be I64 with at least " + count + " elements, got " + t.describe());
            }
            long[] all = t.toLongArray();
            return all.length == count ? all : Arrays.copyOf(all, count);
        }
    }
}
