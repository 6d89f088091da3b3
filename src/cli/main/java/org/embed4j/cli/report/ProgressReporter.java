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
 * {@value #LINE_EVERY_SECONDS} seconds ({@link ProgressLines}); with --quiet, nothing.
 *
 * <p>The bar starts on the first progress update, when the task, total and unit are known. Opening the terminal
 * takes about a second (jline starts a process to ask its size), so the bar is built on a thread of its own: the
 * trainer's monitoring thread, which calls this listener, never waits for it and keeps logging metrics. The bar
 * draws this reporter's latest update and its own start time, not the library's counters.
 *
 * <p>Thread-safe: updates may come from any thread (the bar redraws on its own thread).
 */
public final class ProgressReporter implements TrainingListener, AutoCloseable {
    /** Seconds between two progress lines when the output is not a terminal. */
    public static final int LINE_EVERY_SECONDS = 5;

    private static final long BUILD_WAIT_MILLIS = 5_000;

    private final boolean bar;
    private final TrainingListener lines;
    private volatile ProgressLine.Snapshot latest;
    private volatile long startNanos;
    private long startDone;
    private Thread building;
    private ProgressBar progressBar;
    private boolean closed;

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
    @SuppressWarnings("SystemConsoleNull") // isTerminal() is the test; the null check is for a JVM without a console
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
        if (!bar || closed) {
            return;
        }
        long now = System.nanoTime();
        if (latest == null) {
            startNanos = now;
            startDone = done;
        }
        latest = new ProgressLine.Snapshot(task, done, total, unit, (now - startNanos) / 1e9, status, startDone);
        if (building == null) {
            building = Thread.ofPlatform().name("progress-bar").daemon().start(() -> open(total));
        }
        if (progressBar != null) {
            progressBar.stepTo(done);
        }
    }

    /** Builds the bar (slow: opens the terminal) and shows it, unless training ended meanwhile. */
    private void open(long total) {
        ProgressBar b = new ProgressBarBuilder()
                .setInitialMax(Math.max(0, total))
                .setUpdateIntervalMillis(500)
                .setRenderer((state, width) -> ProgressLine.bar(current(), width))
                .build();
        synchronized (this) {
            if (closed) {
                b.close();
            } else {
                progressBar = b;
                b.stepTo(latest.done());
            }
        }
    }

    /** The latest update, its elapsed time brought up to now (the bar redraws between updates). */
    private ProgressLine.Snapshot current() {
        ProgressLine.Snapshot s = latest;
        double elapsed = (System.nanoTime() - startNanos) / 1e9;
        return new ProgressLine.Snapshot(s.task(), s.done(), s.total(), s.unit(), elapsed, s.status(), s.startDone());
    }

    @Override
    public void onEnd() {
        close();
    }

    @Override
    public void close() {
        Thread b;
        synchronized (this) {
            if (lines != null) {
                lines.onEnd();
            }
            b = building;
        }
        if (b != null) {
            // a short run may end before the bar is up: let it show the final state once, then close it
            try {
                b.join(BUILD_WAIT_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        synchronized (this) {
            closed = true;
            if (progressBar != null) {
                progressBar.close();
                progressBar = null;
            }
        }
    }
}
