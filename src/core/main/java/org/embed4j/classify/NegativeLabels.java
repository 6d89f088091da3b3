package org.embed4j.classify;

import java.util.SplittableRandom;

/**
 * Draws the negative labels of the ns loss: label c with probability proportional to count_c^0.5 (fastText's
 * label distribution; counts of 0, not recorded, count as 1), never the update's target. fastText fills a
 * shuffled table of 10M entries; with K labels a cumulative table of K entries and a binary search draws from
 * the same distribution. Immutable and thread-safe; each thread brings its own random source.
 */
final class NegativeLabels {
    private final double[] cumulative; // cumulative[c] = Σ_{i <= c} count_i^0.5, normalised to end at 1

    NegativeLabels(long[] counts) {
        if (counts.length == 0) {
            throw new IllegalArgumentException("negative sampling needs at least one label");
        }
        cumulative = new double[counts.length];
        double sum = 0;
        for (int c = 0; c < counts.length; c++) {
            sum += Math.sqrt(Math.max(1, counts[c]));
            cumulative[c] = sum;
        }
        for (int c = 0; c < counts.length; c++) {
            cumulative[c] /= sum;
        }
    }

    /**
     * Fills {@code out} with labels other than {@code target} and returns how many it drew: {@code out.length},
     * or 0 when {@code target} is the only label (there is nothing to contrast it with).
     */
    int draw(int target, SplittableRandom rng, int[] out) {
        if (cumulative.length == 1) {
            return 0;
        }
        for (int i = 0; i < out.length; i++) {
            int c;
            do {
                c = sample(rng.nextDouble());
            } while (c == target);
            out[i] = c;
        }
        return out.length;
    }

    private int sample(double u) {
        int lo = 0;
        int hi = cumulative.length - 1;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (cumulative[mid] > u) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return lo;
    }
}
