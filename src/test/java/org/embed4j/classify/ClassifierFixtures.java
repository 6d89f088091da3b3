package org.embed4j.classify;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import org.embed4j.classify.data.LabeledText;
import org.embed4j.classify.data.TextFormats;

/** The small fixtures in src/test/resources/classify (see its README) and a model trained on them once. */
final class ClassifierFixtures {
    /** Small and quick: dim 16, bigrams in 20k buckets, 30 epochs over 400 questions. */
    static final ClassifierOptions OPTIONS = ClassifierOptions.DEFAULTS.withDim(16).withWordNgrams(2).withBucket(20_000)
            .withEpoch(30).withLr(0.5f).withSeed(42);

    private static TextClassifier trec;

    private ClassifierFixtures() {
    }

    static Path resource(String name) {
        try {
            return Path.of(ClassifierFixtures.class.getResource("/classify/" + name).toURI());
        } catch (URISyntaxException | NullPointerException e) {
            throw new IllegalStateException("test resource /classify/" + name + " is missing", e);
        }
    }

    static List<LabeledText> read(String name) throws IOException {
        return TextFormats.read(resource(name));
    }

    /** The weights of a float32 model's matrix (training's form). */
    static float[] floats(ClassifierMatrix m) {
        return ((ClassifierMatrix.Floats) m).data();
    }

    static synchronized TextClassifier trec() throws IOException {
        if (trec == null) {
            trec = new FastTextTrainer(OPTIONS).train(read("trec-400.train.txt"));
        }
        return trec;
    }
}
