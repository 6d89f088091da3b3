package org.embed4j.glove;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.embed4j.text.CorpusReader;
import org.embed4j.text.Tokenizer;
import org.embed4j.text.Vocabulary;

/**
 * Counts the windowed co-occurrences of a corpus, as the reference's cooccur does: words outside the vocabulary are
 * dropped first (they take no place in the window), windows never cross a line, and each word is paired with the
 * {@code window} words before it, weighted 1/distance (or 1). Symmetric counting also credits the reversed pair, so
 * X is symmetric; it is then kept once, under the key {@code min << 32 | max}, which halves the table (the pair of a
 * word with itself counts twice, once per direction, as in the reference). Asymmetric counting keys
 * {@code left << 32 | right}.
 *
 * <p>Memory: a {@link PairTable} of at most the given bytes. When it fills, its pairs are written, sorted by key, as
 * a run file in the work folder and the table starts again; {@link CountedPairs} merges the runs. Deterministic: the
 * same corpus, options and budget give the same sums bit for bit. Not thread-safe.
 */
final class CooccurrenceCounter {
    private final GloveOptions options;
    private final Vocabulary vocab;
    private final Tokenizer tokenizer;
    private final Path workDir;
    private final long tableBytes;

    CooccurrenceCounter(GloveOptions options, Vocabulary vocab, Tokenizer tokenizer, Path workDir, long tableBytes) {
        this.options = options;
        this.vocab = vocab;
        this.tokenizer = tokenizer;
        this.workDir = workDir;
        this.tableBytes = tableBytes;
    }

    /** Observes counting: vocabulary words read so far, after every line. */
    @FunctionalInterface
    interface Progress {
        void tokens(long read);
    }

    /** The key of the pair (left, right) under this counter's symmetry. */
    static long key(int left, int right, boolean symmetric) {
        if (symmetric && left > right) {
            return (long) right << 32 | left;
        }
        return (long) left << 32 | right;
    }

    /** Counts the corpus; the caller closes the result (which deletes its run files). */
    CountedPairs count(CorpusReader corpus, Progress progress) throws IOException {
        PairTable table = new PairTable(PairTable.capacityFor(tableBytes));
        List<Path> runs = new ArrayList<>();
        int window = options.window();
        boolean symmetric = options.symmetric();
        double[] weights = new double[window + 1];
        for (int d = 1; d <= window; d++) {
            weights[d] = options.distanceWeighting() ? 1.0 / d : 1.0;
        }
        int[] history = new int[window]; // the line's last `window` vocabulary words, a ring
        int[] filled = {0};
        long[] read = {0};
        try {
            corpus.forEachLine(text -> {
                filled[0] = 0;
                tokenizer.tokenize(text, w -> {
                    int right = vocab.id(w);
                    if (right < 0) {
                        return;
                    }
                    read[0]++;
                    int j = filled[0];
                    for (int d = 1; d <= Math.min(j, window); d++) {
                        if (table.full()) {
                            runs.add(spill(table, runs.size()));
                        }
                        table.add(key(history[(j - d) % window], right, symmetric), weights[d]);
                    }
                    history[j % window] = right;
                    filled[0] = j + 1;
                });
                progress.tokens(read[0]);
            });
        } catch (UncheckedIOException e) {
            deleteAll(runs);
            throw new IOException(e.getMessage(), e.getCause());
        } catch (RuntimeException | Error e) {
            deleteAll(runs);
            throw e;
        }
        return new CountedPairs(table, runs);
    }

    private Path spill(PairTable table, int index) {
        Path run = workDir.resolve("cooccur-run-" + index + ".bin");
        try {
            CountedPairs.writeRun(table, run);
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
        return run;
    }

    static void deleteAll(List<Path> files) {
        for (Path p : files) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException e) {
                // a temporary file left behind in the work folder is harmless
            }
        }
    }
}
