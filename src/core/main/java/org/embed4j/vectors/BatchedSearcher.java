package org.embed4j.vectors;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Micro-batching in front of an {@link ExactSearch}: {@link #search} blocks its caller while one worker thread
 * gathers the requests of concurrent callers and answers them all with one {@link ExactSearch#search} call, i.e. one
 * pass over the rows for the whole batch. Throughput then grows with concurrency, since the pass costs about the same
 * for 1 or 16 queries, while a request waits at most one window plus the pass before it.
 *
 * <p>A batch closes when it holds {@code maxBatch} requests, when {@code window} has passed since its first request
 * arrived, or when no new request came for a quiet period of a quarter of the window (closed-loop clients that all
 * got their answers resubmit within microseconds; waiting out the full window for nobody would only add latency).
 * Requests that arrive while a batch runs form the next batch, which starts as soon as the pass ends when its window
 * has already passed. Requests of one batch may ask for different k: the batch is searched with the largest k and
 * each answer truncated, which is exact because top-k lists of one total order are prefixes of each other.
 *
 * <p>Answers equal those of {@code search.search(query, 1, k)}: batching changes when a query runs, never its result.
 * A request's own input errors are thrown to its caller before it joins a batch. {@link #search} blocks its caller;
 * {@link #submit} returns a future instead, for callers (an HTTP server's event loop) that must not block. Thread-safe;
 * {@link #close} stops the worker and fails requests still waiting with {@link IllegalStateException}.
 */
public final class BatchedSearcher implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(BatchedSearcher.class.getName());

    private record Request(float[] query, int k, int exclude, long arrival, CompletableFuture<Hits> answer) {}

    private final ExactSearch search;
    private final long windowNanos;
    private final int maxBatch;
    private final LinkedBlockingQueue<Request> queue = new LinkedBlockingQueue<>();
    private final Thread worker;
    private final LongAdder batches = new LongAdder();
    private final LongAdder answered = new LongAdder();
    private volatile boolean closed;

    /** Batches of up to {@code maxBatch} requests gathered for at most {@code window} (0: whatever is queued). */
    public BatchedSearcher(ExactSearch search, Duration window, int maxBatch) {
        this.search = Objects.requireNonNull(search, "search");
        Objects.requireNonNull(window, "window");
        if (window.isNegative() || window.compareTo(Duration.ofSeconds(1)) > 0) {
            throw new IllegalArgumentException("window must be in [0, 1 s], got " + window);
        }
        if (maxBatch < 1) {
            throw new IllegalArgumentException("maxBatch must be >= 1, got " + maxBatch);
        }
        this.windowNanos = window.toNanos();
        this.maxBatch = maxBatch;
        this.worker =
                Thread.ofPlatform().name("embed4j-batched-search").daemon().unstarted(this::run);
        worker.start();
    }

    /** The rows searched. */
    public ExactSearch exactSearch() {
        return search;
    }

    /** The k best rows for {@code query} (length D), as {@link ExactSearch#search}; blocks until its batch ran. */
    public Hits search(float[] query, int k) {
        return search(query, k, -1);
    }

    /** As {@link #search(float[], int)}, row {@code exclude} (-1: none) never returned. */
    public Hits search(float[] query, int k, int exclude) {
        CompletableFuture<Hits> answer = enqueue(query, k, exclude);
        try {
            return answer.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a search batch", e);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException("search batch failed", c);
        }
    }

    /**
     * As {@link #search(float[], int, int)} without blocking: the future completes when the query's batch ran, on
     * the worker thread (so actions chained without an executor run there, delaying the next batch: keep them short
     * or give them an executor). It fails with the batch's error, or {@link IllegalStateException} when the searcher
     * is closed first. Input errors are thrown here, in the caller's thread.
     */
    public CompletableFuture<Hits> submit(float[] query, int k, int exclude) {
        return enqueue(query, k, exclude).copy();
    }

    private CompletableFuture<Hits> enqueue(float[] query, int k, int exclude) {
        ExactSearch.checkQueries(query, 1, search.dim());
        if (k < 0) {
            throw new IllegalArgumentException("k must be >= 0, got " + k);
        }
        if (exclude < -1 || exclude >= search.size()) {
            throw new IndexOutOfBoundsException("exclude = " + exclude + " is not -1 or a row < " + search.size());
        }
        Request r = new Request(query.clone(), k, exclude, System.nanoTime(), new CompletableFuture<>());
        if (closed) {
            throw new IllegalStateException("this BatchedSearcher is closed");
        }
        queue.add(r);
        if (closed) {
            failQueued();
        }
        return r.answer;
    }

    /** Batches run so far. */
    public long batches() {
        return batches.sum();
    }

    /** Requests answered so far (their mean batch size is answered / batches). */
    public long answered() {
        return answered.sum();
    }

    @Override
    public void close() {
        closed = true;
        worker.interrupt();
        try {
            worker.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        failQueued();
    }

    private void failQueued() {
        for (Request r; (r = queue.poll()) != null; ) {
            r.answer.completeExceptionally(new IllegalStateException("this BatchedSearcher is closed"));
        }
    }

    private void run() {
        List<Request> batch = new ArrayList<>(maxBatch);
        long quiet = windowNanos / 4;
        while (!closed) {
            try {
                Request first = queue.take();
                batch.add(first);
                queue.drainTo(batch, maxBatch - batch.size());
                long deadline = first.arrival + windowNanos;
                while (batch.size() < maxBatch) {
                    long left = Math.min(deadline - System.nanoTime(), quiet);
                    Request next = left > 0 ? queue.poll(left, TimeUnit.NANOSECONDS) : null;
                    if (next == null) {
                        break;
                    }
                    batch.add(next);
                    queue.drainTo(batch, maxBatch - batch.size());
                }
                answer(batch);
            } catch (InterruptedException e) {
                break;
            } finally {
                for (Request r : batch) {
                    if (!r.answer.isDone()) { // interrupted by close() before its batch ran
                        r.answer.completeExceptionally(new IllegalStateException("this BatchedSearcher is closed"));
                    }
                }
                batch.clear();
            }
        }
    }

    /**
     * One search for the whole batch; each request gets its own slice (completing clears nothing else). Any failure,
     * an {@link Error} too (out of memory, a fault reading a mapped file), fails this batch's requests and leaves the
     * worker running for the next one.
     */
    private void answer(List<Request> batch) {
        int n = batch.size();
        int dim = search.dim();
        try {
            int k = 0;
            boolean anyExclude = false;
            float[] queries = new float[n * dim];
            int[] exclude = new int[n];
            for (int j = 0; j < n; j++) {
                Request r = batch.get(j);
                System.arraycopy(r.query, 0, queries, j * dim, dim);
                k = Math.max(k, r.k);
                exclude[j] = r.exclude;
                anyExclude |= r.exclude >= 0;
            }
            Hits all = search.search(queries, n, k, anyExclude ? exclude : null);
            batches.increment();
            answered.add(n);
            for (int j = 0; j < n; j++) {
                Request r = batch.get(j);
                int kk = Math.min(r.k, all.found()[j]);
                int[] rows = new int[kk];
                float[] scores = new float[kk];
                System.arraycopy(all.rows(), j * all.k(), rows, 0, kk);
                System.arraycopy(all.scores(), j * all.k(), scores, 0, kk);
                r.answer.complete(new Hits(kk, rows, scores, new int[] {kk}));
            }
        } catch (RuntimeException | Error e) {
            LOG.log(System.Logger.Level.WARNING, "search batch of " + n + " failed", e);
            for (Request r : batch) {
                r.answer.completeExceptionally(e);
            }
        }
    }
}
