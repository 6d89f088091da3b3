package org.embed4j.nn;

import java.util.HashMap;
import java.util.Map;
import org.embed4j.backend.Backend;
import org.embed4j.tensor.DType;
import org.embed4j.tensor.Tensor;

/**
 * A module's activation and scratch memory, reused from call to call (llm.c keeps its activations the
 * same way): {@link #get} returns a view of the requested shape over a buffer that only grows, so a
 * training loop allocates during its first steps and never again, even when the last batch is smaller.
 * The contents are whatever the previous call left; callers that accumulate must fill first.
 *
 * <p>Not thread-safe: one module, one thread at a time, like the module itself.
 */
final class Buffers implements AutoCloseable {
    private final Backend backend;
    private final Map<String, Tensor> buffers = new HashMap<>();

    Buffers(Backend backend) {
        this.backend = backend;
    }

    /** A tensor of {@code shape} backed by buffer {@code key}; valid until the next {@code get(key, ..)}. */
    Tensor get(String key, DType dtype, long... shape) {
        long numel = Tensor.numel(shape);
        Tensor base = buffers.get(key);
        if (base == null || base.dtype() != dtype || base.numel() < numel) {
            if (base != null) {
                base.close();
                buffers.remove(key);
            }
            long capacity =
                    base == null || base.dtype() != dtype ? numel : Math.max(numel, base.numel() + base.numel() / 2);
            base = backend.zeros(dtype, Math.max(1, capacity));
            buffers.put(key, base);
        }
        return base.rows(0, numel).view(shape);
    }

    @Override
    public void close() {
        buffers.values().forEach(Tensor::close);
        buffers.clear();
    }
}
