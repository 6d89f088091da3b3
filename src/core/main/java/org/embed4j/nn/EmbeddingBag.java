package org.embed4j.nn;

import java.util.Locale;
import java.util.Objects;
import org.embed4j.backend.Backend;
import org.embed4j.backend.BagMode;
import org.embed4j.backend.SortedIndices;
import org.embed4j.tensor.DType;
import org.embed4j.tensor.Tensor;

/**
 * Sums, averages or maxes bags of embeddings without materialising the lookups (torch.nn.EmbeddingBag):
 * {@code out[b,:] = reduce_{j in bag b} weight[input[j],:] (* perSampleWeights[j] in SUM mode)}.
 * Bags come from a 2-D input (B,L: each row a bag) or a 1-D input plus {@code offsets} (the start of each bag;
 * with {@code includeLastOffset} one more entry equal to N). Entries equal to {@code paddingIdx} are skipped and
 * not counted by MEAN; an empty bag gives zeros. Defaults are PyTorch's (mode MEAN, dense gradient).
 * perSampleWeights are only valid in SUM mode; their gradient is available after backward from
 * {@link #perSampleWeightsGrad()}. Gradients are deterministic (sorted indices, fixed reduction order).
 * Unlike PyTorch, scale_grad_by_freq is not offered (the bag backward kernel has no frequency scaling).
 *
 * <p>Not thread-safe (see {@link Module}).
 */
public final class EmbeddingBag extends Module {

    /** PyTorch's keyword arguments; {@code paddingIdx} and {@code maxNorm} null when unset. */
    public record Options(
            BagMode mode, Long paddingIdx, Float maxNorm, float normType, boolean sparse, boolean includeLastOffset) {
        public Options {
            Objects.requireNonNull(mode, "mode");
        }

        /** mode MEAN, no padding, no max norm, normType 2, dense gradient, offsets without the last entry. */
        public static Options defaults() {
            return new Options(BagMode.MEAN, null, null, 2f, false, false);
        }

        public Options withMode(BagMode m) {
            return new Options(m, paddingIdx, maxNorm, normType, sparse, includeLastOffset);
        }

        public Options withPaddingIdx(long idx) {
            return new Options(mode, idx, maxNorm, normType, sparse, includeLastOffset);
        }

        public Options withMaxNorm(float norm) {
            return new Options(mode, paddingIdx, norm, normType, sparse, includeLastOffset);
        }

        public Options withNormType(float p) {
            return new Options(mode, paddingIdx, maxNorm, p, sparse, includeLastOffset);
        }

        public Options withSparse(boolean value) {
            return new Options(mode, paddingIdx, maxNorm, normType, value, includeLastOffset);
        }

        public Options withIncludeLastOffset(boolean value) {
            return new Options(mode, paddingIdx, maxNorm, normType, sparse, value);
        }
    }

    private final long numEmbeddings;
    private final long embeddingDim;
    private final long paddingIdx;
    private final Options options;
    private final Parameter weight;
    // What backward needs from the last training forward.
    private Tensor savedIdx; // (N) on device
    private Tensor ownedIdx; // device copy of the input that this module must close, or null
    private Tensor savedOffsets; // (B+1) I64 buffer view
    private Tensor savedPsw; // (N) device view or null
    private Tensor ownedPsw; // device copy of perSampleWeights to close, or null
    private Tensor savedArgmax; // (B,D) or null
    private Tensor dPsw; // last backward's perSampleWeights gradient

    public EmbeddingBag(long numEmbeddings, long embeddingDim) {
        this(numEmbeddings, embeddingDim, Options.defaults(), null);
    }

    public EmbeddingBag(long numEmbeddings, long embeddingDim, Options options) {
        this(numEmbeddings, embeddingDim, options, null);
    }

    /** {@code backend} null: {@code Backends.auto()}. Weight ~ N(0,1), padding row zero. */
    public EmbeddingBag(long numEmbeddings, long embeddingDim, Options options, Backend backend) {
        super(backend);
        Objects.requireNonNull(options, "options");
        if (numEmbeddings < 1 || embeddingDim < 1) {
            throw new IllegalArgumentException("EmbeddingBag needs numEmbeddings >= 1 and embeddingDim >= 1, got "
                    + numEmbeddings + " and " + embeddingDim);
        }
        Embedding.checkCommonOptions(options.maxNorm(), options.normType());
        this.numEmbeddings = numEmbeddings;
        this.embeddingDim = embeddingDim;
        this.paddingIdx = Embedding.normalisePaddingIdx(options.paddingIdx(), numEmbeddings);
        this.options = options;
        Tensor data = Init.normalTable(backend(), numEmbeddings, embeddingDim, 0.0, 1.0, paddingIdx);
        this.weight = registerParameter("weight", new Parameter(backend(), data, true));
    }

