package org.embed4j.bench.gpu;

import java.util.SplittableRandom;

/** Generated host inputs of the GPU benchmarks and their setup checks, reproducible from a seed. Thread-safe. */
final class Inputs {
    private Inputs() {}

    /** n floats uniform in [-scale, scale). */
    static float[] uniform(long seed, int n, float scale) {
        SplittableRandom rnd = new SplittableRandom(seed);
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = (float) ((rnd.nextDouble() * 2 - 1) * scale);
        }
        return out;
    }

    /** n indices uniform in [0, v). */
    static long[] indices(long seed, int n, long v) {
        SplittableRandom rnd = new SplittableRandom(seed);
        long[] out = new long[n];
        for (int i = 0; i < n; i++) {
            out[i] = rnd.nextLong(v);
        }
        return out;
    }

    /** Offsets 0, len, 2·len, ..., n of n / len bags of len entries (n a multiple of len). */
    static long[] fixedBags(int n, int len) {
        long[] out = new long[n / len + 1];
        for (int b = 0; b < out.length; b++) {
            out[b] = (long) b * len;
        }
        return out;
    }

    /** Offsets of bags with lengths 0, 1, 2, ... cycling up to maxLen, covering exactly n entries. */
    static long[] ragged(int n, int maxLen) {
        long[] tmp = new long[n + 2];
        int bags = 0;
        int at = 0;
        while (at < n) {
            at = Math.min(n, at + bags % (maxLen + 1));
            tmp[++bags] = at;
        }
        long[] out = new long[bags + 1];
        System.arraycopy(tmp, 0, out, 0, bags + 1);
        return out;
    }

    /** The number of distinct values in idx. */
    static long distinct(long[] idx) {
        return java.util.Arrays.stream(idx).distinct().count();
    }
}
