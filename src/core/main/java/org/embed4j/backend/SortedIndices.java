package org.embed4j.backend;

import org.embed4j.tensor.Tensor;

/**
 * The deterministic sort of one call's indices that every backward, update and renorm uses:
 * {@code uniq} holds the {@code numUnique} distinct rows in ascending order, {@code perm} the positions
 * sorted stably by row, and positions of row {@code uniq[u]} are {@code perm[seg[u] .. seg[u+1])}.
 * Padding entries are dropped. The tensors are I64 on the backend's device; close to free them.
 */
public record SortedIndices(Tensor uniq, Tensor seg, Tensor perm, long numUnique, long numIndices)
        implements AutoCloseable {
    @Override
    public void close() {
        uniq.close();
        seg.close();
        perm.close();
    }
}
