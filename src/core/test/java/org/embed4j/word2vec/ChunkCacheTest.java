package org.embed4j.word2vec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The epoch cache: a sealed epoch replays exactly the ids recorded (each chunk at its length, in order), an epoch
 * that passes the budget or is never sealed replays nothing, and a bad budget is named.
 */
class ChunkCacheTest {
    @Test
    void aSealedEpochReplaysTheRecordedChunksAtTheirLengths() {
        ChunkCache cache = new ChunkCache(1 << 20);
        cache.record(new int[] {1, 2, -1, ChunkPool.END_OF_CHUNK, 77}, 3);
        cache.record(new int[] {4, 5, 6, -1}, 4);
        assertTrue(cache.recording());
        assertFalse(cache.complete());
        cache.seal();
        assertTrue(cache.complete());
        assertFalse(cache.recording());
        assertEquals(2, cache.chunks().size());
        assertArrayEquals(new int[] {1, 2, -1}, cache.chunks().get(0));
        assertArrayEquals(new int[] {4, 5, 6, -1}, cache.chunks().get(1));
        cache.record(new int[] {9}, 1); // a sealed epoch takes nothing more
        assertEquals(2, cache.chunks().size());
    }

    @Test
    void passingTheBudgetDropsTheEpoch() {
        ChunkCache cache = new ChunkCache(100);
        cache.record(new int[10], 10); // 56 bytes with the array's overhead
        assertTrue(cache.recording());
        cache.record(new int[10], 10); // 112 > 100
        assertFalse(cache.recording());
        cache.seal();
        assertFalse(cache.complete());
        assertThrows(IllegalStateException.class, cache::chunks);
    }

    @Test
    void aZeroBudgetKeepsNothingAndAnUnsealedEpochIsNotReplayed() {
        ChunkCache none = new ChunkCache(0);
        none.record(new int[] {1}, 1);
        none.seal();
        assertFalse(none.complete());
        ChunkCache unsealed = new ChunkCache(1 << 20);
        unsealed.record(new int[] {1}, 1);
        assertFalse(unsealed.complete());
        var e = assertThrows(IllegalArgumentException.class, () -> new ChunkCache(-5));
        assertTrue(e.getMessage().contains("-5"), e.getMessage());
    }
}
