package org.embed4j.vectors;

/**
 * Spearman's rank correlation: the Pearson correlation of the two samples' ranks, tied values getting the
 * mean of the ranks they span (scipy.stats.spearmanr's default, as gensim's evaluate_word_pairs uses).
 * NaN with fewer than two values or when a sample is constant. Stateless and thread-safe.
 */
final class Spearman {
    private Spearman() {}

    static double correlation(double[] x, double[] y) {
        if (x.length != y.length) {
            throw new IllegalArgumentException("samples differ in length: " + x.length + " and " + y.length);
        }
        if (x.length < 2) {
            return Double.NaN;
        }
        return pearson(ranks(x), ranks(y));
    }

    /** 1-based ranks, ties averaged. */
    static double[] ranks(double[] values) {
        int n = values.length;
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, (a, b) -> Double.compare(values[a], values[b]));
        double[] ranks = new double[n];
        int i = 0;
        while (i < n) {
            int j = i;
            while (j + 1 < n && Double.compare(values[order[j + 1]], values[order[i]]) == 0) {
                j++;
            }
            double rank = (i + j) / 2.0 + 1; // mean of ranks i+1 .. j+1
            for (int t = i; t <= j; t++) {
                ranks[order[t]] = rank;
            }
            i = j + 1;
        }
        return ranks;
    }

    static double pearson(double[] x, double[] y) {
        int n = x.length;
        double mx = 0;
        double my = 0;
        for (int i = 0; i < n; i++) {
            mx += x[i];
            my += y[i];
        }
        mx /= n;
        my /= n;
        double sxy = 0;
        double sxx = 0;
        double syy = 0;
        for (int i = 0; i < n; i++) {
            double dx = x[i] - mx;
            double dy = y[i] - my;
            sxy += dx * dy;
            sxx += dx * dx;
            syy += dy * dy;
        }
        return sxx == 0 || syy == 0 ? Double.NaN : sxy / Math.sqrt(sxx * syy);
    }
}
