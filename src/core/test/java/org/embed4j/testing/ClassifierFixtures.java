package org.embed4j.testing;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.embed4j.classify.ClassifierOptions;
import org.embed4j.classify.FastTextTrainer;
import org.embed4j.classify.LabeledText;
import org.embed4j.classify.TextClassifier;
import org.embed4j.classify.TextFormats;

/** The small fixtures in src/core/test/resources/classify (see its README) and a model trained on them once. */
public final class ClassifierFixtures {
    /** Small and quick: dim 16, bigrams in 20k buckets, 30 epochs over 400 questions. */
    public static final ClassifierOptions OPTIONS = ClassifierOptions.DEFAULTS
            .withDim(16)
            .withWordNgrams(2)
            .withBucket(20_000)
            .withEpoch(30)
            .withLr(0.5f)
            .withSeed(42);

    private static TextClassifier trec;

    private ClassifierFixtures() {}

    public static Path resource(String name) {
        return TestFiles.resource("/classify/" + name);
    }

    public static List<LabeledText> read(String name) throws IOException {
        return TextFormats.read(resource(name));
    }

    public static synchronized TextClassifier trec() throws IOException {
        if (trec == null) {
            trec = new FastTextTrainer(OPTIONS).train(read("trec-400.train.txt"));
        }
        return trec;
    }
}
