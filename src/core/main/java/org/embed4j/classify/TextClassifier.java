package org.embed4j.classify;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.embed4j.deploy.Precision;
import org.embed4j.internal.scope.ModelScope;
import org.embed4j.io.Snippet;

/**
 * A trained fastText-style classifier: the mean of the text's input rows (words and hashed n-grams)
 * → linear layer → the loss's output: softmax, hierarchical softmax (product of sigmoids along the label's tree
 * path), or one sigmoid per label for one-vs-all and negative-sampling models ({@link ClassifierLoss}).
 * The matrices are float32 as trained, or int8/fp16 after {@link #quantize} (dequantized on the fly, row by row);
 * a model opened by {@link #load} reads them in place from the memory-mapped file ({@link MappedMatrix}) and
 * predicts bit for bit what the saved model did.
 *
 * <p>Hot path: {@link #probabilities(String, float[], int)} and the batch calls write into caller-provided buffers
 * and keep their scratch (row ids, hidden vector, scores, a row copied out of the mapping) per thread, so a call
 * allocates only what tokenising does (the lower-cased copy of the text when the model lower-cases, and the character
 * n-grams of an out-of-vocabulary token), never anything that grows with the vocabulary, the buckets or the batch. A thread's
 * first call allocates its scratch (a few dim- and K-sized arrays). The batch calls run the text-at-a-time loop,
 * not one GEMM of the batch's hidden vectors with the output matrix: on IMDB reviews (about 550 input rows each,
 * dim 100) the output layer took under 5% of the time of the mean for K = 2 to 50 labels, so a GEMM could save
 * little, and it would compute in float, so the batch results would no longer equal the single-text ones bit
 * for bit. (At about 0.1 µs per input row, a short text of 20 rows with K = 50 labels spends about as long in
 * each part; there a float GEMM would pay, at the price of that equality.)
 * Immutable after construction and safe to share across threads. {@link #close()} unmaps a loaded model's file at
 * once, after the calls in flight on other threads (see {@link Classifier#close()}).
 */
public final class TextClassifier implements Classifier {
    private final ModelScope scope;
    private final ClassifierOptions options;
    private final Dictionary dictionary;
    private final ClassifierMatrix input; // (inputRows, dim)
    private final ClassifierMatrix output; // (labels, dim); hs uses rows 0..labels-2 for the tree's inner nodes
    private final HuffmanTree tree; // hs only, else null
    private final ThreadLocal<Scratch> scratch;

    /** A model on the heap (what training produces). */
    TextClassifier(ClassifierOptions options, Dictionary dictionary, float[] input, float[] output) {
        this(
                ModelScope.onHeap(
                        "TextClassifier(" + dictionary.labels().size() + " labels, dim " + options.dim() + ")"),
                options,
                dictionary,
                new ClassifierMatrix.Floats(input, input.length / options.dim(), options.dim()),
                new ClassifierMatrix.Floats(output, output.length / options.dim(), options.dim()));
    }

    /** A model whose matrices' memory (a mapped file, when they are {@link MappedMatrix}) belongs to {@code scope}. */
    TextClassifier(
            ModelScope scope,
            ClassifierOptions options,
            Dictionary dictionary,
            ClassifierMatrix input,
            ClassifierMatrix output) {
        this.scope = Objects.requireNonNull(scope);
        this.options = Objects.requireNonNull(options);
        this.dictionary = Objects.requireNonNull(dictionary);
        int dim = options.dim();
        if (dictionary.labels().isEmpty()) {
            // every prediction would index a label that does not exist
            throw new IllegalArgumentException("a classifier needs at least one label");
        }
        if (input.rows() != dictionary.inputRows()
                || output.rows() != dictionary.labels().size()
                || input.dim() != dim
                || output.dim() != dim) {
            throw new IllegalArgumentException("matrix sizes do not match the dictionary: input " + input.rows() + " x "
                    + input.dim() + ", output " + output.rows() + " x " + output.dim() + ", rows "
                    + dictionary.inputRows() + ", labels " + dictionary.labels().size() + ", dim " + dim);
        }
        if (!input.precision().equals(output.precision())) {
            throw new IllegalArgumentException("input and output matrices are stored differently: " + input.precision()
                    + " vs " + output.precision());
        }
        this.input = input;
        this.output = output;
        this.tree = options.loss() == ClassifierLoss.HS ? new HuffmanTree(dictionary.labelCounts()) : null;
        int labels = dictionary.labels().size();
        int scores = tree != null ? labels - 1 : labels;
        // the initial value must not reach this model: a thread's map would keep it (and its mapping) alive
        this.scratch = ThreadLocal.withInitial(() -> new Scratch(dim, scores, labels));
    }

    @Override
    public int vocabularySize() {
        scope.checkOpen();
        return dictionary.words().size();
    }

    @Override
    public int dim() {
        scope.checkOpen();
        return options.dim();
    }

    /** The hyper-parameters the model was trained with. */
    public ClassifierOptions options() {
        scope.checkOpen();
        return options;
    }

