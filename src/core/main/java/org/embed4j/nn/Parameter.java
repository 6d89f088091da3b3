package org.embed4j.nn;

import java.util.Objects;
import org.embed4j.backend.Backend;
import org.embed4j.tensor.DType;
import org.embed4j.tensor.Tensor;

/**
 * A trainable F32 tensor (torch.nn.Parameter) on a backend's device, with its gradient: either dense (same
 * shape as the value) or sparse ({@link SparseGrad}, for embeddings with {@code sparse=true}). Backward
 * passes ADD into the gradient; {@link #zeroGrad()} resets it to "none" like PyTorch's
 * {@code zero_grad(set_to_none=True)} and the buffer is zeroed lazily on the next accumulation, so an
 * optimizer skips parameters that got no gradient since.
 *
 * <p>The parameter owns its value and gradient and frees them on {@link #close()}. Not thread-safe.
 */
public final class Parameter implements AutoCloseable {
    private final Backend backend;
    private final Tensor data;
    private boolean requiresGrad;
    private Tensor grad;
    private boolean hasGrad;
    private SparseGrad sparseGrad;

    /** Takes ownership of {@code data}, an F32 tensor on {@code backend}'s device. */
    public Parameter(Backend backend, Tensor data, boolean requiresGrad) {
        this.backend = Objects.requireNonNull(backend, "backend");
        this.data = Objects.requireNonNull(data, "data");
        if (data.dtype() != DType.F32) {
            throw new IllegalArgumentException("a parameter must be F32, got " + data.describe());
        }
        this.requiresGrad = requiresGrad;
    }

    /** The value, on the backend's device. */
    public Tensor data() {
        return data;
    }

    public Backend backend() {
        return backend;
    }

    public long[] shape() {
        return data.shape();
    }

    public boolean requiresGrad() {
        return requiresGrad;
    }

    /** Freezing ({@code false}) stops gradient accumulation, as {@code requires_grad_(False)} does. */
    public Parameter requiresGrad(boolean value) {
        this.requiresGrad = value;
        if (!value) {
            zeroGrad();
        }
        return this;
    }

    /** The dense gradient accumulated since the last {@link #zeroGrad()}, or null if none. */
    public Tensor grad() {
        return hasGrad ? grad : null;
    }

    /** The sparse gradient accumulated since the last {@link #zeroGrad()}, or null if none. */
    public SparseGrad sparseGrad() {
        return sparseGrad != null && sparseGrad.size() > 0 ? sparseGrad : null;
    }

    /** Forgets the gradient (PyTorch's set_to_none); buffers are kept for the next step. */
    public void zeroGrad() {
        hasGrad = false;
        if (sparseGrad != null) {
            sparseGrad.clear();
        }
    }

    /**
     * grad += {@code g} (same element count, F32, host or this backend's device): for custom modules written
     * outside this package, and tests.
     */
    public void accumulateGrad(Tensor g) {
        if (g.dtype() != DType.F32 || g.numel() != data.numel()) {
            throw new IllegalArgumentException(
                    "gradient " + g.describe() + " does not match parameter " + data.describe());
        }
        if (!requiresGrad) {
            return;
        }
        Tensor onDevice = Transfer.onDevice(backend, g);
        try {
            backend.axpy(gradForAccumulation(), 1f, onDevice.view(data.shape()));
        } finally {
            if (onDevice != g) {
                onDevice.close();
            }
        }
    }

    /**
     * Adds a sparse gradient to this (V,D) parameter: row {@code indices[k]} gets {@code rowGrads[k,:]}; duplicates
     * add up, entries equal to {@code paddingIdx} (-1: none) are skipped. What Embedding(sparse=true) does.
     */
    public void accumulateSparseGrad(Tensor indices, Tensor rowGrads, long paddingIdx) {
        if (data.rank() != 2) {
            throw new IllegalArgumentException("a sparse gradient needs a 2-D (V,D) parameter, got " + data.describe());
        }
        if (rowGrads.dtype() != DType.F32) {
            throw new IllegalArgumentException("row gradients must be F32, got " + rowGrads.describe());
        }
        if (!requiresGrad) {
            return;
        }
        Tensor onDevice = Transfer.onDevice(backend, rowGrads);
        try {
            sparseGradForAccumulation(paddingIdx).append(indices, onDevice);
        } finally {
            if (onDevice != rowGrads) {
                onDevice.close();
            }
        }
    }

    /** The dense gradient buffer to add into: zeroed when it holds no current gradient. */
    Tensor gradForAccumulation() {
        if (grad == null) {
            grad = backend.zeros(DType.F32, data.shape());
        } else if (!hasGrad) {
            backend.fill(grad, 0f);
        }
        hasGrad = true;
        return grad;
    }

    /** The sparse gradient to append to, for a (V,D) weight whose padding row is {@code paddingIdx} (-1: none). */
    SparseGrad sparseGradForAccumulation(long paddingIdx) {
        if (sparseGrad == null) {
            sparseGrad = new SparseGrad(backend, data.size(0), data.size(1), paddingIdx);
        }
        return sparseGrad;
    }

    @Override
    public void close() {
        data.close();
        if (grad != null) {
            grad.close();
        }
        if (sparseGrad != null) {
            sparseGrad.close();
        }
    }

    @Override
    public String toString() {
        return "Parameter(" + data.describe() + (requiresGrad ? "" : ", frozen") + ")";
    }
}
