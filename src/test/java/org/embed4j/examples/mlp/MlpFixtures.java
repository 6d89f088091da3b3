package org.embed4j.examples.mlp;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.embed4j.backend.Backends;
import org.embed4j.classify.data.TextFormats;

/** The TREC classifier fixtures of src/test/resources/classify (400 train / 150 test) and an MLP trained on them once. */
final class MlpFixtures {
    /** Small and quick: 32-dim embeddings, 32 hidden units, words only (bigrams overfit 360 texts), all words kept. */
    static final MlpConfig CONFIG = new MlpConfig(20, 16, 32, 32, 1e-2f, 7L, 0.3f, 1, 1, 0.1f, 3);

    private static MlpTrainer.Result trained;

    private MlpFixtures() {
    }

    static Path resource(String name) {
        try {
            return Path.of(MlpFixtures.class.getResource("/classify/" + name).toURI());
        } catch (URISyntaxException | NullPointerException e) {
            throw new IllegalStateException("test resource /classify/" + name + " is missing", e);
        }
    }

    static List<LabeledText> read(String name) throws IOException {
        List<LabeledText> out = new ArrayList<>();
        TextFormats.read(resource(name)).forEach(e -> out.add(new LabeledText(e.label(), e.text())));
        return out;
    }

    static List<LabeledText> train() throws IOException {
        return read("trec-400.train.txt");
    }

    static List<LabeledText> test() throws IOException {
        return read("trec-150.test.txt");
    }

    static synchronized MlpTrainer.Result trained() throws IOException {
        if (trained == null) {
            trained = new MlpTrainer(CONFIG, Backends.auto()).train(train(), false);
        }
        return trained;
    }

    /** Share of {@code examples} whose top label is right. */
    static double accuracy(MlpClassifier c, List<LabeledText> examples) {
        int correct = 0;
        for (LabeledText e : examples) {
            if (c.predict(e.text(), 1).get(0).label().equals(e.label())) {
                correct++;
            }
        }
        return correct / (double) examples.size();
    }
}
