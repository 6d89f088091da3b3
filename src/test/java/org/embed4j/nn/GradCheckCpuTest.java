package org.embed4j.nn;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.embed4j.backend.Backend;
import org.embed4j.backend.Backends;
import org.junit.jupiter.api.BeforeEach;

/** Every finite-difference check of {@link GradCheckTest}, with the modules running on the native CPU backend. */
class GradCheckCpuTest extends GradCheckTest {

    private static boolean cpuAvailable() {
        return Backends.available().stream().anyMatch(x -> x.name().equals("cpu"));
    }

    @BeforeEach
    void requireCpu() {
        assumeTrue(cpuAvailable(), "native CPU backend unavailable");
    }

    @Override
    Backend backend() {
        return cpuAvailable() ? Backends.get("cpu") : NnAssert.java();
    }
}
