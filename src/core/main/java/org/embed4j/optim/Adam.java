package org.embed4j.optim;

import java.util.List;
import org.embed4j.backend.OptimKind;
import org.embed4j.backend.OptimStep;
import org.embed4j.nn.Parameter;

/**
 * Adam (torch.optim.Adam, amsgrad off), PyTorch's update at step t:
 * <pre>
 *   g += weight_decay·w                       (L2, coupled)
 *   m = β1·m + (1−β1)·g ;  v = β2·v + (1−β2)·g²
 *   w -= lr/(1−β1^t) · m / (sqrt(v)/sqrt(1−β2^t) + eps)
 * </pre>
 * Defaults lr 1e-3, betas (0.9, 0.999), eps 1e-8, weight_decay 0. Dense gradients only, like PyTorch (use
 * {@link SparseAdam} for sparse embeddings). Not thread-safe.
 */
public class Adam extends Optimizer {
    private final float beta1;
    private final float beta2;
    private final float eps;
    private final float weightDecay;

    public Adam(List<Parameter> params) {
        this(params, 1e-3f);
    }

    public Adam(List<Parameter> params, float lr) {
        this(params, lr, 0.9f, 0.999f, 1e-8f, 0f);
    }

    public Adam(List<Parameter> params, float lr, float beta1, float beta2, float eps, float weightDecay) {
        super(params, lr);
        checkBeta(0, beta1);
        checkBeta(1, beta2);
        checkNonNegative("epsilon value", eps);
        checkNonNegative("weight_decay value", weightDecay);
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
    }

    /** ADAM here; AdamW overrides. */
    OptimKind kind() {
        return OptimKind.ADAM;
    }

    @Override
    protected final int stateTensors() {
        return 2;
    }

    @Override
    protected final OptimStep hyperParameters(State s) {
        return new OptimStep(kind(), s.step(), lr(), 0f, 0f, weightDecay, beta1, beta2, eps, false, false, false);
    }

    @Override
    protected final void checkSparseSupported() {
        throw new UnsupportedOperationException(
                getClass().getSimpleName() + " does not support sparse gradients, please consider SparseAdam instead");
    }
}
