package org.embed4j.internal.ffm;

import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;

/**
 * The downcall handles of one resolved native function ({@link NativeLibrary} makes one per {@link Binding} when the
 * library loads; {@link Calls} adds the status check). Two handles: a plain one, and (when the binding's {@code criticalBelow > 0}) a critical one
 * ({@link Linker.Option#critical(boolean)} without heap access) that skips the thread-state transition. The critical
 * one is only handed out for calls whose work is below {@code criticalBelow} elements: a critical call holds off
 * safepoints (GC) for its whole duration, so only short, never-blocking calls may use it, and only with off-heap
 * segments (all embed4j tensors are off-heap).
 *
 * <p>Immutable and thread-safe.
 */
final class Downcall {
    private final MethodHandle plain;
    private final MethodHandle critical;
    private final long criticalBelow;

    @SuppressWarnings("restricted") // binding a C function is this class's job; NativeLibrary checked native access
    Downcall(MemorySegment address, Binding binding) {
        Linker linker = Linker.nativeLinker();
        this.plain = linker.downcallHandle(address, binding.descriptor());
        this.critical = binding.criticalBelow() > 0
                ? linker.downcallHandle(address, binding.descriptor(), Linker.Option.critical(false))
                : plain;
        this.criticalBelow = binding.criticalBelow();
    }

    private Downcall(MethodHandle plain, MethodHandle critical, long criticalBelow) {
        this.plain = plain;
        this.critical = critical;
        this.criticalBelow = criticalBelow;
    }

    /** The same function with {@code filter} applied to its result, in the calling thread, right after the call. */
    Downcall filtered(MethodHandle filter) {
        MethodHandle p = MethodHandles.filterReturnValue(plain, filter);
        // criticalBelow <= 0: the critical handle is the plain one, filtered once.
        return new Downcall(
                p, criticalBelow > 0 ? MethodHandles.filterReturnValue(critical, filter) : p, criticalBelow);
    }

    /** The plain handle. */
    MethodHandle handle() {
        return plain;
    }

    /** The critical handle when {@code work} (elements touched) is small enough for one, else the plain one. */
    MethodHandle handle(long work) {
        // work < 0 is an overflowed product: a huge call, never critical.
        return work >= 0 && work < criticalBelow ? critical : plain;
    }

    /**
     * Rethrows what {@code MethodHandle.invokeExact} threw: unchecked exceptions and errors as they are, a
     * checked one (impossible for a downcall) wrapped. Use as {@code throw Downcall.rethrow(t)}.
     */
    static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException re) {
            return re;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException("native call failed: " + t, t);
    }
}
