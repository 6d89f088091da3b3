package org.embed4j.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Closes a model while threads hammer it, and checks what a service doing a hot reload needs: every call either
 * completes normally (it started before the close) or throws {@link IllegalStateException} (it started after), no
 * call fails otherwise, the JVM survives, close returns, and every later call is an IllegalStateException.
 *
 * <p>Each of {@value #THREADS} threads runs the operations round-robin until one throws IllegalStateException; the
 * model is closed once every thread has completed {@value #WARMUP} calls, so that calls are in flight on all threads
 * when it closes.
 */
public final class CloseUnderLoad {
    /** The number of hammering threads. */
    public static final int THREADS = 8;

    private static final int WARMUP = 20;

    /** One call on the model; checked exceptions count as failures. */
    @FunctionalInterface
    public interface Call {
        void run() throws Exception;
    }

    private CloseUnderLoad() {}

    /** Runs the check; {@code calls} name what they do (the name shows in failures). */
    public static void check(AutoCloseable model, Map<String, Call> calls) throws Exception {
        List<Map.Entry<String, Call>> ops = new ArrayList<>(calls.entrySet());
        CountDownLatch warm = new CountDownLatch(THREADS);
        Map<String, Throwable> failures = new ConcurrentHashMap<>();
        AtomicLong completed = new AtomicLong();
        AtomicLong refused = new AtomicLong();
        AtomicBoolean closing = new AtomicBoolean();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            int id = t;
            threads.add(Thread.ofPlatform().name("hammer-" + t).start(() -> {
                long done = 0;
                for (int i = id; ; i++) {
                    Map.Entry<String, Call> op = ops.get(i % ops.size());
                    try {
                        op.getValue().run();
                    } catch (IllegalStateException e) {
                        if (!closing.get()) {
                            failures.put("thread " + id + " " + op.getKey() + " before close", e);
                        }
                        refused.incrementAndGet();
                        return;
                    } catch (Throwable e) {
                        failures.put("thread " + id + " " + op.getKey(), e);
                        return;
                    } finally {
                        if (++done == WARMUP) {
                            warm.countDown();
                        }
                    }
                    completed.incrementAndGet();
                }
            }));
        }
        if (!warm.await(120, TimeUnit.SECONDS)) {
            fail("the threads did not complete " + WARMUP + " calls each: " + failures);
        }
        closing.set(true);
        model.close();
        for (Thread t : threads) {
            t.join(TimeUnit.SECONDS.toMillis(60));
            assertTrue(!t.isAlive(), t.getName() + " never saw the model closed");
        }
        if (!failures.isEmpty()) {
            Map.Entry<String, Throwable> first = failures.entrySet().iterator().next();
            throw new AssertionError(
                    failures.size() + " calls failed other than by IllegalStateException; first: " + first.getKey(),
                    first.getValue());
        }
        assertEquals(THREADS, refused.get(), "every thread ends on an IllegalStateException");
        assertTrue(completed.get() >= (long) THREADS * (WARMUP - 1), "calls completed: " + completed.get());
        for (Map.Entry<String, Call> op : ops) {
            assertThrows(IllegalStateException.class, op.getValue()::run, op.getKey() + " after close");
        }
        model.close(); // idempotent
    }
}
