package org.embed4j.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.embed4j.classify.Explanation;
import org.embed4j.io.Json;

/**
 * The JSON form of explanations, one object per text (what {@code predict --explain} prints per line):
 * <pre>
 * {"labels": [{"label": "HUM", "probability": 0.93, "logit": 2.31, "bias": 0.0,
 *              "contributions": [{"term": "who", "value": 0.81}, ...]}, ...]}
 * </pre>
 * labels most probable first, contributions largest first, at most {@code maxTerms} of them per label (0: all).
 * Stateless.
 */
final class ExplanationJson {
    private ExplanationJson() {}

    static String write(List<Explanation> explanations, int maxTerms) {
        List<Object> labels = new ArrayList<>(explanations.size());
        for (Explanation e : explanations) {
            labels.add(label(e, maxTerms));
        }
        return Json.write(Map.of("labels", labels));
    }

    static Map<String, Object> label(Explanation e, int maxTerms) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("label", e.label());
        m.put("probability", e.probability());
        m.put("logit", e.logit());
        m.put("bias", e.bias());
        List<Object> terms = new ArrayList<>();
        for (Explanation.Contribution c : e.contributions()) {
            if (maxTerms > 0 && terms.size() == maxTerms) {
                break;
            }
            Map<String, Object> t = new LinkedHashMap<>();
            t.put("term", c.term());
            t.put("value", c.value());
            terms.add(t);
        }
        m.put("contributions", terms);
        return m;
    }
}