    public Parameter weight() {
        return weight;
    }

    public Options options() {
        return options;
    }

    /** The padding row in [0, V), or -1. */
    public long paddingIdx() {
        return paddingIdx;
    }

    /** 2-D input (B,L): each row is one bag. */
    @Override
    public Tensor forward(Tensor input) {
        return forward(input, null, null);
    }

    public Tensor forward(Tensor input, Tensor offsets) {
        return forward(input, offsets, null);
    }

    /**
     * (B,D) bag reductions. {@code input}: (B,L) with {@code offsets} null, or (N) with {@code offsets}
     * (B, or B+1 with includeLastOffset). {@code perSampleWeights}: same shape as input, SUM mode only, or null.
     */
    public Tensor forward(Tensor input, Tensor offsets, Tensor perSampleWeights) {
        Objects.requireNonNull(input, "input");
        if (input.dtype() != DType.I32 && input.dtype() != DType.I64) {
            throw new IllegalArgumentException("EmbeddingBag expects I32 or I64 indices, got " + input.describe());
        }
        if (perSampleWeights != null) {
            if (options.mode() != BagMode.SUM) {
                throw new IllegalArgumentException(
                        "perSampleWeights is only supported for mode SUM, got mode " + options.mode());
            }
            if (perSampleWeights.dtype() != DType.F32 || perSampleWeights.numel() != input.numel()) {
                throw new IllegalArgumentException("perSampleWeights " + perSampleWeights.describe()
                        + " must be F32 with the shape of input " + input.describe());
            }
        }
        releaseSaved();
        long n = input.numel();
        long[] bagOffsets = bagOffsets(input, offsets, n);
        long bags = bagOffsets.length - 1L;
        Tensor offs = buffers.get("offsets", DType.I64, bags + 1);
        try (Tensor hostOffs = Tensor.of(bagOffsets)) {
            Transfer.copyIn(backend, offs, hostOffs);
        }
        Tensor idx = Transfer.onDevice(backend, input);
        boolean idxOwned = idx != input;
        Tensor psw = perSampleWeights == null ? null : Transfer.onDevice(backend, perSampleWeights);
        boolean pswOwned = psw != null && psw != perSampleWeights;
        try {
            Tensor idx1 = idx.view(n);
            if (options.maxNorm() != null && n > 0) {
                try (SortedIndices sorted = backend.sortIndices(idx1, numEmbeddings, -1)) {
                    backend.embeddingRenorm(weight.data(), sorted, options.maxNorm(), options.normType());
                }
            }
            Tensor out = buffers.get("out", DType.F32, bags, embeddingDim);
            Tensor argmax = options.mode() == BagMode.MAX ? buffers.get("argmax", DType.I64, bags, embeddingDim) : null;
            Tensor psw1 = psw == null ? null : psw.view(n);
            backend.embeddingBagForward(out, argmax, weight.data(), idx1, offs, psw1, options.mode(), paddingIdx);
            if (isTraining()) {
                savedIdx = idx1;
                ownedIdx = idxOwned ? idx : null;
                savedOffsets = offs;
                savedPsw = psw1;
                ownedPsw = pswOwned ? psw : null;
                savedArgmax = argmax;
                idxOwned = false;
                pswOwned = false;
            }
            return out;
        } finally {
            if (idxOwned) {
                idx.close();
            }
            if (pswOwned) {
                psw.close();
            }
        }
    }

