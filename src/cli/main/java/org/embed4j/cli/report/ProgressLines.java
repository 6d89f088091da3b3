package org.embed4j.cli.report;

import java.io.PrintStream;
import java.util.function.LongSupplier;
import org.embed4j.train.TrainingListener;

/**
 * Progress for a log rather than a terminal (output redirected to a file, a CI job): no bar and no carriage returns,
 * but one {@link ProgressLine#plain} line at the first update, then at most one every {@code everyNanos}, and the
 * last state when training ends. Thread-safe (synchronized): updates may come from any thread.
 */
public final class ProgressLines implements TrainingListener {
    private final PrintStream out;
    private final long everyNanos;
    private final LongSupplier clock;
    private long startNanos;
    private long startDone;
    private long lastPrinted;
    private ProgressLine.Snapshot latest;
    private boolean latestPrinted;

    /**
     * @param out where the lines go
     * @param everyNanos the least time between two lines
     * @param clock nanoseconds, as System::nanoTime (tests pass their own)
     */
    public ProgressLines(PrintStream out, long everyNanos, LongSupplier clock) {
        if (everyNanos <= 0) {
            throw new IllegalArgumentException("interval between progress lines must be > 0 ns, got " + everyNanos);
        }
        this.out = out;
        this.everyNanos = everyNanos;
        this.clock = clock;
    }

    @Override
    public synchronized void onProgress(String task, long done, long total, String unit, String status) {
        long now = clock.getAsLong();
        boolean first = latest == null;
        if (first) {
            startNanos = now;
            startDone = done;
        }
        latest = new ProgressLine.Snapshot(task, done, total, unit, (now - startNanos) / 1e9, status, startDone);
        latestPrinted = false;
        if (first || now - lastPrinted >= everyNanos) {
            print(now);
        }
    }

    @Override
    public synchronized void onEnd() {
        if (latest != null && !latestPrinted) {
            print(clock.getAsLong());
        }
    }

    private void print(long now) {
        out.println(ProgressLine.plain(latest));
        out.flush();
        lastPrinted = now;
        latestPrinted = true;
    }
}
