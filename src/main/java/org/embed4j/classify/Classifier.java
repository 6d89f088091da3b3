package org.embed4j.classify;

import java.util.ArrayList;
import java.util.List;

/**
 * What every trained text classifier offers, whatever its architecture (the fastText-style
 * {@link TextClassifier}, the MLP of the seed example): its labels, a probability per label for a text, and the
 * k most probable labels. Implementations are immutable and safe to share across threads.
 */
public interface Classifier {

    /** The labels, in the order of {@link #probabilities(String)}. */
    List<String> labels();

    /** One probability per label of {@link #labels()} for {@code text}. */
    float[] probabilities(String text);

    /** The k most probable labels, most probable first (k is capped at the number of labels). */
    List<Prediction> predict(String text, int k);

    /** At most k labels whose probability is at least {@code threshold}, most probable first (possibly none). */
    default List<Prediction> predict(String text, int k, double threshold) {
        List<Prediction> out = new ArrayList<>(predict(text, k));
        out.removeIf(p -> p.probability() < threshold);
        return out;
    }
}
