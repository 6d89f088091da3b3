package org.embed4j.backend;

/**
 * One optimizer step's hyper-parameters, as the update kernels take them (C struct e4j_optim).
 * {@code step} is the 1-based step count after incrementing (Adam bias correction);
 * {@code firstStep} tells SGD-with-momentum to initialise its buffer with the gradient, as PyTorch does.
 */
public record OptimStep(
        OptimKind kind,
        long step,
        float lr,
        float momentum,
        float dampening,
        float weightDecay,
        float beta1,
        float beta2,
        float eps,
        boolean nesterov,
        boolean firstStep,
        boolean maximize) {

    /** Plain SGD with this learning rate. */
    public static OptimStep sgd(float lr) {
        return new OptimStep(OptimKind.SGD, 1, lr, 0f, 0f, 0f, 0.9f, 0.999f, 1e-8f, false, false, false);
    }
}
