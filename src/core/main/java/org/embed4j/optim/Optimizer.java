package org.embed4j.optim;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Objects;
import org.embed4j.backend.Backend;
import org.embed4j.backend.OptimStep;
import org.embed4j.backend.SortedIndices;
import org.embed4j.nn.Parameter;
import org.embed4j.nn.SparseGrad;
import org.embed4j.tensor.DType;
import org.embed4j.tensor.Tensor;

/**
 * Base of the optimizers (torch.optim.Optimizer), one parameter group. {@link #step()} updates every
 * parameter that has a gradient, with the update rule the subclass describes as an {@link OptimStep}:
 * <ul>
 *   <li>dense gradient: {@code backend.denseUpdate} over every element;</li>
 *   <li>sparse gradient ({@code Embedding(sparse=true)}): the indices are sorted once and
 *       {@code backend.embeddingBackwardUpdate} reduces and applies each touched row in one pass — only those rows
 *       of the weight and of the optimizer state are read or written, and no (V,D) gradient ever exists.</li>
 * </ul>
 * State (momentum, moments, sums) is allocated on the parameter's backend at its first step and kept per
 * parameter, with a per-parameter step count as PyTorch keeps {@code state['step']}.
 *
 * <p>Not thread-safe. {@link #close()} frees the state, not the parameters.
 */
public abstract class Optimizer implements AutoCloseable {
    private final List<Parameter> params;
    private final IdentityHashMap<Parameter, State> state = new IdentityHashMap<>();
    private final float initialLr;
    private float lr;

    /** The state of one parameter: step count and up to two state tensors of its shape. */
    protected static final class State {
        long step;
        Tensor state1;
        Tensor state2;

        /** The 1-based step count after this step's increment. */
        public long step() {
            return step;
        }
    }

    protected Optimizer(List<Parameter> params, float lr) {
        Objects.requireNonNull(params, "params");
        if (params.isEmpty()) {
            throw new IllegalArgumentException("optimizer got an empty parameter list");
        }
        checkNonNegative("learning rate", lr);
        this.params = List.copyOf(params);
        this.initialLr = lr;
        this.lr = lr;
    }

    static void checkNonNegative(String what, float value) {
        if (!(value >= 0f)) {
            throw new IllegalArgumentException("Invalid " + what + ": " + value);
        }
    }

    static void checkBeta(int i, float beta) {
        if (!(beta >= 0f && beta < 1f)) {
            throw new IllegalArgumentException("Invalid beta parameter at index " + i + ": " + beta);
        }
    }

    public List<Parameter> parameters() {
        return params;
    }

    /** The current learning rate (what schedulers change). */
    public float lr() {
        return lr;
    }

    public void setLr(float lr) {
        checkNonNegative("learning rate", lr);
        this.lr = lr;
    }

    /** The learning rate given at construction (PyTorch's initial_lr). */
    public float initialLr() {
        return initialLr;
    }

    /** Forgets every parameter's gradient (zero_grad with set_to_none). */
    public void zeroGrad() {
        params.forEach(Parameter::zeroGrad);
    }

    /** One update of every parameter that has a gradient; parameters without one are skipped. */
    public void step() {
        for (Parameter p : params) {
            SparseGrad sparse = p.sparseGrad();
            Tensor dense = p.grad();
            if (!p.requiresGrad() || (sparse == null && dense == null)) {
                continue;
            }
            if (sparse != null && dense != null) {
                throw new IllegalStateException(p + " has both a dense and a sparse gradient");
            }
            if (sparse != null) {
                checkSparseSupported();
            } else {
                checkDenseSupported();
            }
            Backend backend = p.backend();
            State s = state.computeIfAbsent(p, this::newState);
            s.step++;
            OptimStep hyper = hyperParameters(s);
            if (sparse != null) {
                try (SortedIndices sorted = sparse.sort()) {
                    if (sorted.numUnique() > 0) {
                        backend.embeddingBackwardUpdate(
                                p.data(), s.state1, s.state2, sparse.values(), sorted, false, hyper);
                    }
                }
            } else {
                backend.denseUpdate(p.data(), s.state1, s.state2, dense, hyper);
            }
        }
    }

    private State newState(Parameter p) {
        State s = new State();
        int n = stateTensors();
        if (n >= 1) {
            s.state1 = p.backend().zeros(DType.F32, p.shape());
            float init = initialState1();
            if (init != 0f) {
                p.backend().fill(s.state1, init);
            }
        }
        if (n >= 2) {
            s.state2 = p.backend().zeros(DType.F32, p.shape());
        }
        return s;
    }

    /** state1 of {@code p} (momentum buffer, exp_avg, or sum), or null. */
    public Tensor state1(Parameter p) {
        State s = state.get(p);
        return s == null ? null : s.state1;
    }

    /** state2 of {@code p} (exp_avg_sq), or null. */
    public Tensor state2(Parameter p) {
        State s = state.get(p);
        return s == null ? null : s.state2;
    }

    /** How many state tensors of the parameter's shape the rule needs (0, 1 or 2). */
    protected abstract int stateTensors();

    /** The initial value of state1 (Adagrad's initial_accumulator_value); 0 by default. */
    protected float initialState1() {
        return 0f;
    }

    /** This step's hyper-parameters for a parameter whose state (step already incremented) is {@code s}. */
    protected abstract OptimStep hyperParameters(State s);

    /** Throws, with PyTorch's message, when the rule cannot take a sparse gradient. */
    protected abstract void checkSparseSupported();

    /** Throws when the rule cannot take a dense gradient (SparseAdam). */
    protected void checkDenseSupported() {}

    /** Frees the optimizer state; the parameters are untouched. */
    @Override
    public void close() {
        List<State> all = new ArrayList<>(state.values());
        state.clear();
        for (State s : all) {
            if (s.state1 != null) {
                s.state1.close();
            }
            if (s.state2 != null) {
                s.state2.close();
            }
        }
    }
}
