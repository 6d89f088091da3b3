package org.embed4j.classify;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.embed4j.deploy.Precision;
import org.embed4j.testing.ClassifierFixtures;
import org.embed4j.testing.CloseUnderLoad;
import org.embed4j.testing.MlpFixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Closing a classifier while eight threads predict: a hot reload in a service. */
class ClassifierCloseTest {
    private static final List<String> TEXTS =
            List.of("What is the capital of France ?", "How many feet are in a mile ?", "Who wrote Hamlet ?", "Why ?");

    @TempDir
    Path dir;

    private static Map<String, CloseUnderLoad.Call> predictions(Classifier c) {
        int k = c.labels().size();
        Map<String, CloseUnderLoad.Call> calls = new LinkedHashMap<>();
        calls.put("predict", () -> c.predict(TEXTS.get(0), 3));
        calls.put("probabilities", () -> c.probabilities(TEXTS.get(1)));
        calls.put("probabilities into", () -> c.probabilities(TEXTS.get(2), new float[k], 0));
        calls.put("predict threshold", () -> c.predict(TEXTS.get(3), 2, 0.1));
        calls.put("labels", c::labels);
        if (c instanceof TextClassifier t) {
            calls.put("batch", () -> t.probabilities(TEXTS, new float[TEXTS.size() * k]));
            calls.put("top1", () -> t.predictTop1(TEXTS, new int[TEXTS.size()], new float[TEXTS.size()]));
        }
        return calls;
    }

    @Test
    void closingAMappedModelUnderLoadIsSafe() throws Exception {
        Path file = dir.resolve("trec.e4jc");
        ClassifierFixtures.trec().save(file);
        Classifier c = Classifier.load(file);
        CloseUnderLoad.check(c, predictions(c));
    }

    @Test
    void closingAMappedQuantizedModelUnderLoadIsSafe() throws Exception {
        Path file = dir.resolve("trec-int8.e4jc");
        try (TextClassifier q = ClassifierFixtures.trec().quantize(Precision.INT8)) {
            q.save(file);
        }
        Classifier c = Classifier.load(file);
        CloseUnderLoad.check(c, predictions(c));
    }

    @Test
    void closingAnMlpModelUnderLoadIsSafe() throws Exception {
        Path file = dir.resolve("mlp.safetensors");
        MlpFixtures.trained().classifier().save(file);
        Classifier c = Classifier.load(file);
        CloseUnderLoad.check(c, predictions(c));
    }
}
