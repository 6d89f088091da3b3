package org.embed4j.nn;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.embed4j.backend.Backend;
import org.junit.jupiter.api.BeforeEach;

/** Every finite-difference check of {@link GradCheckTest}, with the modules running on the native CPU backend. */
class GradCheckCpuTest extends GradCheckTest {

    @BeforeEach
    void requireCpu() {
        assumeTrue(NnAssert.cpuAvailable(), "native CPU backend unavailable");
    }

    @Override
    Backend backend() {
        return NnAssert.cpuOrJava();
    }
}
