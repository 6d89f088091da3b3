package org.embed4j.deploy;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.embed4j.vectors.WordVectors;

/** Seeded random models for the deploy tests. */
final class DeployFixtures {
    private DeployFixtures() {
    }

    static List<String> words(int v) {
        List<String> words = new ArrayList<>(v);
        for (int i = 0; i < v; i++) {
            words.add(i % 97 == 96 ? "café" + i : "w" + i);
        }
        return words;
    }

    static float[] gaussian(long seed, int count) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[count];
        for (int i = 0; i < count; i++) {
            double u = 1 - r.nextDouble();
            double w = r.nextDouble();
            x[i] = (float) (Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * w));
        }
        return x;
    }

    static WordVectors model(long seed, int v, int d) {
        return WordVectors.of(words(v), gaussian(seed, v * d), d);
    }

    /** Cosine in double. */
    static double cosine(float[] x, int xo, float[] y, int yo, int d) {
        double dot = 0;
        double nx = 0;
        double ny = 0;
        for (int i = 0; i < d; i++) {
            dot += (double) x[xo + i] * y[yo + i];
            nx += (double) x[xo + i] * x[xo + i];
            ny += (double) y[yo + i] * y[yo + i];
        }
        return nx == 0 || ny == 0 ? 0 : dot / Math.sqrt(nx * ny);
    }
}
