package org.embed4j.serve;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiFunction;
import org.embed4j.vectors.BatchedSearcher;
import org.embed4j.vectors.ExactSearch;
import org.embed4j.vectors.Hits;

/**
 * The k rows of highest cosine in one matrix (the word vectors for /v1/nearest, the sentence vectors of a text index
 * for /v1/search) for the queries of one request; the calling thread waits for the answers. Two kinds:
 * <ul>
 *   <li>{@link #batched}: exact search through a {@link BatchedSearcher}. The request's queries and those of
 *       concurrent requests that arrive within the window share one pass over the rows; the answer is exactly
 *       {@link ExactSearch}'s (int8 scan with float rescoring, or the float scan: the same rows, scores and order).</li>
 *   <li>{@link #direct}: a search run in the calling thread, query after query, such as a walk of an HNSW graph
 *       (approximate).</li>
 * </ul>
 * Thread-safe. {@link #close} stops the batcher (queries still waiting fail); a graph belongs to whoever opened it.
 */
abstract class RowSearch implements AutoCloseable {
    /** Queries a batched pass takes at most. */
    static final int MAX_PASS = 64;

    private final String index;
    private final String method;

    private RowSearch(String index, String method) {
        this.index = index;
        this.method = method;
    }

    /** Exact search of {@code exact} through a micro-batcher that gathers queries for up to {@code window}. */
    static RowSearch batched(String index, ExactSearch exact, Duration window) {
        return new Batched(index, exact, window);
    }

    /** A search that runs in the caller's thread: {@code search.apply(query, k)} returns the k best rows. */
    static RowSearch direct(String index, String method, BiFunction<float[], Integer, Hits> search) {
        return new Direct(index, method, search);
    }

    /**
     * For each query (length D) its k best rows, best first, row {@code exclude[i]} (-1: none) left out of query i's
     * answer; {@code exclude} null: none. A zero or non-finite query is an {@link IllegalArgumentException}.
     */
    abstract Hits[] search(float[][] queries, int k, int[] exclude);

    /** The metrics label of what is searched: "vectors", "text_index". */
    String index() {
        return index;
    }

    /** The metrics label of how: "exact_int8", "exact_float", "hnsw". */
    String method() {
        return method;
    }

    abstract long queries();

    /** Passes over the rows (batched), or -1. */
    abstract long batches();

    /** Queries the int8 scan could not certify and searched again over the float rows, or -1. */
    abstract long fallbacks();

    @Override
    public abstract void close();

    private static int excluded(int[] exclude, int i) {
        return exclude == null ? -1 : exclude[i];
    }

    private static final class Batched extends RowSearch {
        private final BatchedSearcher batcher;
        private final ExactSearch exact;

        Batched(String index, ExactSearch exact, Duration window) {
            super(index, exact.isInt8() ? "exact_int8" : "exact_float");
            this.exact = exact;
            this.batcher = new BatchedSearcher(exact, window, MAX_PASS);
        }

        @Override
        Hits[] search(float[][] queries, int k, int[] exclude) {
            // all queued before the first wait, so that they can share a pass
            List<CompletableFuture<Hits>> pending = new ArrayList<>(queries.length);
            for (int i = 0; i < queries.length; i++) {
                pending.add(batcher.submit(queries[i], k, excluded(exclude, i)));
            }
            Hits[] out = new Hits[queries.length];
            for (int i = 0; i < out.length; i++) {
                out[i] = await(pending.get(i));
            }
            return out;
        }

        /** The answer, or the batch's own failure (an Error too: the handler maps a mapped-file fault to 503). */
        private static Hits await(CompletableFuture<Hits> answer) {
            try {
                return answer.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for a search batch", e);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof RuntimeException re) {
                    throw re;
                }
                if (e.getCause() instanceof Error err) {
                    throw err;
                }
                throw new IllegalStateException("search batch failed", e.getCause());
            }
        }

        @Override
        long queries() {
            return batcher.answered();
        }

        @Override
        long batches() {
            return batcher.batches();
        }

        @Override
        long fallbacks() {
            return exact.isInt8() ? exact.fallbacks() : -1;
        }

        @Override
        public void close() {
            batcher.close();
        }
    }

    private static final class Direct extends RowSearch {
        private final BiFunction<float[], Integer, Hits> search;
        private final LongAdder queries = new LongAdder();

        Direct(String index, String method, BiFunction<float[], Integer, Hits> search) {
            super(index, method);
            this.search = search;
        }

        @Override
        Hits[] search(float[][] queries, int k, int[] exclude) {
            Hits[] out = new Hits[queries.length];
            for (int i = 0; i < out.length; i++) {
                out[i] = one(queries[i], k, excluded(exclude, i));
            }
            return out;
        }

        private Hits one(float[] query, int k, int exclude) {
            // one more when a row is left out, which the search may return
            Hits h = search.apply(query, exclude >= 0 ? k + 1 : k);
            queries.increment();
            int[] rows = h.rows(0);
            float[] scores = h.scores(0);
            int n = 0;
            for (int i = 0; i < rows.length && n < k; i++) {
                if (rows[i] != exclude) {
                    rows[n] = rows[i];
                    scores[n++] = scores[i];
                }
            }
            return new Hits(n, Arrays.copyOf(rows, n), Arrays.copyOf(scores, n), new int[] {n});
        }

        @Override
        long queries() {
            return queries.sum();
        }

        @Override
        long batches() {
            return -1;
        }

        @Override
        long fallbacks() {
            return -1;
        }

        @Override
        public void close() {
            // the graph is closed by its owner
        }
    }
}
