package org.embed4j.nn;

import org.embed4j.backend.Backend;
import org.embed4j.tensor.DType;
import org.embed4j.tensor.Tensor;

/**
 * max(x, 0) elementwise (torch.nn.ReLU, not in place); backward passes dOut where the output was positive.
 * The gradient at exactly 0 is 0, as in PyTorch. Not thread-safe (see {@link Module}).
 */
public final class ReLU extends Module {
    private Tensor savedOut;

    public ReLU() {
        this(null);
    }

    /** {@code backend} null: {@code Backends.auto()}. */
    public ReLU(Backend backend) {
        super(backend);
    }

    @Override
    public Tensor forward(Tensor input) {
        if (input.dtype() != DType.F32) {
            throw new IllegalArgumentException("ReLU expects F32 input, got " + input.describe());
        }
        Tensor out = buffers.get("out", DType.F32, input.shape());
        Tensor in = Transfer.onDevice(backend, input);
        try {
            backend.reluForward(out, in);
        } finally {
            if (in != input) {
                in.close();
            }
        }
        savedOut = isTraining() ? out : null;
        return out;
    }

    @Override
    public Tensor backward(Tensor dOut) {
        if (savedOut == null) {
            throw new IllegalStateException("ReLU.backward needs a forward in training mode first");
        }
        if (dOut.numel() != savedOut.numel()) {
            throw new IllegalArgumentException(
                    "ReLU.backward: dOut " + dOut.describe() + " does not match the output " + savedOut.describe());
        }
        Tensor dIn = buffers.get("din", DType.F32, savedOut.shape());
        Tensor view = dOut.view(savedOut.shape());
        Tensor d = Transfer.onDevice(backend, view); // dOut may be on the host
        try {
            backend.reluBackward(dIn, d, savedOut);
        } finally {
            if (d != view) {
                d.close();
            }
        }
        return dIn;
    }

    @Override
    public String toString() {
        return "ReLU()";
    }
}
