package org.embed4j.internal.ffm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

/** The per-thread native scratch: reused while big enough, grown when not, 64-byte aligned, one per thread. */
class WorkspaceTest {

    @Test
    void reusesGrowsAndAligns() {
        MemorySegment a = Workspace.get(100);
        assertTrue(a.byteSize() >= 100);
        assertEquals(0, a.address() % 64);
        assertEquals(a.address(), Workspace.get(50).address(), "a smaller request reuses the buffer");
        MemorySegment big = Workspace.get(1 << 20);
        assertTrue(big.byteSize() >= 1 << 20);
        assertEquals(0, big.address() % 64);
        assertEquals(big.address(), Workspace.get(1000).address());
        assertThrows(IllegalArgumentException.class, () -> Workspace.get(-1));
    }

    @Test
    void eachThreadHasItsOwn() throws InterruptedException {
        MemorySegment mine = Workspace.get(4096);
        MemorySegment[] other = new MemorySegment[1];
        Thread t = new Thread(() -> other[0] = Workspace.get(4096));
        t.start();
        t.join();
        assertNotEquals(mine.address(), other[0].address());
    }
}
