package org.embed4j.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicInteger;
import org.embed4j.testing.NativeHold;
import org.junit.jupiter.api.Test;

/** Tensor.close(): either the memory is freed and the tensor closed, or neither. */
class TensorCloseTest {

    @Test
    @SuppressWarnings("try") // the resource's lifetime is the point: it holds a native call open
    void closeRefusedWhileANativeCallHoldsTheMemoryLeavesTheTensorUsableAndClosableLater() throws Exception {
        Tensor t = Tensor.of(new float[] {1, 2, 3});
        MemorySegment memory = t.segment();
        try (NativeHold hold = NativeHold.start(memory)) {
            IllegalStateException e = assertThrows(IllegalStateException.class, t::close);
            assertTrue(e.getMessage().contains("acquired"), e.getMessage());
            assertFalse(t.isClosed());
            assertTrue(memory.scope().isAlive());
            t.setFloat(1, 5f); // still usable
            assertArrayEquals(new float[] {1, 5, 3}, t.toFloatArray());
        }
        t.close();
        assertTrue(t.isClosed());
        assertFalse(memory.scope().isAlive(), "the memory is freed by the second close");
        assertThrows(IllegalStateException.class, () -> t.getFloat(0));
        t.close(); // idempotent
    }

    @Test
    void concurrentClosesFreeTheMemoryOnce() throws Exception {
        for (int round = 0; round < 50; round++) {
            Tensor t = Tensor.allocate(DType.F32, 64);
            MemorySegment memory = t.segment();
            AtomicInteger failures = new AtomicInteger();
            Thread[] closers = new Thread[4];
            for (int i = 0; i < closers.length; i++) {
                closers[i] = Thread.ofPlatform().start(() -> {
                    try {
                        t.close();
                    } catch (RuntimeException e) {
                        failures.incrementAndGet();
                    }
                });
            }
            for (Thread c : closers) {
                c.join();
            }
            assertEquals(0, failures.get(), "no close may fail on an already closed arena");
            assertTrue(t.isClosed());
            assertFalse(memory.scope().isAlive());
        }
    }

    @Test
    void viewsAndCallerArenaTensorsOnlyMarkThemselvesClosed() {
        try (Tensor base = Tensor.of(new float[] {1, 2, 3, 4})) {
            Tensor view = base.view(2, 2);
            view.close();
            assertTrue(view.isClosed());
            assertThrows(IllegalStateException.class, view::segment);
            assertEquals(4f, base.getFloat(3));
        }
    }
}
