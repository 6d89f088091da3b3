package org.embed4j.cli.report;

import java.io.PrintStream;
import java.time.Duration;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import org.embed4j.train.TrainingListener;

/**
 * How the CLI shows a training run's progress, on stderr: on a terminal, a bar (me.tongfei:progressbar) laid out
 * by {@link ProgressLine#bar} to the terminal's width (the library asks the terminal, through jline, at every
 * redraw, so the line never wraps); when the output is not a terminal (a log file, a CI job), a plain line every
 * {@value #LINE_EVERY_SECONDS} seconds ({@link ProgressLines}); with --quiet, nothing. The bar starts on the first
 * progress update, when the task, total and unit are known.
 *
 * <p>Thread-safe: updates may come from any thread (the bar redraws on its own thread).
 */
public final class ProgressReporter implements TrainingListener, AutoCloseable {
    /** Seconds between two progress lines when the output is not a terminal. */
    public static final int LINE_EVERY_SECONDS = 5;

    private final boolean bar;
    private final TrainingListener lines;
    private ProgressBar progressBar;

    /** @param enabled false: shows nothing (--quiet); true: a bar on a terminal, else a line every few seconds */
    public ProgressReporter(boolean enabled) {
        this(enabled && isTerminal(), enabled && !isTerminal() ? lines(System.err) : null);
    }

    private ProgressReporter(boolean bar, TrainingListener lines) {
        this.bar = bar;
        this.lines = lines;
    }

    /** A reporter that writes plain lines to {@code lines} (what a run whose output is not a terminal gets). */
    public static ProgressReporter toLog(ProgressLines lines) {
        return new ProgressReporter(false, lines);
    }

    private static ProgressLines lines(PrintStream out) {
        return new ProgressLines(out, Duration.ofSeconds(LINE_EVERY_SECONDS).toNanos(), System::nanoTime);
    }

    /** Both standard input and output are a terminal (java.io.Console's test): someone is watching. */
    private static boolean isTerminal() {
        java.io.Console c = System.console();
        return c != null && c.isTerminal();
    }

    /** Whether anything is shown: false with --quiet. */
    public boolean enabled() {
        return bar || lines != null;
    }

    @Override
    public synchronized void onProgress(String task, long done, long total, String unit, String status) {
        if (lines != null) {
            lines.onProgress(task, done, total, unit, status);
        }
        if (!bar) {
            return;
        }
        if (progressBar == null) {
            progressBar = new ProgressBarBuilder()
                    .setTaskName(task)
                    .setInitialMax(Math.max(0, total))
                    .setUpdateIntervalMillis(500)
                    .setRenderer((state, width) -> ProgressLine.bar(
                            new ProgressLine.Snapshot(
                                    state.getTaskName(),
                                    state.getCurrent(),
                                    state.getMax(),
                                    unit,
                                    state.getTotalElapsed().toMillis() / 1000.0,
                                    state.getExtraMessage()),
                            width))
                    .build();
        }
        progressBar.stepTo(done);
        progressBar.setExtraMessage(status);
    }

    @Override
    public void onEnd() {
        close();
    }

    @Override
    public synchronized void close() {
        if (lines != null) {
            lines.onEnd();
        }
        if (progressBar != null) {
            progressBar.close();
            progressBar = null;
        }
    }
}
