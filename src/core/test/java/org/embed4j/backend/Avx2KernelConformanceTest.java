package org.embed4j.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;

/**
 * The conformance suites again with libembed4j held at its AVX2 kernels (e4j_set_isa_level(1)) on a CPU whose
 * default is the AVX-512 level, so that both vector levels are held to the Java reference. Skipped where the
 * default already is AVX2 (the plain suites run it) or the native CPU backend is not available. The ISA level is
 * process-wide: it is restored after the class, and Surefire runs test classes one at a time.
 */
class Avx2KernelConformanceTest {
    private static int previousLevel = -1;

    @BeforeAll
    static void useAvx2Kernels() {
        assumeTrue(IsaLevels.cpuBackendAvailable(), "the native CPU backend is not available here");
        int level = IsaLevels.level();
        assumeTrue(level == 2, "the default kernel level is " + level + ": the plain suites run the AVX2 kernels");
        previousLevel = level;
        assertEquals(1, IsaLevels.set(1), "the level after e4j_set_isa_level(1)");
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
    class Int8SearchKernel extends TopkInt8Test {}
}
