package org.embed4j.word2vec;

import java.util.concurrent.ArrayBlockingQueue;

/**
 * Recycles the chunk arrays that the corpus reader fills and the workers train on, so that a run's steady state
 * allocates nothing: an epoch streams one 40 KB chunk per 10k tokens, and as garbage they would let the collector
 * grow its young generation (and the process's peak resident memory) by hundreds of MB on a machine with memory to
 * spare. Pooled arrays are {@link #CAPACITY} long: a chunk of n ids fills [0, n) and, when shorter, has
 * {@link #END_OF_CHUNK} at n (what follows is stale). A worker hands its array back with {@link #recycle} once it
 * has copied the ids out; arrays of any other length (the exact-length chunks of {@link Word2VecShardTrainer#chunks})
 * are never pooled. Thread-safe; bounded, so a burst never makes it hold more than {@value #MAX_FREE} arrays.
 */
final class ChunkPool {
    /** Longest chunk {@link ChunkBuilder} emits: the limit, 1000 ids of one long sentence, and a break. */
    static final int CAPACITY = ChunkBuilder.CHUNK_TOKENS + 1024;
    /** Marks the end of a chunk shorter than its array (word ids are >= 0, sentence breaks -1). */
    static final int END_OF_CHUNK = -2;

    private static final int MAX_FREE = 64;
    private final ArrayBlockingQueue<int[]> free = new ArrayBlockingQueue<>(MAX_FREE);

    /** A pooled array (or a new one when none is free) holding {@code ids[0, n)}. */
    int[] copyOf(int[] ids, int n) {
        int[] a = free.poll();
        if (a == null) {
            a = new int[CAPACITY];
        }
        System.arraycopy(ids, 0, a, 0, n);
        if (n < CAPACITY) {
            a[n] = END_OF_CHUNK;
        }
        return a;
    }

    /** The number of ids in {@code chunk}: up to its {@link #END_OF_CHUNK}, or its whole length. */
    static int length(int[] chunk) {
        for (int i = 0; i < chunk.length; i++) {
            if (chunk[i] == END_OF_CHUNK) {
                return i;
            }
        }
        return chunk.length;
    }

    /** Gives a chunk's array back once its ids are no longer read (ignored for arrays that were not pooled). */
    void recycle(int[] chunk) {
        if (chunk.length == CAPACITY) {
            free.offer(chunk); // full: the array is left to the collector
        }
    }
}
