package org.embed4j.classify;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Fine-tuning a trained fastText-style classifier on new labelled data ({@link FastTextTrainer#initFrom}): the
 * dictionary is the old words in their old order (their rows keep their ids), then the new data's words of count
 * &ge; minCount that the model lacks, most frequent first; the labels are the old ones, then new ones, most frequent
 * first. Input rows of old words and of the n-gram buckets start from the model's (the buckets move down past the
 * added words), new words' rows as fastText starts them; output rows of old labels start from the model's, new
 * labels' rows at zero. The model's architecture (dim, n-grams, buckets, case, loss) carries over; hierarchical
 * softmax is refused (its tree would change with the labels), and so are quantized models. Stateless.
 */
final class FineTune {
    private FineTune() {}

    /** The options the fine-tuned model must have: the old architecture with the new run's training settings. */
    static ClassifierOptions options(TextClassifier init, ClassifierOptions run) {
        ClassifierOptions o = init.options();
        if (o.loss() == ClassifierLoss.HS) {
            throw new IllegalArgumentException("fine-tuning (--init) supports softmax, ns and ova models; this one uses"
                    + " hierarchical softmax, whose label tree would change");
        }
        if (init.precision().isPresent()) {
            throw new IllegalArgumentException("fine-tuning (--init) needs the float model, this one is "
                    + init.precision().get() + "; quantize after fine-tuning");
        }
        return new ClassifierOptions(
                o.dim(),
                run.lr(),
                run.epoch(),
                o.wordNgrams(),
                o.bucket(),
                run.minCount(),
                o.lowercase(),
                run.threads(),
                run.seed(),
                o.loss(),
                o.minn(),
                o.maxn(),
                o.neg());
    }

    /** Old words and labels first (ids kept), then the new ones; counts from the new data. */
    static Dictionary dictionary(TextClassifier init, List<LabeledText> train, ClassifierOptions o) {
        Dictionary old = init.dictionary();
        TextFeatures f = new TextFeatures(o.lowercase());
        Map<String, Long> wordCounts = new HashMap<>();
        Map<String, Long> labelCounts = new HashMap<>();
        for (LabeledText e : train) {
            for (String t : f.tokens(e.text())) {
                wordCounts.merge(t, 1L, Long::sum);
            }
            wordCounts.merge(Dictionary.EOS, 1L, Long::sum);
            for (String l : e.labels()) {
                labelCounts.merge(l, 1L, Long::sum);
            }
        }
        List<String> words = extend(old.words(), wordCounts, o.minCount());
        List<String> labels = extend(old.labels(), labelCounts, 1);
        long[] counts = new long[labels.size()];
        for (int i = 0; i < counts.length; i++) {
            counts[i] = labelCounts.getOrDefault(labels.get(i), 0L);
        }
        return new Dictionary(words, labels, counts, o.wordNgrams(), o.bucket(), o.lowercase(), o.minn(), o.maxn());
    }

    private static List<String> extend(List<String> old, Map<String, Long> counts, int minCount) {
        List<String> out = new ArrayList<>(old);
        Set<String> known = new HashSet<>(old);
        List<Map.Entry<String, Long>> added = new ArrayList<>();
        for (Map.Entry<String, Long> e : counts.entrySet()) {
            if (e.getValue() >= minCount && !known.contains(e.getKey())) {
                added.add(e);
            }
        }
        added.sort(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()));
        added.forEach(e -> out.add(e.getKey()));
        return out;
    }

    /** Copies the model's word rows and bucket rows into {@code input} (laid out for {@code dict}). */
    static void copyInput(TextClassifier init, Dictionary dict, float[] input) {
        Dictionary old = init.dictionary();
        int dim = init.dim();
        int oldWords = old.words().size();
        int newWords = dict.words().size();
        float[] row = new float[dim];
        double[] hidden = new double[dim];
        ClassifierMatrix.RowScratch scratch = new ClassifierMatrix.RowScratch(dim);
        for (int r = 0; r < old.inputRows(); r++) {
            readRow(init.input(), r, row, hidden, scratch);
            int to = r < oldWords ? r : newWords + (r - oldWords);
            System.arraycopy(row, 0, input, to * dim, dim);
        }
    }

    /** Copies the model's label rows into the first rows of {@code output}. */
    static void copyOutput(TextClassifier init, float[] output) {
        int dim = init.dim();
        float[] row = new float[dim];
        double[] hidden = new double[dim];
        ClassifierMatrix.RowScratch scratch = new ClassifierMatrix.RowScratch(dim);
        for (int c = 0; c < init.labels().size(); c++) {
            readRow(init.output(), c, row, hidden, scratch);
            System.arraycopy(row, 0, output, c * dim, dim);
        }
    }

    /** Row r of a float matrix (the mean of one row is the row; float to double and back is exact). */
    private static void readRow(
            ClassifierMatrix m, int r, float[] row, double[] hidden, ClassifierMatrix.RowScratch scratch) {
        m.meanRows(new int[] {r}, 1, hidden, scratch);
        for (int k = 0; k < row.length; k++) {
            row[k] = (float) hidden[k];
        }
    }
}
