package org.embed4j.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.embed4j.train.TrainingListener;

/**
 * The peak resident memory of GloVe's two phases, for the benchmark's separate figures: when the first training
 * progress arrives, the process's peak so far (VmHWM in /proc/self/status) is the co-occurrence build's; then the
 * build's garbage is collected ({@code System.gc()}, which lets the JVM give the heap it no longer needs back) and
 * the peak is reset (writing 5 to /proc/self/clear_refs), so that the one read at the end is the training phase's
 * rather than the heap the build left behind. Linux only;
 * elsewhere, or where the reset is refused, {@link #summary()} says what it could measure. Used from the trainer's
 * monitoring thread.
 */
final class PhasePeaks implements TrainingListener {
    private static final Path STATUS = Path.of("/proc/self/status");
    private final String trainingTask;
    private long buildKb = -1;
    private boolean reset;

    PhasePeaks(String trainingTask) {
        this.trainingTask = trainingTask;
    }

    @Override
    public void onProgress(String task, long done, long total, String unit, String status) {
        if (buildKb < 0 && task.equals(trainingTask)) {
            buildKb = peakKb();
            System.gc();
            try {
                Files.writeString(Path.of("/proc/self/clear_refs"), "5");
                reset = true;
            } catch (IOException | UnsupportedOperationException | SecurityException e) {
                reset = false; // the training figure would include the build: leave it out
            }
        }
    }

    /** "peak RSS: co-occurrence build N MB, training M MB", or null when /proc gives nothing. */
    String summary() {
        long end = peakKb();
        if (buildKb < 0 || end < 0) {
            return null;
        }
        return String.format(
                Locale.ROOT,
                "peak RSS: co-occurrence build %d MB, training %s",
                buildKb / 1024,
                reset ? end / 1024 + " MB" : "not measured (the peak could not be reset)");
    }

    private static long peakKb() {
        try {
            for (String line : Files.readAllLines(STATUS)) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or /proc is not mounted
        }
        return -1;
    }
}
