package org.embed4j.train;

import java.time.temporal.ChronoUnit;

import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * A console progress bar for a training loop (me.tongfei:progressbar, on stderr): done/total with the
 * library's rate and ETA, plus an extra message the caller formats (words/s/thread, lr, loss).
 * Disabled instances (asked for, or output is not a terminal) do nothing, so library code can always call it.
 *
 * <p>Thread-safe: {@link #update} may be called from any thread (the bar renders on its own thread).
 */
public final class ProgressReporter implements AutoCloseable {
    private final ProgressBar bar;

    /**
     * @param task    name shown before the bar
     * @param total   units of work in the whole run
     * @param unit    unit name ("words", "examples")
     * @param enabled false: a no-op reporter (tests, services, --quiet)
     */
    public ProgressReporter(String task, long total, String unit, boolean enabled) {
        if (total < 0) {
            throw new IllegalArgumentException("total must be >= 0, got " + total);
        }
        // a bar redrawn with \r only makes sense on a terminal; in a log file it is one endless line
        this.bar = enabled && isTerminal() ? new ProgressBarBuilder().setTaskName(task).setInitialMax(total)
                .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(500).setUnit(" " + unit, 1)
                .showSpeed().setSpeedUnit(ChronoUnit.SECONDS).setMaxRenderedLength(160)
                .build() : null;
    }

    private static boolean isTerminal() {
        java.io.Console c = System.console();
        return c != null && c.isTerminal();
    }

    /** False when disabled by the caller or when stderr is not a terminal. */
    public boolean enabled() {
        return bar != null;
    }

    /** Moves the bar to {@code done} units and shows {@code extra} after it. */
    public void update(long done, String extra) {
        if (bar != null) {
            bar.stepTo(done);
            bar.setExtraMessage(extra);
        }
    }

    @Override
    public void close() {
        if (bar != null) {
            bar.close();
        }
    }
}
