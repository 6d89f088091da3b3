package org.embed4j.optim;

import java.util.List;
import org.embed4j.backend.OptimKind;
import org.embed4j.nn.Parameter;

/**
 * AdamW (torch.optim.AdamW): Adam with decoupled weight decay, {@code w *= 1 − lr·weight_decay} before the Adam
 * step (no L2 term in the gradient). Defaults lr 1e-3, betas (0.9, 0.999), eps 1e-8, weight_decay 1e-2.
 * Dense gradients only. Not thread-safe.
 */
public final class AdamW extends Adam {
    public AdamW(List<Parameter> params) {
        this(params, 1e-3f);
    }

    public AdamW(List<Parameter> params, float lr) {
        this(params, lr, 0.9f, 0.999f, 1e-8f, 1e-2f);
    }

    public AdamW(List<Parameter> params, float lr, float beta1, float beta2, float eps, float weightDecay) {
        super(params, lr, beta1, beta2, eps, weightDecay);
    }

    @Override
    OptimKind kind() {
        return OptimKind.ADAMW;
    }
}
