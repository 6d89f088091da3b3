package org.embed4j.classify;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Seeded, stratified splits for sets without an official one: k-fold cross-validation and a fixed
 * 90/10 hold-out. Stratified by the first label: each class is shuffled (seeded) and dealt round-robin
 * over the folds, so every fold keeps the class proportions. Same seed, same folds.
 */
public final class Splits {
    /** One train/test split. */
    public record Fold(List<LabeledText> train, List<LabeledText> test) {}

    private Splits() {}

    /** k stratified folds; fold i tests on the i-th part and trains on the rest. */
    public static List<Fold> stratifiedKFold(List<LabeledText> examples, int k, long seed) {
        if (k < 2) {
            throw new IllegalArgumentException("k must be >= 2, got " + k);
        }
        if (examples.size() < k) {
            throw new IllegalArgumentException(examples.size() + " examples cannot make " + k + " folds");
        }
        int[] foldOf = assignFolds(examples, k, seed);
        List<Fold> folds = new ArrayList<>(k);
        for (int f = 0; f < k; f++) {
            List<LabeledText> train = new ArrayList<>();
            List<LabeledText> test = new ArrayList<>();
            for (int i = 0; i < examples.size(); i++) {
                (foldOf[i] == f ? test : train).add(examples.get(i));
            }
            folds.add(new Fold(train, test));
        }
        return folds;
    }

    /** The fixed quick split: one stratified tenth held out for testing. */
    public static Fold holdout90(List<LabeledText> examples, long seed) {
        return stratifiedKFold(examples, 10, seed).get(0);
    }

    private static int[] assignFolds(List<LabeledText> examples, int k, long seed) {
        Map<String, List<Integer>> byClass = new LinkedHashMap<>();
        for (int i = 0; i < examples.size(); i++) {
            byClass.computeIfAbsent(examples.get(i).label(), c -> new ArrayList<>())
                    .add(i);
        }
        Random rng = new Random(seed);
        int[] foldOf = new int[examples.size()];
        int next = 0;
        for (List<Integer> members : byClass.values()) {
            java.util.Collections.shuffle(members, rng);
            for (int idx : members) {
                foldOf[idx] = next;
                next = (next + 1) % k;
            }
        }
        return foldOf;
    }
}
