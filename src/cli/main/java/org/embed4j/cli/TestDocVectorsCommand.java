package org.embed4j.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ForkJoinPool;
import java.util.stream.IntStream;
import org.embed4j.classify.LabeledText;
import org.embed4j.classify.Splits;
import org.embed4j.docvec.DocVectorModel;
import org.embed4j.text.Tokenizer;
import org.embed4j.vectors.Neighbor;
import org.embed4j.vectors.WordVectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code embed4j test-docvectors --model <prefix>.docvec.safetensors --train <file|set> [--test <file>]}: how well
 * document vectors predict labels, the way Le &amp; Mikolov score them: each labeled document gets its vector (the
 * trained one when the document was in the training corpus, matched by its tokens, else an inferred one;
 * {@code --infer} infers every vector), then a logistic regression fitted on the training split is scored on the
 * test split, and so is a k-nearest-neighbour vote (cosine). The mean of the model's word vectors over each document
 * is scored the same way, as a baseline. Examples come as for {@code train-classifier} (a fastText-format file or a
 * bundled set name with its official split, e.g. imdb, sst2).
 */
@Command(
        name = "test-docvectors",
        mixinStandardHelpOptions = true,
        description = "Score document vectors on a labeled set: logistic regression and k-NN accuracy.")
final class TestDocVectorsCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "the .docvec.safetensors file of train-docvectors")
    Path model;

    @Option(names = "--train", required = true, description = "training examples: a file or a dataset name")
    String train;

    @Option(names = "--test", description = "test examples (default: the training set's test split)")
    String test;

    @Option(names = "--data", description = "shared data folder holding classify/ (default ../shared/data)")
    Path data;

    @Option(names = "--infer", description = "infer every vector, also for documents seen in training")
    boolean inferAll;

    @Option(names = "--knn", defaultValue = "10", description = "neighbours that vote (default ${DEFAULT-VALUE})")
    int knn;

    @Option(
            names = "--threads",
            description = "threads inferring vectors (default: all cores); results do not depend on it")
    Integer threads;

    @Option(names = "--seed", defaultValue = "1", description = "seed of splits and of the regression's shuffling")
    long seed;

    @Override
    public Integer call() {
        return VectorsCommands.run("test-docvectors", () -> {
            if (knn < 1) {
                throw new IllegalArgumentException("--knn must be >= 1, got " + knn);
            }
            DocVectorModel m = DocVectorModel.load(model);
            Splits.Fold fold = ClassifyInputs.split(train, data, seed);
            List<LabeledText> testSet = test != null ? ClassifyInputs.test(test, data, seed) : fold.test();
            if (fold.train().isEmpty() || testSet.isEmpty()) {
                throw new IllegalArgumentException("need training and test examples: got "
                        + fold.train().size() + " and " + testSet.size() + " (give --test for a single file)");
            }
            Map<String, Integer> labels = new HashMap<>();
            int[] yTrain = labelIds(fold.train(), labels, true);
            int[] yTest = labelIds(testSet, labels, false);
            int[] found = {0};
            long start = System.nanoTime();
            float[][] xTrain = vectors(m, fold.train(), found);
            float[][] xTest = vectors(m, testSet, found);
            int total = xTrain.length + xTest.length;
            System.out.printf(
                    Locale.ROOT,
                    "vectors of %d documents: %d trained, %d inferred (%.1f s); %d classes, train %d, test %d%n",
                    total,
                    found[0],
                    total - found[0],
                    (System.nanoTime() - start) / 1e9,
                    labels.size(),
                    xTrain.length,
                    xTest.length);
            report("doc vectors", xTrain, yTrain, xTest, yTest, labels.size());
            Tokenizer tok = new Tokenizer(m.options().training().lowercase());
            report(
                    "mean of word vectors",
                    meanOfWords(m.wordVectors(), fold.train(), tok),
                    yTrain,
                    meanOfWords(m.wordVectors(), testSet, tok),
                    yTest,
                    labels.size());
            return 0;
        });
    }

    private void report(String what, float[][] xTrain, int[] yTrain, float[][] xTest, int[] yTest, int classes) {
        double lr = LinearProbe.fit(xTrain, yTrain, classes, seed).accuracy(xTest, yTest);
        double nn = knnAccuracy(xTrain, yTrain, xTest, yTest, classes);
        System.out.printf(
                Locale.ROOT,
                "%s: logistic regression accuracy %.2f%%, %d-NN accuracy %.2f%%%n",
                what,
                100 * lr,
                knn,
                100 * nn);
    }

    private static int[] labelIds(List<LabeledText> examples, Map<String, Integer> ids, boolean add) {
        int[] y = new int[examples.size()];
        for (int i = 0; i < y.length; i++) {
            String label = examples.get(i).labels().getFirst();
            Integer id = ids.get(label);
            if (id == null) {
                if (!add) {
                    throw new IllegalArgumentException("test label '" + label + "' is not in the training examples");
                }
                id = ids.size();
                ids.put(label, id);
            }
            y[i] = id;
        }
        return y;
    }

    /** Each example's vector: the trained one when its text was a training document (unless --infer), else inferred. */
    private float[][] vectors(DocVectorModel m, List<LabeledText> examples, int[] found) throws Exception {
        float[][] x = new float[examples.size()][];
        int[] looked = new int[examples.size()];
        ForkJoinPool pool =
                new ForkJoinPool(threads == null ? Runtime.getRuntime().availableProcessors() : threads);
        try {
            pool.submit(() -> IntStream.range(0, x.length).parallel().forEach(i -> {
                        String text = examples.get(i).text();
                        int doc = inferAll ? -1 : m.documentOf(text);
                        x[i] = doc >= 0 ? m.documentVectors().vector(doc) : m.infer(text);
                        looked[i] = doc >= 0 ? 1 : 0;
                    }))
                    .get();
        } finally {
            pool.shutdown();
        }
        for (int f : looked) {
            found[0] += f;
        }
        return x;
    }

    private static float[][] meanOfWords(WordVectors words, List<LabeledText> examples, Tokenizer tok) {
        float[][] x = new float[examples.size()][words.dim()];
        for (int i = 0; i < x.length; i++) {
            int n = 0;
            for (String w : tok.tokenize(examples.get(i).text())) {
                int id = words.indexOf(w);
                if (id >= 0) {
                    float[] v = words.vector(id);
                    for (int j = 0; j < v.length; j++) {
                        x[i][j] += v[j];
                    }
                    n++;
                }
            }
            for (int j = 0; n > 0 && j < x[i].length; j++) {
                x[i][j] /= n;
            }
        }
        return x;
    }

    /** Cosine k-NN over the training vectors: the label with the largest summed similarity among the k nearest. */
    private double knnAccuracy(float[][] xTrain, int[] yTrain, float[][] xTest, int[] yTest, int classes) {
        int d = xTrain[0].length;
        List<String> keys = new ArrayList<>(xTrain.length);
        float[] flat = new float[xTrain.length * d];
        for (int i = 0; i < xTrain.length; i++) {
            keys.add(Integer.toString(i));
            System.arraycopy(xTrain[i], 0, flat, i * d, d);
        }
        WordVectors index = WordVectors.of(keys, flat, d);
        int ok = 0;
        int batch = 1024;
        for (int b = 0; b < xTest.length; b += batch) {
            int n = Math.min(batch, xTest.length - b);
            float[] q = new float[n * d];
            boolean[] zero = new boolean[n];
            for (int i = 0; i < n; i++) {
                System.arraycopy(xTest[b + i], 0, q, i * d, d);
                double s = 0;
                for (float f : xTest[b + i]) {
                    s += f * f;
                }
                zero[i] = s == 0;
                if (zero[i]) {
                    q[i * d] = 1e-30f; // a zero vector has no cosine: searched as a tiny one, counted as wrong
                }
            }
            List<List<Neighbor>> nn = index.nearest(q, n, knn);
            for (int i = 0; i < n; i++) {
                double[] votes = new double[classes];
                for (Neighbor x : nn.get(i)) {
                    votes[yTrain[Integer.parseInt(x.word())]] += 1 + x.score();
                }
                int best = 0;
                for (int c = 1; c < classes; c++) {
                    if (votes[c] > votes[best]) {
                        best = c;
                    }
                }
                ok += best == yTest[b + i] && !zero[i] ? 1 : 0;
            }
        }
        return ok / (double) xTest.length;
    }
}
