package org.embed4j.vectors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.embed4j.testing.RandomVectors;
import org.junit.jupiter.api.Test;

/** Batched answers equal single-query answers, concurrent callers share batches, and close fails late callers. */
class BatchedSearcherTest {

    @Test
    void concurrentCallersGetTheirOwnExactAnswers() throws Exception {
        int d = 24;
        float[] rows = ExactSearchTest.clustered(11, 3000, d, 12);
        ExactSearch exact = ExactSearch.of(rows, d);
        float[] queries = ExactSearchTest.clustered(12, 64, d, 12);
        for (ExactSearch s : List.of(exact, exact.withInt8())) {
            try (BatchedSearcher b = new BatchedSearcher(s, Duration.ofMillis(2), 16);
                    ExecutorService pool = Executors.newFixedThreadPool(8)) {
                List<Future<Hits>> answers = new ArrayList<>();
                for (int j = 0; j < 64; j++) {
                    float[] q = java.util.Arrays.copyOfRange(queries, j * d, j * d + d);
                    int k = 1 + j % 12;
                    int ex = j % 5 == 0 ? j : -1;
                    answers.add(pool.submit(() -> b.search(q, k, ex)));
                }
                for (int j = 0; j < 64; j++) {
                    float[] q = java.util.Arrays.copyOfRange(queries, j * d, j * d + d);
                    int k = 1 + j % 12;
                    Hits want = exact.search(q, 1, k, new int[] {j % 5 == 0 ? j : -1});
                    Hits got = answers.get(j).get();
                    assertArrayEquals(want.rows(0), got.rows(0), s + ": query " + j);
                    assertArrayEquals(want.scores(0), got.scores(0), s + ": query " + j);
                }
                assertTrue(b.answered() == 64 && b.batches() < 64, "batches: " + b.batches() + " for 64 requests");
            }
        }
    }

    @Test
    void submitQueuesWithoutWaitingSoOneCallersQueriesSharePasses() throws Exception {
        int d = 16;
        float[] rows = ExactSearchTest.clustered(21, 2000, d, 8);
        ExactSearch exact = ExactSearch.of(rows, d).withInt8();
        float[] queries = ExactSearchTest.clustered(22, 40, d, 8);
        try (BatchedSearcher b = new BatchedSearcher(exact, Duration.ofMillis(50), 64)) {
            List<CompletableFuture<Hits>> answers = new ArrayList<>();
            for (int j = 0; j < 40; j++) {
                answers.add(b.submit(java.util.Arrays.copyOfRange(queries, j * d, j * d + d), 5, j % 3 == 0 ? j : -1));
            }
            for (int j = 0; j < 40; j++) {
                Hits want = exact.search(
                        java.util.Arrays.copyOfRange(queries, j * d, j * d + d), 1, 5, new int[] {j % 3 == 0 ? j : -1});
                Hits got = answers.get(j).get();
                assertArrayEquals(want.rows(0), got.rows(0), "query " + j);
                assertArrayEquals(want.scores(0), got.scores(0), "query " + j);
            }
            // queued back to back inside one 50 ms window: a few passes, not one per query
            assertTrue(b.batches() <= 4, "passes for 40 submitted queries: " + b.batches());
            assertThrows(IllegalArgumentException.class, () -> b.submit(new float[d + 1], 5, -1));
        }
    }

    @Test
    void inputErrorsAndClose() {
        ExactSearch s = ExactSearch.of(RandomVectors.gaussian(2, 40), 4);
        BatchedSearcher b = new BatchedSearcher(s, Duration.ZERO, 4);
        assertThrows(IllegalArgumentException.class, () -> b.search(new float[3], 2));
        assertThrows(IllegalArgumentException.class, () -> b.search(new float[4], 2));
        assertThrows(IndexOutOfBoundsException.class, () -> b.search(new float[] {1, 0, 0, 0}, 2, 10));
        assertTrue(b.search(new float[] {1, 0, 0, 0}, 2).found()[0] == 2);
        b.close();
        assertThrows(IllegalStateException.class, () -> b.search(new float[] {1, 0, 0, 0}, 2));
        assertThrows(IllegalArgumentException.class, () -> new BatchedSearcher(s, Duration.ofSeconds(2), 4));
        assertThrows(IllegalArgumentException.class, () -> new BatchedSearcher(s, Duration.ZERO, 0));
    }
}
