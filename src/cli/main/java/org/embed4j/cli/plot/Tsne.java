package org.embed4j.cli.plot;

import java.util.stream.IntStream;
import org.embed4j.backend.Backend;
import org.embed4j.tensor.DType;
import org.embed4j.tensor.Tensor;

/**
 * Exact t-SNE (van der Maaten and Hinton, 2008) to two dimensions, for the few thousand points a labelled map can
 * show: every pair is computed each iteration, O(N²) time and memory.
 *
 * <p>Input affinities: squared Euclidean distances between the rows (the caller normalises rows for cosine
 * geometry), the Gram matrix X·Xᵀ on an embed4j backend's GEMM; a binary search per point for the Gaussian width
 * whose conditional distribution has the requested perplexity; P symmetrised as (P_j|i + P_i|j) / 2N.
 * Optimisation: gradient descent with momentum (0.5, then 0.8) and per-coordinate gains, early exaggeration 12 for
 * the first 250 of 1000 iterations, learning rate max(N / 48, 50) (scikit-learn's "auto"), starting from the PCA
 * coordinates scaled to a standard deviation of 1e-4 (deterministic, and it keeps the global layout).
 * Deterministic: no random numbers, and each point's gradient is summed in a fixed order (rows run in parallel,
 * each on its own). Stateless and thread-safe.
 */
public final class Tsne {
    /** The most points {@link #embed} accepts: N² doubles of P and of the kernel must fit comfortably. */
    public static final int MAX_POINTS = 2000;

    static final int ITERATIONS = 1000;
    private static final int EXAGGERATION_ITERATIONS = 250;
    private static final double EXAGGERATION = 12;

    private Tsne() {}

    /**
     * Embeds {@code n} points of {@code d} dimensions (row-major (N,D)) in two dimensions.
     *
     * @param perplexity the effective number of neighbours each point keeps (5 to 50 is usual); lowered to
     *     (N-1)/3 for small N
     * @return the coordinates, as {@link Pca.Result} without explained variance (empty)
     */
    public static Pca.Result embed(float[] points, int n, int d, double perplexity, Backend backend) {
        if (n < 4 || n > MAX_POINTS) {
            throw new IllegalArgumentException(
                    "t-SNE maps 4 to " + MAX_POINTS + " points, got " + n + " (use --method pca for other sizes)");
        }
        if (!(perplexity >= 2)) {
            throw new IllegalArgumentException("perplexity must be >= 2, got " + perplexity);
        }
        double perp = Math.min(perplexity, (n - 1) / 3.0);
        double[] p = jointProbabilities(squaredDistances(points, n, d, backend), n, Math.max(1.5, perp));
        Pca.Result init = Pca.project(points, n, d, backend);
        double[] y = new double[2 * n];
        double std = 0;
        for (int i = 0; i < n; i++) {
            y[2 * i] = init.x()[i];
            y[2 * i + 1] = init.y()[i];
            std += init.x()[i] * init.x()[i];
        }
        std = Math.sqrt(std / n);
        for (int i = 0; i < 2 * n; i++) {
            y[i] = std > 0 ? y[i] / std * 1e-4 : 1e-4 * (i % 7);
        }
        optimize(p, y, n);
        double[] xs = new double[n];
        double[] ys = new double[n];
        for (int i = 0; i < n; i++) {
            xs[i] = y[2 * i];
            ys[i] = y[2 * i + 1];
        }
        return new Pca.Result(xs, ys, new double[0]);
    }

