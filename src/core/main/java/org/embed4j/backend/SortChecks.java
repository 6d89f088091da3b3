package org.embed4j.backend;

import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.WeakHashMap;
import org.embed4j.tensor.DType;
import org.embed4j.tensor.Tensor;

/**
 * The checks on a {@link SortedIndices} before a backward, update or renorm uses it, for {@link CheckedBackend}:
 * its tensors are I64 on the backend's device and long enough for its counts, and its rows fit the weight it is
 * applied to. The last one is why this class has state: the dense backward's C ABI has no V, so the V of every
 * sort made by {@link #remember} is kept, keyed by the identity of its uniq tensor (weakly held, so a closed and
 * dropped sort is forgotten); a sort made elsewhere is checked by reading its rows on the host, and refused on a
 * device, where its rows cannot be read here (a device dense backward would write out of bounds). Thread-safe: the
 * map is synchronized.
 */
final class SortChecks {
    private final TensorChecks check;
    private final Map<Tensor, Long> madeFor = Collections.synchronizedMap(new WeakHashMap<>());

    SortChecks(TensorChecks check) {
        this.check = check;
    }

    /** Records that {@code sorted} was made for a table of {@code numEmbeddings} rows. */
    void remember(SortedIndices sorted, long numEmbeddings) {
        madeFor.put(sorted.uniq(), numEmbeddings);
    }

    /** Counts consistent (0 <= numUnique <= numIndices) and uniq, seg, perm I64, 1-D and long enough for them. */
    void wellFormed(SortedIndices s) {
        Objects.requireNonNull(s, "sorted must not be null");
        long u = s.numUnique();
        long n = s.numIndices();
        if (n < 0 || u < 0 || u > n) {
            throw new IllegalArgumentException(
                    "sorted has numUnique " + u + " and numIndices " + n + " (expected 0 <= numUnique <= numIndices)");
        }
        part(s.uniq(), "sorted.uniq", u);
        part(s.seg(), "sorted.seg", u + 1);
        part(s.perm(), "sorted.perm", n);
    }

    /** {@link #wellFormed} and the sort's rows fit a weight of {@code rows} rows (named {@code name}). */
    void fits(SortedIndices s, long rows, String name) {
        wellFormed(s);
        Long v = madeFor.get(s.uniq());
        if (v != null) {
            if (v > rows) {
                throw new IllegalArgumentException(
                        "sorted was made for " + v + " embeddings, but " + name + " has " + rows + " rows");
            }
            return;
        }
        if (!s.uniq().device().isHost()) {
            // nothing here can read device rows, and the device's dense backward has no V to check them with
            throw new IllegalArgumentException("sorted lives on " + s.uniq().device() + " but was not made by this"
                    + " backend's sortIndices, so its rows cannot be checked against the " + rows + " rows of "
                    + name + " (sort the indices with Backend.sortIndices)");
        }
        for (long u = 0; u < s.numUnique(); u++) {
            long r = s.uniq().getIndex(u);
            if (r < 0 || r >= rows) {
                throw new IndexOutOfBoundsException("sorted row " + r + " at unique position " + u
                        + " is out of range for " + name + " with " + rows + " rows");
            }
        }
    }

    private void part(Tensor t, String name, long minimum) {
        check.typed(t, name, DType.I64);
        if (t.rank() != 1 || t.numel() < minimum) {
            throw new IllegalArgumentException(
                    name + " must be 1-D with at least " + minimum + " elements, got " + t.describe());
        }
    }
}
