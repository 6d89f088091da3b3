package org.embed4j.word2vec;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.embed4j.train.TrainingListener;

/**
 * Turns the shared counters into what a person watches: a progress update (words/s/thread, lr, loss)
 * every tick and a metrics record about once a second, both to a {@link TrainingListener}. The loss shown is the mean per
 * positive pair since the previous record (so it tracks training, not the whole run's average).
 * Used from the trainer's thread only.
 */
final class TrainingMonitor {
    private static final long LOG_EVERY_NANOS = 1_000_000_000L;

    private final String task;
    private final TrainingState state;
    private final long total;
    private final int threads;
    private final Word2VecOptions options;
    private final long start;
    private long lastLogNanos;
    private long lastWords;
    private double lastLoss;
    private long lastPairs;
    private double recentLoss = Double.NaN;

    TrainingMonitor(String task, TrainingState state, long total, int threads, Word2VecOptions options, long start) {
        this.task = task;
        this.state = state;
        this.total = Math.max(1, total);
        this.threads = threads;
        this.options = options;
        this.start = start;
        this.lastLogNanos = start;
    }

    /** Mean loss per pair over the last logged interval. */
    double recentLoss() {
        return recentLoss;
    }

    void tick(TrainingListener listener, boolean last) {
        long now = System.nanoTime();
        long words = state.words.get();
        double lr = options.learningRate(words / (double) total);
        double loss = state.loss.sum();
        long pairs = state.pairs.sum();
        if (now - lastLogNanos >= LOG_EVERY_NANOS || last) {
            double dt = Math.max(1e-9, (now - lastLogNanos) / 1e9);
            double wps = (words - lastWords) / dt;
            if (pairs > lastPairs) {
                recentLoss = (loss - lastLoss) / (pairs - lastPairs);
            }
            if (words > lastWords || last) {
                Map<String, Object> rec = new LinkedHashMap<>();
                rec.put("step", state.steps.get());
                rec.put("words", words);
                rec.put("progress", Math.min(1.0, words / (double) total));
                rec.put("elapsed_s", (now - start) / 1e9);
                rec.put("lr", lr);
                rec.put("loss", recentLoss);
                rec.put("words_per_sec", wps);
                rec.put("words_per_sec_per_thread", wps / threads);
                listener.onMetrics(rec);
            }
            lastLogNanos = now;
            lastWords = words;
            lastLoss = loss;
            lastPairs = pairs;
        }
        double elapsed = Math.max(1e-9, (now - start) / 1e9);
        listener.onProgress(
                task,
                Math.min(words, total),
                total,
                "words",
                String.format(
                        Locale.ROOT,
                        "%.0fk words/s/thread, lr %.5f, loss %s",
                        words / elapsed / threads / 1000,
                        lr,
                        Double.isNaN(recentLoss) ? "-" : String.format(Locale.ROOT, "%.4f", recentLoss)));
    }
}
