package org.embed4j.word2vec;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The chunks of one whole epoch, kept so that the later epochs replay them instead of reading and tokenising the
 * corpus again (the chunks are cut the same way every epoch, and subsampling and windows are drawn by the workers, so
 * a replayed epoch trains exactly what a re-read one would). Held only while they fit a budget in bytes: the first
 * chunk past it drops everything recorded and the run streams the corpus every epoch, as word2vec C does. A 10M-token
 * corpus takes about 40 MB.
 *
 * <p>One reader thread records (during the first epoch) or replays (afterwards); epochs run one after the other, so
 * no locking is needed beyond the thread start and join between them.
 */
final class ChunkCache {
    private static final long ARRAY_OVERHEAD_BYTES = 16;

    private final long budgetBytes;
    private List<int[]> chunks = new ArrayList<>();
    private long bytes;
    private boolean complete;

    /** A cache that holds at most {@code budgetBytes} of chunks (0: keeps nothing, every epoch reads the corpus). */
    ChunkCache(long budgetBytes) {
        if (budgetBytes < 0) {
            throw new IllegalArgumentException("chunk cache budget must be >= 0 bytes, got " + budgetBytes);
        }
        this.budgetBytes = budgetBytes;
    }

    /** The budget for a run of {@code epochs} epochs: a quarter of the heap when there is an epoch to replay. */
    static long budgetFor(int epochs) {
        return epochs > 1 ? Runtime.getRuntime().maxMemory() / 4 : 0;
    }

    /** True once a whole epoch is held: {@link #chunks()} then replays it. */
    boolean complete() {
        return complete;
    }

    /** True when recording goes on: nothing was dropped and no epoch was sealed yet. */
    boolean recording() {
        return chunks != null && !complete;
    }

    /** Records the first {@code n} ids of {@code chunk} (a copy), or drops everything when that passes the budget. */
    void record(int[] chunk, int n) {
        if (!recording()) {
            return;
        }
        bytes += 4L * n + ARRAY_OVERHEAD_BYTES;
        if (bytes > budgetBytes) {
            chunks = null;
            return;
        }
        chunks.add(Arrays.copyOf(chunk, n));
    }

    /** The epoch read to its end: what was recorded, if anything is left, is now a whole epoch. */
    void seal() {
        complete = chunks != null;
    }

    long budgetBytes() {
        return budgetBytes;
    }

    /** The epoch's chunks in corpus order, each of exactly its length. Only when {@link #complete()}. */
    List<int[]> chunks() {
        if (!complete) {
            throw new IllegalStateException("no whole epoch is cached");
        }
        return chunks;
    }
}
