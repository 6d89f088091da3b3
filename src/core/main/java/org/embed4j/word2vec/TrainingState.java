package org.embed4j.word2vec;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the worker threads share besides the weights: progress in words (drives the learning rate),
 * the kernel-call counter (the "step" named in errors), loss and pair sums, the first failure, and the pool of chunk
 * arrays that go from the corpus reader to the workers and back.
 * {@link #progress} places these words in the whole run: for a single-machine run they are the run's words, for a
 * shard of a data-parallel run they are mapped onto the global count. Thread-safe (atomics); the first failure wins
 * and stops everyone.
 */
final class TrainingState {
    final AtomicLong words = new AtomicLong();
    final AtomicLong steps = new AtomicLong();
    final DoubleAdder loss = new DoubleAdder();
    final LongAdder pairs = new LongAdder();
    final ChunkPool chunkPool = new ChunkPool();
    final Word2VecShardTrainer.Progress progress;
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private volatile boolean stopped;

    /** The state of a run whose words are the run's own, out of {@code totalWords}. */
    TrainingState(long totalWords) {
        this(new Word2VecShardTrainer.Progress(0, 1.0, Math.max(1, totalWords)));
    }

    TrainingState(Word2VecShardTrainer.Progress progress) {
        this.progress = progress;
    }

    void fail(Throwable t) {
        failure.compareAndSet(null, t);
        stopped = true;
    }

    boolean stopped() {
        return stopped;
    }

    Throwable failure() {
        return failure.get();
    }

    /** Rethrows the first failure, if any: an unreadable corpus as its IOException, the rest unchecked. */
    void rethrowFailure() throws IOException {
        Throwable f = failure.get();
        if (f instanceof UncheckedIOException io) {
            throw io.getCause(); // the corpus became unreadable mid-run
        } else if (f instanceof RuntimeException re) {
            throw re;
        } else if (f instanceof Error err) {
            throw err;
        } else if (f != null) {
            throw new IllegalStateException("word2vec training failed: " + f, f);
        }
    }
}
