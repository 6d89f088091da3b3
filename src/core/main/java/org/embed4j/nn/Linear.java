package org.embed4j.nn;

import org.embed4j.backend.Backend;
import org.embed4j.tensor.DType;
import org.embed4j.tensor.Tensor;

/**
 * An affine map (torch.nn.Linear): {@code y = x·Wᵀ + b} for x (*, in), W (out, in), b (out), y (*, out).
 * Initialised as PyTorch does: kaiming_uniform_(a=√5) gives W ~ U(−1/√in, 1/√in), and b ~ U(−1/√in, 1/√in).
 * Backward: dx = dy·W, dW += dyᵀ·x, db += column sums of dy, all through the backend's gemm.
 *
 * <p>Not thread-safe (see {@link Module}); backward reads the input of the last forward, which must not change
 * in between.
 */
public final class Linear extends Module {
    private final long inFeatures;
    private final long outFeatures;
    private final Parameter weight;
    private final Parameter bias;
    private Tensor savedInput; // (N, in) view of the last training forward's input
    private Tensor ownedInput; // device copy to close, or null

    public Linear(long inFeatures, long outFeatures) {
        this(inFeatures, outFeatures, true, null);
    }

    public Linear(long inFeatures, long outFeatures, boolean bias) {
        this(inFeatures, outFeatures, bias, null);
    }

    /** {@code backend} null: {@code Backends.auto()}. */
    public Linear(long inFeatures, long outFeatures, boolean bias, Backend backend) {
        super(backend);
        if (inFeatures < 1 || outFeatures < 1) {
            throw new IllegalArgumentException(
                    "Linear needs inFeatures >= 1 and outFeatures >= 1, got " + inFeatures + " and " + outFeatures);
        }
        this.inFeatures = inFeatures;
        this.outFeatures = outFeatures;
        double bound = 1.0 / Math.sqrt(inFeatures);
        try (Tensor w = Tensor.allocate(DType.F32, outFeatures, inFeatures)) {
            Init.uniform(w, -bound, bound);
            this.weight = registerParameter(
                    "weight", new Parameter(backend(), backend().fromHost(w), true));
        }
        if (bias) {
            try (Tensor b = Tensor.allocate(DType.F32, outFeatures)) {
                Init.uniform(b, -bound, bound);
                this.bias = registerParameter(
                        "bias", new Parameter(backend(), backend().fromHost(b), true));
            }
        } else {
            this.bias = null;
        }
    }

    public Parameter weight() {
        return weight;
    }

    /** The bias, or null when built with {@code bias = false}. */
    public Parameter bias() {
        return bias;
    }

    public long inFeatures() {
        return inFeatures;
    }

    public long outFeatures() {
        return outFeatures;
    }

    @Override
    public Tensor forward(Tensor input) {
        if (input.dtype() != DType.F32 || input.rank() < 1 || input.size(-1) != inFeatures) {
            throw new IllegalArgumentException("Linear(in=" + inFeatures + ", out=" + outFeatures
                    + ") expects F32 input (*, " + inFeatures + "), got " + input.describe());
        }
        release();
        long n = input.numel() / inFeatures;
        Tensor x = Transfer.onDevice(backend, input);
        boolean owned = x != input;
        try {
            long[] outShape = input.shape();
            outShape[outShape.length - 1] = outFeatures;
            Tensor out = buffers.get("out", DType.F32, outShape);
            Tensor x2 = x.view(n, inFeatures);
            Tensor y2 = out.view(n, outFeatures);
            if (n > 0) {
                backend.gemm(false, true, 1f, x2, weight.data(), 0f, y2);
                if (bias != null) {
                    backend.biasAdd(y2, bias.data());
                }
            }
            if (isTraining()) {
                savedInput = x2;
                ownedInput = owned ? x : null;
                owned = false;
            }
            return out;
        } finally {
            if (owned) {
                x.close();
            }
        }
    }

    /** dx (*, in) from dy (*, out); adds into the weight's and bias's gradients. */
    @Override
    public Tensor backward(Tensor dOut) {
        if (savedInput == null) {
            throw new IllegalStateException("Linear.backward needs a forward in training mode first");
        }
        long n = savedInput.size(0);
        if (dOut.dtype() != DType.F32 || dOut.numel() != n * outFeatures) {
            throw new IllegalArgumentException("Linear.backward: dOut " + dOut.describe() + " does not match the "
                    + "last forward's " + n + " rows of " + outFeatures + " outputs");
        }
        long[] inShape = dOut.rank() >= 1 && dOut.size(-1) == outFeatures ? dOut.shape() : new long[] {n, outFeatures};
        inShape[inShape.length - 1] = inFeatures;
        Tensor dIn = buffers.get("din", DType.F32, inShape);
        if (n == 0) {
            return dIn;
        }
        Tensor view = dOut.view(n, outFeatures);
        Tensor dy = Transfer.onDevice(backend, view); // dOut may be on the host
        try {
            backend.gemm(false, false, 1f, dy, weight.data(), 0f, dIn.view(n, inFeatures));
            if (weight.requiresGrad()) {
                backend.gemm(true, false, 1f, dy, savedInput, 1f, weight.gradForAccumulation());
            }
            if (bias != null && bias.requiresGrad()) {
                backend.biasBackward(bias.gradForAccumulation(), dy);
            }
        } finally {
            if (dy != view) {
                dy.close();
            }
        }
        return dIn;
    }

    private void release() {
        if (ownedInput != null) {
            ownedInput.close();
        }
        ownedInput = null;
        savedInput = null;
    }

    @Override
    public void close() {
        release();
        super.close();
    }

    @Override
    public String toString() {
        return "Linear(in_features=" + inFeatures + ", out_features=" + outFeatures + ", bias="
                + (bias != null ? "True" : "False") + ")";
    }
}
