package org.embed4j.word2vec;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.embed4j.train.TrainingListener;

/**
 * Turns the shared counters into what a person watches: a progress update (loss, words/s/thread, lr) a few times a
 * second, and a metrics record every {@code total / RECORDS_PER_RUN} words and at least once a second, both to a
 * {@link TrainingListener}. A run therefore logs about {@value #RECORDS_PER_RUN} records however short it is (fewer
 * only when it has fewer chunks than that: the counters move a chunk at a time), enough to draw a curve. The loss
 * in a record is the mean per positive pair since the previous record (so it tracks training, not the whole run's
 * average). Polled every {@value #POLL_MILLIS} ms by the trainer; a poll that emits nothing reads one atomic.
 * Used from the trainer's thread only.
 */
final class TrainingMonitor {
    /** How often the trainer's thread calls {@link #tick}: short enough to catch every word checkpoint. */
    static final long POLL_MILLIS = 20;
    /** Metrics records per run, spread evenly over the words. */
    static final int RECORDS_PER_RUN = 200;

    private static final long RECORD_EVERY_NANOS = 1_000_000_000L;
    private static final long PROGRESS_EVERY_NANOS = 250_000_000L;

    private final String task;
    private final TrainingState state;
    private final long total;
    private final long recordEveryWords;
    private final int threads;
    private final Word2VecOptions options;
    private final long start;
    private long lastLogNanos;
    private long lastProgressNanos;
    private boolean progressShown;
    private long nextRecordWords;
    private long lastWords;
    private double lastLoss;
    private long lastPairs;
    private double recentLoss = Double.NaN;

    TrainingMonitor(String task, TrainingState state, long total, int threads, Word2VecOptions options, long start) {
        this.task = task;
        this.state = state;
        this.total = Math.max(1, total);
        this.recordEveryWords = Math.max(1, this.total / RECORDS_PER_RUN);
        this.nextRecordWords = recordEveryWords;
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
        tick(listener, last, System.nanoTime());
    }

    /** One poll at time {@code now} (System.nanoTime); {@code last}: training is over, emit everything. */
    void tick(TrainingListener listener, boolean last, long now) {
        long words = state.words.get();
        double lr = options.learningRate(words / (double) total);
        if (last || words >= nextRecordWords || now - lastLogNanos >= RECORD_EVERY_NANOS) {
            record(listener, last, now, words, lr);
        }
        if (last || !progressShown || now - lastProgressNanos >= PROGRESS_EVERY_NANOS) {
            progress(listener, now, words, lr);
        }
    }

    private void record(TrainingListener listener, boolean last, long now, long words, double lr) {
        double loss = state.loss.sum();
        long pairs = state.pairs.sum();
        double dt = Math.max(1e-9, (now - lastLogNanos) / 1e9);
        // the closing record may come right after the previous one: no words moved, no throughput to report
        double wps = words > lastWords ? (words - lastWords) / dt : Double.NaN;
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
        nextRecordWords = (words / recordEveryWords + 1) * recordEveryWords;
    }

    private void progress(TrainingListener listener, long now, long words, double lr) {
        double elapsed = Math.max(1e-9, (now - start) / 1e9);
        listener.onProgress(
                task,
                Math.min(words, total),
                total,
                "words",
                // most telling first: a narrow progress line drops the last fields
                String.format(
                        Locale.ROOT,
                        "loss %s, %.0fk words/s/thread, lr %.5f",
                        Double.isNaN(recentLoss) ? "-" : String.format(Locale.ROOT, "%.4f", recentLoss),
                        words / elapsed / threads / 1000,
                        lr));
        lastProgressNanos = now;
        progressShown = true;
    }
}
