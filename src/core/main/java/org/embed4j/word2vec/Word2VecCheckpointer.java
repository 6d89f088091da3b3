package org.embed4j.word2vec;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import org.embed4j.internal.train.CheckpointFailure;
import org.embed4j.internal.train.CheckpointSchedule;
import org.embed4j.internal.train.SafePoint;
import org.embed4j.tensor.Tensor;
import org.embed4j.text.Vocabulary;
import org.embed4j.train.CheckpointInterval;

/**
 * Saves a word2vec run's checkpoints ({@link Word2VecCheckpoint}) when its {@link CheckpointInterval} says: at the end
 * of every epoch, or mid-epoch every so many words or so much time. A mid-epoch checkpoint is taken at a chunk
 * boundary with every worker stopped: the reader, before handing out the next chunk, sends each worker a {@link
 * ChunkProducer#PAUSE} and waits with them at a {@link SafePoint}; each worker finishes its chunk, publishes its random
 * states and arrives; the last to arrive writes the weights, the chunks of the epoch handed out so far, the words done
 * and the random states. The run's last epoch always ends with a checkpoint. A checkpoint that cannot be written stops
 * training with an IOException that says the previous checkpoint is intact ({@link CheckpointFailure}).
 *
 * <p>Used by the trainer's thread between epochs and, through the safe point, by the reader and workers within one;
 * the safe point's lock orders their accesses.
 */
final class Word2VecCheckpointer {
    private static final System.Logger LOG = System.getLogger(Word2VecCheckpointer.class.getName());

    private final Path file;
    private final CheckpointSchedule schedule;
    private final Tensor wIn;
    private final Tensor wOut;
    private final Tensor wHs;
    private final Word2VecOptions options;
    private final Vocabulary vocab;
    private final TrainingState state;
    private final long[][] rngs;

    Word2VecCheckpointer(
            Path file,
            CheckpointInterval every,
            Tensor wIn,
            Tensor wOut,
            Tensor wHs,
            Word2VecOptions options,
            Vocabulary vocab,
            TrainingState state,
            long[][] rngs) {
        this.file = file;
        this.schedule = new CheckpointSchedule(every, state.words.get(), System.nanoTime());
        this.wIn = wIn;
        this.wOut = wOut;
        this.wHs = wHs;
        this.options = options;
        this.vocab = vocab;
        this.state = state;
        this.rngs = rngs;
    }

    /** The mid-epoch stops of epoch {@code epoch} (from 0) for the reader and {@code workers} workers, or null. */
    Pauses duringEpoch(int epoch, int workers) {
        return schedule.midEpoch() ? new Pauses(epoch, workers) : null;
    }

    /** After epoch {@code epoch} (from 0): saves when due, and always after the last. */
    void afterEpoch(int epoch, boolean last) throws IOException {
        long words = state.words.get();
        long now = System.nanoTime();
        if (!schedule.midEpoch() || last || schedule.due(words, now)) {
            save(new Word2VecCheckpoint.State(epoch + 1, 0, words, state.steps.get(), rngs), now, now);
        }
    }

    /** Writes {@code s}; the workers were asked to stop at {@code asked} and all had at {@code now}. */
    private void save(Word2VecCheckpoint.State s, long asked, long now) throws IOException {
        try {
            Word2VecCheckpoint.write(file, wIn, wOut, wHs, s, options, vocab);
        } catch (IOException e) {
            throw CheckpointFailure.of(file, e);
        }
        schedule.saved(s.wordsDone(), now);
        long end = System.nanoTime();
        LOG.log(
                System.Logger.Level.INFO,
                () -> String.format(
                        Locale.ROOT,
                        "word2vec: saved checkpoint %s (epoch %d, chunk %d, %d words): written in %.0f ms with"
                                + " the workers stopped, who took %.0f ms to train the chunks queued before the pause",
                        file,
                        s.epochsDone() + (s.chunksDone() > 0 ? 1 : 0),
                        s.chunksDone(),
                        s.wordsDone(),
                        (end - now) / 1e6,
                        (now - asked) / 1e6));
    }

    /**
     * One epoch's mid-epoch checkpoints as the reader and the workers see them: the reader asks {@link #due} before
     * each chunk and, when due, pauses the workers and calls {@link #pauseAt}; the workers arrive at {@link
     * #safePoint()} when they take a pause marker. The reader and every worker leave the safe point when they end.
     */
    final class Pauses {
        private final int epoch;
        private final SafePoint safePoint;
        private long chunksDone;
        private long asked;

        private Pauses(int epoch, int workers) {
            this.epoch = epoch;
            this.safePoint = new SafePoint(workers + 1, this::saveHere);
        }

        /** Whether to checkpoint before the next chunk, after {@code words} words of the run handed out. */
        boolean due(long words) {
            return schedule.due(words, System.nanoTime());
        }

        /**
         * The reader's side: every worker has been sent a pause (since {@code askedNanos}); waits until the first
         * {@code chunks} of the epoch are saved.
         */
        void pauseAt(long chunks, long askedNanos) throws InterruptedException {
            chunksDone = chunks; // read by the action, after the safe point's lock
            asked = askedNanos;
            safePoint.arrive();
        }

        SafePoint safePoint() {
            return safePoint;
        }

        /** Runs with every worker and the reader stopped. */
        private void saveHere() throws IOException {
            if (state.stopped()) {
                return; // a worker failed: its error is what the run reports
            }
            save(
                    new Word2VecCheckpoint.State(epoch, chunksDone, state.words.get(), state.steps.get(), rngs),
                    asked,
                    System.nanoTime());
        }
    }
}
