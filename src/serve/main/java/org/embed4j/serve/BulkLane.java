package org.embed4j.serve;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Where the requests with big bodies are parsed and answered: a few threads of their own (half the cores, at least
 * one), so that however many big bodies arrive at once, they take at most those cores, and the small requests, which
 * run on Jetty's threads as soon as their body is read, keep the others. Parsing a 1 MiB body takes milliseconds of
 * a core; a request of a few hundred bytes takes microseconds, and must not wait behind them for a core. The queue
 * holds bodies that were already admitted (their memory reserved in the {@link MemoryBudget}, which bounds it); a
 * full queue refuses (the caller answers 503). Thread-safe.
 */
final class BulkLane implements AutoCloseable {
    /** A body longer than this goes to the bulk lane: one segment of {@link BodyBytes}, 64 KiB. */
    static final int BULK_BODY_BYTES = BodyBytes.SEGMENT;

    private static final int QUEUE = 4096;

    private final ThreadPoolExecutor threads;

    /** {@code count} threads (at least 1). */
    BulkLane(int count) {
        if (count < 1) {
            throw new IllegalArgumentException("the bulk lane needs at least one thread, got " + count);
        }
        threads = new ThreadPoolExecutor(
                count,
                count,
                30,
                TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(QUEUE),
                Thread.ofPlatform().daemon().name("embed4j-bulk-", 0).factory());
        threads.allowCoreThreadTimeOut(true);
    }

    /** Half the cores this JVM may use, at least one. */
    static int defaultThreads() {
        return Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
    }

    static boolean isBulk(int bodyBytes) {
        return bodyBytes > BULK_BODY_BYTES;
    }

    /** Runs {@code work} on a bulk thread; false when the lane's queue is full or it is closed (nothing runs). */
    boolean offer(Runnable work) {
        try {
            threads.execute(work);
            return true;
        } catch (RejectedExecutionException e) {
            return false;
        }
    }

    /** Bodies waiting for a bulk thread. */
    int queued() {
        return threads.getQueue().size();
    }

    /** Stops taking work; what was queued still runs (its clients are waiting for answers). */
    @Override
    public void close() {
        threads.shutdown();
    }
}
