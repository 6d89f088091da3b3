package org.embed4j.cli.plot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.embed4j.backend.Backend;
import org.embed4j.backend.Backends;
import org.junit.jupiter.api.Test;

/**
 * PCA against data with known principal axes, on every available backend; t-SNE's perplexity calibration and its
 * separation of clusters.
 */
class ProjectionTest {
    /** n points a·u + b·v + noise in d dimensions, var(a) = 9 > var(b) = 1 > noise variance 1e-4. */
    private static float[] plane(int n, int d, double[] u, double[] v, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[n * d];
        for (int i = 0; i < n; i++) {
            double a = 3 * r.nextGaussian();
            double b = r.nextGaussian();
            for (int j = 0; j < d; j++) {
                x[i * d + j] = (float) (5 + a * u[j] + b * v[j] + 0.01 * r.nextGaussian());
            }
        }
        return x;
    }

    private static double[] unit(int d, int... nonZero) {
        double[] e = new double[d];
        for (int k : nonZero) {
            e[k] = 1 / Math.sqrt(nonZero.length);
        }
        return e;
    }

    @Test
    void pcaFindsTheKnownAxesOnEveryBackend() {
        int d = 17;
        double[] u = unit(d, 0, 3, 16);
        double[] v = unit(d, 1, 2);
        float[] x = plane(300, d, u, v, 3);
        Pca.Result reference = null;
        for (Backend b : Backends.available()) {
            if (!b.name().equals("java") && !b.name().equals("cpu")) {
                continue; // host memory only
            }
            Pca.Result r = Pca.project(x, 300, d, b);
            // the coordinates are a·(±1) and b·(±1): check against the generating axes through the explained share
            assertEquals(0.9, r.explained()[0], 0.03, b.name() + " PC1 share");
            assertEquals(0.1, r.explained()[1], 0.03, b.name() + " PC2 share");
            double sumX2 = 0;
            double sumY2 = 0;
            for (int i = 0; i < 300; i++) {
                sumX2 += r.x()[i] * r.x()[i];
                sumY2 += r.y()[i] * r.y()[i];
            }
            assertTrue(
                    sumX2 / 300 > 6 && sumY2 / 300 < 1.5, b.name() + ": variances " + sumX2 / 300 + ", " + sumY2 / 300);
            if (reference == null) {
                reference = r;
            } else {
                assertArrayEquals(reference.x(), r.x(), 1e-3, b.name() + " vs java, PC1");
                assertArrayEquals(reference.y(), r.y(), 1e-3, b.name() + " vs java, PC2");
            }
        }
        assertThrows(IllegalArgumentException.class, () -> Pca.project(new float[3], 1, 3, Pca.hostBackend()));
    }

    @Test
    void pcaEigenvectorsOfADiagonalMatrix() {
        double[] c = {1, 0, 0, 0, 5, 0, 0, 0, 3};
        double[][] v = Pca.topTwoEigenvectors(c, 3);
        assertArrayEquals(new double[] {0, 1, 0}, v[0], 1e-6);
        assertArrayEquals(new double[] {0, 0, 1}, v[1], 1e-6);
    }

    @Test
    void tsneRowsHaveTheAskedPerplexity() {
        int n = 40;
        SplittableRandom r = new SplittableRandom(1);
        double[] dist = new double[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < i; j++) {
                dist[i * n + j] = dist[j * n + i] = 4 * r.nextDouble();
            }
        }
        double[] row = new double[n * n];
        for (int i : new int[] {0, 17, 39}) {
            Tsne.conditionalRow(dist, n, i, 10, row);
            double sum = 0;
            double entropy = 0;
            for (int j = 0; j < n; j++) {
                double p = row[i * n + j];
                sum += p;
                entropy -= p > 0 ? p * Math.log(p) : 0;
            }
            assertEquals(0, row[i * n + i]);
            assertEquals(1, sum, 1e-9);
            assertEquals(10, Math.exp(entropy), 1e-3, "perplexity of row " + i);
        }
    }

    @Test
    void tsneKeepsClustersApart() {
        int perCluster = 25;
        int k = 4;
        int d = 12;
        int n = perCluster * k;
        SplittableRandom r = new SplittableRandom(9);
        float[] x = new float[n * d];
        for (int i = 0; i < n; i++) {
            int c = i / perCluster;
            for (int j = 0; j < d; j++) {
                x[i * d + j] = (float) ((j % k == c ? 3 : 0) + 0.3 * r.nextGaussian());
            }
        }
        Pca.Result y = Tsne.embed(x, n, d, 15, Pca.hostBackend());
        int sameCluster = 0;
        for (int i = 0; i < n; i++) {
            int best = -1;
            double bestD = Double.POSITIVE_INFINITY;
            for (int j = 0; j < n; j++) {
                double dx = y.x()[i] - y.x()[j];
                double dy = y.y()[i] - y.y()[j];
                if (j != i && dx * dx + dy * dy < bestD) {
                    bestD = dx * dx + dy * dy;
                    best = j;
                }
            }
            sameCluster += best / perCluster == i / perCluster ? 1 : 0;
        }
        assertEquals(n, sameCluster, "each point's nearest neighbour on the map is in its own cluster");
        Pca.Result again = Tsne.embed(x, n, d, 15, Pca.hostBackend());
        assertArrayEquals(y.x(), again.x(), 1e-9, "deterministic");
        assertThrows(IllegalArgumentException.class, () -> Tsne.embed(new float[3 * d], 3, d, 30, Pca.hostBackend()));
    }
}
