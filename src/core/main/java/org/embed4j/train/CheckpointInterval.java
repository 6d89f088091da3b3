package org.embed4j.train;

import java.time.Duration;
import java.util.Locale;

/**
 * How often a trainer saves its checkpoint: after every epoch ({@link #EPOCH}, the default), every so many words of
 * its training clock ({@link #words}: word2vec's corpus words; the classifier's tokens, the input rows of its
 * examples), or every so much wall-clock time ({@link #every}). Checkpoints by words fall on the same positions in
 * every run, so a run resumed from one can end bit for bit as the uninterrupted run; checkpoints by time fall wherever
 * the clock says. Between epochs is not required: a words or time interval may checkpoint mid-epoch, at the next point
 * where the trainer's workers can stop together.
 *
 * <p>Text form ({@link #parse}, the CLI's {@code --checkpoint-every}): {@code epoch}; a duration {@code <N>s},
 * {@code <N>m} or {@code <N>h} (seconds, minutes, hours); or a count of words {@code <N>w}, {@code <N>kw} (thousands)
 * or {@code <N>Mw} (millions). N is a whole number &ge; 1. Immutable.
 */
public record CheckpointInterval(Kind kind, long amount) {
    /** What {@link #amount} counts. */
    public enum Kind {
        /** After every epoch (amount 1). */
        EPOCH,
        /** Every {@code amount} words (tokens) of the training clock. */
        WORDS,
        /** Every {@code amount} nanoseconds of wall-clock time. */
        NANOS
    }

    /** After every epoch. */
    public static final CheckpointInterval EPOCH = new CheckpointInterval(Kind.EPOCH, 1);

    public CheckpointInterval {
        if (kind == null) {
            throw new IllegalArgumentException("a checkpoint interval needs a kind");
        }
        if (amount < 1 || (kind == Kind.EPOCH && amount != 1)) {
            throw new IllegalArgumentException("a checkpoint interval of " + kind + " needs an amount >= 1"
                    + (kind == Kind.EPOCH ? " (exactly 1)" : "") + ", got " + amount);
        }
    }

    /** Every {@code words} words (word2vec) or tokens (classifier) of training. */
    public static CheckpointInterval words(long words) {
        return new CheckpointInterval(Kind.WORDS, words);
    }

    /** Every {@code time} of wall-clock time (at least a millisecond). */
    public static CheckpointInterval every(Duration time) {
        if (time == null || time.toMillis() < 1) {
            throw new IllegalArgumentException("a checkpoint interval needs at least 1 ms, got " + time);
        }
        return new CheckpointInterval(Kind.NANOS, time.toNanos());
    }

    /** Reads the text form (see the class comment); a malformed one throws naming it and the accepted forms. */
    public static CheckpointInterval parse(String text) {
        String t = text == null ? "" : text.strip();
        if (t.equalsIgnoreCase("epoch")) {
            return EPOCH;
        }
        String unit = t.endsWith("kw") || t.endsWith("Mw") ? t.substring(t.length() - 2) : suffix(t);
        String digits = t.substring(0, t.length() - unit.length());
        long n;
        try {
            n = digits.isEmpty() || !digits.chars().allMatch(Character::isDigit) ? -1 : Long.parseLong(digits);
        } catch (NumberFormatException e) {
            n = -1; // too many digits
        }
        long scale = switch (unit) {
            case "s" -> 1_000_000_000L;
            case "m" -> 60_000_000_000L;
            case "h" -> 3_600_000_000_000L;
            case "w" -> 1;
            case "kw" -> 1_000;
            case "Mw" -> 1_000_000;
            default -> -1;
        };
        if (n < 1 || scale < 0 || n > Long.MAX_VALUE / scale) {
            throw new IllegalArgumentException("checkpoint interval \"" + text + "\" is not one of: epoch; a duration"
                    + " such as 30s, 10m, 2h; a number of words such as 500000w, 500kw, 2Mw");
        }
        return new CheckpointInterval(unit.endsWith("w") ? Kind.WORDS : Kind.NANOS, n * scale);
    }

    private static String suffix(String t) {
        return t.isEmpty() ? "" : t.substring(t.length() - 1);
    }

    /** The text form: {@code epoch}, {@code <N>w}, or the duration in the largest whole unit. */
    @Override
    public String toString() {
        return switch (kind) {
            case EPOCH -> "epoch";
            case WORDS -> amount + "w";
            case NANOS -> {
                for (String[] u : new String[][] {{"h", "3600000000000"}, {"m", "60000000000"}, {"s", "1000000000"}}) {
                    long scale = Long.parseLong(u[1]);
                    if (amount % scale == 0) {
                        yield amount / scale + u[0];
                    }
                }
                yield String.format(Locale.ROOT, "%.3fs", amount / 1e9);
            }
        };
    }
}
