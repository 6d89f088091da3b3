package org.embed4j.backend;

import java.util.Arrays;
import java.util.Objects;
import org.embed4j.tensor.DType;
import org.embed4j.tensor.Device;
import org.embed4j.tensor.Tensor;

/**
 * Argument checks on single tensors for {@link CheckedBackend}: present, open, on the backend's device, of the
 * expected dtype, rank and shape. Each returns the tensor so checks chain; each message names the argument, what
 * it got ({@link Tensor#describe()}) and what was expected. Immutable; thread-safe.
 */
final class TensorChecks {
    private final Device device;
    private final String backendName;

    TensorChecks(Device device, String backendName) {
        this.device = device;
        this.backendName = backendName;
    }

    /** Non-null and not closed, on any device. */
    Tensor open(Tensor t, String name) {
        Objects.requireNonNull(t, () -> name + " must not be null");
        if (t.isClosed()) {
            throw new IllegalStateException("tensor " + name + " " + t.describe() + " is closed");
        }
        return t;
    }

    /** Open and on this backend's device. */
    Tensor here(Tensor t, String name) {
        open(t, name);
        if (!t.device().equals(device)) {
            throw new IllegalArgumentException(name + " is on " + t.device() + ", but the " + backendName
                    + " backend needs tensors on " + device + " (move it with fromHost/toHost)");
        }
        return t;
    }

    Tensor typed(Tensor t, String name, DType expected) {
        here(t, name);
        if (t.dtype() != expected) {
            throw new IllegalArgumentException(name + " must be " + expected + ", got " + t.describe());
        }
        return t;
    }

    Tensor f32(Tensor t, String name) {
        return typed(t, name, DType.F32);
    }

    Tensor hostTensor(Tensor t, String name, DType expected) {
        open(t, name);
        if (!t.device().isHost() || t.dtype() != expected) {
            throw new IllegalArgumentException(name + " must be a host " + expected + " tensor, got " + t.describe());
        }
        return t;
    }

    Tensor indexTensor(Tensor t, String name) {
        here(t, name);
        if (t.dtype() != DType.I32 && t.dtype() != DType.I64) {
            throw new IllegalArgumentException(name + " must be I32 or I64, got " + t.describe());
        }
        return t;
    }

    /** An F32 rank-2 tensor. */
    Tensor matrix(Tensor t, String name) {
        f32(t, name);
        if (t.rank() != 2) {
            throw new IllegalArgumentException(name + " must be 2-D (rows, cols), got " + t.describe());
        }
        return t;
    }

    Tensor vector(Tensor t, String name) {
        f32(t, name);
        if (t.rank() != 1) {
            throw new IllegalArgumentException(name + " must be 1-D, got " + t.describe());
        }
        return t;
    }

    void shape(Tensor t, String name, long... expected) {
        if (!Arrays.equals(t.shape(), expected)) {
            throw new IllegalArgumentException(
                    name + " must have shape " + Arrays.toString(expected) + ", got " + t.describe());
        }
    }

    void sameCount(Tensor t, String name, long expected) {
        if (t.numel() != expected) {
            throw new IllegalArgumentException(name + " must have " + expected + " elements, got " + t.describe());
        }
    }

    void lastDim(Tensor t, String name, long expected) {
        if (t.rank() < 1 || t.size(-1) != expected) {
            throw new IllegalArgumentException(
                    name + " must have a last dimension of " + expected + ", got " + t.describe());
        }
    }

    /** F32 (N, D), or any shape ending in D with N·D elements (an Embedding over a batch of sequences). */
    Tensor rows(Tensor t, String name, long n, long d) {
        f32(t, name);
        if (t.rank() < 1 || t.size(-1) != d || t.numel() != n * d || (t.rank() == 1 && n != 1)) {
            throw new IllegalArgumentException(
                    name + " must have shape [" + n + ", " + d + "] (N, D), got " + t.describe());
        }
        return t;
    }
}
