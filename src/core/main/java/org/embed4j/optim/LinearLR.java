package org.embed4j.optim;

/**
 * Linear change of the learning rate by a factor (torch.optim.lr_scheduler.LinearLR):
 * {@code lr(e) = base · (start + (end − start) · min(e, totalIters) / totalIters)}. With start 1 and end 0 it is
 * word2vec's linear decay to zero. PyTorch's defaults: start 1/3, end 1, totalIters 5. Not thread-safe.
 */
public final class LinearLR extends ClosedFormScheduler {
    private final double startFactor;
    private final double endFactor;
    private final long totalIters;

    public LinearLR(Optimizer optimizer) {
        this(optimizer, 1.0 / 3.0, 1.0, 5);
    }

    public LinearLR(Optimizer optimizer, double startFactor, double endFactor, long totalIters) {
        super(optimizer);
        if (!(startFactor > 0 && startFactor <= 1)) {
            throw new IllegalArgumentException("Starting multiplicative factor expected to be greater than 0 and less "
                    + "or equal to 1, got " + startFactor);
        }
        if (!(endFactor >= 0 && endFactor <= 1)) {
            throw new IllegalArgumentException(
                    "Ending multiplicative factor expected to be between 0 and 1, got " + endFactor);
        }
        if (totalIters < 1) {
            throw new IllegalArgumentException("totalIters must be >= 1, got " + totalIters);
        }
        this.startFactor = startFactor;
        this.endFactor = endFactor;
        this.totalIters = totalIters;
        start();
    }

    @Override
    double lrAt(long epoch) {
        double t = Math.min(epoch, totalIters) / (double) totalIters;
        return baseLr * (startFactor + (endFactor - startFactor) * t);
    }
}
