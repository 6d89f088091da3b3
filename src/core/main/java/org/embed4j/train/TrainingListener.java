package org.embed4j.train;

import java.util.List;
import java.util.Map;

/**
 * What a trainer tells the outside world while it runs: frequent progress updates (for a progress bar) and
 * periodic metrics records (for a JSONL log, a chart or a dashboard). Trainers call it from one monitoring thread,
 * never from their worker threads, so an implementation needs no locking of its own and a slow one only delays
 * the next update, never training. Every method has an empty default; {@link #NONE} ignores everything.
 */
public interface TrainingListener {
    /** Ignores everything. */
    TrainingListener NONE = new TrainingListener() {};

    /**
     * Progress: {@code done} of {@code total} units ("words", "batches", "epochs") of {@code task}, with a short
     * human-readable status, most telling field first ("loss 2.3101, 812k words/s/thread, lr 0.02012"): a narrow
     * progress line drops fields from the end. Called a few times a second.
     */
    default void onProgress(String task, long done, long total, String unit, String status) {}

    /**
     * One metrics record: field names to numbers (or strings), in a stable order; non-finite numbers are possible
     * (a loss before the first step). Called often enough to draw a curve (word2vec: about 200 records a run and at
     * least one a second; the classifiers: once an epoch) and once at the end.
     */
    default void onMetrics(Map<String, Object> record) {}

    /** Training has ended, normally or by a failure that the trainer is about to throw. */
    default void onEnd() {}

    /** One listener that forwards every call to each of {@code listeners} in order (nulls skipped). */
    static TrainingListener all(TrainingListener... listeners) {
        List<TrainingListener> list = java.util.Arrays.stream(listeners)
                .filter(java.util.Objects::nonNull)
                .toList();
        return new TrainingListener() {
            @Override
            public void onProgress(String task, long done, long total, String unit, String status) {
                list.forEach(l -> l.onProgress(task, done, total, unit, status));
            }

            @Override
            public void onMetrics(Map<String, Object> record) {
                list.forEach(l -> l.onMetrics(record));
            }

            @Override
            public void onEnd() {
                list.forEach(TrainingListener::onEnd);
            }
        };
    }
}
