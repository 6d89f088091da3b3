package org.embed4j.spark;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * What an executor JVM builds once per training run and shares between its tasks and rounds (the run's vocabulary,
 * negative table and subword index; a classifier's dictionary), keyed by the id of the broadcast it is built from.
 * Holds the two most recent runs; an evicted entry that is {@link AutoCloseable} is closed. Thread-safe.
 */
final class ExecutorCache {
    private static final int RUNS = 2;
    private static final Map<Long, Object> ENTRIES = new LinkedHashMap<>();

    private ExecutorCache() {}

    @SuppressWarnings("unchecked")
    static synchronized <T> T get(long broadcastId, Supplier<T> build) {
        Object v = ENTRIES.get(broadcastId);
        if (v == null) {
            v = build.get();
            ENTRIES.put(broadcastId, v);
            Iterator<Map.Entry<Long, Object>> it = ENTRIES.entrySet().iterator();
            while (ENTRIES.size() > RUNS) {
                Object old = it.next().getValue();
                it.remove();
                if (old instanceof AutoCloseable c) {
                    try {
                        c.close();
                    } catch (Exception e) {
                        throw new IllegalStateException("could not release a finished training run's data", e);
                    }
                }
            }
        }
        return (T) v;
    }
}
