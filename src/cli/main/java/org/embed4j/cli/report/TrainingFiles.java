package org.embed4j.cli.report;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.embed4j.cli.plot.TrainingCurve;
import org.embed4j.train.MetricsLog;
import org.embed4j.train.TrainingListener;

/**
 * What the CLI's word-vector trainers write beside a model: progress on the terminal ({@link ProgressReporter}),
 * {@code <prefix>.metrics.jsonl} and, once training is over, {@code <prefix>.curve.png}: loss, learning rate and
 * throughput against the words trained, from the logged metrics. Used from one thread.
 */
public final class TrainingFiles implements AutoCloseable {
    private final ProgressReporter progress;
    private final MetricsLog log;
    private final Path curve;

    /**
     * @param prefix where the files go: {@code <prefix>.metrics.jsonl}, {@code <prefix>.curve.png}
     * @param progress false: no progress shown (--quiet)
     */
    public TrainingFiles(String prefix, boolean progress) throws IOException {
        this.progress = new ProgressReporter(progress);
        this.log = new MetricsLog(Path.of(prefix + ".metrics.jsonl"));
        this.curve = Path.of(prefix + ".curve.png");
    }

    /** The listener to give the trainer. */
    public TrainingListener listener() {
        return TrainingListener.all(progress, log);
    }

    public Path metricsFile() {
        return log.file();
    }

    public Path curveFile() {
        return curve;
    }

    /**
     * Draws word2vec's logged records into the curve file: loss per pair (with its moving average), the learning
     * rate and words/s per thread, in three panels against the words trained.
     */
    public void writeWord2VecCurve(String title) throws IOException {
        var records = log.records();
        TrainingCurve.Series loss = TrainingCurve.Series.of("loss", records, "words", "loss");
        TrainingCurve.Series speed =
                TrainingCurve.Series.of("words/s per thread", records, "words", "words_per_sec_per_thread");
        TrainingCurve.write(
                curve,
                title,
                "words trained",
                List.of(
                        new TrainingCurve.Panel("loss per pair", withTrend(loss)),
                        new TrainingCurve.Panel(
                                "learning rate", List.of(TrainingCurve.Series.of("lr", records, "words", "lr"))),
                        new TrainingCurve.Panel("words/s per thread", withTrend(speed))));
    }

    /** Draws GloVe's logged records into the curve file: the weighted squared error per record against the records trained. */
    public void writeGloveCurve(String title) throws IOException {
        TrainingCurve.Series loss = TrainingCurve.Series.of("loss", log.records(), "pairs", "loss");
        TrainingCurve.write(
                curve, title, "records trained", List.of(new TrainingCurve.Panel("loss per record", withTrend(loss))));
    }

    /** A noisy series and, when it has enough points, its moving average over a twentieth of them. */
    private static List<TrainingCurve.Series> withTrend(TrainingCurve.Series s) {
        int n = s.x().length;
        return n > 20 ? List.of(s, s.smoothed("moving average", Math.max(5, n / 20))) : List.of(s);
    }

    @Override
    public void close() throws IOException {
        progress.close();
        log.close();
    }
}
