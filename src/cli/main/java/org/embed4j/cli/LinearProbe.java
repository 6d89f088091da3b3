package org.embed4j.cli;

import java.util.SplittableRandom;

/**
 * Multinomial logistic regression on dense vectors, the usual probe of how much a document vector knows about a label
 * (Le &amp; Mikolov score paragraph vectors this way): each feature standardised with the training mean and deviation,
 * softmax over W·x + b, cross-entropy with L2 weight decay 1e-4, minibatches of 128 in a seeded shuffled order, Adam
 * (lr 0.01) for 40 epochs. Deterministic for a seed. Immutable once fitted.
 */
final class LinearProbe {
    private static final int EPOCHS = 40;
    private static final int BATCH = 128;
    private static final double LR = 0.01;
    private static final double DECAY = 1e-4;

    private final int dim;
    private final int classes;
    private final double[] mean;
    private final double[] scale;
    private final double[] w; // (classes, dim + 1), bias last

    private LinearProbe(int dim, int classes, double[] mean, double[] scale, double[] w) {
        this.dim = dim;
        this.classes = classes;
        this.mean = mean;
        this.scale = scale;
        this.w = w;
    }

    /** Fits x[i] (all of one length) to labels y[i] in [0, classes). */
    static LinearProbe fit(float[][] x, int[] y, int classes, long seed) {
        int n = x.length;
        int d = x[0].length;
        double[] mean = new double[d];
        double[] scale = new double[d];
        for (float[] row : x) {
            for (int j = 0; j < d; j++) {
                mean[j] += row[j] / (double) n;
            }
        }
        for (float[] row : x) {
            for (int j = 0; j < d; j++) {
                scale[j] += (row[j] - mean[j]) * (row[j] - mean[j]) / n;
            }
        }
        for (int j = 0; j < d; j++) {
            scale[j] = scale[j] > 1e-12 ? 1 / Math.sqrt(scale[j]) : 0;
        }
        int cols = d + 1;
        double[] w = new double[classes * cols];
        double[] m1 = new double[w.length];
        double[] m2 = new double[w.length];
        double[] g = new double[w.length];
        double[] z = new double[cols];
        double[] p = new double[classes];
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        SplittableRandom rnd = new SplittableRandom(seed);
        LinearProbe probe = new LinearProbe(d, classes, mean, scale, w);
        long step = 0;
        for (int epoch = 0; epoch < EPOCHS; epoch++) {
            for (int i = n - 1; i > 0; i--) {
                int k = rnd.nextInt(i + 1);
                int t = order[i];
                order[i] = order[k];
                order[k] = t;
            }
            for (int b = 0; b < n; b += BATCH) {
                int end = Math.min(n, b + BATCH);
                java.util.Arrays.fill(g, 0);
                for (int q = b; q < end; q++) {
                    int i = order[q];
                    probe.standardise(x[i], z);
                    probe.softmax(z, p);
                    for (int c = 0; c < classes; c++) {
                        double err = (p[c] - (y[i] == c ? 1 : 0)) / (end - b);
                        for (int j = 0; j < cols; j++) {
                            g[c * cols + j] += err * z[j];
                        }
                    }
                }
                step++;
                double c1 = 1 - Math.pow(0.9, step);
                double c2 = 1 - Math.pow(0.999, step);
                for (int k = 0; k < w.length; k++) {
                    double gk = g[k] + (k % cols == d ? 0 : DECAY * w[k]);
                    m1[k] = 0.9 * m1[k] + 0.1 * gk;
                    m2[k] = 0.999 * m2[k] + 0.001 * gk * gk;
                    w[k] -= LR * (m1[k] / c1) / (Math.sqrt(m2[k] / c2) + 1e-8);
                }
            }
        }
        return probe;
    }

    /** The most probable class of {@code x}. */
    int predict(float[] x) {
        double[] z = new double[dim + 1];
        double[] p = new double[classes];
        standardise(x, z);
        softmax(z, p);
        int best = 0;
        for (int c = 1; c < classes; c++) {
            if (p[c] > p[best]) {
                best = c;
            }
        }
        return best;
    }

    /** The share of {@code x} predicted as {@code y}. */
    double accuracy(float[][] x, int[] y) {
        int ok = 0;
        for (int i = 0; i < x.length; i++) {
            ok += predict(x[i]) == y[i] ? 1 : 0;
        }
        return ok / (double) x.length;
    }

    private void standardise(float[] x, double[] z) {
        for (int j = 0; j < dim; j++) {
            z[j] = (x[j] - mean[j]) * scale[j];
        }
        z[dim] = 1;
    }

    private void softmax(double[] z, double[] p) {
        int cols = dim + 1;
        double max = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < classes; c++) {
            double s = 0;
            for (int j = 0; j < cols; j++) {
                s += w[c * cols + j] * z[j];
            }
            p[c] = s;
            max = Math.max(max, s);
        }
        double sum = 0;
        for (int c = 0; c < classes; c++) {
            p[c] = Math.exp(p[c] - max);
            sum += p[c];
        }
        for (int c = 0; c < classes; c++) {
            p[c] /= sum;
        }
    }
}
