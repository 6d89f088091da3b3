package org.embed4j.classify.mlp;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.embed4j.classify.Classifier;
import org.embed4j.classify.Explanation;
import org.embed4j.classify.Prediction;
import org.embed4j.internal.scope.ModelScope;
import org.embed4j.text.Tokenizer;

/**
 * A trained {@link TextMlp} for inference, in plain Java over its float weights:
 * {@code p = softmax(W2·relu(W1·mean_j E[t_j] + b1) + b2)} over the text's terms t (lower-cased words and word
 * n-grams up to {@code wordNgrams}; terms outside the vocabulary are dropped; no known term: the mean is zero).
 * Dropout is the identity at inference. Sums are accumulated in float in a fixed order, so the same weights give
 * bit-identical probabilities on every machine and every run; they agree with {@link TextMlp}'s backend forward
 * up to float rounding only.
 *
 * <p>Immutable and thread-safe: the weights are never written after construction and every call allocates its
 * own scratch, so one instance serves any number of threads. The weights live on the Java heap: {@link #close()}
 * frees nothing itself, it refuses every later call (with {@link IllegalStateException}) like the other kinds.
 */
public final class MlpClassifier implements Classifier {
    private static final Tokenizer TOKENIZER = new Tokenizer(true);

    private final ModelScope scope;
    private final MlpConfig config;
    private final List<String> words;
    private final Map<String, Integer> ids;
    private final List<String> labels;
    private final float[] embedding; // (V,D)
    private final float[] hiddenWeight; // (H,D)
    private final float[] hiddenBias; // (H)
    private final float[] outputWeight; // (K,H)
    private final float[] outputBias; // (K)

    /** Takes ownership of the arrays; sizes must match the vocabulary, the labels and {@code config}. */
    MlpClassifier(
            MlpConfig config,
            List<String> words,
            List<String> labels,
            float[] embedding,
            float[] hiddenWeight,
            float[] hiddenBias,
            float[] outputWeight,
            float[] outputBias) {
        this.config = Objects.requireNonNull(config, "config");
        this.scope = ModelScope.onHeap("MlpClassifier(" + labels.size() + " labels, dim " + config.dim() + ")");
        this.words = List.copyOf(words);
        this.labels = List.copyOf(labels);
        if (labels.isEmpty()) {
            throw new IllegalArgumentException("an MLP classifier needs at least one label");
        }
        int v = words.size();
        int d = config.dim();
        int h = config.hidden();
        int k = labels.size();
        checkSize("embedding", embedding, (long) v * d);
        checkSize("hidden weight", hiddenWeight, (long) h * d);
        checkSize("hidden bias", hiddenBias, h);
        checkSize("output weight", outputWeight, (long) k * h);
        checkSize("output bias", outputBias, k);
        this.ids = new HashMap<>(v * 2);
        for (int i = 0; i < v; i++) {
            if (ids.putIfAbsent(words.get(i), i) != null) {
                throw new IllegalArgumentException("vocabulary term '" + words.get(i) + "' appears twice");
            }
        }
        if (new HashSet<>(labels).size() != k) {
            throw new IllegalArgumentException("labels must be distinct, got " + labels);
        }
        this.embedding = embedding;
        this.hiddenWeight = hiddenWeight;
        this.hiddenBias = hiddenBias;
        this.outputWeight = outputWeight;
        this.outputBias = outputBias;
    }

    private static void checkSize(String what, float[] data, long expected) {
        if (data.length != expected) {
            throw new IllegalArgumentException(what + " has " + data.length + " floats, expected " + expected);
        }
    }

    /** The hyper-parameters the model was trained with (dim, hidden and wordNgrams shape inference). */
    public MlpConfig config() {
        scope.checkOpen();
        return config;
    }

    /** The vocabulary: words and word n-grams, in row order of the embedding. */
    public List<String> words() {
        scope.checkOpen();
        return words;
    }

    @Override
    public List<String> labels() {
        scope.checkOpen();
        return labels;
    }

    @Override
    public int vocabularySize() {
        scope.checkOpen();
        return words.size();
    }

    @Override
    public int dim() {
        scope.checkOpen();
        return config.dim();
    }

    float[] embedding() {
        return embedding;
    }

    float[] hiddenWeight() {
        return hiddenWeight;
    }

    float[] hiddenBias() {
        return hiddenBias;
    }

    float[] outputWeight() {
        return outputWeight;
    }

    float[] outputBias() {
        return outputBias;
    }

