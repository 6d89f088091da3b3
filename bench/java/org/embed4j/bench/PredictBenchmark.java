package org.embed4j.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.embed4j.classify.ClassifierOptions;
import org.embed4j.classify.FastTextTrainer;
import org.embed4j.classify.LabeledText;
import org.embed4j.classify.Prediction;
import org.embed4j.classify.TextClassifier;
import org.embed4j.deploy.TextEmbedder;
import org.embed4j.vectors.WordVectors;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * In-process serving latency, one call at a time on one thread (JMH SampleTime: every call is timed, so the
 * p50/p99 of the distribution come out, not just the mean):
 * <ul>
 *   <li>{@code predict}: {@link TextClassifier#predict}(text, 1) on a 20-word text — tokenising, looking up the
 *       word and hashed bigram rows, the mean, the linear layer and the softmax. The classifier is fastText's
 *       supervised setup (dim 100, wordNgrams 2, bucket {@code -Dpredict.bucket}, default fastText's 2,000,000,
 *       i.e. an 800 MB input matrix, so row reads miss the cache as they would in a service), trained in setup on
 *       synthetic Zipf-distributed text with 4 labels and a 20k-word vocabulary (the latency depends on the
 *       shapes, not on what the model learnt); {@code -Dpredict.model=<file.e4jc>} benchmarks a saved model.</li>
 *   <li>{@code embed}: {@link TextEmbedder#embed} of the same text into a reused buffer, on 100k×100 random
 *       vectors.</li>
 * </ul>
 * The target is predict p99 ≤ 50 µs. Setup checks each operation against a plain reference before
 * anything is timed: the predicted label is the argmax of {@link TextClassifier#probabilities}, the embedding the
 * mean of the words' rows.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(
        value = 1,
        jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Xmx3g"})
public class PredictBenchmark {
    static final int VOCAB = 20_000;
    static final int WORDS = 20;

    private TextClassifier classifier;
    private TextEmbedder embedder;
    private String text;
    private float[] out;

    @Setup(Level.Trial)
    public void setup() throws IOException {
        SplittableRandom r = new SplittableRandom(7);
        String model = System.getProperty("predict.model");
        classifier = model != null ? TextClassifier.load(Path.of(model)) : train(r);
        text = sentence(r, WORDS);
        checkPredict(classifier, text);

        int dim = 100;
        int v = 100_000;
        List<String> words = new ArrayList<>(v);
        float[] x = new float[v * dim];
        for (int i = 0; i < v; i++) {
            words.add("t" + i);
        }
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (r.nextDouble() * 2 - 1);
        }
        WordVectors vectors = WordVectors.of(words, x, dim);
        embedder = new TextEmbedder(vectors);
        out = new float[dim];
        int n = embedder.embed(text, out, 0);
        double[] ref = new double[dim];
        String[] tokens = text.split(" ");
        for (String t : tokens) {
            float[] row = vectors.vector(t);
            for (int d = 0; d < dim; d++) {
                ref[d] += row[d];
            }
        }
        for (int d = 0; d < dim; d++) {
            if (n != tokens.length || Math.abs(ref[d] / tokens.length - out[d]) > 1e-5) {
                throw new IllegalStateException("embed disagrees with the reference mean at " + d);
            }
        }
    }

    /** Throws unless {@code predict(text, 1)} is the argmax of {@code probabilities(text)}: checked before timing. */
    static void checkPredict(TextClassifier classifier, String text) {
        List<Prediction> p = classifier.predict(text, 1);
        float[] probs = classifier.probabilities(text);
        int best = 0;
        for (int c = 1; c < probs.length; c++) {
            best = probs[c] > probs[best] ? c : best;
        }
        if (!p.get(0).label().equals(classifier.labels().get(best))) {
            throw new IllegalStateException("predict disagrees with the argmax of probabilities: " + p);
        }
    }

    private static TextClassifier train(SplittableRandom r) {
        List<LabeledText> examples = new ArrayList<>();
        for (int i = 0; i < 4000; i++) {
            examples.add(LabeledText.of("__label__" + (i % 4), sentence(r, 5 + r.nextInt(30))));
        }
        int bucket = Integer.getInteger("predict.bucket", 2_000_000);
        ClassifierOptions o =
                ClassifierOptions.DEFAULTS.withWordNgrams(2).withBucket(bucket).withEpoch(2);
        return new FastTextTrainer(o).train(examples);
    }

    /** Words t0..t19999 drawn Zipf-like (rank ~ 1/u), as natural text's frequencies are. */
    private static String sentence(SplittableRandom r, int n) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            int rank = (int) Math.min(VOCAB - 1, Math.floor(1 / (1 - r.nextDouble() * 0.9999)) - 1 + r.nextInt(3));
            sb.append(i == 0 ? "" : " ").append('t').append(rank);
        }
        return sb.toString();
    }

    @Benchmark
    public List<Prediction> predict() {
        return classifier.predict(text, 1);
    }

    @Benchmark
    public int embed() {
        return embedder.embed(text, out, 0);
    }
}
