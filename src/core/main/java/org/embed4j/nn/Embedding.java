package org.embed4j.nn;

import java.util.Arrays;
import java.util.Objects;
import org.embed4j.backend.Backend;
import org.embed4j.backend.SortedIndices;
import org.embed4j.tensor.DType;
import org.embed4j.tensor.Tensor;

/**
 * A lookup table (torch.nn.Embedding): {@code out[..., :] = weight[input[...], :]} for integer indices of any
 * shape, giving (*, D). Matches PyTorch's behaviour:
 * <ul>
 *   <li>weight ~ N(0, 1) ({@link Init}); with {@code paddingIdx} that row starts at zero, is returned by
 *       forward as stored, and never receives gradient. A negative paddingIdx counts from the end.</li>
 *   <li>{@code maxNorm}: before the lookup, every referenced row whose {@code normType}-norm exceeds maxNorm is
 *       rescaled IN PLACE by maxNorm / (norm + 1e-7); the gradient does not flow through the rescale.</li>
 *   <li>{@code scaleGradByFreq}: each row's gradient is divided by how often it occurs in the batch.</li>
 *   <li>{@code sparse}: backward produces a {@link SparseGrad} (no (V,D) gradient exists); optimizers then use
 *       the fused sparse-update kernel. scaleGradByFreq together with sparse is rejected.</li>
 *   <li>an index outside [0, V) is an IndexOutOfBoundsException naming its position and value (from the kernel).</li>
 * </ul>
 * Backward is deterministic: the backend sorts the indices and reduces each row in a fixed order.
 *
 * <p>Not thread-safe (see {@link Module}).
 */
public final class Embedding extends Module {

    /**
     * PyTorch's keyword arguments. {@code paddingIdx} and {@code maxNorm} are null when unset.
     */
    public record Options(Long paddingIdx, Float maxNorm, float normType, boolean scaleGradByFreq, boolean sparse) {
        /** PyTorch's defaults: no padding, no max norm, normType 2, no frequency scaling, dense gradient. */
        public static Options defaults() {
            return new Options(null, null, 2f, false, false);
        }

        public Options withPaddingIdx(long idx) {
            return new Options(idx, maxNorm, normType, scaleGradByFreq, sparse);
        }

        public Options withMaxNorm(float norm) {
            return new Options(paddingIdx, norm, normType, scaleGradByFreq, sparse);
        }

        public Options withNormType(float p) {
            return new Options(paddingIdx, maxNorm, p, scaleGradByFreq, sparse);
        }

        public Options withScaleGradByFreq(boolean value) {
            return new Options(paddingIdx, maxNorm, normType, value, sparse);
        }

        public Options withSparse(boolean value) {
            return new Options(paddingIdx, maxNorm, normType, scaleGradByFreq, value);
        }
    }

    private final long numEmbeddings;
    private final long embeddingDim;
    private final long paddingIdx; // normalised to [0, V), or -1
    private final Options options;
    private final Parameter weight;
    private Tensor savedIdx;
    private boolean savedIdxOwned;

    /** nn.Embedding(numEmbeddings, embeddingDim) on {@code Backends.auto()}. */
    public Embedding(long numEmbeddings, long embeddingDim) {
        this(numEmbeddings, embeddingDim, Options.defaults(), null);
    }

    public Embedding(long numEmbeddings, long embeddingDim, Options options) {
        this(numEmbeddings, embeddingDim, options, null);
    }

    /** {@code backend} null: {@code Backends.auto()}. */
    public Embedding(long numEmbeddings, long embeddingDim, Options options, Backend backend) {
        this(numEmbeddings, embeddingDim, options, backend, null, true);
    }

    private Embedding(
            long numEmbeddings,
            long embeddingDim,
            Options options,
            Backend backend,
            Tensor pretrained,
            boolean requiresGrad) {
        super(backend);
        Objects.requireNonNull(options, "options");
        if (numEmbeddings < 1 || embeddingDim < 1) {
            throw new IllegalArgumentException("Embedding needs numEmbeddings >= 1 and embeddingDim >= 1, got "
                    + numEmbeddings + " and " + embeddingDim);
        }
        this.numEmbeddings = numEmbeddings;
        this.embeddingDim = embeddingDim;
        this.paddingIdx = normalisePaddingIdx(options.paddingIdx(), numEmbeddings);
        this.options = options;
        checkCommonOptions(options.maxNorm(), options.normType());
        if (options.sparse() && options.scaleGradByFreq()) {
            throw new IllegalArgumentException("Embedding: scaleGradByFreq is not supported with sparse=true "
                    + "(the fused sparse update reduces rows without frequency scaling)");
        }
        // the (V,D) table is allocated once on the backend, whatever its device (no staging copy of V x D)
        Tensor data = pretrained != null
                ? Transfer.copyOf(backend(), pretrained)
                : Init.normalTable(backend(), numEmbeddings, embeddingDim, 0.0, 1.0, paddingIdx);
        this.weight = registerParameter("weight", new Parameter(backend(), data, requiresGrad));
    }

