package org.embed4j.cli.plot;

import org.embed4j.backend.Backend;
import org.embed4j.backend.Backends;
import org.embed4j.tensor.DType;
import org.embed4j.tensor.Tensor;

/**
 * Principal component analysis down to two dimensions, the heavy products on an embed4j backend's GEMM:
 * with X (N,D) the centred points, C (D,D) = Xᵀ·X / (N-1) is one GEMM, the top two eigenvectors V (D,2) of C come
 * from orthogonal (subspace) iteration in double precision, and the coordinates Y (N,2) = X·V are a second GEMM.
 * Each component's sign is fixed (its largest coordinate positive), so the result is deterministic for a given
 * backend. Stateless and thread-safe.
 */
public final class Pca {
    private static final int MAX_ITERATIONS = 5000;
    private static final double TOLERANCE = 1e-12;

    private Pca() {}

    /** Two-dimensional coordinates and how much of the total variance each axis holds. */
    public record Result(double[] x, double[] y, double[] explained) {}

    /** The native CPU backend where it runs, else the Java reference: plain host memory either way. */
    public static Backend hostBackend() {
        try {
            return Backends.get("cpu");
        } catch (IllegalStateException e) {
            return Backends.get("java");
        }
    }

    /**
     * Projects {@code n} points of {@code d} dimensions ({@code points}, row-major (N,D)) onto their first two
     * principal components.
     */
    public static Result project(float[] points, int n, int d, Backend backend) {
        if (n < 2 || d < 2 || points.length != (long) n * d) {
            throw new IllegalArgumentException("PCA needs at least 2 points of at least 2 dimensions in an array of N*D"
                    + " values; got n=" + n + ", d=" + d + ", " + points.length + " values");
        }
        float[] centred = centre(points, n, d);
        double[] cov;
        try (Tensor x = Tensor.of(centred, n, d);
                Tensor c = Tensor.allocate(DType.F32, d, d)) {
            backend.gemm(true, false, 1f / (n - 1), x, x, 0f, c);
            float[] cf = c.toFloatArray();
            cov = new double[cf.length];
            for (int i = 0; i < cf.length; i++) {
                cov[i] = cf[i];
            }
        }
        double[][] v = topTwoEigenvectors(cov, d);
        float[] basis = new float[d * 2];
        for (int i = 0; i < d; i++) {
            basis[i * 2] = (float) v[0][i];
            basis[i * 2 + 1] = (float) v[1][i];
        }
        float[] yf;
        try (Tensor x = Tensor.of(centred, n, d);
                Tensor b = Tensor.of(basis, d, 2);
                Tensor y = Tensor.allocate(DType.F32, n, 2)) {
            backend.gemm(false, false, 1f, x, b, 0f, y);
            yf = y.toFloatArray();
        }
        double total = 0;
        for (int i = 0; i < d; i++) {
            total += cov[i * d + i];
        }
        double[] xs = new double[n];
        double[] ys = new double[n];
        for (int i = 0; i < n; i++) {
            xs[i] = yf[i * 2];
            ys[i] = yf[i * 2 + 1];
        }
        double[] explained = {
            total > 0 ? rayleigh(cov, v[0], d) / total : 0, total > 0 ? rayleigh(cov, v[1], d) / total : 0
        };
        return new Result(xs, ys, explained);
    }

    private static float[] centre(float[] points, int n, int d) {
        double[] mean = new double[d];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                mean[j] += points[i * d + j];
            }
        }
        float[] out = new float[points.length];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                out[i * d + j] = (float) (points[i * d + j] - mean[j] / n);
            }
        }
        return out;
    }

    /** The eigenvectors of the two largest eigenvalues of the symmetric (D,D) {@code c}, as unit vectors. */
    static double[][] topTwoEigenvectors(double[] c, int d) {
        double[][] v = new double[2][d];
        for (int i = 0; i < d; i++) {
            // a fixed start that is not orthogonal to any particular axis
            v[0][i] = 1.0 + 0.01 * i;
            v[1][i] = (i % 2 == 0 ? 1.0 : -1.0) + 0.003 * i;
        }
        orthonormalize(v, d);
        for (int it = 0; it < MAX_ITERATIONS; it++) {
            double[][] w = {multiply(c, v[0], d), multiply(c, v[1], d)};
            orthonormalize(w, d);
            double change = 0;
            for (int k = 0; k < 2; k++) {
                double dot = 0;
                for (int i = 0; i < d; i++) {
                    dot += w[k][i] * v[k][i];
                }
                double sign = Math.signum(dot);
                for (int i = 0; i < d; i++) {
                    change = Math.max(change, Math.abs(w[k][i] - sign * v[k][i]));
                }
            }
            v = w;
            if (change < TOLERANCE) {
                break;
            }
        }
        // subspace iteration may leave the pair in either order when the eigenvalues are close: largest first
        if (rayleigh(c, v[1], d) > rayleigh(c, v[0], d)) {
            v = new double[][] {v[1], v[0]};
        }
        for (double[] vec : v) {
            int arg = 0;
            for (int i = 1; i < d; i++) {
                if (Math.abs(vec[i]) > Math.abs(vec[arg])) {
                    arg = i;
                }
            }
            if (vec[arg] < 0) {
                for (int i = 0; i < d; i++) {
                    vec[i] = -vec[i];
                }
            }
        }
        return v;
    }

    private static double[] multiply(double[] c, double[] v, int d) {
        double[] out = new double[d];
        for (int i = 0; i < d; i++) {
            double s = 0;
            for (int j = 0; j < d; j++) {
                s += c[i * d + j] * v[j];
            }
            out[i] = s;
        }
        return out;
    }

    /**
     * Gram-Schmidt on the two rows. A row that vanishes (all points on one line) is replaced by the unit axis least
     * aligned with the other row, made orthogonal to it.
     */
    private static void orthonormalize(double[][] v, int d) {
        if (!normalize(v[0])) {
            java.util.Arrays.fill(v[0], 0);
            v[0][0] = 1;
        }
        subtractProjection(v[1], v[0]);
        if (!normalize(v[1])) {
            int axis = 0;
            for (int i = 1; i < d; i++) {
                if (Math.abs(v[0][i]) < Math.abs(v[0][axis])) {
                    axis = i;
                }
            }
            java.util.Arrays.fill(v[1], 0);
            v[1][axis] = 1;
            subtractProjection(v[1], v[0]);
            normalize(v[1]);
        }
    }

    private static void subtractProjection(double[] v, double[] unit) {
        double dot = 0;
        for (int i = 0; i < v.length; i++) {
            dot += unit[i] * v[i];
        }
        for (int i = 0; i < v.length; i++) {
            v[i] -= dot * unit[i];
        }
    }

    /** Scales {@code v} to unit length; false (and unchanged) when it is all but zero. */
    private static boolean normalize(double[] v) {
        double norm = 0;
        for (double x : v) {
            norm += x * x;
        }
        norm = Math.sqrt(norm);
        if (norm < 1e-150) {
            return false;
        }
        for (int i = 0; i < v.length; i++) {
            v[i] /= norm;
        }
        return true;
    }

    private static double rayleigh(double[] c, double[] v, int d) {
        double[] cv = multiply(c, v, d);
        double s = 0;
        for (int i = 0; i < d; i++) {
            s += v[i] * cv[i];
        }
        return s;
    }
}
