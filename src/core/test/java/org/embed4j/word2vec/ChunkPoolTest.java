package org.embed4j.word2vec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The pool of chunk arrays: a pooled chunk holds the same ids as an exact-length one up to its end marker, a recycled
 * array is handed out again, and arrays that were not pooled (exact-length chunks) are never reused.
 */
class ChunkPoolTest {
    @Test
    void pooledChunksHoldTheSameIdsAsExactOnes() {
        ChunkPool pool = new ChunkPool();
        List<int[]> exact = new ArrayList<>();
        List<int[]> pooled = new ArrayList<>();
        ChunkBuilder a = new ChunkBuilder(exact::add);
        ChunkBuilder b = new ChunkBuilder(c -> pooled.add(c.clone()), pool);
        SplittableRandom r = new SplittableRandom(7);
        for (int s = 0; s < 3000; s++) {
            // mostly short sentences, a few longer than a chunk (cut mid-sentence)
            int len = s % 500 == 0 ? 25_000 : 1 + r.nextInt(40);
            for (int i = 0; i < len; i++) {
                int id = r.nextInt(1000);
                a.word(id);
                b.word(id);
            }
            a.endSentence();
            b.endSentence();
        }
        a.finish();
        b.finish();
        assertEquals(exact.size(), pooled.size());
        for (int i = 0; i < exact.size(); i++) {
            int[] e = exact.get(i), p = pooled.get(i);
            assertEquals(ChunkPool.CAPACITY, p.length);
            assertArrayEquals(e, Arrays.copyOf(p, e.length), "chunk " + i);
            assertEquals(e.length, ChunkPool.length(p), "length of chunk " + i);
            if (e.length < ChunkPool.CAPACITY) {
                assertEquals(ChunkPool.END_OF_CHUNK, p[e.length], "end marker of chunk " + i);
            }
        }
    }

    @Test
    void aRecycledArrayIsHandedOutAgainWithTheNewIds() {
        ChunkPool pool = new ChunkPool();
        int[] first = pool.copyOf(new int[] {1, 2, 3}, 3);
        pool.recycle(first);
        int[] second = pool.copyOf(new int[] {9, -1}, 2);
        assertSame(first, second);
        assertArrayEquals(new int[] {9, -1, ChunkPool.END_OF_CHUNK}, Arrays.copyOf(second, 3));
    }

    @Test
    void arraysThatWereNotPooledAreNeverReused() {
        ChunkPool pool = new ChunkPool();
        int[] exact = {4, 5, -1};
        pool.recycle(exact);
        pool.recycle(ChunkProducer.END);
        int[] next = pool.copyOf(new int[] {7}, 1);
        assertNotSame(exact, next);
        assertEquals(ChunkPool.CAPACITY, next.length);
        assertArrayEquals(new int[] {4, 5, -1}, exact);
    }
}
