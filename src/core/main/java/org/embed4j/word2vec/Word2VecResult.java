package org.embed4j.word2vec;

import java.io.IOException;
import java.nio.file.Path;
import org.embed4j.text.Vocabulary;
import org.embed4j.vectors.VectorsFormat;
import org.embed4j.vectors.VectorsIO;
import org.embed4j.vectors.WordVectors;

/**
 * What a training run produced: the vocabulary (with counts), the vectors, and how it went:
 * words processed (corpus words × epochs, before subsampling, as word2vec counts them), wall seconds of
 * the training phase (vocabulary counting excluded, as word2vec reports), words/s over all threads,
 * the mean loss per positive pair over the last interval of training, and the backend that ran it.
 * Closing the result closes its {@link #vectors()} (see {@link WordVectors#close()}).
 */
public record Word2VecResult(
        Vocabulary vocabulary,
        WordVectors vectors,
        Word2VecOptions options,
        long words,
        double trainSeconds,
        double wordsPerSecond,
        double finalLoss,
        String backend)
        implements AutoCloseable {

    /** Saves the vectors to {@code path} in {@code format} (written to a temporary file, then renamed). */
    public void save(Path path, VectorsFormat format) throws IOException {
        VectorsIO.write(vectors, path, format);
    }

    /** Frees the vectors' memory now. */
    @Override
    public void close() {
        vectors.close();
    }
}
