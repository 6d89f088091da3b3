package org.embed4j.serve;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.embed4j.classify.ClassifierOptions;
import org.embed4j.classify.FastTextTrainer;
import org.embed4j.classify.LabeledText;
import org.embed4j.classify.TextClassifier;
import org.embed4j.testing.RandomVectors;
import org.embed4j.vectors.WordVectors;

/** Small seeded models for the serve tests: random word vectors and a two-label classifier. */
final class ServeFixtures {
    static final int DIM = 8;

    private ServeFixtures() {}

    static List<String> words(int v) {
        List<String> words = new ArrayList<>(List.of("king", "queen", "man", "woman", "Paris", "café"));
        for (int i = words.size(); i < v; i++) {
            words.add("w" + i);
        }
        return words;
    }

    static WordVectors vectors(int v) {
        return WordVectors.of(words(v), RandomVectors.gaussian(7, v * DIM), DIM);
    }

    /** "good"-ish texts are pos, "bad"-ish texts neg; trained single-threaded and seeded, so reproducible. */
    static TextClassifier classifier() {
        String[] pos = {"good", "great", "fine", "lovely", "excellent"};
        String[] neg = {"bad", "awful", "poor", "terrible", "boring"};
        SplittableRandom r = new SplittableRandom(3);
        List<LabeledText> train = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            boolean p = i % 2 == 0;
            String[] src = p ? pos : neg;
            String text = src[r.nextInt(src.length)] + " movie " + src[r.nextInt(src.length)] + " plot";
            train.add(LabeledText.of(p ? "pos" : "neg", text));
        }
        ClassifierOptions o = ClassifierOptions.DEFAULTS
                .withDim(16)
                .withEpoch(5)
                .withThreads(1)
                .withSeed(11);
        return new FastTextTrainer(o).train(train);
    }
}
