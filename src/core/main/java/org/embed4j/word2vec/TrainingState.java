package org.embed4j.word2vec;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the worker threads share besides the weights: progress in words (drives the learning rate),
 * the kernel-call counter (the "step" named in errors), loss and pair sums, and the first failure.
 * Thread-safe (atomics); the first failure wins and stops everyone.
 */
final class TrainingState {
    final AtomicLong words = new AtomicLong();
    final AtomicLong steps = new AtomicLong();
    final DoubleAdder loss = new DoubleAdder();
    final LongAdder pairs = new LongAdder();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private volatile boolean stopped;

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
}
