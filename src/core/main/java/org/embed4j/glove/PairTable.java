package org.embed4j.glove;

import java.util.Arrays;

/**
 * The in-memory part of co-occurrence counting: a map from a pair key ({@code w1 << 32 | w2}, both ids >= 0, so
 * no key is -1) to its summed weight, as open addressing with linear probing over two primitive arrays (16 bytes a
 * slot, no boxing). It grows by doubling up to {@code maxCapacity} slots and is {@link #full()} at 3/4 of that; the
 * counter then {@link #drainSorted drains} it, in key order, to a run on disk. Iteration and drain orders depend
 * only on what was added, so counting is deterministic. Not thread-safe.
 */
final class PairTable {
    private static final long EMPTY = -1L;
    private static final int MIN_CAPACITY = 1 << 10;

    private final int maxCapacity;
    private long[] keys;
    private double[] values;
    private int size;
    private int shift;

    /** @param maxCapacity a power of two >= 1024: the most slots the table may take (16 bytes each) */
    PairTable(int maxCapacity) {
        if (maxCapacity < MIN_CAPACITY || Integer.bitCount(maxCapacity) != 1) {
            throw new IllegalArgumentException("maxCapacity must be a power of two >= 1024, got " + maxCapacity);
        }
        this.maxCapacity = maxCapacity;
        allocate(Math.min(maxCapacity, 1 << 16));
    }

    /** The largest power-of-two capacity whose doubling (old and new arrays at once, 24 bytes a slot) fits the bytes. */
    static int capacityFor(long bytes) {
        long slots = Math.max(MIN_CAPACITY, Math.min(1L << 30, bytes / 24));
        return Integer.highestOneBit((int) slots);
    }

    private void allocate(int capacity) {
        keys = new long[capacity];
        values = new double[capacity];
        Arrays.fill(keys, EMPTY);
        shift = 64 - Integer.numberOfTrailingZeros(capacity);
        size = 0;
    }

    /** Whether the table holds 3/4 of its largest capacity: drain it before adding more. */
    boolean full() {
        return keys.length == maxCapacity && size >= maxCapacity / 4 * 3;
    }

    /** Adds {@code value} to the pair's weight. The caller drains a {@link #full()} table first. */
    void add(long key, double value) {
        int mask = keys.length - 1;
        int slot = (int) ((key * 0x9E3779B97F4A7C15L) >>> shift);
        while (true) {
            long k = keys[slot];
            if (k == key) {
                values[slot] += value;
                return;
            }
            if (k == EMPTY) {
                keys[slot] = key;
                values[slot] = value;
                if (++size > keys.length / 4 * 3 && keys.length < maxCapacity) {
                    grow();
                }
                return;
            }
            slot = (slot + 1) & mask;
        }
    }

    private void grow() {
        long[] oldKeys = keys;
        double[] oldValues = values;
        allocate(keys.length * 2);
        for (int i = 0; i < oldKeys.length; i++) {
            if (oldKeys[i] != EMPTY) {
                add(oldKeys[i], oldValues[i]);
            }
        }
    }

    /** Calls {@code sink} for every pair in slot order (deterministic for the same additions). */
    void forEach(PairSink sink) {
        for (int i = 0; i < keys.length; i++) {
            if (keys[i] != EMPTY) {
                sink.accept(keys[i], values[i]);
            }
        }
    }

    /**
     * Moves the pairs to the front of the arrays, sorts them by key, and passes them to {@code sink} in that order;
     * the table is empty afterwards (and keeps its capacity).
     */
    void drainSorted(PairSink sink) {
        int n = 0;
        for (int i = 0; i < keys.length; i++) {
            if (keys[i] != EMPTY) {
                keys[n] = keys[i];
                values[n] = values[i];
                n++;
            }
        }
        PairSort.sort(keys, values, 0, n);
        for (int i = 0; i < n; i++) {
            sink.accept(keys[i], values[i]);
        }
        Arrays.fill(keys, EMPTY);
        size = 0;
    }

    /** Receives pairs (key, summed weight). */
    @FunctionalInterface
    interface PairSink {
        void accept(long key, double value);
    }
}
