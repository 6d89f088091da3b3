package org.embed4j.vectors;

import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.embed4j.io.AtomicFiles;

/**
 * Word classes by k-means over word vectors, as word2vec C's {@code -classes K}: start from word i in class i mod K
 * (rows are most frequent first, so every class starts with words of every frequency), then {@code iterations} times:
 * each centroid = the mean of its words' vectors scaled to unit length, each word to the centroid of the largest dot
 * product (ties: the lower class). Assigning by dot product with unit centroids is assigning by cosine, so each pass
 * is one top-1 query per word on the backend's top-k kernel. No randomness: the same vectors give the same classes.
 * A class that loses all its words keeps a zero centroid and gets no word back; a word with a zero vector stays in
 * class 0.
 *
 * <p>{@link #write} writes word2vec's classes file: {@code word class} per line, in row order. Immutable and
 * thread-safe.
 */
public final class WordClasses {
    private static final int BATCH = 4096;

    private final List<String> words;
    private final int[] classes;
    private final int k;

    private WordClasses(List<String> words, int[] classes, int k) {
        this.words = words;
        this.classes = classes;
        this.k = k;
    }

    /** k-means with k classes (1 &le; k &le; the vocabulary size) and word2vec C's 10 iterations by default. */
    public static WordClasses kmeans(WordVectors vectors, int k) {
        return kmeans(vectors, k, 10);
    }

    /** k-means with k classes and the given number of assignment passes (&ge; 1). */
    public static WordClasses kmeans(WordVectors vectors, int k, int iterations) {
        Objects.requireNonNull(vectors, "vectors");
        int v = vectors.size();
        int d = vectors.dim();
        if (k < 1 || k > v) {
            throw new IllegalArgumentException("classes must be in [1, " + v + "] (the vocabulary size), got " + k);
        }
        if (iterations < 1) {
            throw new IllegalArgumentException("iterations must be >= 1, got " + iterations);
        }
        float[] x = new float[Math.multiplyExact(v, d)];
        boolean[] zero = new boolean[v];
        for (int w = 0; w < v; w++) {
            vectors.vector(w, x, w * d);
            double n2 = 0;
            for (int j = 0; j < d; j++) {
                n2 += (double) x[w * d + j] * x[w * d + j];
            }
            zero[w] = n2 == 0 || !Double.isFinite(n2);
        }
        int[] cl = new int[v];
        for (int w = 0; w < v; w++) {
            cl[w] = w % k;
        }
        List<String> names = new ArrayList<>(k);
        for (int c = 0; c < k; c++) {
            names.add(Integer.toString(c));
        }
        for (int it = 0; it < iterations; it++) {
            WordVectors centroids = WordVectors.of(names, centroids(x, cl, zero, k, d), d);
            assign(centroids, x, zero, cl, d);
        }
        return new WordClasses(List.copyOf(vectors.words()), cl, k);
    }

    /** Unit-length means of each class's (non-zero) vectors; an empty class stays zero. */
    private static float[] centroids(float[] x, int[] cl, boolean[] zero, int k, int d) {
        double[] sum = new double[k * d];
        for (int w = 0; w < cl.length; w++) {
            if (zero[w]) {
                continue;
            }
            int base = cl[w] * d;
            for (int j = 0; j < d; j++) {
                sum[base + j] += x[w * d + j];
            }
        }
        float[] cent = new float[k * d];
        for (int c = 0; c < k; c++) {
            double n2 = 0;
            for (int j = 0; j < d; j++) {
                n2 += sum[c * d + j] * sum[c * d + j];
            }
            if (n2 == 0) {
                continue;
            }
            double inv = 1 / Math.sqrt(n2);
            for (int j = 0; j < d; j++) {
                cent[c * d + j] = (float) (sum[c * d + j] * inv);
            }
        }
        return cent;
    }

    /** Each non-zero word to the centroid of highest cosine, in batches of top-1 queries. */
    private static void assign(WordVectors centroids, float[] x, boolean[] zero, int[] cl, int d) {
        int v = cl.length;
        int[] rows = new int[BATCH];
        float[] q = new float[BATCH * d];
        int n = 0;
        for (int w = 0; w <= v; w++) {
            if (w < v && !zero[w]) {
                System.arraycopy(x, w * d, q, n * d, d);
                rows[n++] = w;
            }
            if (n == BATCH || (w == v && n > 0)) {
                float[] batch = n == BATCH ? q : java.util.Arrays.copyOf(q, n * d);
                List<List<Neighbor>> best = centroids.nearest(batch, n, 1);
                for (int i = 0; i < n; i++) {
                    if (!best.get(i).isEmpty()) {
                        cl[rows[i]] = Integer.parseInt(best.get(i).get(0).word());
                    }
                }
                n = 0;
            }
        }
    }

    /** K, the number of classes. */
    public int k() {
        return k;
    }

    /** The words, in row order. */
    public List<String> words() {
        return words;
    }

    /** The class of row {@code row}. */
    public int classOf(int row) {
        return classes[row];
    }

    /** A copy of every row's class. */
    public int[] classes() {
        return classes.clone();
    }

    /** Writes word2vec's classes file ({@code word class} per line, row order) atomically. */
    public void write(Path path) throws IOException {
        AtomicFiles.write(path, out -> {
            Writer w = new OutputStreamWriter(out, StandardCharsets.UTF_8);
            for (int i = 0; i < classes.length; i++) {
                w.write(words.get(i));
                w.write(' ');
                w.write(Integer.toString(classes[i]));
                w.write('\n');
            }
            w.flush();
        });
    }
}
