package org.embed4j.optim;

import java.util.List;
import org.embed4j.backend.OptimKind;
import org.embed4j.backend.OptimStep;
import org.embed4j.nn.Parameter;

/**
 * Lazy Adam for sparse embeddings (torch.optim.SparseAdam): only the rows in this step's gradient have their
 * moments and weights updated, through the fused sparse-update kernel:
 * <pre>
 *   m_r += (g_r − m_r)(1−β1) ;  v_r += (g_r² − v_r)(1−β2)
 *   w_r -= lr·sqrt(1−β2^t)/(1−β1^t) · m_r / (sqrt(v_r) + eps)
 * </pre>
 * t counts this parameter's steps. Defaults lr 1e-3, betas (0.9, 0.999), eps 1e-8. Sparse gradients only, like
 * PyTorch. Not thread-safe.
 */
public final class SparseAdam extends Optimizer {
    private final float beta1;
    private final float beta2;
    private final float eps;

    public SparseAdam(List<Parameter> params) {
        this(params, 1e-3f);
    }

    public SparseAdam(List<Parameter> params, float lr) {
        this(params, lr, 0.9f, 0.999f, 1e-8f);
    }

    public SparseAdam(List<Parameter> params, float lr, float beta1, float beta2, float eps) {
        super(params, lr);
        checkBeta(0, beta1);
        checkBeta(1, beta2);
        checkNonNegative("epsilon value", eps);
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
    }

    @Override
    protected int stateTensors() {
        return 2;
    }

    @Override
    protected OptimStep hyperParameters(State s) {
        return new OptimStep(OptimKind.SPARSE_ADAM, s.step(), lr(), 0f, 0f, 0f, beta1, beta2, eps, false, false, false);
    }

    @Override
    protected void checkSparseSupported() {}

    @Override
    protected void checkDenseSupported() {
        throw new UnsupportedOperationException(
                "SparseAdam does not support dense gradients, please consider Adam instead");
    }
}
