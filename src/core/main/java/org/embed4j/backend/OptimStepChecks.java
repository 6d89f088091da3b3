package org.embed4j.backend;

import java.util.Objects;
import org.embed4j.tensor.Tensor;

/**
 * The argument checks of an optimizer update ({@link Backend#denseUpdate}, {@link Backend#sparseRowsUpdate},
 * {@link Backend#embeddingBackwardUpdate}): the step's hyper-parameters are consistent, the kind is one the update
 * implements (the same refusals as the C ABI's e4j_check_optim, so every backend refuses alike), and the state
 * tensors the kind needs are present and shaped like the parameter (row-wise Adagrad: one float per row).
 * Messages name the bad value. Stateless; thread-safe.
 */
final class OptimStepChecks {
    private OptimStepChecks() {}

    /** Non-null, Nesterov only with momentum and no dampening, Adam variants with a 1-based step. */
    static void step(OptimStep step) {
        Objects.requireNonNull(step, "step must not be null");
        Objects.requireNonNull(step.kind(), "step.kind must not be null");
        if (step.nesterov() && (step.momentum() <= 0f || step.dampening() != 0f)) {
            throw new IllegalArgumentException("Nesterov momentum needs momentum > 0 and dampening 0, got momentum "
                    + step.momentum() + ", dampening " + step.dampening());
        }
        if (needsState2(step.kind()) && step.step() < 1) {
            throw new IllegalArgumentException(
                    step.kind() + " needs step >= 1 (1-based, after increment), got " + step.step());
        }
    }

    /** Kinds a sparse (fused or row) update accepts; dense updates accept all but the row-based two. */
    static void sparseKind(OptimStep step) {
        switch (step.kind()) {
            case SGD -> {
                if (step.momentum() != 0f) {
                    throw new UnsupportedOperationException("sparse updates support SGD without momentum only, got"
                            + " momentum " + step.momentum() + " (use a dense gradient for momentum)");
                }
            }
            case ROWWISE_ADAGRAD, ADAGRAD, SPARSE_ADAM -> {}
            default ->
                throw new UnsupportedOperationException("sparse updates support SGD, ADAGRAD, ROWWISE_ADAGRAD"
                        + " and SPARSE_ADAM, got " + step.kind());
        }
    }

    /** See {@link #sparseKind}. */
    static void denseKind(OptimStep step) {
        if (step.kind() == OptimKind.ROWWISE_ADAGRAD || step.kind() == OptimKind.SPARSE_ADAM) {
            throw new UnsupportedOperationException(step.kind() + " updates rows of a sparse gradient only;"
                    + " dense updates support SGD, ADAM, ADAMW and ADAGRAD");
        }
    }

    /** The state tensors {@code step.kind()} needs: F32 on the backend's device, shaped for {@code param}. */
    static void state(TensorChecks check, OptimStep step, Tensor param, Tensor state1, Tensor state2) {
        boolean needs1 = switch (step.kind()) {
            case SGD -> step.momentum() != 0f;
            case ADAM, ADAMW, ADAGRAD, ROWWISE_ADAGRAD, SPARSE_ADAM -> true;
        };
        if (needs1) {
            long[] expected = step.kind() == OptimKind.ROWWISE_ADAGRAD ? new long[] {param.size(0)} : param.shape();
            Objects.requireNonNull(state1, () -> "state1 must not be null for " + step.kind());
            check.shape(check.f32(state1, "state1"), "state1", expected);
        }
        if (needsState2(step.kind())) {
            Objects.requireNonNull(state2, () -> "state2 must not be null for " + step.kind());
            check.shape(check.f32(state2, "state2"), "state2", param.shape());
        }
    }

    /** The Adam variants: exp_avg_sq in state2 and a bias correction that needs the step count. */
    private static boolean needsState2(OptimKind kind) {
        return kind == OptimKind.ADAM || kind == OptimKind.ADAMW || kind == OptimKind.SPARSE_ADAM;
    }
}
