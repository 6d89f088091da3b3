package org.embed4j.serve;

import java.io.UncheckedIOException;
import org.embed4j.classify.Classifier;
import org.embed4j.vectors.WordVectors;

/**
 * A look at a model before it is served, for the readiness endpoint: whether what it computes can be written as
 * JSON at all. Word vectors: up to {@link #ROWS} rows spread over the table must be finite. A classifier: the
 * probabilities of an empty text and of a few common words must be finite. A model with NaN weights fails here
 * and is marked unhealthy before its first request; one whose bad values hide elsewhere is caught by the first
 * response that meets them ({@link JsonOut}). Stateless.
 */
final class ModelProbe {
    static final int ROWS = 4096;
    private static final String[] TEXTS = {"", "the", "a good one", "and of to in is it"};

    private ModelProbe() {}

    /** Why the vectors cannot be served, or null. */
    static String vectors(WordVectors v) {
        int n = v.size();
        long step = Math.max(1, n / ROWS);
        float[] row = new float[v.dim()];
        for (long r = 0; r < n; r += step) {
            try {
                v.vector((int) r, row, 0);
            } catch (UncheckedIOException e) {
                return e.getMessage(); // a damaged row of a mapped file, named with its offset
            }
            for (float x : row) {
                if (!Float.isFinite(x)) {
                    return "row " + r + " (\"" + ApiHandler.abbreviate(v.words().get((int) r)) + "\") has the value "
                            + x;
                }
            }
        }
        return null;
    }

    /** Why the classifier cannot be served, or null. */
    static String classifier(Classifier c) {
        float[] p = new float[c.labels().size()];
        for (String text : TEXTS) {
            c.probabilities(text, p, 0);
            for (int i = 0; i < p.length; i++) {
                if (!Float.isFinite(p[i])) {
                    return "the probability of label " + i + " for the text \"" + text + "\" is " + p[i];
                }
            }
        }
        return null;
    }
}
