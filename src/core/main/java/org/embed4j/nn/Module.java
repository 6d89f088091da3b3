package org.embed4j.nn;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import org.embed4j.backend.Backend;
import org.embed4j.backend.Backends;
import org.embed4j.io.Safetensors;
import org.embed4j.tensor.DType;
import org.embed4j.tensor.Tensor;

/**
 * Base class of layers (torch.nn.Module) with explicit, layer-wise backward instead of autograd:
 * {@code forward(x)} computes and remembers what backward needs; {@code backward(dOut)} returns dIn and ADDS
 * the parameter gradients. Parameters and child modules are registered by name, so that
 * {@link #namedParameters()}, {@link #stateDict()} and checkpoints use PyTorch's dotted names ("0.weight").
 *
 * <p>Memory: a module owns its parameters and its activation buffers. The tensors forward and backward
 * return are views of those buffers, valid until the module's next forward/backward; copy them to keep
 * them. {@link #close()} frees everything, children included.
 *
 * <p>Devices: forward's input and backward's dOut may be host tensors or tensors of the module's backend device
 * (PyTorch would refuse a host tensor on a CUDA module; here the built-in layers upload it to a temporary, as a
 * convenience for callers that build data on the host). A tensor of another device is refused.
 *
 * <p>Not thread-safe: a module holds the activations of its last forward. Use one module per thread, or
 * synchronise.
 */
