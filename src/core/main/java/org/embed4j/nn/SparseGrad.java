package org.embed4j.nn;

import org.embed4j.backend.Backend;
import org.embed4j.backend.SortedIndices;
import org.embed4j.tensor.DType;
import org.embed4j.tensor.Tensor;

/**
 * The sparse gradient of a (V,D) embedding weight, kept uncoalesced like PyTorch's sparse COO gradient of
 * nn.Embedding(sparse=True): {@code grad = Σ_k onehot(indices[k]) ⊗ values[k,:]}, entries equal to
 * {@code paddingIdx} not counted. Backward passes append; the optimizer sorts the indices once and applies
 * the fused update kernel, so no (V,D) gradient is ever formed. Memory grows with the number of lookups
 * since the last {@link #clear()} (buffers are kept and reused), never with V.
 *
 * <p>Not thread-safe.
 */
public final class SparseGrad implements AutoCloseable {
    private final Backend backend;
    private final long numRows;
    private final long dim;
    private final long paddingIdx;
    private Tensor indices; // (capacity) I64
    private Tensor values; // (capacity, D) F32
    private long size;

    SparseGrad(Backend backend, long numRows, long dim, long paddingIdx) {
        this.backend = backend;
        this.numRows = numRows;
        this.dim = dim;
        this.paddingIdx = paddingIdx;
    }

    /** Number of (index, row) entries, duplicates and padding included. */
    public long size() {
        return size;
    }

    /** Rows of the weight, V. */
    public long numRows() {
        return numRows;
    }

    /** The padding row that the update skips, or -1. */
    public long paddingIdx() {
        return paddingIdx;
    }

    /** (size) I64 view of the indices, on the backend's device; valid until the next append or clear. */
    public Tensor indices() {
        return size == 0 ? null : indices.rows(0, size);
    }

    /** (size, D) F32 view of the row gradients; valid until the next append or clear. */
    public Tensor values() {
        return size == 0 ? null : values.rows(0, size);
    }

    /** The deterministic sort of {@link #indices()} (padding dropped); the caller closes it. */
    public SortedIndices sort() {
        if (size == 0) {
            throw new IllegalStateException("the sparse gradient is empty");
        }
        return backend.sortIndices(indices(), numRows, paddingIdx);
    }

    /** The coalesced gradient as a new dense (V,D) tensor, for tests and inspection; the caller closes it. */
    public Tensor toDense() {
        Tensor dense = backend.zeros(DType.F32, numRows, dim);
        if (size > 0) {
            try (SortedIndices sorted = sort()) {
                backend.embeddingBackward(dense, values(), sorted, false);
            }
        }
        return dense;
    }

    /** Appends rows {@code rowGrads} (n,D) for indices {@code idx} (n; I32/I64, host or the backend's device). */
    void append(Tensor idx, Tensor rowGrads) {
        long n = idx.numel();
        if (rowGrads.numel() != n * dim) {
            throw new IllegalArgumentException(
                    "sparse gradient rows " + rowGrads.describe() + " do not match " + n + " indices of dim " + dim);
        }
        if (n == 0) {
            return;
        }
        ensureCapacity(size + n);
        Tensor idxDst = indices.rows(size, size + n);
        if (idx.dtype() == DType.I64) {
            Transfer.copyIn(backend, idxDst, idx.view(n));
        } else {
            try (Tensor converted = Transfer.hostI64(backend, idx)) {
                Transfer.copyIn(backend, idxDst, converted.view(n));
            }
        }
        Transfer.copyIn(backend, values.rows(size, size + n), rowGrads.view(n, dim)); // rows may be on the host
        size += n;
    }

    /** Forgets the entries and keeps the buffers (PyTorch's zero_grad sets the gradient to None). */
    void clear() {
        size = 0;
    }

    private void ensureCapacity(long needed) {
        long capacity = indices == null ? 0 : indices.numel();
        if (needed <= capacity) {
            return;
        }
        long newCapacity = Math.max(needed, capacity * 2);
        Tensor newIdx = backend.zeros(DType.I64, newCapacity);
        Tensor newVal = backend.zeros(DType.F32, newCapacity, dim);
        if (size > 0) {
            backend.copy(newIdx.rows(0, size), indices.rows(0, size));
            backend.copy(newVal.rows(0, size), values.rows(0, size));
        }
        close();
        indices = newIdx;
        values = newVal;
    }

    @Override
    public void close() {
        if (indices != null) {
            indices.close();
            values.close();
            indices = null;
            values = null;
        }
    }
}