    /**
     * nn.Embedding.from_pretrained: a copy of {@code embeddings} (V,D) F32; {@code freeze} (PyTorch's default true)
     * stops its gradient. Unlike a new Embedding, the padding row keeps its stored values.
     */
    public static Embedding fromPretrained(Tensor embeddings, boolean freeze, Options options, Backend backend) {
        Objects.requireNonNull(embeddings, "embeddings");
        if (embeddings.rank() != 2 || embeddings.dtype() != DType.F32) {
            throw new IllegalArgumentException(
                    "Embeddings parameter is expected to be a 2-dimensional F32 tensor, got " + embeddings.describe());
        }
        return new Embedding(embeddings.size(0), embeddings.size(1), options, backend, embeddings, !freeze);
    }

    public static Embedding fromPretrained(Tensor embeddings, boolean freeze) {
        return fromPretrained(embeddings, freeze, Options.defaults(), null);
    }

    static long normalisePaddingIdx(Long paddingIdx, long numEmbeddings) {
        if (paddingIdx == null) {
            return -1;
        }
        long p = paddingIdx;
        if (p >= numEmbeddings || p < -numEmbeddings) {
            throw new IllegalArgumentException("paddingIdx " + p + " must be within numEmbeddings " + numEmbeddings
                    + " (-" + numEmbeddings + " <= paddingIdx < " + numEmbeddings + ")");
        }
        return p < 0 ? numEmbeddings + p : p;
    }

    static void checkCommonOptions(Float maxNorm, float normType) {
        if (maxNorm != null && !(maxNorm > 0f)) {
            throw new IllegalArgumentException("maxNorm must be > 0, got " + maxNorm);
        }
        if (!(normType > 0f)) {
            throw new IllegalArgumentException("normType must be > 0, got " + normType);
        }
    }

    public Parameter weight() {
        return weight;
    }

    public long numEmbeddings() {
        return numEmbeddings;
    }

    public long embeddingDim() {
        return embeddingDim;
    }

    /** The padding row in [0, V), or -1 when none. */
    public long paddingIdx() {
        return paddingIdx;
    }

    public Options options() {
        return options;
    }

    /** (*, D) rows of the weight for indices {@code input} (I32/I64, any shape). */
    @Override
    public Tensor forward(Tensor input) {
        Objects.requireNonNull(input, "input");
        if (input.dtype() != DType.I32 && input.dtype() != DType.I64) {
            throw new IllegalArgumentException("Embedding expects I32 or I64 indices, got " + input.describe());
        }
        releaseSaved();
        Tensor idx = Transfer.onDevice(backend, input);
        boolean owned = idx != input;
        try {
            if (options.maxNorm() != null && idx.numel() > 0) {
                try (SortedIndices sorted = backend.sortIndices(idx, numEmbeddings, -1)) {
                    backend.embeddingRenorm(weight.data(), sorted, options.maxNorm(), options.normType());
                }
            }
            long n = idx.numel();
            long[] outShape = Arrays.copyOf(input.shape(), input.rank() + 1);
            outShape[input.rank()] = embeddingDim;
            Tensor out = buffers.get("out", DType.F32, outShape);
            backend.gather(out.view(n, embeddingDim), weight.data(), idx.view(n));
            if (isTraining() && weight.requiresGrad()) {
                savedIdx = idx;
                savedIdxOwned = owned;
                owned = false;
            }
            return out;
        } finally {
            if (owned) {
                idx.close();
            }
        }
    }

    /** Accumulates the weight's gradient from dOut (*, D); returns null (indices have no gradient). */
    @Override
    public Tensor backward(Tensor dOut) {
        if (!weight.requiresGrad()) {
            return null;
        }
        if (savedIdx == null) {
            throw new IllegalStateException("Embedding.backward needs a forward in training mode first");
        }
        long n = savedIdx.numel();
        if (dOut.numel() != n * embeddingDim) {
            throw new IllegalArgumentException("Embedding.backward: dOut " + dOut.describe() + " does not match the "
                    + n + " indices of the last forward times embeddingDim " + embeddingDim);
        }
        if (n == 0) {
            return null;
        }
        Tensor d2 = dOut.view(n, embeddingDim);
        if (options.sparse()) {
            weight.sparseGradForAccumulation(paddingIdx).append(savedIdx, d2); // host or device rows
            return null;
        }
        Tensor dev = Transfer.onDevice(backend, d2);
        try (SortedIndices sorted = backend.sortIndices(savedIdx.view(n), numEmbeddings, paddingIdx)) {
            backend.embeddingBackward(weight.gradForAccumulation(), dev, sorted, options.scaleGradByFreq());
        } finally {
            if (dev != d2) {
                dev.close();
            }
        }
        return null;
    }

    private void releaseSaved() {
        if (savedIdx != null && savedIdxOwned) {
            savedIdx.close();
        }
        savedIdx = null;
        savedIdxOwned = false;
    }

    @Override
    public void close() {
        releaseSaved();
        super.close();
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("Embedding(" + numEmbeddings + ", " + embeddingDim);
        if (paddingIdx >= 0) {
            sb.append(", padding_idx=").append(paddingIdx);
        }
        if (options.maxNorm() != null) {
            sb.append(", max_norm=").append(options.maxNorm());
        }
        if (options.sparse()) {
            sb.append(", sparse=True");
        }
        return sb.append(')').toString();
    }
}
