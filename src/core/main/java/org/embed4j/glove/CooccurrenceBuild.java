package org.embed4j.glove;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import org.embed4j.text.CorpusReader;
import org.embed4j.text.Tokenizer;
import org.embed4j.text.Vocabulary;

/**
 * The whole co-occurrence build, corpus to shuffled file: {@link CooccurrenceCounter} counts (half of the budget),
 * {@link CountedPairs} streams the distinct pairs, each symmetric pair is expanded to both directions (a word's pair
 * with itself once, with twice the weight: both directions land on one cell, as in the reference), and
 * {@link RecordShuffler} (the other half) writes the file. Temporary runs and chunks go to {@code workDir} and are
 * deleted. Stateless.
 */
final class CooccurrenceBuild {
    private CooccurrenceBuild() {}

    /** The built file and what went to disk on the way. */
    record Built(CooccurrenceFile file, int spilledRuns, int shuffleChunks) {}

    static Built build(
            GloveOptions options,
            CorpusReader corpus,
            Tokenizer tokenizer,
            Vocabulary vocab,
            Path workDir,
            Path target,
            long fingerprint,
            long budgetBytes,
            CooccurrenceCounter.Progress progress)
            throws IOException {
        CooccurrenceCounter counter = new CooccurrenceCounter(options, vocab, tokenizer, workDir, budgetBytes / 2);
        boolean symmetric = options.symmetric();
        try (CountedPairs pairs = counter.count(corpus, progress);
                RecordShuffler shuffler = new RecordShuffler(target, workDir, budgetBytes / 2, options.seed())) {
            pairs.forEach((key, value) -> {
                int left = (int) (key >>> 32);
                int right = (int) key;
                try {
                    if (!symmetric) {
                        shuffler.add(left, right, (float) value);
                    } else if (left == right) {
                        shuffler.add(left, left, (float) (2 * value));
                    } else {
                        shuffler.add(left, right, (float) value);
                        shuffler.add(right, left, (float) value);
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            CooccurrenceFile file = shuffler.finish(vocab.size(), fingerprint);
            return new Built(file, pairs.spilledRuns(), shuffler.chunks());
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }
}
