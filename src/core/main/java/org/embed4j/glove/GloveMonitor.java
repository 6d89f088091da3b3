package org.embed4j.glove;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.embed4j.train.TrainingListener;

/**
 * Turns the workers' counters into what a person watches: a progress update every tick (records over all epochs,
 * records/s, the mean loss per record since the last record) and a metrics record about once a second, plus one
 * per finished epoch with its mean loss. Called from the trainer's thread only.
 */
final class GloveMonitor {
    private static final long LOG_EVERY_NANOS = 1_000_000_000L;

    private final TrainingListener listener;
    private final long recordsPerEpoch;
    private final int epochs;
    private final float lr;
    private final int firstEpoch;
    private final long start = System.nanoTime();
    private long lastLog = start;
    private long lastRecords;
    private double lastLoss;
    private double recentLoss = Double.NaN;
    private long batchesBefore; // batches of the epochs this run finished: "step" counts on across epochs

    /** @param firstEpoch the first epoch this run trains (0-based; later than 0 when resuming a checkpoint) */
    GloveMonitor(TrainingListener listener, long recordsPerEpoch, int epochs, int firstEpoch, float lr) {
        this.firstEpoch = firstEpoch;
        this.listener = listener;
        this.recordsPerEpoch = Math.max(1, recordsPerEpoch);
        this.epochs = epochs;
        this.lr = lr;
    }

    /** Progress of epoch {@code epoch} (0-based) whose workers share {@code shared}; {@code force}: log now. */
    void tick(int epoch, GloveWorker.Shared shared, boolean force) {
        long now = System.nanoTime();
        long inEpoch = shared.records.get();
        long done = epoch * recordsPerEpoch + inEpoch;
        double loss = shared.loss.sum();
        if (now - lastLog >= LOG_EVERY_NANOS || force) {
            double dt = Math.max(1e-9, (now - lastLog) / 1e9);
            if (inEpoch > lastRecords) {
                recentLoss = (loss - lastLoss) / (inEpoch - lastRecords);
            }
            Map<String, Object> rec = new LinkedHashMap<>();
            rec.put("epoch", epoch + 1);
            rec.put("step", batchesBefore + shared.batches.get());
            rec.put("pairs", done);
            rec.put("progress", Math.min(1.0, done / (double) (recordsPerEpoch * (long) epochs)));
            rec.put("elapsed_s", (now - start) / 1e9);
            rec.put("lr", (double) lr);
            rec.put("loss", recentLoss);
            rec.put("pairs_per_sec", (inEpoch - lastRecords) / dt);
            listener.onMetrics(rec);
            lastLog = now;
            lastRecords = inEpoch;
            lastLoss = loss;
        }
        double elapsed = Math.max(1e-9, (now - start) / 1e9);
        listener.onProgress(
                "glove",
                Math.min(done, recordsPerEpoch * (long) epochs),
                recordsPerEpoch * (long) epochs,
                "pairs",
                String.format(
                        Locale.ROOT,
                        "epoch %d/%d, %.0fk pairs/s, loss %s",
                        epoch + 1,
                        epochs,
                        (done - (double) firstEpoch * recordsPerEpoch) / elapsed / 1000,
                        Double.isNaN(recentLoss) ? "-" : String.format(Locale.ROOT, "%.4f", recentLoss)));
    }

    /** The end of an epoch: one metrics record with its mean loss; the counters restart for the next epoch. */
    void epochDone(int epoch, double epochLoss, long batches) {
        batchesBefore += batches;
        Map<String, Object> rec = new LinkedHashMap<>();
        rec.put("epoch", epoch + 1); // no "pairs": the per-second records alone draw the loss curve against it
        rec.put("elapsed_s", (System.nanoTime() - start) / 1e9);
        rec.put("epoch_loss", epochLoss);
        listener.onMetrics(rec);
        lastRecords = 0;
        lastLoss = 0;
    }
}
