package org.embed4j.optim;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.embed4j.backend.Backend;
import org.embed4j.backend.Backends;
import org.embed4j.nn.NnAssert;
import org.junit.jupiter.api.BeforeEach;

/** Every optimizer check of {@link OptimizerStepTest}, on the native CPU backend's update kernels. */
class OptimizerStepCpuTest extends OptimizerStepTest {

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
