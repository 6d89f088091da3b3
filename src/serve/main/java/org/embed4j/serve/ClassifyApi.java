package org.embed4j.serve;

import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.embed4j.classify.Classifier;
import org.embed4j.classify.Explanation;

/**
 * {@code POST /v1/classify} {@code {"texts": [...], "k": 1}} (or {@code "text"}) → {@code {"results":
 * [{"labels": [{"label", "probability"}]}]}}, the k most probable labels per text, most probable first
 * (k beyond the number of labels is capped, like fastText's predict; equal probabilities keep label order, as
 * {@link Classifier#predict} does). A text without any known token gets the model's answer for an empty input,
 * as fastText does. With {@code "explain": true} each label also carries its {@code logit}, the {@code bias} no term
 * accounts for and the {@value #EXPLAIN_TERMS} largest {@code contributions} ({@code {"term", "value"}}: a word's or
 * n-gram's share of the logit, {@link Classifier#explain}). Thread-safe: the classifier is immutable.
 *
 * <p>The hottest endpoint, so it writes its JSON itself instead of building a Gson tree: each label's
 * <code>{"label":"…","probability":</code> prefix is escaped once, here, and a probability is printed as its float's
 * shortest decimal ({@link Float#toString}), which parses back to the same float. Probabilities go into one buffer
 * per request ({@link Classifier#probabilities(String, float[], int)}) instead of an array per text. A probability
 * that is not finite (NaN weights) is a {@link JsonOut.NonFiniteException}, never a "NaN" in the JSON.
 */
final class ClassifyApi {
    /** The request fields the endpoint reads; any other is skipped unparsed. */
    static final Set<String> FIELDS = Set.of("texts", "text", "k", "explain");
    /** Contributions per label in an explained answer, largest first. */
    static final int EXPLAIN_TERMS = 10;

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
            JsonOut.appendQuoted(p, labels.get(c));
            labelPrefixes[c] = p.append(",\"probability\":").toString();
        }
    }

    /** The response body, UTF-8 JSON. */
    byte[] classify(JsonRequest request) {
        List<String> texts = request.strings("texts", "text");
        int k = Math.min(request.k(1, options.maxK()), labelPrefixes.length);
        if (request.flag("explain")) {
            return explained(texts, k);
        }
        float[] probs = new float[labelPrefixes.length];
        boolean[] taken = new boolean[labelPrefixes.length];
        int[] best = new int[k];
        JsonOut json = new JsonOut(32 + texts.size() * (24 + k * 64));
        json.raw("{\"results\":[");
        for (int i = 0; i < texts.size(); i++) {
            classifier.probabilities(texts.get(i), probs, 0);
            json.raw(i == 0 ? "{\"labels\":[" : ",{\"labels\":[");
            Arrays.fill(taken, false);
            Classifier.topLabels(probs, best, taken);
            for (int r = 0; r < k; r++) {
                int c = best[r];
                json.raw(r == 0 ? "" : ",")
                        .raw(labelPrefixes[c])
                        .number(probs[c], "a label probability")
                        .raw('}');
            }
            json.raw("]}");
        }
        return json.raw("]}").toBytes();
    }

    private byte[] explained(List<String> texts, int k) {
        JsonOut json = new JsonOut(64 + texts.size() * k * (96 + EXPLAIN_TERMS * 48));
        json.raw("{\"results\":[");
        for (int i = 0; i < texts.size(); i++) {
            json.raw(i == 0 ? "{\"labels\":[" : ",{\"labels\":[");
            List<Explanation> labels = classifier.explain(texts.get(i), k);
            for (int r = 0; r < labels.size(); r++) {
                Explanation e = labels.get(r);
                json.raw(r == 0 ? "{" : ",{")
                        .name("label")
                        .string(e.label())
                        .raw(',')
                        .name("probability")
                        .number(e.probability(), "a label probability")
                        .raw(',')
                        .name("logit")
                        .number(e.logit(), "a logit")
                        .raw(',')
                        .name("bias")
                        .number(e.bias(), "a logit's bias")
                        .raw(",\"contributions\":[");
                List<Explanation.Contribution> terms = e.contributions();
                for (int t = 0; t < Math.min(EXPLAIN_TERMS, terms.size()); t++) {
                    json.raw(t == 0 ? "{" : ",{")
                            .name("term")
                            .string(terms.get(t).term())
                            .raw(',')
                            .name("value")
                            .number(terms.get(t).value(), "a term's share")
                            .raw('}');
                }
                json.raw("]}");
            }
            json.raw("]}");
        }
        return json.raw("]}").toBytes();
    }
}
