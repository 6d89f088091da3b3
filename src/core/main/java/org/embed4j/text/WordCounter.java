package org.embed4j.text;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Counts distinct words given as character ranges, without a String per occurrence: an open-addressing table
 * (linear probing, String.hashCode's hash) over the words' characters, which are appended once to one char pool.
 * Only {@link #toMap} makes Strings, one per distinct word. Backs {@link Vocabulary#count}'s corpus pass.
 *
 * <p>Not thread-safe: one counting pass owns it.
 */
final class WordCounter {
    private char[] pool = new char[1 << 16];
    private int poolLength;
    private int[] start = new int[1 << 12];
    private int[] length = new int[1 << 12];
    private int[] hash = new int[1 << 12];
    private long[] count = new long[1 << 12];
    private int size;
    private int[] slots = new int[1 << 13]; // entry + 1, 0 = empty; at most half full

    /** Distinct words held. */
    int size() {
        return size;
    }

    /** One more occurrence of the word {@code w[from, to)}. */
    void add(char[] w, int from, int to) {
        add(w, from, to, 1);
    }

    /** Every word of {@code other} with its count (the merge of two parts of a corpus). */
    void addAll(WordCounter other) {
        for (int e = 0; e < other.size; e++) {
            add(other.pool, other.start[e], other.start[e] + other.length[e], other.count[e]);
        }
    }

    private void add(char[] w, int from, int to, long c) {
        int h = hash(w, from, to);
        int mask = slots.length - 1;
        for (int s = h & mask; ; s = (s + 1) & mask) {
            int e = slots[s] - 1;
            if (e < 0) {
                int e2 = insert(w, from, to, h);
                count[e2] = c;
                slots[s] = e2 + 1;
                if (2 * size > slots.length) {
                    rehash(slots.length * 2);
                }
                return;
            }
            if (hash[e] == h && equal(e, w, from, to)) {
                count[e] += c;
                return;
            }
        }
    }

    /** Drops every word counted at most {@code floor} times (the table and pool are compacted). */
    void removeAtMost(long floor) {
        int kept = 0, at = 0;
        for (int e = 0; e < size; e++) {
            if (count[e] <= floor) {
                continue;
            }
            System.arraycopy(pool, start[e], pool, at, length[e]);
            start[kept] = at;
            length[kept] = length[e];
            hash[kept] = hash[e];
            count[kept] = count[e];
            at += length[e];
            kept++;
        }
        size = kept;
        poolLength = at;
        rehash(slots.length);
    }

    /** Every word with its count. */
    Map<String, Long> toMap() {
        Map<String, Long> m = HashMap.newHashMap(size);
        for (int e = 0; e < size; e++) {
            m.put(new String(pool, start[e], length[e]), count[e]);
        }
        return m;
    }

    /** String.hashCode of the characters w[from, to). */
    static int hash(char[] w, int from, int to) {
        int h = 0;
        for (int i = from; i < to; i++) {
            h = 31 * h + w[i];
        }
        return h;
    }

    private boolean equal(int e, char[] w, int from, int to) {
        int n = to - from;
        if (length[e] != n) {
            return false;
        }
        for (int k = 0, p = start[e]; k < n; k++) { // words are short: a plain loop beats Arrays.equals' setup
            if (pool[p + k] != w[from + k]) {
                return false;
            }
        }
        return true;
    }

    private int insert(char[] w, int from, int to, int h) {
        int n = to - from;
        if (poolLength + n > pool.length) {
            pool = Arrays.copyOf(pool, Math.max(pool.length * 2, poolLength + n));
        }
        System.arraycopy(w, from, pool, poolLength, n);
        if (size == start.length) {
            int cap = size * 2;
            start = Arrays.copyOf(start, cap);
            length = Arrays.copyOf(length, cap);
            hash = Arrays.copyOf(hash, cap);
            count = Arrays.copyOf(count, cap);
        }
        start[size] = poolLength;
        length[size] = n;
        hash[size] = h;
        count[size] = 1;
        poolLength += n;
        return size++;
    }

    private void rehash(int capacity) {
        slots = new int[capacity];
        int mask = capacity - 1;
        for (int e = 0; e < size; e++) {
            int s = hash[e] & mask;
            while (slots[s] != 0) {
                s = (s + 1) & mask;
            }
            slots[s] = e + 1;
        }
    }
}
