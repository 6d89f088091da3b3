package org.embed4j.optim;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.embed4j.backend.Backend;
import org.embed4j.nn.NnAssert;
import org.junit.jupiter.api.BeforeEach;

/** Every optimizer check of {@link OptimizerStepTest}, on the native CPU backend's update kernels. */
class OptimizerStepCpuTest extends OptimizerStepTest {

    @BeforeEach
    void requireCpu() {
        assumeTrue(NnAssert.cpuAvailable(), "native CPU backend unavailable");
    }

    @Override
    Backend backend() {
        return NnAssert.cpuOrJava();
    }
}