    /** The B+1 bag boundaries PyTorch's argument conventions describe, validated. */
    private long[] bagOffsets(Tensor input, Tensor offsets, long n) {
        if (offsets == null) {
            if (input.rank() != 2) {
                throw new IllegalArgumentException("EmbeddingBag: offsets are required for " + input.rank()
                        + "-D input " + input.describe() + " (or pass a 2-D (B,L) input)");
            }
            long b = input.size(0);
            long len = input.size(1);
            long[] o = new long[Math.toIntExact(b + 1)];
            for (int i = 0; i <= b; i++) {
                o[i] = i * len;
            }
            return o;
        }
        if (input.rank() != 1 || offsets.rank() != 1) {
            throw new IllegalArgumentException("EmbeddingBag: with offsets, input and offsets must be 1-D, got input "
                    + input.describe() + " and offsets " + offsets.describe());
        }
        long[] given;
        try (Tensor host = Transfer.hostI64(backend, offsets)) {
            given = host.toLongArray();
        }
        long[] o;
        if (options.includeLastOffset()) {
            if (given.length < 1) {
                throw new IllegalArgumentException("includeLastOffset needs at least 1 offset, got 0");
            }
            o = given;
        } else {
            o = java.util.Arrays.copyOf(given, given.length + 1);
            o[given.length] = n;
        }
        if (o.length > 1 && o[0] != 0) {
            throw new IllegalArgumentException("offsets[0] has to be 0, i.e., the first sequence in the mini-batch "
                    + "has to start from position 0; got " + o[0]);
        }
        for (int i = 1; i < o.length; i++) {
            if (o[i] < o[i - 1] || o[i] > n) {
                throw new IllegalArgumentException("offsets[" + i + "] = " + o[i] + " is out of order or beyond the "
                        + n + " indices (offsets[" + (i - 1) + "] = " + o[i - 1] + ")");
            }
        }
        if (o[o.length - 1] != n) {
            throw new IllegalArgumentException("the last offset " + o[o.length - 1] + " must equal the number of "
                    + "indices " + n + " when includeLastOffset is set");
        }
        return o;
    }

    /** Accumulates the weight's gradient from dOut (B,D); returns null (indices have no gradient). */
    @Override
    public Tensor backward(Tensor dOut) {
        if (savedIdx == null) {
            throw new IllegalStateException("EmbeddingBag.backward needs a forward in training mode first");
        }
        long bags = savedOffsets.numel() - 1;
        if (dOut.numel() != bags * embeddingDim) {
            throw new IllegalArgumentException("EmbeddingBag.backward: dOut " + dOut.describe() + " does not match "
                    + bags + " bags of dim " + embeddingDim);
        }
        long n = savedIdx.numel();
        dPsw = savedPsw == null ? null : buffers.get("dpsw", DType.F32, n);
        if (n == 0 || (!weight.requiresGrad() && savedPsw == null)) {
            if (dPsw != null) {
                backend.fill(dPsw, 0f);
            }
            return null;
        }
        Tensor view = dOut.view(bags, embeddingDim);
        Tensor d2 = Transfer.onDevice(backend, view); // dOut may be on the host
        try (SortedIndices sorted = backend.sortIndices(savedIdx, numEmbeddings, paddingIdx)) {
            boolean compact = options.sparse() || !weight.requiresGrad();
            Tensor target;
            if (compact) {
                long u = sorted.numUnique();
                target = buffers.get("rows", DType.F32, Math.max(u, 1), embeddingDim)
                        .rows(0, u);
                backend.fill(target, 0f);
            } else {
                target = weight.gradForAccumulation();
            }
            backend.embeddingBagBackward(
                    target,
                    dPsw,
                    d2,
                    weight.data(),
                    savedIdx,
                    savedOffsets,
                    savedPsw,
                    savedArgmax,
                    sorted,
                    options.mode(),
                    compact);
            if (options.sparse() && weight.requiresGrad() && sorted.numUnique() > 0) {
                weight.sparseGradForAccumulation(paddingIdx)
                        .append(sorted.uniq().rows(0, sorted.numUnique()), target);
            }
        } finally {
            if (d2 != view) {
                d2.close();
            }
        }
        return null;
    }

    /** dLoss/dPerSampleWeights (N) from the last backward, or null when forward had no perSampleWeights. */
    public Tensor perSampleWeightsGrad() {
        return dPsw;
    }

    private void releaseSaved() {
        if (ownedIdx != null) {
            ownedIdx.close();
        }
        if (ownedPsw != null) {
            ownedPsw.close();
        }
        ownedIdx = null;
        ownedPsw = null;
        savedIdx = null;
        savedPsw = null;
        savedArgmax = null;
        savedOffsets = null;
        dPsw = null;
    }

    @Override
    public void close() {
        releaseSaved();
        super.close();
    }

    @Override
    public String toString() {
        return "EmbeddingBag(" + numEmbeddings + ", " + embeddingDim + ", mode="
                + options.mode().name().toLowerCase(Locale.ROOT)
                + (paddingIdx >= 0 ? ", padding_idx=" + paddingIdx : "") + ")";
    }
}
