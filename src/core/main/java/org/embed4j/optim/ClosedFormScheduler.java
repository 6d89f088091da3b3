package org.embed4j.optim;

import java.util.Objects;

/**
 * Shared plumbing of the schedulers: remembers the optimizer's initial lr and, at construction and after each
 * step, sets {@code lr = lrAt(lastEpoch)}. Not thread-safe.
 */
abstract class ClosedFormScheduler implements LRScheduler {
    protected final Optimizer optimizer;
    protected final float baseLr;
    private long lastEpoch;
    private float lastLr;

    ClosedFormScheduler(Optimizer optimizer) {
        this.optimizer = Objects.requireNonNull(optimizer, "optimizer");
        this.baseLr = optimizer.initialLr();
    }

    /** Must be called at the end of the subclass constructor (after its fields are set). */
    final void start() {
        apply();
    }

    /** The learning rate at epoch {@code epoch} (>= 0). */
    abstract double lrAt(long epoch);

    @Override
    public final void step() {
        lastEpoch++;
        apply();
    }

    private void apply() {
        lastLr = (float) Math.max(0.0, lrAt(lastEpoch));
        optimizer.setLr(lastLr);
    }

    @Override
    public final float lastLr() {
        return lastLr;
    }

    @Override
    public final long lastEpoch() {
        return lastEpoch;
    }
}
