package org.embed4j.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

/** Every field of an OptimStep lands at its offset of the C struct e4j_optim. */
class NativeOptimTest {

    @Test
    void writesEveryFieldAtItsCOffset() {
        OptimStep step =
                new OptimStep(OptimKind.SPARSE_ADAM, 7, 0.5f, 0.9f, 0.1f, 0.01f, 0.8f, 0.99f, 1e-6f, true, false, true);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = NativeOptim.struct(arena, step);
            assertEquals(56, s.byteSize());
            assertEquals(5, s.get(ValueLayout.JAVA_INT, 0), "kind: E4J_OPT_SPARSE_ADAM");
            assertEquals(1, s.get(ValueLayout.JAVA_INT, 4), "nesterov");
            assertEquals(7L, s.get(ValueLayout.JAVA_LONG, 8), "step");
            assertEquals(0.5f, s.get(ValueLayout.JAVA_FLOAT, 16), "lr");
            assertEquals(0.9f, s.get(ValueLayout.JAVA_FLOAT, 20), "momentum");
            assertEquals(0.1f, s.get(ValueLayout.JAVA_FLOAT, 24), "dampening");
            assertEquals(0.01f, s.get(ValueLayout.JAVA_FLOAT, 28), "weight_decay");
            assertEquals(0.8f, s.get(ValueLayout.JAVA_FLOAT, 32), "beta1");
            assertEquals(0.99f, s.get(ValueLayout.JAVA_FLOAT, 36), "beta2");
            assertEquals(1e-6f, s.get(ValueLayout.JAVA_FLOAT, 40), "eps");
            assertEquals(0, s.get(ValueLayout.JAVA_INT, 44), "first_step");
            assertEquals(1, s.get(ValueLayout.JAVA_INT, 48), "maximize");
        }
    }
}
