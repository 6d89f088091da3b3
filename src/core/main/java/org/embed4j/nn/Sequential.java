package org.embed4j.nn;

import java.util.ArrayList;
import java.util.List;
import org.embed4j.backend.Backend;
import org.embed4j.tensor.Tensor;

/**
 * A chain of modules (torch.nn.Sequential): forward feeds each module's output to the next; backward runs the
 * modules' backward in reverse order and returns the first module's dInput (null when that module takes
 * indices, like Embedding). Children are named "0", "1", ... so parameters get PyTorch's names ("0.weight").
 * Every child must run on the same backend as the Sequential (by default the first child's).
 *
 * <p>Owns its children: {@link #close()} closes them. Not thread-safe (see {@link Module}).
 */
public final class Sequential extends Module {
    private final List<Module> layers = new ArrayList<>();

    /** Sequential(m0, m1, ...) on the modules' backend. */
    public Sequential(Module... modules) {
        this(modules.length > 0 ? modules[0].backend() : null, modules);
    }

    /** {@code backend} null with no modules: {@code Backends.auto()}. */
    public Sequential(Backend backend, Module... modules) {
        super(backend);
        for (Module m : modules) {
            append(m);
        }
    }

    /** Adds {@code module} at the end under the next number; returns this. */
    public Sequential append(Module module) {
        registerModule(Integer.toString(layers.size()), module);
        layers.add(module);
        return this;
    }

    public Module get(int i) {
        return layers.get(i);
    }

    public int size() {
        return layers.size();
    }

    @Override
    public Tensor forward(Tensor input) {
        Tensor x = input;
        for (Module m : layers) {
            x = m.forward(x);
        }
        return x;
    }

    @Override
    public Tensor backward(Tensor dOut) {
        Tensor d = dOut;
        for (int i = layers.size() - 1; i >= 0 && d != null; i--) {
            d = layers.get(i).backward(d);
        }
        return d;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("Sequential(");
        for (int i = 0; i < layers.size(); i++) {
            sb.append("\n  (").append(i).append("): ").append(layers.get(i));
        }
        return sb.append(layers.isEmpty() ? ")" : "\n)").toString();
    }
}
