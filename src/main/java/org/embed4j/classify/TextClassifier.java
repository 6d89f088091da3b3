package org.embed4j.classify;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A trained fastText-style classifier: the mean of the text's input rows (words and hashed n-grams)
 * → linear layer → softmax (or one sigmoid per label for one-vs-all models). Immutable after construction and safe to share across threads: predict
 * allocates only per-call scratch.
 */
public final class TextClassifier {
    private final ClassifierOptions options;
    private final Dictionary dictionary;
    private final float[] input;  // (inputRows, dim)
    private final float[] output; // (labels, dim)

    TextClassifier(ClassifierOptions options, Dictionary dictionary, float[] input, float[] output) {
        this.options = Objects.requireNonNull(options);
        this.dictionary = Objects.requireNonNull(dictionary);
        int dim = options.dim();
        if (input.length != (long) dictionary.inputRows() * dim || output.length != (long) dictionary.labels().size() * dim) {
            throw new IllegalArgumentException("matrix sizes do not match the dictionary: input " + input.length
                    + ", output " + output.length + ", rows " + dictionary.inputRows() + ", labels "
                    + dictionary.labels().size() + ", dim " + dim);
        }
        this.input = input;
        this.output = output;
    }

    public ClassifierOptions options() {
        return options;
    }

    public Dictionary dictionary() {
        return dictionary;
    }

    public List<String> labels() {
        return dictionary.labels();
    }

    float[] input() {
        return input;
    }

    float[] output() {
        return output;
    }

    /** The k most probable labels, most probable first (k is capped at the number of labels). */
    public List<Prediction> predict(String text, int k) {
        if (k < 1) {
            throw new IllegalArgumentException("k must be >= 1, got " + k);
        }
        float[] probs = probabilities(text);
        int n = Math.min(k, probs.length);
        List<Prediction> out = new ArrayList<>(n);
        boolean[] taken = new boolean[probs.length];
        for (int r = 0; r < n; r++) {
            int best = -1;
            for (int c = 0; c < probs.length; c++) {
                if (!taken[c] && (best < 0 || probs[c] > probs[best])) {
                    best = c;
                }
            }
            taken[best] = true;
            out.add(new Prediction(dictionary.labels().get(best), probs[best]));
        }
        return out;
    }

    /**
     * Like fastText's {@code predict-prob} with a threshold: at most k labels whose probability is at least
     * {@code threshold}, most probable first (possibly none). Multi-label (one-vs-all) models use this.
     */
    public List<Prediction> predict(String text, int k, double threshold) {
        List<Prediction> out = new ArrayList<>(predict(text, k));
        out.removeIf(p -> p.probability() < threshold);
        return out;
    }

    /** The most probable label. */
    public String predictLabel(String text) {
        return predict(text, 1).get(0).label();
    }

    /**
     * Probabilities over {@link #labels()}: softmax (they sum to 1; uniform when the text has no known token) or,
     * for a one-vs-all model, each label's own sigmoid (0.5 each when the text has no known token).
     */
    public float[] probabilities(String text) {
        int[] rows = dictionary.inputRows(text);
        int dim = options.dim();
        double[] hidden = new double[dim];
        Supervised.meanRows(input, rows, dim, hidden);
        float[] probs = new float[dictionary.labels().size()];
        if (options.loss() == ClassifierLoss.OVA) {
            Supervised.sigmoids(output, hidden, dim, probs);
        } else {
            Supervised.softmax(output, hidden, dim, probs);
        }
        return probs;
    }

    /** Writes the model as one versioned file (temporary name, then rename). */
    public void save(Path path) throws IOException {
        ClassifierFile.write(this, path);
    }

    /** Reads a model written by {@link #save}. */
    public static TextClassifier load(Path path) throws IOException {
        return ClassifierFile.read(path);
    }
}
