package org.embed4j.internal.ffm;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * The handles a binding class calls through: those of a {@link NativeLibrary}, each function that returns an
 * e4j_status wrapped so that it checks the status in the calling thread right after the call and returns nothing; a
 * non-zero status throws the exception {@link NativeStatus} maps it to, with {@code <prefix>last_error()} as the
 * message and E4J_ERR_CUDA made by the caller's {@link NativeStatus.CudaErrors}. A method can therefore neither forget
 * the check nor check under another function's name. Getters and size queries keep their plain handles.
 *
 * <p>Immutable and thread-safe.
 */
final class Calls {
    private static final MethodHandle CHECK;

    static {
        try {
            CHECK = MethodHandles.lookup()
                    .findStatic(
                            Calls.class,
                            "check",
                            MethodType.methodType(
                                    void.class,
                                    NativeLibrary.class,
                                    Binding.class,
                                    NativeStatus.CudaErrors.class,
                                    int.class));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final NativeLibrary lib;
    private final Downcall[] calls; // by Binding.index()

    Calls(NativeLibrary lib, NativeStatus.CudaErrors cudaErrors) {
        this.lib = lib;
        Abi abi = lib.abi();
        this.calls = new Downcall[abi.bindings().size()];
        for (Binding b : abi.bindings()) {
            Downcall raw = lib.call(b);
            calls[b.index()] =
                    b.returnsStatus() ? raw.filtered(MethodHandles.insertArguments(CHECK, 0, lib, b, cudaErrors)) : raw;
        }
    }

    NativeLibrary library() {
        return lib;
    }

    /** The handle for a call touching {@code work} elements: critical when the binding allows it for that much. */
    MethodHandle handle(Binding binding, long work) {
        return call(binding).handle(work);
    }

    /** The plain (never critical) handle. */
    MethodHandle handle(Binding binding) {
        return call(binding).handle();
    }

    private Downcall call(Binding binding) {
        if (binding.abi() != lib.abi()) {
            throw new IllegalArgumentException(binding.name() + " is not a function of " + lib.abi());
        }
        return calls[binding.index()];
    }

    @SuppressWarnings("UnusedMethod") // called through CHECK
    private static void check(NativeLibrary lib, Binding function, NativeStatus.CudaErrors cudaErrors, int status) {
        if (status != NativeStatus.OK) {
            throw NativeStatus.toException(status, function.name(), lib.lastError(), cudaErrors);
        }
    }
}
