package org.embed4j.nn;

import java.util.SplittableRandom;
import org.embed4j.backend.Backend;
import org.embed4j.tensor.DType;
import org.embed4j.tensor.Tensor;

/**
 * Inverted dropout (torch.nn.Dropout): in training, each element is zeroed with probability p and the survivors
 * are scaled by 1/(1−p), so evaluation is the identity. p = 1 zeroes everything. The mask is drawn in Java from
 * a generator seeded at construction (explicitly, or from {@link Init#nextSeed()}), so a seeded run repeats bit
 * for bit on every backend. Not thread-safe (see {@link Module}).
 */
public final class Dropout extends Module {
    private final float p;
    private final SplittableRandom random;
    private Tensor savedMask;
    private Tensor hostScratch; // device backends: the mask is drawn here, then copied
    private boolean passThrough;

    /** Dropout(p = 0.5). */
    public Dropout() {
        this(0.5f);
    }

    public Dropout(float p) {
        this(p, Init.nextSeed(), null);
    }

    /** {@code backend} null: {@code Backends.auto()}. */
    public Dropout(float p, long seed, Backend backend) {
        super(backend);
        if (!(p >= 0f && p <= 1f)) {
            throw new IllegalArgumentException("dropout probability has to be between 0 and 1, but got " + p);
        }
        this.p = p;
        this.random = new SplittableRandom(seed);
    }

    public float p() {
        return p;
    }

    @Override
    public Tensor forward(Tensor input) {
        if (input.dtype() != DType.F32) {
            throw new IllegalArgumentException("Dropout expects F32 input, got " + input.describe());
        }
        passThrough = !isTraining() || p == 0f;
        if (passThrough) {
            savedMask = null;
            return input;
        }
        long n = input.numel();
        Tensor mask = buffers.get("mask", DType.F32, n);
        Tensor hostMask = backend.device().isHost() ? mask : hostScratch(n);
        float scale = p == 1f ? 0f : 1f / (1f - p);
        for (long i = 0; i < n; i++) {
            hostMask.setFloat(i, random.nextFloat() < p ? 0f : scale);
        }
        if (hostMask != mask) {
            Transfer.copyIn(backend, mask, hostMask);
        }
        Tensor out = buffers.get("out", DType.F32, input.shape());
        Tensor in = Transfer.onDevice(backend, input);
        try {
            backend.mul(out.view(n), in.view(n), mask);
        } finally {
            if (in != input) {
                in.close();
            }
        }
        savedMask = mask;
        return out;
    }

    @Override
    public Tensor backward(Tensor dOut) {
        if (passThrough) {
            return dOut;
        }
        if (savedMask == null) {
            throw new IllegalStateException("Dropout.backward needs a forward in training mode first");
        }
        if (dOut.numel() != savedMask.numel()) {
            throw new IllegalArgumentException("Dropout.backward: dOut " + dOut.describe() + " does not match "
                    + savedMask.numel() + " elements of the last forward");
        }
        Tensor dIn = buffers.get("din", DType.F32, dOut.shape());
        Tensor view = dOut.view(savedMask.numel());
        Tensor d = Transfer.onDevice(backend, view); // dOut may be on the host
        try {
            backend.mul(dIn.view(savedMask.numel()), d, savedMask);
        } finally {
            if (d != view) {
                d.close();
            }
        }
        return dIn;
    }

    private Tensor hostScratch(long n) {
        if (hostScratch == null || hostScratch.numel() < n) {
            if (hostScratch != null) {
                hostScratch.close();
            }
            hostScratch = Tensor.allocate(DType.F32, n);
        }
        return hostScratch.rows(0, n);
    }

    @Override
    public void close() {
        if (hostScratch != null) {
            hostScratch.close();
        }
        super.close();
    }

    @Override
    public String toString() {
        return "Dropout(p=" + p + ")";
    }
}
