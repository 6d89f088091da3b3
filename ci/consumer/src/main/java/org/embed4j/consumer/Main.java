package org.embed4j.consumer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.embed4j.classify.Classifier;
import org.embed4j.classify.ClassifierOptions;
import org.embed4j.classify.FastTextTrainer;
import org.embed4j.classify.LabeledText;
import org.embed4j.classify.Prediction;
import org.embed4j.classify.TextClassifier;
import org.embed4j.vectors.Neighbor;
import org.embed4j.vectors.VectorsFormat;
import org.embed4j.vectors.WordVectors;
import org.embed4j.word2vec.Word2VecOptions;
import org.embed4j.word2vec.Word2VecResult;
import org.embed4j.word2vec.Word2VecTrainer;

/**
 * What a service does with embed4j-core, through its public API only: train tiny word vectors and a tiny
 * classifier on two made-up topics, save and load them, query them, close them, and check that a closed model
 * refuses calls. Argument: "classpath" or "modulepath", the way it was started (checked). Exits with status 1 and
 * a message on the first check that fails.
 */
public final class Main {
    private static final String[] ROYAL = {"king", "queen", "crown", "palace", "throne", "prince", "royal"};
    private static final String[] FRUIT = {"apple", "banana", "cherry", "juice", "sweet", "orchard", "fruit"};

    private Main() {}

    public static void main(String[] args) throws Exception {
        String mode = args.length == 1 ? args[0] : "";
        if (!mode.equals("classpath") && !mode.equals("modulepath")) {
            fail("usage: Main classpath|modulepath");
        }
        boolean named = WordVectors.class.getModule().isNamed();
        check(named == mode.equals("modulepath"), "embed4j-core is " + (named ? "" : "not ") + "a named module on the "
                + mode);
        Path dir = Files.createTempDirectory("embed4j-consumer");
        try {
            vectors(dir);
            classifier(dir);
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
        System.out.println("consumer: OK on the " + mode + " (" + WordVectors.class.getModule() + ")");
    }

    private static void vectors(Path dir) throws IOException {
        Path corpus = dir.resolve("corpus.txt");
        Random random = new Random(1);
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            lines.add(sentence(random, i % 2 == 0 ? ROYAL : FRUIT, 8));
        }
        Files.write(corpus, lines);
        Word2VecOptions options = Word2VecOptions.defaults()
                .withDim(16)
                .withEpochs(5)
                .withMinCount(1)
                .withSample(0)
                .withNegTableSize(100_000)
                .withThreads(1)
                .withSeed(7);
        Path saved = dir.resolve("vectors.e4jv");
        float[] king;
        try (Word2VecResult result = new Word2VecTrainer(options).train(corpus)) {
            WordVectors v = result.vectors();
            check(v.size() == ROYAL.length + FRUIT.length, "vocabulary of " + v.size() + " words");
            List<Neighbor> near = v.nearest("king", 3);
            System.out.println("consumer: nearest(king) " + near);
            check(List.of(ROYAL).contains(near.get(0).word()), "the nearest word of king is royal: " + near);
            king = v.vector("king");
            result.save(saved, VectorsFormat.NATIVE);
        }
        WordVectors loaded = WordVectors.load(saved);
        try (loaded) {
            check(java.util.Arrays.equals(king, loaded.vector("king")), "the saved vector of king");
            check(loaded.findVector("KING").isPresent(), "KING is found as king (the case policy)");
            check(loaded.findVector("zebra").isEmpty(), "zebra has no vector");
            List<Neighbor> similar = loaded.mostSimilar(List.of("apple", "juice"), List.of("king"), 2);
            System.out.println("consumer: mostSimilar(+apple +juice -king) " + similar);
            check(List.of(FRUIT).contains(similar.get(0).word()), "apple + juice - king is fruit: " + similar);
        }
        checkClosed(() -> loaded.vector("king"), "vectors");
    }

    private static void classifier(Path dir) throws IOException {
        Random random = new Random(2);
        List<LabeledText> examples = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            boolean royal = i % 2 == 0;
            examples.add(LabeledText.of(royal ? "royal" : "fruit", sentence(random, royal ? ROYAL : FRUIT, 6)));
        }
        ClassifierOptions options =
                ClassifierOptions.DEFAULTS.withDim(16).withEpoch(10).withLr(0.5f).withSeed(3);
        Path saved = dir.resolve("topics.e4jc");
        try (TextClassifier trained = new FastTextTrainer(options).train(examples)) {
            trained.save(saved);
        }
        Classifier loaded = Classifier.load(saved);
        try (loaded) {
            List<Prediction> top = loaded.predict("the queen in her palace", 1);
            System.out.println("consumer: predict(the queen in her palace) " + top);
            check(top.get(0).label().equals("royal"), "a royal text is royal: " + top);
            check(loaded.predict("banana juice", 1).get(0).label().equals("fruit"), "a fruit text is fruit");
        }
        checkClosed(() -> loaded.predict("king", 1), "classifier");
    }

    private static String sentence(Random random, String[] topic, int words) {
        StringBuilder sb = new StringBuilder();
        for (int w = 0; w < words; w++) {
            sb.append(w == 0 ? "" : " ").append(topic[random.nextInt(topic.length)]);
        }
        return sb.toString();
    }

    private static void checkClosed(Runnable call, String what) {
        try {
            call.run();
        } catch (IllegalStateException e) {
            return;
        }
        fail("a closed " + what + " answered a call");
    }

    private static void check(boolean ok, String what) {
        if (!ok) {
            fail("check failed: " + what);
        }
    }

    private static void fail(String message) {
        System.err.println("consumer: " + message);
        System.exit(1);
    }
}