    /** D_ij = |x_i|² + |x_j|² - 2 x_i·x_j, (N,N), with the Gram matrix as one GEMM. */
    static double[] squaredDistances(float[] points, int n, int d, Backend backend) {
        float[] gram;
        try (Tensor x = Tensor.of(points, n, d);
                Tensor g = Tensor.allocate(DType.F32, n, n)) {
            backend.gemm(false, true, 1f, x, x, 0f, g);
            gram = g.toFloatArray();
        }
        double[] dist = new double[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                dist[i * n + j] = i == j ? 0 : Math.max(0, gram[i * n + i] + gram[j * n + j] - 2.0 * gram[i * n + j]);
            }
        }
        return dist;
    }

    /** The symmetric joint P (N,N), rows calibrated to {@code perplexity}, summing to 1, floored at 1e-12. */
    static double[] jointProbabilities(double[] dist, int n, double perplexity) {
        double[] cond = new double[n * n];
        IntStream.range(0, n).parallel().forEach(i -> conditionalRow(dist, n, i, perplexity, cond));
        double[] p = new double[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                p[i * n + j] = Math.max(1e-12, (cond[i * n + j] + cond[j * n + i]) / (2.0 * n));
            }
        }
        return p;
    }

    /**
     * P_j|i for one i: exp(-beta·D_ij) normalised, with beta found by bisection so that the entropy is
     * ln(perplexity) to 1e-5.
     */
    static void conditionalRow(double[] dist, int n, int i, double perplexity, double[] out) {
        double target = Math.log(perplexity);
        double beta = 1;
        double lo = 0;
        double hi = Double.POSITIVE_INFINITY;
        double minD = Double.POSITIVE_INFINITY;
        for (int j = 0; j < n; j++) {
            if (j != i) {
                minD = Math.min(minD, dist[i * n + j]);
            }
        }
        for (int it = 0; it < 200; it++) {
            double sum = 0;
            double weighted = 0;
            for (int j = 0; j < n; j++) {
                if (j == i) {
                    out[i * n + j] = 0;
                    continue;
                }
                // shifted by the nearest distance so that the largest weight is 1 (no underflow to 0/0)
                double w = Math.exp(-beta * (dist[i * n + j] - minD));
                out[i * n + j] = w;
                sum += w;
                weighted += w * (dist[i * n + j] - minD);
            }
            double entropy = Math.log(sum) + beta * weighted / sum;
            for (int j = 0; j < n; j++) {
                out[i * n + j] /= sum;
            }
            double diff = entropy - target;
            if (Math.abs(diff) < 1e-5) {
                return;
            }
            if (diff > 0) {
                lo = beta;
                beta = hi == Double.POSITIVE_INFINITY ? beta * 2 : (beta + hi) / 2;
            } else {
                hi = beta;
                beta = (beta + lo) / 2;
            }
        }
    }

    private static void optimize(double[] p, double[] y, int n) {
        double[] update = new double[2 * n];
        double[] gains = new double[2 * n];
        java.util.Arrays.fill(gains, 1);
        double[] grad = new double[2 * n];
        double[] num = new double[n * n];
        double[] rowSums = new double[n];
        double eta = Math.max(n / EXAGGERATION / 4, 50);
        for (int iter = 0; iter < ITERATIONS; iter++) {
            double exaggeration = iter < EXAGGERATION_ITERATIONS ? EXAGGERATION : 1;
            double momentum = iter < EXAGGERATION_ITERATIONS ? 0.5 : 0.8;
            IntStream.range(0, n).parallel().forEach(i -> {
                double s = 0;
                for (int j = 0; j < n; j++) {
                    double q = 0;
                    if (j != i) {
                        double dx = y[2 * i] - y[2 * j];
                        double dy = y[2 * i + 1] - y[2 * j + 1];
                        q = 1 / (1 + dx * dx + dy * dy);
                    }
                    num[i * n + j] = q;
                    s += q;
                }
                rowSums[i] = s;
            });
            double z = 0;
            for (double s : rowSums) {
                z += s;
            }
            final double invZ = 1 / z;
            IntStream.range(0, n).parallel().forEach(i -> {
                double gx = 0;
                double gy = 0;
                for (int j = 0; j < n; j++) {
                    double q = num[i * n + j];
                    double f = (exaggeration * p[i * n + j] - q * invZ) * q;
                    gx += f * (y[2 * i] - y[2 * j]);
                    gy += f * (y[2 * i + 1] - y[2 * j + 1]);
                }
                grad[2 * i] = 4 * gx;
                grad[2 * i + 1] = 4 * gy;
            });
            double mx = 0;
            double my = 0;
            for (int k = 0; k < 2 * n; k++) {
                boolean sameSign = (grad[k] > 0) == (update[k] > 0);
                gains[k] = Math.max(0.01, sameSign ? gains[k] * 0.8 : gains[k] + 0.2);
                update[k] = momentum * update[k] - eta * gains[k] * grad[k];
                y[k] += update[k];
            }
            for (int i = 0; i < n; i++) {
                mx += y[2 * i];
                my += y[2 * i + 1];
            }
            for (int i = 0; i < n; i++) {
                y[2 * i] -= mx / n;
                y[2 * i + 1] -= my / n;
            }
        }
    }
}
