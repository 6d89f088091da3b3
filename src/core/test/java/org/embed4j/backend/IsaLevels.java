package org.embed4j.backend;

import org.embed4j.internal.ffm.CpuKernels;

/**
 * libembed4j's kernel level (e4j_isa_level / e4j_set_isa_level: 0 scalar, 1 AVX2+FMA, 2 AVX-512) for the tests
 * that run the conformance suites at a level other than the default. The level is process-wide.
 */
final class IsaLevels {
    private IsaLevels() {}

    /** The native CPU backend loads here. */
    static boolean cpuBackendAvailable() {
        return Backends.available().stream().anyMatch(b -> b.name().equals("cpu"));
    }

    /** The current level. */
    static int level() {
        return CpuKernels.load().isaLevel();
    }

    /**
     * Sets the level and returns the level now in force; a level this CPU lacks throws (E4J_ERR_UNSUPPORTED, as
     * {@link CpuKernels#setIsaLevel} maps it).
     */
    static int set(int level) {
        CpuKernels k = CpuKernels.load();
        k.setIsaLevel(level);
        return k.isaLevel();
    }
}
