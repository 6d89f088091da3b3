package org.embed4j.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import org.embed4j.internal.ffm.NativeLibrary;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;

/**
 * The conformance suites again with libembed4j switched to its scalar C kernels (e4j_set_isa_level(0)), so that
 * both native paths, not only the AVX2 one the CPU backend picks by default, are held to the Java reference.
 * The ISA level is process-wide: it is restored after the class, and Surefire runs test classes one at a time.
 * Skipped where the native CPU backend is not available.
 */
class ScalarKernelConformanceTest {
    private static final FunctionDescriptor INT_OF_INT =
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT);
    private static final FunctionDescriptor INT_OF_VOID = FunctionDescriptor.of(ValueLayout.JAVA_INT);
    private static int previousLevel = -1;

    @BeforeAll
    static void useScalarKernels() throws Throwable {
        assumeTrue(
                Backends.available().stream().anyMatch(b -> b.name().equals("cpu")),
                "the native CPU backend is not available here");
        previousLevel = (int) handle("e4j_isa_level", INT_OF_VOID).invokeExact();
        assertEquals(0, (int) handle("e4j_set_isa_level", INT_OF_INT).invokeExact(0), "e4j_set_isa_level(0)");
    }

    @AfterAll
    static void restoreLevel() throws Throwable {
        if (previousLevel >= 0) {
            assertEquals(0, (int) handle("e4j_set_isa_level", INT_OF_INT).invokeExact(previousLevel));
        }
    }

    private static MethodHandle handle(String symbol, FunctionDescriptor descriptor) {
        NativeLibrary lib = NativeLibrary.load("embed4j");
        return Linker.nativeLinker().downcallHandle(lib.find(symbol).orElseThrow(), descriptor);
    }

    @Nested
    class EmbeddingKernels extends BackendConformanceTest {}

    @Nested
    class DenseKernels extends DenseConformanceTest {}

    @Nested
    class GeneralWord2VecKernel extends Word2VecHsReferenceTest {}
}
