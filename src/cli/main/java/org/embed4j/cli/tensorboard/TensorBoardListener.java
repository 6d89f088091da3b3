package org.embed4j.cli.tensorboard;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.embed4j.train.TrainingListener;

/**
 * A {@link TrainingListener} that writes every metrics record as TensorBoard scalars ({@code --tensorboard DIR}):
 * each finite numeric field becomes a scalar with the field's name as its tag (loss, lr, words_per_sec,
 * dev_accuracy, ...), at the step the record names ({@code step}, else {@code epoch}, else the record's number).
 * Fields that only count time or position ({@code elapsed_s}, {@code progress}, {@code epoch}, {@code words},
 * {@code pairs}, {@code examples}, {@code seconds}) are left out. Used from the trainer's monitoring thread only.
 */
public final class TensorBoardListener implements TrainingListener, AutoCloseable {
    private static final List<String> STEP_KEYS = List.of("step", "epoch");
    private static final List<String> SKIPPED =
            List.of("elapsed_s", "progress", "epoch", "words", "pairs", "examples", "seconds");

    private final EventFile file;
    private long records;

    /** Starts a new event file in {@code dir} (created when missing). */
    public TensorBoardListener(Path dir) throws IOException {
        this.file = new EventFile(dir);
    }

    public Path file() {
        return file.path();
    }

    @Override
    public void onMetrics(Map<String, Object> record) {
        records++;
        long step = records;
        String stepKey = null;
        for (String k : STEP_KEYS) {
            if (record.get(k) instanceof Number n) {
                step = n.longValue();
                stepKey = k;
                break;
            }
        }
        Map<String, Double> scalars = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : record.entrySet()) {
            if (e.getKey().equals(stepKey) || SKIPPED.contains(e.getKey())) {
                continue;
            }
            if (e.getValue() instanceof Number n && Double.isFinite(n.doubleValue())) {
                scalars.put(e.getKey(), n.doubleValue());
            }
        }
        if (scalars.isEmpty()) {
            return;
        }
        try {
            file.scalars(step, scalars);
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "could not write TensorBoard events " + file.path() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() throws IOException {
        file.close();
    }
}
