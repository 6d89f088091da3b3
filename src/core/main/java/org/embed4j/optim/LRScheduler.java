package org.embed4j.optim;

/**
 * A learning-rate schedule (torch.optim.lr_scheduler): construction sets the optimizer's lr for epoch 0, and
 * each {@link #step()} advances one epoch (or one iteration, as the caller chooses) and sets the next lr.
 * Implementations use PyTorch's closed forms, so the lr after n steps does not depend on rounding history.
 */
public interface LRScheduler {

    /** Advances one epoch and updates the optimizer's learning rate. */
    void step();

    /** The learning rate set by the last step (PyTorch's get_last_lr()[0]). */
    float lastLr();

    /** Number of {@link #step()} calls so far (PyTorch's last_epoch; 0 after construction). */
    long lastEpoch();
}
