package org.embed4j.train;

import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.embed4j.io.AtomicFiles;
import org.embed4j.io.Json;

/**
 * A {@link TrainingListener} that writes a JSONL metrics log: one JSON object per line ({"step":..,"loss":..,...}), keys in insertion order,
 * numbers as JSON numbers (NaN/Inf as null, which JSON lacks). Written through {@link AtomicFiles#open}: each record
 * is flushed to a temporary file beside {@code file}, which {@link #close()} renames to {@code file}, so a reader
 * never sees a half-written file under the final name. Every record is also kept in memory (a few per second of
 * training) for the curve.
 *
 * <p>Thread-safe: records are appended under a lock.
 */
public final class MetricsLog implements TrainingListener, AutoCloseable {
    private final Path file;
    private final AtomicFiles.Pending pending;
    private final Writer out;
    private final List<Map<String, Object>> records = new ArrayList<>();
    private boolean closed;

    public MetricsLog(Path file) throws IOException {
        this.file = file.toAbsolutePath();
        this.pending = AtomicFiles.open(this.file);
        this.out = new OutputStreamWriter(pending.stream(), StandardCharsets.UTF_8);
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
            throw new UncheckedIOException(
                    "could not write metrics log " + pending.temporaryFile() + ": " + e.getMessage(), e);
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
        try (AtomicFiles.Pending p = pending) {
            out.flush();
            p.commit();
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
