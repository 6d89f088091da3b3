package org.embed4j.internal.ffm;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.Optional;

/**
 * A downcall handle to one native function, looked up on first use: a library built before a kernel existed
 * still loads, and calling the missing kernel throws {@link UnsupportedOperationException} naming it.
 *
 * <p>Two handles per function: a plain one, and (when {@code criticalBelow > 0}) a critical one
 * ({@link Linker.Option#critical(boolean)} without heap access) that skips the thread-state transition. The
 * critical one is only handed out for calls whose work is below {@code criticalBelow} elements: a critical
 * call holds off safepoints (GC) for its whole duration, so only short, never-blocking calls may use it, and
 * only with off-heap segments (all embed4j tensors are off-heap).
 *
 * <p>Thread-safe: the lookup is idempotent and the handles are immutable.
 */
public final class Downcall {
    private final NativeLibrary library;
    private final String name;
    private final FunctionDescriptor descriptor;
    private final long criticalBelow;
    private volatile Resolved resolved;

    private record Resolved(MethodHandle plain, MethodHandle critical, RuntimeException missing) {}

    Downcall(NativeLibrary library, String name, FunctionDescriptor descriptor, long criticalBelow) {
        this.library = library;
        this.name = name;
        this.descriptor = descriptor;
        this.criticalBelow = criticalBelow;
    }

    /** The C function name. */
    public String name() {
        return name;
    }

    /** Whether the library exports this function. */
    public boolean isAvailable() {
        return resolve().missing == null;
    }

    /** The plain handle; throws UnsupportedOperationException when the library lacks the function. */
    public MethodHandle handle() {
        Resolved r = resolve();
        if (r.missing != null) {
            throw new UnsupportedOperationException(r.missing.getMessage());
        }
        return r.plain;
    }

    /** The critical handle when {@code work} (elements touched) is small enough for one, else the plain one. */
    public MethodHandle handle(long work) {
        Resolved r = resolve();
        if (r.missing != null) {
            throw new UnsupportedOperationException(r.missing.getMessage());
        }
        // work < 0 is an overflowed product: a huge call, never critical.
        return work >= 0 && work < criticalBelow && r.critical != null ? r.critical : r.plain;
    }

    @SuppressWarnings("restricted") // binding a C function is this class's job
    private Resolved resolve() {
        Resolved r = resolved;
        if (r == null) {
            Optional<MemorySegment> address = library.find(name);
            if (address.isEmpty()) {
                r = new Resolved(
                        null,
                        null,
                        new UnsupportedOperationException("native function " + name
                                + " is not in " + library.path() + " (this build of lib" + library.baseName()
                                + " predates it; rebuild the native library)"));
            } else {
                Linker linker = Linker.nativeLinker();
                MethodHandle plain = linker.downcallHandle(address.get(), descriptor);
                MethodHandle critical = criticalBelow > 0
                        ? linker.downcallHandle(address.get(), descriptor, Linker.Option.critical(false))
                        : null;
                r = new Resolved(plain, critical, null);
            }
            resolved = r;
        }
        return r;
    }

    /**
     * Rethrows what {@code MethodHandle.invokeExact} threw: unchecked exceptions and errors as they are, a
     * checked one (impossible for a downcall) wrapped. Use as {@code throw Downcall.rethrow(t)}.
     */
    public static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException re) {
            return re;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException("native call failed: " + t, t);
    }
}
