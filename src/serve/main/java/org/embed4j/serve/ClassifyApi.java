package org.embed4j.serve;

import com.google.gson.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.embed4j.classify.Classifier;

/**
 * {@code POST /v1/classify} {@code {"texts": [...], "k": 1}} (or {@code "text"}) → {@code {"results":
 * [{"labels": [{"label", "probability"}]}]}}, the k most probable labels per text, most probable first
 * (k beyond the number of labels is capped, like fastText's predict; equal probabilities keep label order, as
 * {@link Classifier#predict} does). A text without any known token gets the model's answer for an empty input,
 * as fastText does. Thread-safe: the classifier is immutable.
 *
 * <p>The hottest endpoint, so it writes its JSON itself instead of building a Gson tree: each label's
 * <code>{"label":"…","probability":</code> prefix is escaped once, here, and a probability is printed as its float's
 * shortest decimal ({@link Float#toString}), which parses back to the same float. Probabilities go into one buffer
 * per request ({@link Classifier#probabilities(String, float[], int)}) instead of an array per text.
 */
final class ClassifyApi {
    private final Classifier classifier;
    private final ServeOptions options;
    private final String[] labelPrefixes; // per label: {"label":"<escaped label>","probability":

    ClassifyApi(Classifier classifier, ServeOptions options) {
        this.classifier = classifier;
        this.options = options;
        List<String> labels = classifier.labels();
        this.labelPrefixes = new String[labels.size()];
        for (int c = 0; c < labelPrefixes.length; c++) {
            StringBuilder p = new StringBuilder("{\"label\":");
            JsonBodies.appendQuoted(p, labels.get(c));
            labelPrefixes[c] = p.append(",\"probability\":").toString();
        }
    }

    /** The response body, UTF-8 JSON. */
    byte[] classify(JsonObject request) {
        List<String> texts = JsonBodies.strings(request, "texts", "text", options.maxBatch());
        int k = Math.min(JsonBodies.k(request, 1, options.maxK()), labelPrefixes.length);
        float[] probs = new float[labelPrefixes.length];
        boolean[] taken = new boolean[labelPrefixes.length];
        int[] best = new int[k];
        StringBuilder json = new StringBuilder(32 + texts.size() * (24 + k * 64));
        json.append("{\"results\":[");
        for (int i = 0; i < texts.size(); i++) {
            classifier.probabilities(texts.get(i), probs, 0);
            json.append(i == 0 ? "{\"labels\":[" : ",{\"labels\":[");
            Arrays.fill(taken, false);
            Classifier.topLabels(probs, best, taken);
            for (int r = 0; r < k; r++) {
                int c = best[r];
                if (!Float.isFinite(probs[c])) {
                    throw new IllegalStateException("the model gave label " + c + " the probability " + probs[c]);
                }
                json.append(r == 0 ? "" : ",")
                        .append(labelPrefixes[c])
                        .append(probs[c])
                        .append('}');
            }
            json.append("]}");
        }
        return json.append("]}").toString().getBytes(StandardCharsets.UTF_8);
    }
}
