package org.embed4j.internal.ffm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.embed4j.backend.OptimKind;
import org.embed4j.backend.OptimStep;
import org.junit.jupiter.api.Test;

/** The e4j_optim layout pinned to the offsets gcc gives the C struct on x86-64 (offsetof, sizeof: 56). */
class OptimStructTest {

    @Test
    void offsetsMatchTheCStruct() {
        String[] names = {
            "kind",
            "nesterov",
            "step",
            "lr",
            "momentum",
            "dampening",
            "weight_decay",
            "beta1",
            "beta2",
            "eps",
            "first_step",
            "maximize"
        };
        long[] offsets = {0, 4, 8, 16, 20, 24, 28, 32, 36, 40, 44, 48};
        for (int i = 0; i < names.length; i++) {
            assertEquals(offsets[i], OptimStruct.LAYOUT.byteOffset(PathElement.groupElement(names[i])), names[i]);
        }
        assertEquals(56, OptimStruct.LAYOUT.byteSize());
        assertEquals(8, OptimStruct.LAYOUT.byteAlignment());
    }

    @Test
    void writesEveryField() {
        OptimStep step =
                new OptimStep(OptimKind.SPARSE_ADAM, 7, 0.5f, 0.9f, 0.1f, 0.01f, 0.8f, 0.99f, 1e-6f, true, true, true);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = OptimStruct.of(arena, step);
            assertEquals(OptimKind.SPARSE_ADAM.ordinal(), s.get(ValueLayout.JAVA_INT, 0));
            assertEquals(1, s.get(ValueLayout.JAVA_INT, 4));
            assertEquals(7L, s.get(ValueLayout.JAVA_LONG, 8));
            assertEquals(0.5f, s.get(ValueLayout.JAVA_FLOAT, 16));
            assertEquals(0.9f, s.get(ValueLayout.JAVA_FLOAT, 20));
            assertEquals(0.1f, s.get(ValueLayout.JAVA_FLOAT, 24));
            assertEquals(0.01f, s.get(ValueLayout.JAVA_FLOAT, 28));
            assertEquals(0.8f, s.get(ValueLayout.JAVA_FLOAT, 32));
            assertEquals(0.99f, s.get(ValueLayout.JAVA_FLOAT, 36));
            assertEquals(1e-6f, s.get(ValueLayout.JAVA_FLOAT, 40));
            assertEquals(1, s.get(ValueLayout.JAVA_INT, 44));
            assertEquals(1, s.get(ValueLayout.JAVA_INT, 48));
        }
    }
}
