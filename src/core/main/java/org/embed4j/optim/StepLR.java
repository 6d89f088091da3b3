package org.embed4j.optim;

/**
 * Step decay (torch.optim.lr_scheduler.StepLR): {@code lr(e) = base · gamma^floor(e / stepSize)}; PyTorch's
 * default gamma is 0.1. Not thread-safe.
 */
public final class StepLR extends ClosedFormScheduler {
    private final long stepSize;
    private final double gamma;

    public StepLR(Optimizer optimizer, long stepSize) {
        this(optimizer, stepSize, 0.1);
    }

    public StepLR(Optimizer optimizer, long stepSize, double gamma) {
        super(optimizer);
        if (stepSize < 1) {
            throw new IllegalArgumentException("stepSize must be >= 1, got " + stepSize);
        }
        if (!(gamma >= 0)) {
            throw new IllegalArgumentException("gamma must be >= 0, got " + gamma);
        }
        this.stepSize = stepSize;
        this.gamma = gamma;
        start();
    }

    @Override
    double lrAt(long epoch) {
        return baseLr * Math.pow(gamma, Math.floorDiv(epoch, stepSize)); // floor(epoch / step_size), as PyTorch
    }
}
