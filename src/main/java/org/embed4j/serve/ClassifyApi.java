package org.embed4j.serve;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.util.List;
import org.embed4j.classify.Prediction;
import org.embed4j.classify.Classifier;

/**
 * {@code POST /v1/classify} {@code {"texts": [...], "k": 1}} (or {@code "text"}) → {@code {"results":
 * [{"labels": [{"label", "probability"}]}]}}, the k most probable labels per text, most probable first
 * (k beyond the number of labels is capped, like fastText's predict). A text without any known token gets
 * the model's answer for an empty input, as fastText does. Thread-safe: the classifier is immutable.
 */
final class ClassifyApi {
    private final Classifier classifier;
    private final ServeOptions options;

    ClassifyApi(Classifier classifier, ServeOptions options) {
        this.classifier = classifier;
        this.options = options;
    }

    JsonObject classify(JsonObject request) {
        List<String> texts = JsonBodies.strings(request, "texts", "text", options.maxBatch());
        int k = JsonBodies.k(request, 1, options.maxK());
        JsonArray results = new JsonArray(texts.size());
        for (String text : texts) {
            JsonArray labels = new JsonArray(k);
            for (Prediction p : classifier.predict(text, k)) {
                JsonObject o = new JsonObject();
                o.addProperty("label", p.label());
                o.addProperty("probability", p.probability());
                labels.add(o);
            }
            JsonObject r = new JsonObject();
            r.add("labels", labels);
            results.add(r);
        }
        JsonObject out = new JsonObject();
        out.add("results", results);
        return out;
    }
}