    Dictionary dictionary() {
        return dictionary;
    }

    @Override
    public List<String> labels() {
        scope.checkOpen();
        return dictionary.labels();
    }

    ClassifierMatrix input() {
        return input;
    }

    ClassifierMatrix output() {
        return output;
    }

    /** Empty for a float32 model, else the precision its matrices are stored in. */
    public Optional<Precision> precision() {
        scope.checkOpen();
        return input.precision();
    }

    /** Bytes the input and output matrices take (in memory, and on disk apart from the vocabulary). */
    public long weightBytes() {
        scope.checkOpen();
        return input.storageBytes() + output.storageBytes();
    }

    /**
     * This model with both matrices quantized per row: int8 (4 bytes → 1 per weight, plus a float scale per row) or
     * fp16. Predictions dequantize on the fly; the top label agrees with the float model's on all but texts whose
     * two best scores nearly tie. A quantized model cannot be quantized again.
     */
    public TextClassifier quantize(Precision precision) {
        Objects.requireNonNull(precision, "precision");
        scope.enter();
        try {
            ClassifierMatrix in = input.quantize(precision);
            ClassifierMatrix out = output.quantize(precision);
            return new TextClassifier(
                    ModelScope.onHeap("TextClassifier(" + dictionary.labels().size() + " labels, dim " + options.dim()
                            + ", " + precision + ")"),
                    options,
                    dictionary,
                    in,
                    out);
        } finally {
            scope.exit();
        }
    }

    /** The most probable label. */
    public String predictLabel(String text) {
        return predict(text, 1).get(0).label();
    }

    /**
     * Probabilities over {@link #labels()}: softmax and hs (they sum to 1; softmax is uniform when the text has no
     * known token) or, for one-vs-all and ns models, each label's own sigmoid, not normalised, as fastText reports
     * them (0.5 each when the text has no known token).
     */
    @Override
    public float[] probabilities(String text) {
        float[] probs = new float[dictionary.labels().size()];
        probabilities(text, probs, 0);
        return probs;
    }

    /** {@link #probabilities(String)} into {@code out[offset .. offset + K)}, K = the number of labels. */
    @Override
    public void probabilities(String text, float[] out, int offset) {
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(out, "out");
        Objects.checkFromIndexSize(offset, dictionary.labels().size(), out.length);
        scope.enter();
        try {
            probabilities(text, out, offset, scratch.get());
        } finally {
            scope.exit();
        }
    }

    /**
     * The probabilities of text i into row i of {@code out} (at least N×K floats, row-major, K = the number of
     * labels), each exactly what {@link #probabilities(String)} returns for it.
     */
    public void probabilities(List<String> texts, float[] out) {
        Objects.requireNonNull(texts, "texts");
        Objects.requireNonNull(out, "out");
        int n = texts.size();
        int k = dictionary.labels().size();
        if ((long) n * k > out.length) {
            throw new IllegalArgumentException(
                    "out has " + out.length + " floats, " + n + " texts x " + k + " labels need " + (long) n * k);
        }
        Scratch s = scratch.get();
        scope.enter();
        try {
            for (int i = 0; i < n; i++) {
                probabilities(text(texts, i), out, i * k, s);
            }
        } finally {
            scope.exit();
        }
    }

    /**
     * The most probable label of each text: its id in {@link #labels()} into {@code labelIds[i]} and, when
     * {@code probs} is not null, its probability into {@code probs[i]} (the first label wins a tie, as in
     * {@link #predict}).
     */
    public void predictTop1(List<String> texts, int[] labelIds, float[] probs) {
        Objects.requireNonNull(texts, "texts");
        Objects.requireNonNull(labelIds, "labelIds");
        int n = texts.size();
        if (labelIds.length < n || (probs != null && probs.length < n)) {
            throw new IllegalArgumentException(n + " texts need " + n + " label ids and probabilities, got "
                    + labelIds.length + " and " + (probs == null ? "none" : probs.length));
        }
        Scratch s = scratch.get();
        float[] p = s.probs;
        scope.enter();
        try {
            for (int i = 0; i < n; i++) {
                probabilities(text(texts, i), p, 0, s);
                int best = 0;
                for (int c = 1; c < p.length; c++) {
                    if (p[c] > p[best]) {
                        best = c;
                    }
                }
                labelIds[i] = best;
                if (probs != null) {
                    probs[i] = p[best];
                }
            }
        } finally {
            scope.exit();
        }
    }

    private static String text(List<String> texts, int i) {
        String t = texts.get(i);
        if (t == null) {
            throw new NullPointerException("text " + i + " is null");
        }
        return t;
    }

    private void probabilities(String text, float[] out, int offset, Scratch s) {
        dictionary.inputRows(text, s.rows);
        input.meanRows(s.rows.ids, s.rows.count, s.hidden, s.row);
        output.dotRows(s.hidden, s.scores, s.row);
        for (double score : s.scores) {
            if (!Double.isFinite(score)) {
                throw nonFinite(s);
            }
        }
        switch (options.loss()) {
            case SOFTMAX -> Supervised.softmax(s.scores, out, offset);
            case HS -> tree.probabilities(s.scores, out, offset);
            case OVA, NS -> {
                for (int c = 0; c < s.scores.length; c++) {
                    out[offset + c] = (float) Supervised.sigmoid(s.scores[c]);
                }
            }
        }
    }