public abstract class Module implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Module.class.getName());

    protected final Backend backend;
    final Buffers buffers; // package-private: activation memory of the built-in layers
    private final LinkedHashMap<String, Parameter> params = new LinkedHashMap<>();
    private final LinkedHashMap<String, Module> children = new LinkedHashMap<>();
    private boolean training = true;
    private boolean closed;

    /** {@code backend} null: {@link Backends#auto()}. */
    protected Module(Backend backend) {
        this.backend = backend != null ? backend : Backends.auto();
        this.buffers = new Buffers(this.backend);
    }

    /** The backend every tensor of this module lives on. */
    public Backend backend() {
        return backend;
    }

    // ------------------------------------------------------------------ forward / backward

    /** Computes the output; the result is owned by the module (see the class comment). */
    public Tensor forward(Tensor input) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " has no single-input forward");
    }

    /** Returns dInput (null when the input is not differentiable, e.g. indices) and accumulates parameter grads. */
    public Tensor backward(Tensor dOut) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " has no single-input backward");
    }

    // ------------------------------------------------------------------ registration

    protected final Parameter registerParameter(String name, Parameter p) {
        checkName(name);
        params.put(name, Objects.requireNonNull(p, name));
        return p;
    }

    @SuppressWarnings("ReferenceEquality") // backends are singletons: the same instance or not
    protected final <M extends Module> M registerModule(String name, M module) {
        checkName(name);
        if (module.backend != backend) {
            throw new IllegalArgumentException("module '" + name + "' runs on backend " + module.backend.name()
                    + " but its parent on " + backend.name() + "; build both on the same backend");
        }
        children.put(name, module);
        return module;
    }

    private void checkName(String name) {
        if (name == null || name.isEmpty() || name.contains(".")) {
            throw new IllegalArgumentException("bad parameter/module name '" + name + "' (non-empty, no dots)");
        }
        if (params.containsKey(name) || children.containsKey(name)) {
            throw new IllegalArgumentException("name '" + name + "' is already registered in " + this);
        }
    }

    /** Direct children by name, in registration order. */
    public Map<String, Module> namedChildren() {
        return java.util.Collections.unmodifiableMap(children);
    }

    /** Every parameter of this module and its descendants with dotted names, in registration order. */
    public LinkedHashMap<String, Parameter> namedParameters() {
        LinkedHashMap<String, Parameter> out = new LinkedHashMap<>();
        collect("", out);
        return out;
    }

    private void collect(String prefix, Map<String, Parameter> out) {
        params.forEach((k, v) -> out.put(prefix + k, v));
        children.forEach((k, m) -> m.collect(prefix + k + ".", out));
    }

    /** Every parameter, in {@link #namedParameters()} order (hand these to an optimizer). */
    public List<Parameter> parameters() {
        return new ArrayList<>(namedParameters().values());
    }

    // ------------------------------------------------------------------ modes and gradients

    /** Training mode (dropout active, activations kept for backward); returns this. */
    public Module train(boolean mode) {
        training = mode;
        children.values().forEach(c -> c.train(mode));
        return this;
    }

    public Module train() {
        return train(true);
    }

    /** Evaluation mode: dropout off, nothing kept for backward. */
    public Module eval() {
        return train(false);
    }

    public boolean isTraining() {
        return training;
    }

    /** Forgets every parameter's gradient. */
    public void zeroGrad() {
        namedParameters().values().forEach(Parameter::zeroGrad);
    }

    // ------------------------------------------------------------------ state

    /** Host copies of every parameter by dotted name; the caller closes them. */
    public LinkedHashMap<String, Tensor> stateDict() {
        LinkedHashMap<String, Tensor> out = new LinkedHashMap<>();
        try {
            for (Map.Entry<String, Parameter> e : namedParameters().entrySet()) {
                out.put(e.getKey(), backend.toHost(e.getValue().data()));
            }
        } catch (RuntimeException ex) {
            out.values().forEach(Tensor::close);
            throw ex;
        }
        return out;
    }

    /**
     * Copies {@code state} into the parameters (strict, like PyTorch's default): every name must exist, with the
     * same shape and dtype F32. Nothing is modified when a check fails. The caller keeps ownership of {@code state}.
     */
    public void loadStateDict(Map<String, Tensor> state) {
        Map<String, Parameter> named = namedParameters();
        TreeSet<String> missing = new TreeSet<>(named.keySet());
        missing.removeAll(state.keySet());
        TreeSet<String> unexpected = new TreeSet<>(state.keySet());
        unexpected.removeAll(named.keySet());
        if (!missing.isEmpty() || !unexpected.isEmpty()) {
            throw new IllegalArgumentException("state dict does not match "
                    + getClass().getSimpleName() + ": missing keys " + missing + ", unexpected keys " + unexpected);
        }
        for (Map.Entry<String, Parameter> e : named.entrySet()) {
            Tensor t = state.get(e.getKey());
            if (t.dtype() != DType.F32 || !Arrays.equals(t.shape(), e.getValue().shape())) {
                throw new IllegalArgumentException(
                        "size mismatch for " + e.getKey() + ": checkpoint has " + t.describe() + ", the module has F32"
                                + Arrays.toString(e.getValue().shape()));
            }
        }
        for (Map.Entry<String, Parameter> e : named.entrySet()) {
            Transfer.copyIn(backend, e.getValue().data(), state.get(e.getKey()));
        }
    }

    /** Writes the state dict as safetensors (F32, little-endian; readable by safetensors.torch.load_file). */
    public void save(Path path) throws IOException {
        LinkedHashMap<String, Tensor> state = stateDict();
        try {
            Safetensors.write(path, state, Map.of("format", "pt"));
        } finally {
            state.values().forEach(Tensor::close);
        }
        LOG.log(System.Logger.Level.DEBUG, "saved {0} tensors to {1}", state.size(), path);
    }

    /** Loads a safetensors checkpoint written by {@link #save} or by PyTorch (safetensors.torch.save_file). */
    public void load(Path path) throws IOException {
        LinkedHashMap<String, Tensor> state = Safetensors.read(path);
        try {
            loadStateDict(state);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(path + ": " + e.getMessage(), e);
        } finally {
            state.values().forEach(Tensor::close);
        }
    }

    // ------------------------------------------------------------------ lifetime

    protected boolean isClosed() {
        return closed;
    }

    /** Frees parameters, buffers and children (idempotent). The backend stays open: it is shared. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        children.values().forEach(Module::close);
        params.values().forEach(Parameter::close);
        buffers.close();
    }

    /** A one-line description in PyTorch's repr style. */
    @Override
    public String toString() {
        return getClass().getSimpleName() + "()";
    }
}
