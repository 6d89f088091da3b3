package org.embed4j.glove;

/**
 * Sorts two parallel arrays (long keys, double values) by key in place: quicksort with a median-of-three pivot,
 * recursing into the smaller side (so the stack stays O(log n)) and insertion sort below 24 elements. No extra
 * memory, which is why it exists: the arrays fill most of the counting budget. Keys are distinct (a drained hash
 * table), so stability does not matter. Stateless.
 */
final class PairSort {
    private static final int INSERTION = 24;

    private PairSort() {}

    /** Sorts {@code keys[from, to)} ascending, moving {@code values} along. */
    static void sort(long[] keys, double[] values, int from, int to) {
        while (to - from > INSERTION) {
            int mid = (from + to) >>> 1;
            medianToMid(keys, values, from, mid, to - 1);
            long pivot = keys[mid];
            int i = from;
            int j = to - 1;
            while (i <= j) {
                while (keys[i] < pivot) {
                    i++;
                }
                while (keys[j] > pivot) {
                    j--;
                }
                if (i <= j) {
                    swap(keys, values, i++, j--);
                }
            }
            // [from, j] <= pivot <= [i, to): recurse into the smaller part, loop on the larger
            if (j + 1 - from < to - i) {
                sort(keys, values, from, j + 1);
                from = i;
            } else {
                sort(keys, values, i, to);
                to = j + 1;
            }
        }
        for (int i = from + 1; i < to; i++) {
            long k = keys[i];
            double v = values[i];
            int j = i - 1;
            while (j >= from && keys[j] > k) {
                keys[j + 1] = keys[j];
                values[j + 1] = values[j];
                j--;
            }
            keys[j + 1] = k;
            values[j + 1] = v;
        }
    }

    private static void medianToMid(long[] keys, double[] values, int a, int b, int c) {
        if (keys[b] < keys[a]) {
            swap(keys, values, a, b);
        }
        if (keys[c] < keys[b]) {
            swap(keys, values, b, c);
            if (keys[b] < keys[a]) {
                swap(keys, values, a, b);
            }
        }
    }

    private static void swap(long[] keys, double[] values, int i, int j) {
        long k = keys[i];
        keys[i] = keys[j];
        keys[j] = k;
        double v = values[i];
        values[i] = values[j];
        values[j] = v;
    }
}
