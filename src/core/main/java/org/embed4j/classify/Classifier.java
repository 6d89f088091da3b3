package org.embed4j.classify;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What every trained text classifier offers, whatever its architecture (the fastText-style
 * {@link TextClassifier}, float or quantized, and the MLP {@link org.embed4j.classify.mlp.MlpClassifier}): its
 * labels, a probability per label for a text, and the k most probable labels. {@link #load} opens a saved model of
 * any kind. Implementations are immutable and safe to share across threads, and closeable: see {@link #close()}.
 */
public interface Classifier extends AutoCloseable {

    /**
     * Opens a classifier saved by {@link TextClassifier#save} (float32, int8 or fp16) or
     * {@link org.embed4j.classify.mlp.MlpClassifier#save}, whichever kind the file's first bytes say it holds. A file
     * of neither kind, or a damaged one, is an {@link IOException} naming it.
     */
    static Classifier load(Path path) throws IOException {
        return ClassifierKinds.load(path);
    }

    /** The labels, in the order of {@link #probabilities(String)}. */
    List<String> labels();

    /** How many vocabulary entries (words, and word n-grams where the model keeps them) have their own row. */
    int vocabularySize();

    /** The width of the text representation the output layer reads. */
    int dim();

    /** One probability per label of {@link #labels()} for {@code text}. */
    float[] probabilities(String text);

    /** The k most probable labels, most probable first (k is capped at the number of labels). */
    default List<Prediction> predict(String text, int k) {
        if (k < 1) {
            throw new IllegalArgumentException("k must be >= 1, got " + k);
        }
        float[] probs = probabilities(text);
        List<String> labels = labels();
        int[] best = new int[Math.min(k, probs.length)];
        topLabels(probs, best, new boolean[probs.length]);
        List<Prediction> out = new ArrayList<>(best.length);
        for (int c : best) {
            out.add(new Prediction(labels.get(c), probs[c]));
        }
        return out;
    }

    /**
     * {@link #probabilities(String)} into {@code out[offset .. offset + K)}, K = the number of labels. This default
     * copies; models with a hot path of their own fill the buffer directly.
     */
    default void probabilities(String text, float[] out, int offset) {
        float[] p = probabilities(text);
        System.arraycopy(p, 0, out, offset, p.length);
    }

    /**
     * The indices of the {@code best.length} largest of {@code probs}, largest first; equal values keep index order.
     * {@code taken} (at least probs.length, all false) is scratch the caller may reuse after clearing it.
     */
    static void topLabels(float[] probs, int[] best, boolean[] taken) {
        for (int r = 0; r < best.length; r++) { // k is small: k passes beat sorting every label
            int b = -1;
            for (int c = 0; c < probs.length; c++) {
                if (!taken[c] && (b < 0 || probs[c] > probs[b])) {
                    b = c;
                }
            }
            taken[b] = true;
            best[r] = b;
        }
    }

    /**
     * The k most probable labels, each with its terms' shares of the label's logit ({@link Explanation}), most
     * probable label first. Models that cannot split their scores into per-term shares throw
     * {@link UnsupportedOperationException}.
     */
    default List<Explanation> explain(String text, int k) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " does not explain its predictions");
    }

    /** At most k labels whose probability is at least {@code threshold}, most probable first (possibly none). */
    default List<Prediction> predict(String text, int k, double threshold) {
        List<Prediction> out = new ArrayList<>(predict(text, k));
        out.removeIf(p -> p.probability() < threshold);
        return out;
    }

    /**
     * Releases the model now: a memory-mapped model file is unmapped at once, without waiting for the garbage
     * collector. New calls are refused from the moment close begins; calls in flight on other threads finish first.
     * Any later call is an {@link IllegalStateException}. Idempotent. A model that is never closed is released when
     * it becomes unreachable.
     */
    @Override
    void close();
}
