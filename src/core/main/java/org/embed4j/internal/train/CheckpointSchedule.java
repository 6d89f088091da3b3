package org.embed4j.internal.train;

import org.embed4j.train.CheckpointInterval;

/**
 * When a trainer's next checkpoint is due, from its {@link CheckpointInterval}: by words, the first point at or past
 * the next multiple of the interval after the words of the last checkpoint (so a run resumed from a checkpoint at W
 * words checkpoints where the uninterrupted run did); by time, the interval after the last checkpoint (or the start).
 * After every epoch needs no schedule: {@link #due} is then false and the trainer saves at epoch ends. Not
 * thread-safe: callers hand it over through a lock (the {@link SafePoint}) or a thread join.
 */
public final class CheckpointSchedule {
    private final CheckpointInterval every;
    private long nextWords;
    private long lastNanos;

    /** A schedule whose last checkpoint (or start) was at {@code words} words and time {@code nanos}. */
    public CheckpointSchedule(CheckpointInterval every, long words, long nanos) {
        this.every = every;
        saved(words, nanos);
    }

    /** Whether checkpoints may fall mid-epoch (an interval of words or time). */
    public boolean midEpoch() {
        return every.kind() != CheckpointInterval.Kind.EPOCH;
    }

    /** Whether a checkpoint is due after {@code words} words at time {@code nanos} (System.nanoTime). */
    public boolean due(long words, long nanos) {
        return switch (every.kind()) {
            case EPOCH -> false;
            case WORDS -> words >= nextWords;
            case NANOS -> nanos - lastNanos >= every.amount();
        };
    }

    /** Whether a checkpoint is due by words alone: a test cheap enough for every example. */
    public boolean dueByWords(long words) {
        return every.kind() == CheckpointInterval.Kind.WORDS && words >= nextWords;
    }

    /** Records a checkpoint made after {@code words} words at time {@code nanos}. */
    public void saved(long words, long nanos) {
        lastNanos = nanos;
        if (every.kind() == CheckpointInterval.Kind.WORDS) {
            nextWords = (words / every.amount() + 1) * every.amount();
        }
    }
}