    /**
     * Finite weights always give finite scores (the sums are double), so a non-finite score means a damaged row of a
     * mapped file, which is not read row by row when it is opened: the error names the row the text used, its word
     * and where it is in the file. The other texts keep working.
     */
    private UncheckedIOException nonFinite(Scratch s) {
        String problem = null;
        if (input instanceof MappedMatrix m) {
            for (int i = 0; i < s.rows.count && problem == null; i++) {
                int r = s.rows.ids[i];
                problem = m.rowProblem(r);
                if (problem != null && r < dictionary.words().size()) {
                    problem += " (input row of the word '"
                            + Snippet.of(dictionary.words().get(r)) + "')";
                }
            }
        }
        if (output instanceof MappedMatrix m) {
            for (int r = 0; r < output.rows() && problem == null; r++) {
                problem = m.rowProblem(r);
                problem = problem == null
                        ? null
                        : problem + " (output row of the label '"
                                + Snippet.of(dictionary.labels().get(r)) + "')";
            }
        }
        String message = problem != null ? problem : this + " computed a non-finite score: its weights are damaged";
        return new UncheckedIOException(message, new IOException(message));
    }

    /**
     * The k most probable labels with each input row's share of the label's logit: {@code logit_c = output_c ·
     * mean_r input_r = Σ_r (output_c · input_r) / n}, so row r's share is {@code output_c · input_r / n} and the
     * shares add up to the logit (no bias). Terms name the rows ({@link Dictionary#inputTerms}). Softmax, one-vs-all
     * and negative-sampling models have one output row per label; a hierarchical-softmax model scores a label by
     * its tree path and is refused.
     */
    @Override
    public List<Explanation> explain(String text, int k) {
        Objects.requireNonNull(text, "text");
        if (options.loss() == ClassifierLoss.HS) {
            throw new UnsupportedOperationException("explain needs one output row per label; this model uses"
                    + " hierarchical softmax, whose label scores are products along a tree path");
        }
        List<Prediction> top = predict(text, k);
        Dictionary.Terms terms = dictionary.inputTerms(text);
        int n = terms.rows().length;
        int labels = dictionary.labels().size();
        Scratch s = new Scratch(options.dim(), labels, labels);
        double[][] perRow = new double[n][labels];
        for (int r = 0; r < n; r++) {
            input.meanRows(new int[] {terms.rows()[r]}, 1, s.hidden, s.row);
            output.dotRows(s.hidden, perRow[r], s.row);
        }
        input.meanRows(terms.rows(), n, s.hidden, s.row);
        output.dotRows(s.hidden, s.scores, s.row);
        List<Explanation> out = new java.util.ArrayList<>(top.size());
        for (Prediction p : top) {
            int c = dictionary.labelId(p.label());
            double[] shares = new double[n];
            for (int r = 0; r < n; r++) {
                shares[r] = perRow[r][c] / n;
            }
            out.add(Explanation.of(p.label(), p.probability(), s.scores[c], 0.0, terms.names(), shares));
        }
        return out;
    }

    /** One thread's buffers for prediction; holds nothing of the model. */
    private static final class Scratch {
        final Dictionary.TextRows rows = new Dictionary.TextRows();
        final double[] hidden;
        final double[] scores; // K, or K - 1 inner nodes for hs
        final ClassifierMatrix.RowScratch row;
        final float[] probs; // K, for the top-1 call

        Scratch(int dim, int scores, int labels) {
            this.hidden = new double[dim];
            this.scores = new double[scores];
            this.row = new ClassifierMatrix.RowScratch(dim);
            this.probs = new float[labels];
        }
    }

    /** Writes the model as one versioned file (temporary name, then rename). */
    public void save(Path path) throws IOException {
        scope.enter();
        try {
            ClassifierFile.write(this, path);
        } finally {
            scope.exit();
        }
    }

    /**
     * Opens a model written by {@link #save}: the options, vocabulary and labels are read, the matrices are
     * memory-mapped read-only and read in place (see {@link ClassifierFile}). {@link Classifier#load} opens this and
     * the other kinds.
     */
    public static TextClassifier load(Path path) throws IOException {
        Objects.requireNonNull(path, "path");
        ModelScope scope = ModelScope.open("text classifier " + path);
        try {
            return ClassifierFile.read(path, scope);
        } catch (IOException | RuntimeException | Error e) {
            scope.close();
            throw e;
        }
    }

    /** Unmaps a loaded model's file now; see {@link Classifier#close()}. */
    @Override
    public void close() {
        scope.close();
    }

    @Override
    public String toString() {
        return "TextClassifier(" + dictionary.labels().size() + " labels, dim " + options.dim() + ", loss "
                + options.loss() + input.precision().map(p -> ", " + p).orElse("") + ")";
    }
}
