package org.embed4j.cli.report;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * One progress update as text: the bar line for a terminal of a given width, and the plain line for logs.
 *
 * <p>The bar line is {@code task  45% [=====>    ] 4.38M/9.73M words 0:12 ETA 0:15 <status>}, where the status
 * is the trainer's own comma-separated fields, most telling first ("loss 2.3101, 812k words/s/thread, lr 0.02012"). It never exceeds the
 * width: fields that do not fit are dropped whole, the counts first, then the status fields from the last one, then
 * the times, and the bar shrinks from 30 to 10 columns before it goes too. Pure functions; thread-safe.
 */
public final class ProgressLine {
    private static final int BAR_MAX = 30;
    private static final int BAR_MIN = 10;

    private ProgressLine() {}

    /**
     * What a progress line shows: {@code done} of {@code total} {@code unit}, {@code elapsedSeconds} after the first
     * update, which had reached {@code startDone}.
     */
    public record Snapshot(
            String task, long done, long total, String unit, double elapsedSeconds, String status, long startDone) {
        public Snapshot(String task, long done, long total, String unit, double elapsedSeconds, String status) {
            this(task, done, total, unit, elapsedSeconds, status, 0);
        }

        double fraction() {
            return total <= 0 ? 0 : Math.min(1.0, Math.max(0, done) / (double) total);
        }

        /** Seconds left at the mean rate since the first update; NaN until there is a rate. */
        double etaSeconds() {
            long since = done - startDone;
            return since <= 0 || total <= 0 || elapsedSeconds <= 0
                    ? Double.NaN
                    : elapsedSeconds * Math.max(0, total - done) / since;
        }

        List<String> statusFields() {
            if (status == null || status.isBlank()) {
                return List.of();
            }
            return Arrays.stream(status.split(",\\s*"))
                    .map(String::strip)
                    .filter(f -> !f.isEmpty())
                    .toList();
        }
    }

    /** The bar line for a terminal {@code width} columns wide: at most {@code width} characters. */
    public static String bar(Snapshot s, int width) {
        String head = s.task() + " " + percent(s);
        if (head.length() + 1 >= width) {
            return head.substring(0, Math.max(0, Math.min(head.length(), width - 1)));
        }
        String counts = counts(s);
        String times = times(s);
        List<String> status = new ArrayList<>(s.statusFields());
        boolean showCounts = true;
        boolean showTimes = true;
        int barWidth = BAR_MAX;
        while (true) {
            String line = layout(head, barWidth, showCounts ? counts : null, showTimes ? times : null, status, s);
            if (line.length() <= width) {
                return line;
            }
            int excess = line.length() - width;
            if (barWidth > BAR_MIN) {
                barWidth = Math.max(BAR_MIN, barWidth - excess);
            } else if (showCounts) {
                showCounts = false;
                barWidth = BAR_MAX;
            } else if (!status.isEmpty()) {
                status.removeLast();
                barWidth = BAR_MAX;
            } else if (showTimes) {
                showTimes = false;
                barWidth = BAR_MAX;
            } else if (barWidth > 0) {
                barWidth = 0;
            } else {
                return line.substring(0, width);
            }
        }
    }

    /** The line for a log: {@code task: 45% (4.38M/9.73M words), 0:12 elapsed, ETA 0:15, <status>}. */
    public static String plain(Snapshot s) {
        StringBuilder sb = new StringBuilder(120)
                .append(s.task())
                .append(": ")
                .append(percent(s).strip())
                .append(" (")
                .append(counts(s))
                .append("), ")
                .append(duration(s.elapsedSeconds()))
                .append(" elapsed");
        if (!Double.isNaN(s.etaSeconds())) {
            sb.append(", ETA ").append(duration(s.etaSeconds()));
        }
        for (String f : s.statusFields()) {
            sb.append(", ").append(f);
        }
        return sb.toString();
    }

    private static String layout(
            String head, int barWidth, String counts, String times, List<String> status, Snapshot s) {
        StringBuilder sb = new StringBuilder(160).append(head);
        if (barWidth > 0) {
            sb.append(' ').append(bar(s.fraction(), barWidth));
        }
        if (counts != null) {
            sb.append(' ').append(counts);
        }
        if (times != null) {
            sb.append(' ').append(times);
        }
        if (!status.isEmpty()) {
            sb.append(' ').append(String.join(", ", status));
        }
        return sb.toString();
    }

    /** {@code [=====>    ]}, {@code width} columns in all. */
    private static String bar(double fraction, int width) {
        int inner = width - 2;
        int full = (int) Math.floor(fraction * inner);
        StringBuilder sb = new StringBuilder(width).append('[');
        sb.repeat('=', full);
        if (full < inner) {
            sb.append('>');
            sb.repeat(' ', inner - full - 1);
        }
        return sb.append(']').toString();
    }

    private static String percent(Snapshot s) {
        return String.format(Locale.ROOT, "%3d%%", (int) Math.floor(100 * s.fraction()));
    }

    private static String counts(Snapshot s) {
        return compact(s.done()) + "/" + compact(s.total()) + " " + s.unit();
    }

    private static String times(Snapshot s) {
        String elapsed = duration(s.elapsedSeconds());
        return Double.isNaN(s.etaSeconds()) ? elapsed : elapsed + " ETA " + duration(s.etaSeconds());
    }

    /** 999, 12.3k, 4.38M, 1.20G: three significant digits past a thousand. */
    public static String compact(long n) {
        if (Math.abs(n) < 1000) {
            return Long.toString(n);
        }
        String[] suffix = {"k", "M", "G", "T"};
        double v = n;
        int i = -1;
        while (Math.abs(v) >= 999.5 && i < suffix.length - 1) {
            v /= 1000;
            i++;
        }
        String digits = Math.abs(v) >= 99.95
                ? String.format(Locale.ROOT, "%.0f", v)
                : Math.abs(v) >= 9.995 ? String.format(Locale.ROOT, "%.1f", v) : String.format(Locale.ROOT, "%.2f", v);
        return digits + suffix[i];
    }

    /** m:ss under an hour, h:mm:ss past it. */
    static String duration(double seconds) {
        long t = Math.round(Math.max(0, seconds));
        return t >= 3600
                ? String.format(Locale.ROOT, "%d:%02d:%02d", t / 3600, t / 60 % 60, t % 60)
                : String.format(Locale.ROOT, "%d:%02d", t / 60, t % 60);
    }
}
