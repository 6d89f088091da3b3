package org.embed4j.nn;

import org.embed4j.backend.Backend;
import org.embed4j.tensor.DType;
import org.embed4j.tensor.Tensor;

/**
 * Moves data between the host and a backend's device without leaking: host backends copy directly,
 * device backends go through a temporary device tensor that is closed at once. Also converts host
 * index tensors to I64, the dtype every kernel but gather and bag-forward takes.
 *
 * <p>Stateless and thread-safe.
 */
final class Transfer {
    private Transfer() {}

    /** dst (on the backend's device) = src (host or the same device). */
    static void copyIn(Backend backend, Tensor dst, Tensor src) {
        if (src.device().equals(backend.device())
                || (src.device().isHost() && backend.device().isHost())) {
            backend.copy(dst, src);
            return;
        }
        if (!src.device().isHost()) {
            throw new IllegalArgumentException("tensor " + src.describe() + " is on another device than the "
                    + backend.name() + " backend (" + backend.device() + ")");
        }
        try (Tensor tmp = backend.fromHost(src)) {
            backend.copy(dst, tmp);
        }
    }

    /**
     * A new tensor on the backend's device with the values of {@code src} (host or the same device): the only
     * allocation of src's size (a host tensor is uploaded directly, not into a zeroed tensor through a temporary).
     */
    static Tensor copyOf(Backend backend, Tensor src) {
        if (src.device().isHost()) {
            return backend.fromHost(src); // host backends: a new host copy
        }
        Tensor dst = backend.zeros(src.dtype(), src.shape());
        try {
            copyIn(backend, dst, src);
        } catch (RuntimeException e) {
            dst.close();
            throw e;
        }
        return dst;
    }

    /** A host copy of index tensor {@code idx} as I64 (the caller closes it). */
    static Tensor hostI64(Backend backend, Tensor idx) {
        if (idx.dtype() != DType.I32 && idx.dtype() != DType.I64) {
            throw new IllegalArgumentException("indices must be I32 or I64, got " + idx.describe());
        }
        if (!idx.device().isHost()) {
            try (Tensor host = backend.toHost(idx)) {
                return hostI64(backend, host);
            }
        }
        return Tensor.of(idx.toLongArray(), idx.shape());
    }

    /** The single value of a (1)-element F32 tensor on the backend's device. */
    static float scalar(Backend backend, Tensor t) {
        if (t.device().isHost()) {
            return t.getFloat(0);
        }
        try (Tensor host = backend.toHost(t)) {
            return host.getFloat(0);
        }
    }

    /** {@code t} itself when it is on the backend's device, else a device copy the caller must close. */
    static Tensor onDevice(Backend backend, Tensor t) {
        if (t.device().equals(backend.device())
                || (t.device().isHost() && backend.device().isHost())) {
            return t;
        }
        return backend.fromHost(t);
    }
}
