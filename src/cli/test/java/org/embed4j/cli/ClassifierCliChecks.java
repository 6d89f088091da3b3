package org.embed4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.embed4j.classify.Classifier;
import org.embed4j.classify.Prediction;

/** Checks shared by the classifier CLI tests, whatever the model kind: test-classifier and predict against the library. */
public final class ClassifierCliChecks {
    private ClassifierCliChecks() {}

    /**
     * {@code test-classifier <modelFile> <testFile> -k 2} prints {@code accuracy} (4 decimals) and the full report;
     * {@code predict <modelFile> -k 2} on {@code texts} prints, per line, the top two labels and probabilities that
     * {@code model.predict(text, 2)} gives.
     */
    public static void testAndPredictAgree(
            Classifier model, Path modelFile, String testFile, double accuracy, List<String> texts) {
        CliRun s = CliRun.run("", "test-classifier", modelFile.toString(), testFile, "-k", "2");
        assertEquals(0, s.exitCode(), s.err());
        assertTrue(s.out().contains(String.format("accuracy %.4f", accuracy)), s.out());
        assertTrue(
                s.out().contains("confusion matrix")
                        && s.out().contains("macro-F1")
                        && s.out().contains("P@2"),
                s.out());

        CliRun p = CliRun.run(String.join("\n", texts) + "\n", "predict", modelFile.toString(), "-k", "2");
        assertEquals(0, p.exitCode(), p.err());
        String[] lines = p.out().split("\n");
        assertEquals(texts.size(), lines.length);
        for (int i = 0; i < texts.size(); i++) {
            List<Prediction> expected = model.predict(texts.get(i), 2);
            assertEquals(
                    String.format(
                            Locale.ROOT,
                            "%s %.5f %s %.5f",
                            expected.get(0).label(),
                            expected.get(0).probability(),
                            expected.get(1).label(),
                            expected.get(1).probability()),
                    lines[i].trim());
        }
    }
}
