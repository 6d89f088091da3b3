package org.embed4j.word2vec;

import java.util.Arrays;
import java.util.function.Consumer;

/**
 * Cuts a stream of sentences of word ids into the chunks the Hogwild workers train on: about
 * {@link #CHUNK_TOKENS} ids each, -1 after every sentence (a sentence break: windows never cross it), a chunk cut at
 * a sentence end once it reaches the limit, or mid-sentence when one sentence alone runs 1000 ids past it. The
 * single-machine reader and {@link Word2VecShardTrainer#chunks} both cut through this class, so a corpus gives the
 * same chunks either way. Each chunk is a new array of exactly its length, or with a {@link ChunkPool} a pooled array
 * that marks its end. Not thread-safe (one builder per stream).
 */
final class ChunkBuilder {
    /** Tokens per chunk, before subsampling: the unit of work of one kernel call. */
    static final int CHUNK_TOKENS = 10_000;

    private final Consumer<int[]> sink;
    private final ChunkPool pool; // null: exact-length arrays
    private final int[] buf = new int[ChunkPool.CAPACITY];
    private int n;

    /** Chunks go to {@code sink} as they fill, each in a new array of exactly its length. */
    ChunkBuilder(Consumer<int[]> sink) {
        this(sink, null);
    }

    /** Chunks go to {@code sink} as they fill, in arrays from {@code pool} (null: new arrays of exact length). */
    ChunkBuilder(Consumer<int[]> sink, ChunkPool pool) {
        this.sink = sink;
        this.pool = pool;
    }

    /** Appends one in-vocabulary word id of the current sentence. */
    void word(int id) {
        if (n >= CHUNK_TOKENS + 1000) {
            emit(); // a very long sentence: cut mid-sentence
        }
        buf[n++] = id;
    }

    /** Ends the current sentence (nothing happens for an empty one). */
    void endSentence() {
        if (n > 0 && buf[n - 1] != -1) {
            buf[n++] = -1;
        }
        if (n >= CHUNK_TOKENS) {
            emit();
        }
    }

    /** Emits what is left: the end of an epoch or of a shard (they never share a chunk). */
    void finish() {
        if (n > 0) {
            emit();
        }
    }

    private void emit() {
        sink.accept(pool == null ? Arrays.copyOf(buf, n) : pool.copyOf(buf, n));
        n = 0;
    }
}
