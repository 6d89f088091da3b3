package org.embed4j.classify;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import org.embed4j.internal.train.CheckpointFailure;
import org.embed4j.internal.train.CheckpointSchedule;
import org.embed4j.internal.train.SafePoint;
import org.embed4j.train.CheckpointInterval;

/**
 * Saves a classifier run's checkpoints ({@link ClassifierCheckpoint}) when its {@link CheckpointInterval} says: at the
 * end of every epoch, or mid-epoch every so many tokens or so much time. Mid-epoch, the parts of the epoch (one per
 * thread) poll {@link Parts#due} before each example; when one finds a checkpoint due it asks the others, and each
 * stops at its next example boundary and arrives at a {@link SafePoint} with its position and loss; parts that have
 * finished have left it. The last to arrive writes the matrices, the tokens done and every part's position. The run's
 * last epoch always ends with a checkpoint. A checkpoint that cannot be written stops training with an IOException
 * (as an UncheckedIOException from the parts) that says the previous checkpoint is intact.
 *
 * <p>Used by the trainer's thread between epochs and, through the safe point, by the parts within one.
 */
final class ClassifierCheckpointer {
    private static final System.Logger LOG = System.getLogger(ClassifierCheckpointer.class.getName());

    private final Path file;
    private final CheckpointSchedule schedule;
    private final float[] input;
    private final float[] output;
    private final ClassifierOptions options;
    private final Dictionary dict;
    private final AtomicLong processed;
    private final int examples;

    ClassifierCheckpointer(
            Path file,
            CheckpointInterval every,
            float[] input,
            float[] output,
            ClassifierOptions options,
            Dictionary dict,
            AtomicLong processed,
            int examples) {
        this.file = file;
        this.schedule = new CheckpointSchedule(every, processed.get(), System.nanoTime());
        this.input = input;
        this.output = output;
        this.options = options;
        this.dict = dict;
        this.processed = processed;
        this.examples = examples;
    }

    /** The mid-epoch stops of epoch {@code epoch} (from 0) cut into {@code parts} parts, or null. */
    Parts duringEpoch(int epoch, int parts) {
        return schedule.midEpoch() ? new Parts(epoch, parts) : null;
    }

    /** After epoch {@code epoch} (from 0): saves when due, and always after the last. */
    void afterEpoch(int epoch, boolean last) throws IOException {
        long tokens = processed.get();
        long now = System.nanoTime();
        if (!schedule.midEpoch() || last || schedule.due(tokens, now)) {
            save(ClassifierCheckpoint.State.between(epoch + 1, tokens, examples), now);
        }
    }

    private void save(ClassifierCheckpoint.State s, long now) throws IOException {
        try {
            ClassifierCheckpoint.write(file, input, output, s, options, dict);
        } catch (IOException e) {
            throw CheckpointFailure.of(file, e);
        }
        schedule.saved(s.tokensDone(), now);
        long ms = (System.nanoTime() - now) / 1_000_000;
        LOG.log(
                System.Logger.Level.INFO,
                () -> "classifier: saved checkpoint " + file + " (epoch " + (s.epochsDone() + (s.midEpoch() ? 1 : 0))
                        + (s.midEpoch() ? ", mid-epoch" : "") + ", " + s.tokensDone() + " tokens) in " + ms + " ms");
    }

    /** One epoch's parts as the checkpoint sees them: where each has got to, and the safe point they stop at. */
    final class Parts {
        private final int epoch;
        private final long[] positions;
        private final double[] losses;
        private final SafePoint safePoint;

        private Parts(int epoch, int parts) {
            this.epoch = epoch;
            this.positions = new long[parts];
            this.losses = new double[parts];
            this.safePoint = new SafePoint(parts, this::saveHere);
        }

        /** Whether to stop before the next example, after {@code tokens} tokens (cheap: every example asks). */
        boolean due(long tokens) {
            if (schedule.dueByWords(tokens)) {
                safePoint.request();
            }
            return safePoint.requested();
        }

        /** Asks every part to stop when a checkpoint is due by time (asked now and then, not every example). */
        void checkTime(long tokens) {
            if (schedule.due(tokens, System.nanoTime())) {
                safePoint.request();
            }
        }

        /**
         * Part {@code part} stops before example {@code position} of the order with {@code loss} summed, its tokens
         * added to the count; returns false when another part failed (stop working).
         */
        boolean pause(int part, long position, double loss) throws InterruptedException {
            positions[part] = position;
            losses[part] = loss;
            safePoint.arrive();
            return !safePoint.broken();
        }

        /** Part {@code part} has finished (at {@code end}) with {@code loss}, its tokens added to the count. */
        void finished(int part, long end, double loss) {
            positions[part] = end;
            losses[part] = loss;
            safePoint.leave();
        }

        /** Part {@code part} failed: nobody waits for it, no checkpoint is taken any more this epoch. */
        void failed() {
            safePoint.breakAll();
            safePoint.leave();
        }

        private void saveHere() throws IOException {
            save(
                    new ClassifierCheckpoint.State(epoch, processed.get(), positions.clone(), losses.clone(), examples),
                    System.nanoTime());
        }
    }
}
