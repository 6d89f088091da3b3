package org.embed4j.classify;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Test-set metrics of a classifier, as fastText's {@code test} and scikit-learn's classification report
 * compute them:
 * <ul>
 * <li>accuracy: the top-1 label is one of the example's gold labels;</li>
 * <li>per class c (by each example's first gold label and the top-1 prediction): precision = TP/(TP+FP),
 *     recall = TP/(TP+FN), F1 = 2PR/(P+R), 0 when undefined (scikit-learn's zero_division=0);
 *     macro-F1 = mean F1 over the classes that occur as gold or prediction;</li>
 * <li>confusion[gold][predicted] counts over {@link #labels()};</li>
 * <li>P@k = (gold labels among the top k) / (k·N), R@k = (gold labels among the top k) / (gold labels), fastText's
 *     definitions with threshold 0 (k capped at the number of classes).</li>
 * </ul>
 * Labels are the model's labels followed by any gold label the model never saw (always wrong). Immutable.
 */
public record ClassifierMetrics(
        List<String> labels,
        long[][] confusion,
        long examples,
        long correctTop1,
        int k,
        long goldInTopK,
        long predictedAtK,
        long goldLabels) {

    /** Scores {@code classifier} on {@code test}, taking its top {@code k} predictions for P@k/R@k. */
    public static ClassifierMetrics evaluate(Classifier classifier, List<LabeledText> test, int k) {
        List<List<String>> gold = new ArrayList<>(test.size());
        List<List<String>> ranked = new ArrayList<>(test.size());
        int kk = Math.min(k, classifier.labels().size());
        for (LabeledText e : test) {
            gold.add(e.labels());
            List<String> top = new ArrayList<>(kk);
            classifier.predict(e.text(), kk).forEach(p -> top.add(p.label()));
            ranked.add(top);
        }
        return of(classifier.labels(), gold, ranked, kk);
    }

    /**
     * Metrics from gold label lists and ranked predictions (most probable first, at least one each).
     * {@code modelLabels} fixes the order of the confusion matrix.
     */
    public static ClassifierMetrics of(
            List<String> modelLabels, List<List<String>> gold, List<List<String>> ranked, int k) {
        if (gold.size() != ranked.size()) {
            throw new IllegalArgumentException(gold.size() + " gold label lists but " + ranked.size() + " predictions");
        }
        if (k < 1) {
            throw new IllegalArgumentException("k must be >= 1, got " + k);
        }
        Map<String, Integer> ids = new LinkedHashMap<>();
        modelLabels.forEach(l -> ids.putIfAbsent(l, ids.size()));
        gold.forEach(g -> g.forEach(l -> ids.putIfAbsent(l, ids.size())));
        ranked.forEach(r -> r.forEach(l -> ids.putIfAbsent(l, ids.size())));
        int n = ids.size();
        long[][] confusion = new long[n][n];
        long correct = 0;
        long inTopK = 0;
        long predicted = 0;
        long goldCount = 0;
        for (int i = 0; i < gold.size(); i++) {
            List<String> g = gold.get(i);
            List<String> r = ranked.get(i);
            if (g.isEmpty() || r.isEmpty()) {
                throw new IllegalArgumentException(
                        "example " + i + " has no " + (g.isEmpty() ? "gold label" : "prediction"));
            }
            Set<String> goldSet = Set.copyOf(g);
            if (goldSet.contains(r.get(0))) {
                correct++;
            }
            confusion[ids.get(g.get(0))][ids.get(r.get(0))]++;
            int upTo = Math.min(k, r.size());
            for (int j = 0; j < upTo; j++) {
                if (goldSet.contains(r.get(j))) {
                    inTopK++;
                }
            }
            predicted += k;
            goldCount += goldSet.size();
        }
        return new ClassifierMetrics(
                List.copyOf(ids.keySet()), confusion, gold.size(), correct, k, inTopK, predicted, goldCount);
    }

    public double accuracy() {
        return examples == 0 ? 0 : (double) correctTop1 / examples;
    }

    public double precisionAtK() {
        return predictedAtK == 0 ? 0 : (double) goldInTopK / predictedAtK;
    }

    public double recallAtK() {
        return goldLabels == 0 ? 0 : (double) goldInTopK / goldLabels;
    }

    /** Examples whose first gold label is class c. */
    public long support(int c) {
        long s = 0;
        for (long v : confusion[c]) {
            s += v;
        }
        return s;
    }

    private long predictedAs(int c) {
        long s = 0;
        for (long[] row : confusion) {
            s += row[c];
        }
        return s;
    }

    public double precision(int c) {
        long p = predictedAs(c);
        return p == 0 ? 0 : (double) confusion[c][c] / p;
    }

    public double recall(int c) {
        long s = support(c);
        return s == 0 ? 0 : (double) confusion[c][c] / s;
    }

    public double f1(int c) {
        double p = precision(c);
        double r = recall(c);
        return p + r == 0 ? 0 : 2 * p * r / (p + r);
    }

    /** Mean F1 over the classes that occur as a gold label or a prediction. */
    public double macroF1() {
        double sum = 0;
        int classes = 0;
        for (int c = 0; c < labels.size(); c++) {
            if (support(c) > 0 || predictedAs(c) > 0) {
                sum += f1(c);
                classes++;
            }
        }
        return classes == 0 ? 0 : sum / classes;
    }
}
