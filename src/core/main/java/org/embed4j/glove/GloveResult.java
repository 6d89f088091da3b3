package org.embed4j.glove;

import java.io.IOException;
import java.nio.file.Path;
import org.embed4j.text.Vocabulary;
import org.embed4j.vectors.VectorsFormat;
import org.embed4j.vectors.VectorsIO;
import org.embed4j.vectors.WordVectors;

/**
 * What a GloVe run produced: the vocabulary (with counts), the vectors, and how it went: the number of non-zero
 * co-occurrence records (both directions of a symmetric pair), wall seconds of the co-occurrence build (vocabulary
 * count, counting, merging and shuffling; 0 when a checkpoint's matrix was reused) and of training, the mean loss
 * per record of each epoch (the reference's "cost"; epochs of a resumed checkpoint included), the runs and chunks
 * that went to disk (0 and 0: the build fit in memory), and the backend that ran the updates.
 */
public record GloveResult(
        Vocabulary vocabulary,
        WordVectors vectors,
        GloveOptions options,
        long records,
        double cooccurrenceSeconds,
        double trainSeconds,
        double[] epochLosses,
        int spilledRuns,
        int shuffleChunks,
        String backend) {

    /** The last epoch's mean loss per record (NaN when no epoch ran). */
    public double finalLoss() {
        return epochLosses.length == 0 ? Double.NaN : epochLosses[epochLosses.length - 1];
    }

    /** Saves the vectors to {@code path} in {@code format} (written to a temporary file, then renamed). */
    public void save(Path path, VectorsFormat format) throws IOException {
        VectorsIO.write(vectors, path, format);
    }
}
