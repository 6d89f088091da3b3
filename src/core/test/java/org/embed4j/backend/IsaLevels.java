package org.embed4j.backend;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import org.embed4j.internal.ffm.NativeLibrary;

/**
 * libembed4j's kernel level (e4j_isa_level / e4j_set_isa_level: 0 scalar, 1 AVX2+FMA, 2 AVX-512) for the tests
 * that run the conformance suites at a level other than the default. The level is process-wide.
 */
final class IsaLevels {
    private static final FunctionDescriptor INT_OF_INT =
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT);
    private static final FunctionDescriptor INT_OF_VOID = FunctionDescriptor.of(ValueLayout.JAVA_INT);

    private IsaLevels() {}

    /** The native CPU backend loads here. */
    static boolean cpuBackendAvailable() {
        return Backends.available().stream().anyMatch(b -> b.name().equals("cpu"));
    }

    /** The current level. */
    static int level() throws Throwable {
        return (int) handle("e4j_isa_level", INT_OF_VOID).invokeExact();
    }

    /** Sets the level; returns e4j_set_isa_level's status (0: done, 3: this CPU lacks it). */
    static int set(int level) throws Throwable {
        return (int) handle("e4j_set_isa_level", INT_OF_INT).invokeExact(level);
    }

    private static MethodHandle handle(String symbol, FunctionDescriptor descriptor) {
        NativeLibrary lib = NativeLibrary.load("embed4j");
        return Linker.nativeLinker().downcallHandle(lib.find(symbol).orElseThrow(), descriptor);
    }
}
