package org.embed4j.optim;

import java.util.List;
import org.embed4j.backend.OptimKind;
import org.embed4j.backend.OptimStep;
import org.embed4j.nn.Parameter;

/**
 * Stochastic gradient descent (torch.optim.SGD), PyTorch's update:
 * <pre>
 *   g += weight_decay·w
 *   momentum ≠ 0:  buf = (first step) ? g : momentum·buf + (1 − dampening)·g ;  g = nesterov ? g + momentum·buf : buf
 *   w -= lr·g
 * </pre>
 * Sparse gradients (Embedding(sparse=true)) are supported without momentum and weight decay, through the fused
 * row update. Defaults as PyTorch 2.x: lr 1e-3, no momentum. Not thread-safe.
 */
public final class SGD extends Optimizer {
    private final float momentum;
    private final float dampening;
    private final float weightDecay;
    private final boolean nesterov;

    /** SGD(params, lr = 1e-3). */
    public SGD(List<Parameter> params) {
        this(params, 1e-3f);
    }

    public SGD(List<Parameter> params, float lr) {
        this(params, lr, 0f, 0f, 0f, false);
    }

    public SGD(List<Parameter> params, float lr, float momentum, float dampening, float weightDecay, boolean nesterov) {
        super(params, lr);
        checkNonNegative("momentum value", momentum);
        checkNonNegative("weight_decay value", weightDecay);
        if (nesterov && (momentum <= 0f || dampening != 0f)) {
            throw new IllegalArgumentException("Nesterov momentum requires a momentum and zero dampening, got momentum "
                    + momentum + " and dampening " + dampening);
        }
        this.momentum = momentum;
        this.dampening = dampening;
        this.weightDecay = weightDecay;
        this.nesterov = nesterov;
    }

    @Override
    protected int stateTensors() {
        return momentum != 0f ? 1 : 0;
    }

    @Override
    protected OptimStep hyperParameters(State s) {
        return new OptimStep(
                OptimKind.SGD,
                s.step(),
                lr(),
                momentum,
                dampening,
                weightDecay,
                0.9f,
                0.999f,
                1e-8f,
                nesterov,
                s.step() == 1,
                false);
    }

    @Override
    protected void checkSparseSupported() {
        if (momentum != 0f || weightDecay != 0f) {
            throw new UnsupportedOperationException("SGD with sparse gradients supports neither momentum nor "
                    + "weight_decay (got momentum " + momentum + ", weight_decay " + weightDecay + ")");
        }
    }
}
