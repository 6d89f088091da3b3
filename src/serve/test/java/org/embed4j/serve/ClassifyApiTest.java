package org.embed4j.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.embed4j.classify.Classifier;
import org.embed4j.classify.Prediction;
import org.embed4j.classify.TextClassifier;
import org.junit.jupiter.api.Test;

/** The hand-written classify response: strict JSON whose labels and probabilities are exactly predict()'s. */
class ClassifyApiTest {
    /** Labels a user may well have: quotes, backslashes, controls, non-ASCII, emoji, separators, broken surrogates. */
    private static final List<String> ODD_LABELS = List.of(
            "__label__pos",
            "say \"hi\"",
            "back\\slash",
            "tab\tnew\nline\r",
            "\u0000\u0001\u001f\u007f",
            "café 日本",
            "\ud83d\ude00 grin",
            "\u2028\u2029",
            "lone \ud800 high",
            "\udc00 lone low",
            "</script>",
            "");

    /** A classifier that is not a TextClassifier: fixed probabilities, with ties, from the text's length. */
    private static class FixedClassifier implements Classifier {
        @Override
        public List<String> labels() {
            return ODD_LABELS;
        }

        @Override
        public int vocabularySize() {
            return 0;
        }

        @Override
        public int dim() {
            return 1;
        }

        @Override
        public float[] probabilities(String text) {
            float[] p = new float[ODD_LABELS.size()];
            for (int c = 0; c < p.length; c++) {
                p[c] = ((c * 7 + text.length()) % 5) / 10f + 1e-7f * c; // ties between labels of equal (c % 5)
            }
            p[text.length() % p.length] = 3.5e-6f; // a probability Float.toString prints with an exponent
            return p;
        }

        @Override
        public void close() {} // nothing to release
    }

    private static JsonRequest request(List<String> texts, int k) {
        JsonObject o = new JsonObject();
        JsonArray a = new JsonArray();
        texts.forEach(a::add);
        o.add("texts", a);
        o.addProperty("k", k);
        return parse(o.toString());
    }

    private static JsonRequest parse(String json) {
        byte[] b = json.getBytes(StandardCharsets.UTF_8);
        return JsonRequest.parse(BodyBytes.copyOf(b, b.length), ClassifyApi.FIELDS, 256);
    }

    /** Parses the response strictly and checks it against {@link Classifier#predict} label by label. */
    private static void assertMatchesPredict(Classifier classifier, List<String> texts, int k, byte[] response) {
        JsonObject root = JsonParser.parseString(new String(response, StandardCharsets.UTF_8))
                .getAsJsonObject();
        JsonArray results = root.getAsJsonArray("results");
        assertEquals(texts.size(), results.size());
        for (int i = 0; i < texts.size(); i++) {
            List<Prediction> ref = classifier.predict(texts.get(i), k);
            JsonArray labels = results.get(i).getAsJsonObject().getAsJsonArray("labels");
            assertEquals(ref.size(), labels.size(), texts.get(i));
            for (int j = 0; j < ref.size(); j++) {
                JsonObject l = labels.get(j).getAsJsonObject();
                assertEquals(ref.get(j).label(), l.get("label").getAsString(), "text " + i + " rank " + j);
                // the float the model computed, exactly: its shortest decimal parses back to it
                assertEquals(
                        (float) ref.get(j).probability(),
                        l.get("probability").getAsFloat(),
                        "text " + i + " rank " + j);
            }
        }
    }

    @Test
    void oddLabelsRoundTripThroughAStrictJsonParser() {
        Classifier c = new FixedClassifier();
        ClassifyApi api = new ClassifyApi(c, ServeOptions.DEFAULTS.withMaxK(ODD_LABELS.size()));
        List<String> texts = List.of("a", "bb", "ccc", "dddd", "eeeee", "a longer text of some words");
        for (int k : new int[] {1, 2, 5, ODD_LABELS.size()}) {
            assertMatchesPredict(c, texts, k, api.classify(request(texts, k)));
        }
    }

    @Test
    void textClassifierAnswersWhatPredictDoes() {
        TextClassifier c = ServeFixtures.classifier();
        ClassifyApi api = new ClassifyApi(c, ServeOptions.DEFAULTS);
        List<String> texts = List.of(
                "a great and lovely movie",
                "an awful boring plot",
                "nothing known",
                "good bad",
                "GOOD",
                "lovely lovely lovely awful");
        for (int k : new int[] {1, 2, 50}) {
            assertMatchesPredict(c, texts, k, api.classify(request(texts, k)));
        }
        assertMatchesPredict(c, List.of("a great movie"), 1, api.classify(parse("{\"text\": \"a great movie\"}")));
    }

    @Test
    void escapesEveryControlCharacter() {
        for (char ch = 0; ch < 0x20; ch++) {
            StringBuilder quoted = new StringBuilder();
            JsonOut.appendQuoted(quoted, "x" + ch + "y");
            String s = quoted.toString();
            for (int i = 0; i < s.length(); i++) {
                if (s.charAt(i) < 0x20) {
                    throw new AssertionError("raw control char " + (int) s.charAt(i) + " in " + s);
                }
            }
            JsonObject o = JsonParser.parseString("{\"v\":" + s + "}").getAsJsonObject();
            assertEquals("x" + ch + "y", o.get("v").getAsString());
        }
    }

    @Test
    void nonFiniteProbabilityIsRefusedNotWrittenAsBadJson() {
        Classifier broken = new FixedClassifier() {
            @Override
            public float[] probabilities(String text) {
                float[] p = super.probabilities(text);
                p[0] = Float.NaN;
                p[1] = Float.POSITIVE_INFINITY;
                return p;
            }
        };
        ClassifyApi api = new ClassifyApi(broken, ServeOptions.DEFAULTS);
        assertThrows(JsonOut.NonFiniteException.class, () -> api.classify(request(List.of("a"), 1)));
    }
}
