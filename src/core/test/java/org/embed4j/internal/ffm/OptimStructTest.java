package org.embed4j.internal.ffm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.MemoryLayout.PathElement;
import org.junit.jupiter.api.Test;

/**
 * The e4j_optim layout pinned to the offsets gcc gives the C struct on x86-64 (offsetof, sizeof: 56); the backend's
 * NativeOptimTest writes every field through it.
 */
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
}
