package org.embed4j.testing;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.embed4j.backend.Backends;
import org.embed4j.classify.LabeledText;
import org.embed4j.classify.TextFormats;
import org.embed4j.classify.mlp.MlpClassifier;
import org.embed4j.classify.mlp.MlpConfig;
import org.embed4j.classify.mlp.MlpTrainer;

/** The TREC classifier fixtures of src/test/resources/classify (400 train / 150 test) and an MLP trained on them once. */
public final class MlpFixtures {
    /** Small and quick: 32-dim embeddings, 32 hidden units, words only (bigrams overfit 360 texts), all words kept. */
    public static final MlpConfig CONFIG = new MlpConfig(20, 16, 32, 32, 1e-2f, 7L, 0.3f, 1, 1, 0.1f, 3);

    private static MlpTrainer.Result trained;

    private MlpFixtures() {}

    public static Path resource(String name) {
        return TestFiles.resource("/classify/" + name);
    }

    public static List<LabeledText> read(String name) throws IOException {
        List<LabeledText> out = new ArrayList<>();
        TextFormats.read(resource(name)).forEach(e -> out.add(LabeledText.of(e.label(), e.text())));
        return out;
    }

    public static List<LabeledText> train() throws IOException {
        return read("trec-400.train.txt");
    }

    public static List<LabeledText> test() throws IOException {
        return read("trec-150.test.txt");
    }

    public static synchronized MlpTrainer.Result trained() throws IOException {
        if (trained == null) {
            trained = new MlpTrainer(CONFIG, Backends.auto()).train(train());
        }
        return trained;
    }

    /** Share of {@code examples} whose top label is right. */
    public static double accuracy(MlpClassifier c, List<LabeledText> examples) {
        int correct = 0;
        for (LabeledText e : examples) {
            if (c.predict(e.text(), 1).get(0).label().equals(e.label())) {
                correct++;
            }
        }
        return correct / (double) examples.size();
    }
}
