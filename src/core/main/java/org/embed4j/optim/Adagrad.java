package org.embed4j.optim;

import java.util.List;
import org.embed4j.backend.OptimKind;
import org.embed4j.backend.OptimStep;
import org.embed4j.nn.Parameter;

/**
 * Adagrad (torch.optim.Adagrad), PyTorch's update at step t:
 * <pre>
 *   g += weight_decay·w ;  clr = lr / (1 + (t−1)·lr_decay)
 *   sum += g² ;  w -= clr · g / (sqrt(sum) + eps)
 * </pre>
 * sum starts at initial_accumulator_value. Defaults lr 1e-2, lr_decay 0, weight_decay 0,
 * initial_accumulator_value 0, eps 1e-10. Sparse gradients are supported (element-wise state of the touched
 * rows only, fused update) without weight decay, as in PyTorch. Not thread-safe.
 */
public final class Adagrad extends Optimizer {
    private final float lrDecay;
    private final float weightDecay;
    private final float initialAccumulatorValue;
    private final float eps;

    public Adagrad(List<Parameter> params) {
        this(params, 1e-2f);
    }

    public Adagrad(List<Parameter> params, float lr) {
        this(params, lr, 0f, 0f, 0f, 1e-10f);
    }

    public Adagrad(
            List<Parameter> params,
            float lr,
            float lrDecay,
            float weightDecay,
            float initialAccumulatorValue,
            float eps) {
        super(params, lr);
        checkNonNegative("lr_decay value", lrDecay);
        checkNonNegative("weight_decay value", weightDecay);
        checkNonNegative("initial_accumulator_value value", initialAccumulatorValue);
        checkNonNegative("epsilon value", eps);
        this.lrDecay = lrDecay;
        this.weightDecay = weightDecay;
        this.initialAccumulatorValue = initialAccumulatorValue;
        this.eps = eps;
    }

    @Override
    protected int stateTensors() {
        return 1;
    }

    @Override
    protected float initialState1() {
        return initialAccumulatorValue;
    }

    @Override
    protected OptimStep hyperParameters(State s) {
        float clr = (float) (lr() / (1.0 + (s.step() - 1) * (double) lrDecay));
        return new OptimStep(
                OptimKind.ADAGRAD, s.step(), clr, 0f, 0f, weightDecay, 0.9f, 0.999f, eps, false, false, false);
    }

    @Override
    protected void checkSparseSupported() {
        if (weightDecay != 0f) {
            throw new UnsupportedOperationException("weight_decay option is not compatible with sparse gradients");
        }
    }
}
