package org.embed4j.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.embed4j.vectors.WordVectors;

/** Small seeded random models (and one planted analogy) for the vectors and CLI tests. */
public final class RandomVectors {
    private RandomVectors() {}

    public static List<String> words(int v) {
        List<String> words = new ArrayList<>(v);
        // a few non-ASCII words, at rows the tests do not query by name
        String[] extra = {"café", "日本", "naïve", "über", "ñ"};
        for (int i = 0; i < v; i++) {
            words.add(i % 50 == 33 ? extra[(i / 50) % extra.length] + i : "w" + i);
        }
        return words;
    }

    public static float[] gaussian(long seed, int count) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[count];
        for (int i = 0; i < count; i++) {
            // Box-Muller, enough for tests
            double u = 1 - r.nextDouble();
            double w = r.nextDouble();
            x[i] = (float) (Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * w));
        }
        return x;
    }

    public static WordVectors model(long seed, int v, int d) {
        return WordVectors.of(words(v), gaussian(seed, v * d), d);
    }

    /** Six 4-d words where queen = king - man + woman exactly, so 3CosAdd and 3CosMul both must answer queen. */
    public static WordVectors plantedAnalogy() {
        List<String> words = List.of("man", "king", "woman", "queen", "apple", "car");
        float[] x = {
            1, 0, 0, 0.1f, 1, 1, 0, 0.1f, 0, 0, 1, 0.1f, 0, 1, 1, 0.1f, 0.3f, -1, 0.2f, 1, 0.5f, 0.2f, 0.1f, -0.5f
        };
        return WordVectors.of(words, x, 4);
    }
}
