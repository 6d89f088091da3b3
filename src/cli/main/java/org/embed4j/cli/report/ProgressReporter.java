package org.embed4j.cli.report;

import java.time.temporal.ChronoUnit;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.embed4j.train.TrainingListener;

/**
 * A console progress bar for a training run (me.tongfei:progressbar, on stderr): done/total with the library's
 * rate and ETA, plus the trainer's status line (words/s/thread, lr, loss). The bar starts on the first progress
 * update, when the task, total and unit are known. A disabled reporter (asked for, or stderr is not a terminal)
 * does nothing.
 *
 * <p>Thread-safe: updates may come from any thread (the bar renders on its own thread).
 */
public final class ProgressReporter implements TrainingListener, AutoCloseable {
    private final boolean enabled;
    private ProgressBar bar;

    /** @param enabled false: a no-op reporter (tests, --quiet) */
    public ProgressReporter(boolean enabled) {
        // a bar redrawn with \r only makes sense on a terminal; in a log file it is one endless line
        this.enabled = enabled && isTerminal();
    }

    private static boolean isTerminal() {
        java.io.Console c = System.console();
        return c != null && c.isTerminal();
    }

    /** False when disabled by the caller or when stderr is not a terminal. */
    public boolean enabled() {
        return enabled;
    }

    @Override
    public synchronized void onProgress(String task, long done, long total, String unit, String status) {
        if (!enabled) {
            return;
        }
        if (bar == null) {
            bar = new ProgressBarBuilder()
                    .setTaskName(task)
                    .setInitialMax(Math.max(0, total))
                    .setStyle(ProgressBarStyle.ASCII)
                    .setUpdateIntervalMillis(500)
                    .setUnit(" " + unit, 1)
                    .showSpeed()
                    .setSpeedUnit(ChronoUnit.SECONDS)
                    .setMaxRenderedLength(160)
                    .build();
        }
        bar.stepTo(done);
        bar.setExtraMessage(status);
    }

    @Override
    public void onEnd() {
        close();
    }

    @Override
    public synchronized void close() {
        if (bar != null) {
            bar.close();
            bar = null;
        }
    }
}
