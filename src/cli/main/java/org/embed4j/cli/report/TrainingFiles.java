package org.embed4j.cli.report;

import java.io.IOException;
import java.nio.file.Path;
import org.embed4j.train.MetricsLog;
import org.embed4j.train.TrainingListener;

/**
 * What the CLI's trainers write beside a model: a progress bar on the terminal, {@code <prefix>.metrics.jsonl}
 * and, once training is over, {@code <prefix>.curve.png} drawn from the logged metrics. Used from one thread.
 */
public final class TrainingFiles implements AutoCloseable {
    private final ProgressReporter bar;
    private final MetricsLog log;
    private final Path curve;

    /** @param prefix where the files go: {@code <prefix>.metrics.jsonl}, {@code <prefix>.curve.png} */
    public TrainingFiles(String prefix, boolean progressBar) throws IOException {
        this.bar = new ProgressReporter(progressBar);
        this.log = new MetricsLog(Path.of(prefix + ".metrics.jsonl"));
        this.curve = Path.of(prefix + ".curve.png");
    }

    /** The listener to give the trainer. */
    public TrainingListener listener() {
        return TrainingListener.all(bar, log);
    }

    public Path metricsFile() {
        return log.file();
    }

    public Path curveFile() {
        return curve;
    }

    /**
     * Draws {@code series} (metric names) against {@code x} from the logged records into the curve file.
     *
     * @param labels the legend's name for each series
     */
    public void writeCurve(String title, String x, String[] series, String[] labels) throws IOException {
        double[][] ys = new double[series.length][];
        for (int i = 0; i < series.length; i++) {
            ys[i] = log.series(series[i]);
        }
        TrainingCurve.write(curve, title, x, log.series(x), ys, labels);
    }

    @Override
    public void close() throws IOException {
        bar.close();
        log.close();
    }
}
