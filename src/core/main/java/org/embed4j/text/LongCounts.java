package org.embed4j.text;

import java.util.Arrays;

/**
 * Counts keyed by non-negative longs in one open-addressing table (linear probing, two parallel arrays, load at most
 * 1/2): 16 bytes a slot instead of the ~80 a boxed map entry takes, which is what lets {@link Phrases} count tens of
 * millions of word pairs. Removal is by rebuilding ({@link #retain}). Not thread-safe.
 */
final class LongCounts {
    private static final long EMPTY = -1;

    private long[] keys;
    private long[] counts;
    private int size;

    LongCounts(int expected) {
        int cap = Integer.highestOneBit(Math.max(16, expected) * 2 - 1) << 1;
        keys = new long[cap];
        counts = new long[cap];
        Arrays.fill(keys, EMPTY);
    }

    int size() {
        return size;
    }

    /** Adds 1 to {@code key}'s count (key &ge; 0). */
    void increment(long key) {
        int mask = keys.length - 1;
        int i = slot(key, mask);
        while (keys[i] != EMPTY) {
            if (keys[i] == key) {
                counts[i]++;
                return;
            }
            i = (i + 1) & mask;
        }
        keys[i] = key;
        counts[i] = 1;
        if (++size * 2 > keys.length) {
            rehash(keys.length * 2);
        }
    }

    /** The count of {@code key}, 0 when absent. */
    long get(long key) {
        int mask = keys.length - 1;
        for (int i = slot(key, mask); keys[i] != EMPTY; i = (i + 1) & mask) {
            if (keys[i] == key) {
                return counts[i];
            }
        }
        return 0;
    }

    /** What to keep, and under which key, when the table is rebuilt. */
    interface Remap {
        /** The new key of {@code key} with {@code count}, or -1 to drop it. */
        long apply(long key, long count);
    }

    /** Rebuilds the table with the entries {@code remap} keeps, under their new keys (which must stay distinct). */
    void retain(Remap remap) {
        long[] oldKeys = keys;
        long[] oldCounts = counts;
        int kept = 0;
        long[] nk = new long[oldKeys.length];
        long[] nc = new long[oldKeys.length];
        for (int i = 0; i < oldKeys.length; i++) {
            if (oldKeys[i] != EMPTY) {
                long k = remap.apply(oldKeys[i], oldCounts[i]);
                if (k >= 0) {
                    nk[kept] = k;
                    nc[kept++] = oldCounts[i];
                }
            }
        }
        keys = new long[Integer.highestOneBit(Math.max(16, kept) * 2 - 1) << 1];
        counts = new long[keys.length];
        Arrays.fill(keys, EMPTY);
        size = 0;
        int mask = keys.length - 1;
        for (int j = 0; j < kept; j++) {
            int i = slot(nk[j], mask);
            while (keys[i] != EMPTY) {
                i = (i + 1) & mask;
            }
            keys[i] = nk[j];
            counts[i] = nc[j];
            size++;
        }
    }

    /** Receives the entries of {@link #forEach}. */
    interface Entry {
        void accept(long key, long count);
    }

    /** Calls {@code action} with every (key, count). */
    void forEach(Entry action) {
        for (int i = 0; i < keys.length; i++) {
            if (keys[i] != EMPTY) {
                action.accept(keys[i], counts[i]);
            }
        }
    }

    private void rehash(int capacity) {
        long[] oldKeys = keys;
        long[] oldCounts = counts;
        keys = new long[capacity];
        counts = new long[capacity];
        Arrays.fill(keys, EMPTY);
        int mask = capacity - 1;
        for (int j = 0; j < oldKeys.length; j++) {
            if (oldKeys[j] != EMPTY) {
                int i = slot(oldKeys[j], mask);
                while (keys[i] != EMPTY) {
                    i = (i + 1) & mask;
                }
                keys[i] = oldKeys[j];
                counts[i] = oldCounts[j];
            }
        }
    }

    private static int slot(long key, int mask) {
        long h = key * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32)) & mask;
    }
}