    /** Softmax probabilities over {@link #labels()}; they sum to 1. */
    @Override
    public float[] probabilities(String text) {
        Objects.requireNonNull(text, "text");
        scope.checkOpen(); // heap weights: a call in flight during close finishes on them
        int d = config.dim();
        int h = config.hidden();
        int k = labels.size();
        float[] mean = new float[d];
        int n = 0;
        for (String t : terms(text, config.wordNgrams())) {
            Integer row = ids.get(t);
            if (row != null) {
                int base = row * d;
                for (int j = 0; j < d; j++) {
                    mean[j] += embedding[base + j];
                }
                n++;
            }
        }
        if (n > 0) {
            float inv = 1f / n;
            for (int j = 0; j < d; j++) {
                mean[j] *= inv;
            }
        }
        float[] hidden = new float[h];
        for (int i = 0; i < h; i++) {
            hidden[i] = Math.max(0f, hiddenBias[i] + dot(hiddenWeight, i * d, mean, d));
        }
        double[] logits = new double[k];
        double max = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < k; c++) {
            logits[c] = outputBias[c] + dot(outputWeight, c * h, hidden, h);
            max = Math.max(max, logits[c]);
        }
        double sum = 0;
        for (int c = 0; c < k; c++) {
            logits[c] = StrictMath.exp(logits[c] - max); // StrictMath: the same bits on every JVM and CPU
            sum += logits[c];
        }
        float[] probs = new float[k];
        for (int c = 0; c < k; c++) {
            probs[c] = (float) (logits[c] / sum);
        }
        return probs;
    }

    /**
     * The k most probable labels with each term's gradient × input share of the label's logit. With h the mean of
     * the n known terms' embeddings and A the hidden units that the text switches on (W1·h + b1 &gt; 0), the logit is
     * linear in h around this text: {@code logit_c = g_c · h + b2_c + Σ_{i∈A} W2[c,i]·b1[i]} with
     * {@code g_c = Σ_{i∈A} W2[c,i]·W1[i]}. A term occurrence's share is {@code g_c · E[t] / n} (its gradient times
     * its embedding); the rest is the bias. Computed in double, so the logit can differ from the float forward of
     * {@link #probabilities} in the last float bits.
     */
    @Override
    public List<Explanation> explain(String text, int k) {
        Objects.requireNonNull(text, "text");
        List<Prediction> top = predict(text, k);
        int d = config.dim();
        int h = config.hidden();
        List<String> known = new ArrayList<>();
        List<Integer> rows = new ArrayList<>();
        for (String t : terms(text, config.wordNgrams())) {
            Integer row = ids.get(t);
            if (row != null) {
                known.add(t);
                rows.add(row);
            }
        }
        int n = rows.size();
        double[] mean = new double[d];
        for (int row : rows) {
            for (int j = 0; j < d; j++) {
                mean[j] += embedding[row * d + j] / (double) n;
            }
        }
        boolean[] active = new boolean[h];
        double[] hidden = new double[h];
        for (int i = 0; i < h; i++) {
            double pre = hiddenBias[i];
            for (int j = 0; j < d; j++) {
                pre += (double) hiddenWeight[i * d + j] * mean[j];
            }
            active[i] = pre > 0;
            hidden[i] = Math.max(0, pre);
        }
        List<Explanation> out = new ArrayList<>(top.size());
        for (Prediction p : top) {
            int c = labels.indexOf(p.label());
            double[] g = new double[d];
            double bias = outputBias[c];
            for (int i = 0; i < h; i++) {
                if (active[i]) {
                    double w2 = outputWeight[c * h + i];
                    bias += w2 * hiddenBias[i];
                    for (int j = 0; j < d; j++) {
                        g[j] += w2 * hiddenWeight[i * d + j];
                    }
                }
            }
            double logit = outputBias[c]; // the forward pass, in double
            for (int i = 0; i < h; i++) {
                logit += outputWeight[c * h + i] * hidden[i];
            }
            double[] shares = new double[n];
            for (int t = 0; t < n; t++) {
                double share = 0;
                for (int j = 0; j < d; j++) {
                    share += g[j] * embedding[rows.get(t) * d + j];
                }
                shares[t] = share / n;
            }
            out.add(Explanation.of(p.label(), p.probability(), logit, bias, known, shares));
        }
        return out;
    }

    private static float dot(float[] matrix, int offset, float[] x, int n) {
        float s = 0f;
        for (int j = 0; j < n; j++) {
            s += matrix[offset + j] * x[j];
        }
        return s;
    }

    /** Writes the model as one versioned safetensors file (temporary name, then rename); see {@link MlpFile}. */
    public void save(Path path) throws IOException {
        scope.checkOpen();
        MlpFile.write(this, path);
    }

    /** Refuses every later call; see {@link Classifier#close()}. */
    @Override
    public void close() {
        scope.close();
    }

    /** Reads a model written by {@link #save}; a newer format version, a truncated or foreign file is refused. */
    public static MlpClassifier load(Path path) throws IOException {
        return MlpFile.read(path);
    }

    /**
     * The terms of a text: its lower-cased words, then (wordNgrams >= 2) every word n-gram up to that length joined
     * by single spaces (fastText's -wordNgrams, but each n-gram with its own vocabulary row instead of a hash).
     */
    static List<String> terms(String text, int wordNgrams) {
        List<String> words = TOKENIZER.tokenize(text);
        List<String> out = new ArrayList<>(words);
        // no n-gram is longer than the text; bounding n by it also keeps n++ from overflowing (the value comes
        // from model files too)
        int longest = Math.min(wordNgrams, words.size());
        for (int n = 2; n <= longest; n++) {
            for (int i = 0; i + n <= words.size(); i++) {
                out.add(String.join(" ", words.subList(i, i + n)));
            }
        }
        return out;
    }

    @Override
    public String toString() {
        return "MlpClassifier(vocabulary " + words.size() + ", dim " + config.dim() + ", hidden " + config.hidden()
                + ", labels " + labels + ")";
    }
}
