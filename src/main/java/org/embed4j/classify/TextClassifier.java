package org.embed4j.classify;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.embed4j.deploy.Precision;

/**
 * A trained fastText-style classifier: the mean of the text's input rows (words and hashed n-grams)
 * → linear layer → the loss's output: softmax, hierarchical softmax (product of sigmoids along the label's tree
 * path), or one sigmoid per label for one-vs-all and negative-sampling models ({@link ClassifierLoss}).
 * The matrices are float32 as trained, or int8/fp16 after {@link #quantize} (dequantized on the fly, row by row).
 * Immutable after construction and safe to share across threads: predict allocates only per-call scratch.
 */
public final class TextClassifier implements Classifier {
    private final ClassifierOptions options;
    private final Dictionary dictionary;
    private final ClassifierMatrix input;  // (inputRows, dim)
    private final ClassifierMatrix output; // (labels, dim); hs uses rows 0..labels-2 for the tree's inner nodes
    private final HuffmanTree tree;        // hs only, else null

    TextClassifier(ClassifierOptions options, Dictionary dictionary, float[] input, float[] output) {
        this(options, dictionary, new ClassifierMatrix.Floats(input, input.length / options.dim(), options.dim()),
                new ClassifierMatrix.Floats(output, output.length / options.dim(), options.dim()));
    }

    TextClassifier(ClassifierOptions options, Dictionary dictionary, ClassifierMatrix input, ClassifierMatrix output) {
        this.options = Objects.requireNonNull(options);
        this.dictionary = Objects.requireNonNull(dictionary);
        int dim = options.dim();
        if (input.rows() != dictionary.inputRows() || output.rows() != dictionary.labels().size() || input.dim() != dim
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
    }

    @Override
    public int vocabularySize() {
        return dictionary.words().size();
    }

    @Override
    public int dim() {
        return options.dim();
    }

    public ClassifierOptions options() {
        return options;
    }

    public Dictionary dictionary() {
        return dictionary;
    }

    public List<String> labels() {
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
        return input.precision();
    }

    /** Bytes the input and output matrices take (in memory, and on disk apart from the vocabulary). */
    public long weightBytes() {
        return input.storageBytes() + output.storageBytes();
    }

    /**
     * This model with both matrices quantized per row: int8 (4 bytes → 1 per weight, plus a float scale per row) or
     * fp16. Predictions dequantize on the fly; the top label agrees with the float model's on all but texts whose
     * two best scores nearly tie. A quantized model cannot be quantized again.
     */
    public TextClassifier quantize(Precision precision) {
        Objects.requireNonNull(precision, "precision");
        return new TextClassifier(options, dictionary, input.quantize(precision), output.quantize(precision));
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
    public float[] probabilities(String text) {
        int[] rows = dictionary.inputRows(text);
        double[] hidden = new double[options.dim()];
        input.meanRows(rows, hidden);
        int k = dictionary.labels().size();
        double[] scores = new double[options.loss() == ClassifierLoss.HS ? k - 1 : k];
        output.dotRows(hidden, scores);
        float[] probs = new float[k];
        switch (options.loss()) {
            case SOFTMAX -> Supervised.softmax(scores, probs);
            case HS -> tree.probabilities(scores, probs);
            case OVA, NS -> {
                for (int c = 0; c < k; c++) {
                    probs[c] = (float) Supervised.sigmoid(scores[c]);
                }
            }
        }
        return probs;
    }

    /** Writes the model as one versioned file (temporary name, then rename). */
    public void save(Path path) throws IOException {
        ClassifierFile.write(this, path);
    }

    /** Reads a model written by {@link #save}. */
    public static TextClassifier load(Path path) throws IOException {
        return ClassifierFile.read(path);
    }
}
