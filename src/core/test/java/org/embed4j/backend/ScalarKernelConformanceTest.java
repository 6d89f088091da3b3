package org.embed4j.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;

/**
 * The conformance suites again with libembed4j switched to its scalar C kernels (e4j_set_isa_level(0)), so that
 * every native path, not only the one the CPU backend picks by default, is held to the Java reference.
 * The ISA level is process-wide: it is restored after the class, and Surefire runs test classes one at a time.
 * Skipped where the native CPU backend is not available.
 */
class ScalarKernelConformanceTest {
    private static int previousLevel = -1;

    @BeforeAll
    static void useScalarKernels() {
        assumeTrue(IsaLevels.cpuBackendAvailable(), "the native CPU backend is not available here");
        previousLevel = IsaLevels.level();
        assertEquals(0, IsaLevels.set(0), "the level after e4j_set_isa_level(0)");
    }

    @AfterAll
    static void restoreLevel() {
        if (previousLevel >= 0) {
            assertEquals(previousLevel, IsaLevels.set(previousLevel));
        }
    }

    @Nested
    class EmbeddingKernels extends BackendConformanceTest {}

    @Nested
    class DenseKernels extends DenseConformanceTest {}

    @Nested
    class GeneralWord2VecKernel extends Word2VecHsReferenceTest {}

    @Nested
    class Int8SearchKernel extends TopkInt8Test {}
}
