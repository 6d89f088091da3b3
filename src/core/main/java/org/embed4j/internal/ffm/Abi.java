package org.embed4j.internal.ffm;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The functions of one native library that Java binds, each written once as a {@link Binding} (name and
 * {@link FunctionDescriptor}), and the functions of its header that Java deliberately leaves unbound, each with the
 * reason. A binding class ({@link CpuKernels}, {@link CudaKernels}) fills one in its static initializer;
 * {@link NativeLibrary#load(Abi)} resolves every binding when the library loads and fails with the list of missing
 * symbols; {@code AbiBindingTest} parses the header and fails on any function whose name, arity or argument types
 * differ from the binding, and on any declared function that is neither bound nor listed as unbound.
 *
 * <p>The three runtime functions every embed4j library exports ({@code <prefix>version}, {@code <prefix>abi_version},
 * {@code <prefix>last_error}) are bound here for {@link NativeLibrary}. Filled during the binding class's static
 * initialization, read-only afterwards; thread-safe from then on.
 */
final class Abi {
    /** e4j_status, the return type of every function that can fail. */
    static final MemoryLayout STATUS = JAVA_INT;

    private final String baseName;
    private final String runtimePrefix;
    private final String header;
    private final List<Binding> bindings = new ArrayList<>();
    private final Map<String, String> unbound = new LinkedHashMap<>();
    final Binding version;
    final Binding abiVersion;
    final Binding lastError;

    /**
     * @param baseName      the library file is lib&lt;baseName&gt;.so
     * @param runtimePrefix the prefix of its runtime functions ("e4j_", "e4j_cuda_")
     * @param header        the header under native/include that declares its functions
     */
    Abi(String baseName, String runtimePrefix, String header) {
        this.baseName = baseName;
        this.runtimePrefix = runtimePrefix;
        this.header = header;
        this.version = value(runtimePrefix + "version", ADDRESS);
        this.abiVersion = value(runtimePrefix + "abi_version", JAVA_INT);
        this.lastError = value(runtimePrefix + "last_error", ADDRESS);
    }

    String baseName() {
        return baseName;
    }

    String runtimePrefix() {
        return runtimePrefix;
    }

    String header() {
        return header;
    }

    /** Every binding, in the order they were declared (the runtime functions first). */
    List<Binding> bindings() {
        return Collections.unmodifiableList(bindings);
    }

    /** The functions of the header that Java does not bind, each with the reason. */
    Map<String, String> unbound() {
        return Collections.unmodifiableMap(unbound);
    }

    /**
     * A function returning e4j_status: its handles check the status and return nothing ({@link Calls}). Calls
     * touching fewer than {@code criticalBelow} elements may use a critical downcall; 0 never does.
     */
    Binding status(String name, long criticalBelow, MemoryLayout... args) {
        return add(name, FunctionDescriptor.of(STATUS, args), criticalBelow, true);
    }

    /** A getter or size query that returns its value (never fails, returns at once): always critical. */
    Binding value(String name, MemoryLayout result, MemoryLayout... args) {
        return add(name, FunctionDescriptor.of(result, args), Long.MAX_VALUE, false);
    }

    /** A function of the header that Java leaves unbound on purpose, and why. */
    void unbound(String name, String reason) {
        if (unbound.put(name, reason) != null) {
            throw new IllegalStateException(name + " is listed as unbound twice");
        }
    }

    private Binding add(String name, FunctionDescriptor descriptor, long criticalBelow, boolean returnsStatus) {
        for (Binding b : bindings) {
            if (b.name().equals(name)) {
                throw new IllegalStateException(name + " is bound twice in the " + header + " bindings");
            }
        }
        Binding b = new Binding(this, bindings.size(), name, descriptor, criticalBelow, returnsStatus);
        bindings.add(b);
        return b;
    }

    @Override
    public String toString() {
        return "lib" + baseName + " (" + header + ")";
    }
}
