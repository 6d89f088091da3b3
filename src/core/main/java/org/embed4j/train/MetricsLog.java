package org.embed4j.train;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.embed4j.io.Json;
import org.embed4j.io.TempFiles;

/**
 * A {@link TrainingListener} that writes a JSONL metrics log: one JSON object per line ({"step":..,"loss":..,...}), keys in insertion order,
 * numbers as JSON numbers (NaN/Inf as null, which JSON lacks). Written to {@code <file>.tmp} and
 * renamed to {@code file} on {@link #close()}, so a reader never sees a half-written file under the
 * final name. Every record is also kept in memory (a few per second of training) for the curve.
 *
 * <p>Thread-safe: records are appended under a lock.
 */
public final class MetricsLog implements TrainingListener, AutoCloseable {
    private final Path file;
    private final Path tmp;
    private final BufferedWriter out;
    private final List<Map<String, Object>> records = new ArrayList<>();
    private boolean closed;

    public MetricsLog(Path file) throws IOException {
        this.file = file.toAbsolutePath();
        this.tmp = this.file.resolveSibling(this.file.getFileName() + ".tmp");
        if (this.file.getParent() != null) {
            Files.createDirectories(this.file.getParent());
        }
        this.out = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8);
        TempFiles.track(tmp); // Ctrl-C before close deletes it
    }

    public Path file() {
        return file;
    }

    @Override
    public void onMetrics(Map<String, Object> record) {
        log(record);
    }

    /** Appends one record (values: numbers, strings, booleans or null). */
    public synchronized void log(Map<String, ?> fields) {
        if (closed) {
            throw new IllegalStateException("metrics log " + file + " is closed");
        }
        StringBuilder sb = new StringBuilder(128).append('{');
        boolean first = true;
        for (Map.Entry<String, ?> e : fields.entrySet()) {
            if (!first) {
                sb.append(',');
            }
            first = false;
            Json.quote(sb, e.getKey());
            sb.append(':');
            value(sb, e.getValue());
        }
        sb.append('}');
        try {
            out.write(sb.toString());
            out.write('\n');
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("could not write metrics log " + tmp + ": " + e.getMessage(), e);
        }
        records.add(new LinkedHashMap<>(fields));
    }

    /** The records logged so far (copies). */
    public synchronized List<Map<String, Object>> records() {
        return new ArrayList<>(records);
    }

    /** The values of a numeric field across records (records without it are skipped). */
    public synchronized double[] series(String key) {
        return records.stream()
                .map(r -> r.get(key))
                .filter(v -> v instanceof Number)
                .mapToDouble(v -> ((Number) v).doubleValue())
                .toArray();
    }

    @Override
    public synchronized void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        out.close();
        try {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            // same folder, so this is rare (some network file systems); a plain rename still never truncates
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            TempFiles.done(tmp);
        }
    }

    private static void value(StringBuilder sb, Object v) {
        if (v == null) {
            sb.append("null");
        } else if (v instanceof Double || v instanceof Float) {
            double d = ((Number) v).doubleValue();
            sb.append(Double.isFinite(d) ? Double.toString(d) : "null");
        } else if (v instanceof Number || v instanceof Boolean) {
            sb.append(v);
        } else {
            Json.quote(sb, v.toString());
        }
    }
}
