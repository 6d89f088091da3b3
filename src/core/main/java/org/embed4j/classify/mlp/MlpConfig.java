package org.embed4j.classify.mlp;

/**
 * Hyper-parameters of the MLP text classifier. Defaults were chosen on TREC's training set only (see
 * {@link MlpTrainer}); the test set is used once, for the reported accuracy.
 *
 * @param epochs    passes over the training set
 * @param batchSize texts per Adam step
 * @param dim       embedding dimension D
 * @param hidden    hidden units of the ReLU layer
 * @param lr        Adam learning rate
 * @param seed      seeds initialisation, dropout and shuffling: same seed, same model, bit for bit
 * @param dropout   dropout probability after the ReLU (0: none)
 * @param minCount  words seen fewer times in training are dropped from the vocabulary
 * @param wordNgrams 1: words only; n: also every word n-gram up to length n, each with its own embedding
 *                  (fastText's -wordNgrams), averaged into the same bag
 * @param devFraction share of the training texts held out (seeded) as a dev split for early stopping; 0: none,
 *                  every text trains and the last epoch's weights are kept
 * @param patience  stop after this many epochs without a better dev accuracy; the best epoch's weights are kept
 */
public record MlpConfig(
        int epochs,
        int batchSize,
        int dim,
        int hidden,
        float lr,
        long seed,
        float dropout,
        int minCount,
        int wordNgrams,
        float devFraction,
        int patience) {
    public MlpConfig {
        // named one by one: in a compact constructor `this` still holds zeros, so it cannot describe the bad value
        atLeastOne("epochs", epochs);
        atLeastOne("batchSize", batchSize);
        atLeastOne("dim", dim);
        atLeastOne("hidden", hidden);
        atLeastOne("minCount", minCount);
        if (wordNgrams < 1 || wordNgrams > 5) { // as fastText and ClassifierOptions; also bounds a model file's value
            throw new IllegalArgumentException("wordNgrams must be in [1, 5], got " + wordNgrams);
        }
        atLeastOne("patience", patience);
        if (!(lr > 0f)) {
            throw new IllegalArgumentException("lr must be > 0, got " + lr);
        }
        if (!(dropout >= 0f && dropout < 1f)) {
            throw new IllegalArgumentException("dropout must be in [0, 1), got " + dropout);
        }
        if (!(devFraction >= 0f && devFraction < 1f)) {
            throw new IllegalArgumentException("devFraction must be in [0, 1), got " + devFraction);
        }
    }

    private static void atLeastOne(String name, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(name + " must be >= 1, got " + value);
        }
    }

    /** This configuration with embedding dimension {@code d} (e.g. the dimension of pretrained vectors). */
    public MlpConfig withDim(int d) {
        return new MlpConfig(
                epochs, batchSize, d, hidden, lr, seed, dropout, minCount, wordNgrams, devFraction, patience);
    }

    public static MlpConfig defaults() {
        return new MlpConfig(10, 64, 100, 100, 1e-2f, 1L, 0.5f, 2, 2, 0.1f, 3);
    }
}
