package org.embed4j.internal.sampling;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The unigram^0.75 noise distribution of word2vec's negative sampling, as an int table: word w fills a
 * share count(w)^0.75 / Σ count^0.75 of the slots, in id order, filled like word2vec's InitUnigramTable
 * (a word's slots are contiguous). A uniform slot then draws a word with that probability.
 *
 * <p>Sized sanely: word2vec C uses 10^8 slots (400 MB, most of its memory); the default here is 10^7
 * (40 MB), which still gives every word of count &ge; 5 in a 10^5-word vocabulary its expected share to
 * within a slot. The table is what the native kernel reads ({@code neg_table}).
 *
 * <p>Immutable after construction and thread-safe (callers must not write to {@link #table()}).
 */
public final class NegativeSampler {
    public static final int DEFAULT_TABLE_SIZE = 10_000_000;
    public static final double POWER = 0.75;

    private final int[] table;

    public NegativeSampler(long[] counts) {
        this(counts, DEFAULT_TABLE_SIZE, POWER);
    }

    public NegativeSampler(long[] counts, int tableSize, double power) {
        table = new int[checkedSize(tableSize)];
        fill(counts, tableSize, power, (a, w) -> table[a] = w);
    }

    /**
     * Writes the table of {@code new NegativeSampler(counts, tableSize, power)} as int32 into {@code dst} (at
     * least 4·tableSize bytes, native byte order) without holding it on the heap: the 40 MB of the default
     * table then exist once, where the native kernel reads them.
     */
    public static void writeTable(long[] counts, int tableSize, double power, MemorySegment dst) {
        checkedSize(tableSize);
        if (dst.byteSize() < 4L * tableSize) {
            throw new IllegalArgumentException(
                    "negative table needs " + 4L * tableSize + " bytes, the segment has " + dst.byteSize());
        }
        fill(counts, tableSize, power, (a, w) -> dst.setAtIndex(ValueLayout.JAVA_INT, a, w));
    }

    private static int checkedSize(int tableSize) {
        if (tableSize < 1) {
            throw new IllegalArgumentException("tableSize must be >= 1, got " + tableSize);
        }
        return tableSize;
    }

    private interface Slots {
        void set(int slot, int word);
    }

    /** word2vec's InitUnigramTable: slot a gets word w while a / size is within w's cumulative share. */
    private static void fill(long[] counts, int tableSize, double power, Slots out) {
        if (counts.length == 0) {
            throw new IllegalArgumentException("cannot build a negative table for an empty vocabulary");
        }
        double norm = 0;
        for (long c : counts) {
            if (c < 0) {
                throw new IllegalArgumentException("word counts must be >= 0, got " + c);
            }
            norm += Math.pow(c, power);
        }
        if (!(norm > 0)) {
            throw new IllegalArgumentException("all word counts are 0: no noise distribution");
        }
        int w = 0;
        double cum = Math.pow(counts[0], power) / norm;
        for (int a = 0; a < tableSize; a++) {
            out.set(a, w);
            if ((double) a / tableSize > cum && w < counts.length - 1) {
                w++;
                cum += Math.pow(counts[w], power) / norm;
            }
        }
    }

    /** The table (shared, do not modify). */
    public int[] table() {
        return table;
    }

    public int size() {
        return table.length;
    }

    /** The word at slot {@code (rng >>> 16) % size}, the kernel's draw for an LCG state. */
    public int sample(long rng) {
        return table[(int) ((rng >>> 16) % table.length)];
    }
}
