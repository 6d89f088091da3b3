package org.embed4j.nn;

import java.util.Locale;
import java.util.Objects;
import org.embed4j.backend.Backend;
import org.embed4j.backend.Reduction;
import org.embed4j.tensor.DType;
import org.embed4j.tensor.Tensor;

/**
 * Softmax cross-entropy over class indices (torch.nn.CrossEntropyLoss), fused: one backend pass computes the
 * loss and, in training mode, its gradient with respect to the logits. For row b with target t, K classes,
 * smoothing ε and class weights w:
 * <pre>  loss_b = −(1−ε)·w_t·log p_t − (ε/K)·Σ_k w_k·log p_k,   p = softmax(logits_b) </pre>
 * exactly as PyTorch defines it; MEAN divides by Σ w_t over
 * non-ignored rows, and yields NaN when every target is ignored. Rows whose target is {@code ignoreIndex}
 * contribute nothing. A target outside [0, K) that is not ignored is an IndexOutOfBoundsException.
 *
 * <p>Not thread-safe (see {@link Module}).
 */
public final class CrossEntropyLoss extends Module {

    /** PyTorch's keyword arguments: {@code weight} (K) F32 or null (copied at construction). */
    public record Options(Tensor weight, long ignoreIndex, float labelSmoothing, Reduction reduction) {
        public Options {
            Objects.requireNonNull(reduction, "reduction");
            if (!(labelSmoothing >= 0f && labelSmoothing <= 1f)) {
                throw new IllegalArgumentException("labelSmoothing must be between 0.0 and 1.0, got " + labelSmoothing);
            }
        }

        /** No class weights, ignoreIndex −100, no smoothing, MEAN. */
        public static Options defaults() {
            return new Options(null, -100, 0f, Reduction.MEAN);
        }

        public Options withWeight(Tensor w) {
            return new Options(w, ignoreIndex, labelSmoothing, reduction);
        }

        public Options withIgnoreIndex(long idx) {
            return new Options(weight, idx, labelSmoothing, reduction);
        }

        public Options withLabelSmoothing(float eps) {
            return new Options(weight, ignoreIndex, eps, reduction);
        }

        public Options withReduction(Reduction r) {
            return new Options(weight, ignoreIndex, labelSmoothing, r);
        }
    }

    private final Options options;
    private final Tensor weight; // (K) on device, owned, or null
    private Tensor savedDLogits;
    private Tensor lastLoss;

    public CrossEntropyLoss() {
        this(Options.defaults(), null);
    }

    public CrossEntropyLoss(Options options) {
        this(options, null);
    }

    /** {@code backend} null: {@code Backends.auto()}. */
    public CrossEntropyLoss(Options options, Backend backend) {
        super(backend);
        this.options = Objects.requireNonNull(options, "options");
        Tensor w = options.weight();
        if (w != null) {
            if (w.dtype() != DType.F32 || w.rank() != 1) {
                throw new IllegalArgumentException(
                        "CrossEntropyLoss weight must be a 1-D F32 tensor (K), got " + w.describe());
            }
            this.weight = backend().zeros(DType.F32, w.numel());
            Transfer.copyIn(backend(), this.weight, w);
        } else {
            this.weight = null;
        }
    }

    public Options options() {
        return options;
    }

    /**
     * The loss of logits {@code input} (B,K) (or (K) for one sample) against class indices {@code target} (B)
     * I32/I64: shape (1) for MEAN/SUM, (B) for NONE. Owned by the module until the next forward.
     */
    public Tensor forward(Tensor input, Tensor target) {
        Objects.requireNonNull(input, "input");
        Objects.requireNonNull(target, "target");
        if (input.dtype() != DType.F32 || (input.rank() != 1 && input.rank() != 2)) {
            throw new IllegalArgumentException(
                    "CrossEntropyLoss expects F32 logits (B,K) or (K), got " + input.describe());
        }
        long k = input.size(-1);
        long b = input.rank() == 2 ? input.size(0) : 1;
        if (target.numel() != b || (target.dtype() != DType.I32 && target.dtype() != DType.I64)) {
            throw new IllegalArgumentException("CrossEntropyLoss expects " + b + " I32/I64 class indices for logits "
                    + input.describe() + ", got target " + target.describe());
        }
        if (weight != null && weight.numel() != k) {
            throw new IllegalArgumentException(
                    "CrossEntropyLoss weight has " + weight.numel() + " classes but the " + "logits have " + k);
        }
        Tensor targets = buffers.get("targets", DType.I64, b);
        if (target.dtype() == DType.I64) {
            Transfer.copyIn(backend, targets, target.view(b));
        } else {
            try (Tensor t64 = Transfer.hostI64(backend, target)) {
                Transfer.copyIn(backend, targets, t64.view(b));
            }
        }
        Tensor loss = buffers.get("loss", DType.F32, options.reduction() == Reduction.NONE ? b : 1);
        Tensor dLogits = isTraining() ? buffers.get("dlogits", DType.F32, input.shape()) : null;
        Tensor logits = Transfer.onDevice(backend, input);
        try {
            backend.softmaxXent(
                    loss,
                    dLogits == null ? null : dLogits.view(b, k),
                    logits.view(b, k),
                    targets,
                    weight,
                    options.ignoreIndex(),
                    options.labelSmoothing(),
                    options.reduction());
        } finally {
            if (logits != input) {
                logits.close();
            }
        }
        savedDLogits = dLogits;
        lastLoss = loss;
        return loss;
    }

    /** The gradient of the last (reduced) loss with respect to the logits; owned by the module. */
    public Tensor backward() {
        if (savedDLogits == null) {
            throw new IllegalStateException("CrossEntropyLoss.backward needs a forward in training mode first");
        }
        return savedDLogits;
    }

    /** The scalar loss of the last MEAN/SUM forward, copied to the host (PyTorch's loss.item()). */
    public float item() {
        if (lastLoss == null || lastLoss.numel() != 1) {
            throw new IllegalStateException("item() needs a forward with reduction MEAN or SUM first");
        }
        return Transfer.scalar(backend, lastLoss);
    }

    @Override
    public void close() {
        if (weight != null) {
            weight.close();
        }
        super.close();
    }

    @Override
    public String toString() {
        return "CrossEntropyLoss(ignore_index=" + options.ignoreIndex() + ", label_smoothing="
                + options.labelSmoothing() + ", reduction="
                + options.reduction().name().toLowerCase(Locale.ROOT) + ")";
    }
}
