package org.embed4j.glove;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;

/**
 * The counted co-occurrence pairs: the counting table, and the sorted runs it spilled when it filled. {@link #forEach}
 * streams every distinct pair once with its total weight: straight from the table when nothing was spilled, else
 * as a k-way merge of the runs (the table's last contents become one more run first, and the table is released),
 * which sums a pair's partial weights in run order. Run files hold (key i64, weight f64) pairs, big-endian.
 * Closing deletes the runs. Not thread-safe; {@link #forEach} may be called once.
 */
final class CountedPairs implements AutoCloseable {
    private PairTable table;
    private final List<Path> runs;
    private boolean consumed;

    CountedPairs(PairTable table, List<Path> runs) {
        this.table = table;
        this.runs = new ArrayList<>(runs);
    }

    /** Runs written to disk while counting. */
    int spilledRuns() {
        return runs.size();
    }

    /** Streams every pair (key, total weight). */
    void forEach(PairTable.PairSink sink) throws IOException {
        if (consumed) {
            throw new IllegalStateException("the counted pairs were already streamed");
        }
        consumed = true;
        if (runs.isEmpty()) {
            table.forEach(sink);
            table = null;
            return;
        }
        Path last = runs.getFirst().resolveSibling("cooccur-run-" + runs.size() + ".bin");
        writeRun(table, last);
        runs.add(last);
        table = null;
        merge(sink);
    }

    /** Writes the table's pairs, sorted by key, to {@code run} and empties the table. */
    static void writeRun(PairTable table, Path run) throws IOException {
        try (DataOutputStream out =
                new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(run), 1 << 16))) {
            table.drainSorted((key, value) -> {
                try {
                    out.writeLong(key);
                    out.writeDouble(value);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (UncheckedIOException e) {
            throw new IOException("could not write co-occurrence run " + run + ": " + e.getMessage(), e.getCause());
        }
    }

    private void merge(PairTable.PairSink sink) throws IOException {
        PriorityQueue<RunReader> heap = new PriorityQueue<>((a, b) -> Long.compare(a.key, b.key));
        try {
            for (Path run : runs) {
                RunReader r = new RunReader(run);
                if (r.advance()) {
                    heap.add(r);
                } else {
                    r.close();
                }
            }
            while (!heap.isEmpty()) {
                RunReader r = heap.poll();
                long key = r.key;
                double sum = r.value;
                pushBack(heap, r);
                while (!heap.isEmpty() && heap.peek().key == key) {
                    RunReader same = heap.poll();
                    sum += same.value;
                    pushBack(heap, same);
                }
                sink.accept(key, sum);
            }
        } finally {
            for (RunReader r : heap) {
                r.close();
            }
        }
    }

    private static void pushBack(PriorityQueue<RunReader> heap, RunReader r) throws IOException {
        if (r.advance()) {
            heap.add(r);
        } else {
            r.close();
        }
    }

    @Override
    public void close() {
        table = null;
        CooccurrenceCounter.deleteAll(runs);
    }

    /** One run, read in order. */
    private static final class RunReader implements AutoCloseable {
        private final Path path;
        private final DataInputStream in;
        long key;
        double value;

        RunReader(Path path) throws IOException {
            this.path = path;
            this.in = new DataInputStream(new BufferedInputStream(Files.newInputStream(path), 1 << 16));
        }

        boolean advance() throws IOException {
            try {
                key = in.readLong();
            } catch (EOFException e) {
                return false;
            }
            try {
                value = in.readDouble();
            } catch (EOFException e) {
                throw new IOException("co-occurrence run " + path + " ends inside a record", e);
            }
            return true;
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }
}
