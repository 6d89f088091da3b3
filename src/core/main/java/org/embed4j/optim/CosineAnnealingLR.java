package org.embed4j.optim;

/**
 * Cosine annealing (torch.optim.lr_scheduler.CosineAnnealingLR, closed form):
 * {@code lr(e) = etaMin + (base − etaMin) · (1 + cos(π · e / tMax)) / 2}; the cosine continues past tMax (so the
 * lr rises again), as PyTorch's closed form does. Default etaMin 0. Not thread-safe.
 */
public final class CosineAnnealingLR extends ClosedFormScheduler {
    private final long tMax;
    private final double etaMin;

    public CosineAnnealingLR(Optimizer optimizer, long tMax) {
        this(optimizer, tMax, 0.0);
    }

    public CosineAnnealingLR(Optimizer optimizer, long tMax, double etaMin) {
        super(optimizer);
        if (tMax < 1) {
            throw new IllegalArgumentException("tMax must be >= 1, got " + tMax);
        }
        if (!(etaMin >= 0)) {
            throw new IllegalArgumentException("etaMin must be >= 0, got " + etaMin);
        }
        this.tMax = tMax;
        this.etaMin = etaMin;
        start();
    }

    @Override
    double lrAt(long epoch) {
        return etaMin + (baseLr - etaMin) * (1 + Math.cos(Math.PI * epoch / tMax)) / 2;
    }
}
