package org.embed4j.backend;

import java.util.Arrays;
import java.util.Random;

/**
 * Seeded inputs for the kernel tests that reach the awkward cases on purpose: boundary and duplicate indices,
 * empty bags at both ends, Gaussian weights. Stateless.
 */
final class KernelInputs {
    private KernelInputs() {}

    /** Indices in [0, V) with 0, V-1 and many duplicates. */
    static long[] indices(Random rnd, int n, int v) {
        long[] idx = new long[n];
        for (int i = 0; i < n; i++) {
            idx[i] = switch (i % 7) {
                case 0 -> 0;
                case 3 -> v - 1;
                default -> rnd.nextInt(v);
            };
        }
        return idx;
    }

    static float[] gaussian(Random rnd, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) rnd.nextGaussian();
        }
        return x;
    }

    /** B+1 offsets over n indices, bag sizes 0..6, with the first and the last bag empty. */
    static long[] offsets(Random rnd, int n) {
        long[] off = new long[n + 3];
        int b = 1; // bag 0 is empty: off[0] = off[1] = 0
        long pos = 0;
        while (pos < n) {
            pos = Math.min(n, pos + rnd.nextInt(7));
            off[++b] = pos;
        }
        off[b + 1] = n; // the last bag is empty
        return Arrays.copyOf(off, b + 2);
    }

    /** |x|, in place (class weights and other inputs that must be >= 0). */
    static float[] abs(float[] x) {
        for (int i = 0; i < x.length; i++) {
            x[i] = Math.abs(x[i]);
        }
        return x;
    }
}
