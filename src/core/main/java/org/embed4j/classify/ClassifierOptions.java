package org.embed4j.classify;

/**
 * Hyper-parameters of the fastText-style classifier, with fastText's names and supervised defaults
 * (dim 100, lr 0.1, epoch 5, wordNgrams 1, bucket 2,000,000, minCount 1, case kept: on TREC keeping case scores
 * about one point more than lower-casing; no character n-grams). {@code bucket} is only used when
 * {@code wordNgrams > 1} or character n-grams are on ({@code maxn > 0}; fastText sets it to 0 otherwise).
 * {@code threads} Hogwild workers; with one thread and a seed, training is reproducible bit for bit.
 * {@code loss}: softmax, hs, ns or one-vs-all ({@link ClassifierLoss}); {@code neg}: negative labels per update
 * of the ns loss (fastText's -neg, default 5; kept but unused by the other losses).
 */
public record ClassifierOptions(
        int dim,
        float lr,
        int epoch,
        int wordNgrams,
        int bucket,
        int minCount,
        boolean lowercase,
        int threads,
        long seed,
        ClassifierLoss loss,
        int minn,
        int maxn,
        int neg) {

    /** fastText's default number of negative samples. */
    public static final int DEFAULT_NEG = 5;

    public static final ClassifierOptions DEFAULTS = new ClassifierOptions(
            100, 0.1f, 5, 1, 2_000_000, 1, false, 1, 1L, ClassifierLoss.SOFTMAX, 0, 0, DEFAULT_NEG);

    public ClassifierOptions {
        require(dim >= 1 && dim <= 4096, "dim", dim, "in [1, 4096]");
        require(lr > 0 && Float.isFinite(lr), "lr", lr, "a positive number");
        require(epoch >= 1, "epoch", epoch, ">= 1");
        require(wordNgrams >= 1 && wordNgrams <= 5, "wordNgrams", wordNgrams, "in [1, 5]");
        require(bucket >= 0, "bucket", bucket, ">= 0");
        require(
                minn >= 0 && maxn >= 0 && (maxn == 0 || (minn >= 1 && minn <= maxn)),
                "minn/maxn",
                minn + "/" + maxn,
                "0/0 (off) or 1 <= minn <= maxn");
        require(maxn <= 20, "maxn", maxn, "<= 20");
        require((wordNgrams == 1 && maxn == 0) || bucket > 0, "bucket", bucket, "> 0 when wordNgrams > 1 or maxn > 0");
        require(minCount >= 1, "minCount", minCount, ">= 1");
        require(threads >= 1 && threads <= 256, "threads", threads, "in [1, 256]");
        require(loss != null, "loss", loss, "softmax, hs, ns or ova");
        require(neg >= 1 && neg <= 1000, "neg", neg, "in [1, 1000]");
    }

    /** Rows reserved for hashed word and character n-grams (shared, as in fastText): {@code bucket} when either is on. */
    public int ngramRows() {
        return wordNgrams > 1 || maxn > 0 ? bucket : 0;
    }

    public ClassifierOptions withDim(int v) {
        return new ClassifierOptions(
                v, lr, epoch, wordNgrams, bucket, minCount, lowercase, threads, seed, loss, minn, maxn, neg);
    }

    public ClassifierOptions withLr(float v) {
        return new ClassifierOptions(
                dim, v, epoch, wordNgrams, bucket, minCount, lowercase, threads, seed, loss, minn, maxn, neg);
    }

    public ClassifierOptions withEpoch(int v) {
        return new ClassifierOptions(
                dim, lr, v, wordNgrams, bucket, minCount, lowercase, threads, seed, loss, minn, maxn, neg);
    }

    public ClassifierOptions withWordNgrams(int v) {
        return new ClassifierOptions(
                dim, lr, epoch, v, bucket, minCount, lowercase, threads, seed, loss, minn, maxn, neg);
    }

    public ClassifierOptions withBucket(int v) {
        return new ClassifierOptions(
                dim, lr, epoch, wordNgrams, v, minCount, lowercase, threads, seed, loss, minn, maxn, neg);
    }

    public ClassifierOptions withMinCount(int v) {
        return new ClassifierOptions(
                dim, lr, epoch, wordNgrams, bucket, v, lowercase, threads, seed, loss, minn, maxn, neg);
    }

    public ClassifierOptions withThreads(int v) {
        return new ClassifierOptions(
                dim, lr, epoch, wordNgrams, bucket, minCount, lowercase, v, seed, loss, minn, maxn, neg);
    }

    public ClassifierOptions withSeed(long v) {
        return new ClassifierOptions(
                dim, lr, epoch, wordNgrams, bucket, minCount, lowercase, threads, v, loss, minn, maxn, neg);
    }

    public ClassifierOptions withLowercase(boolean v) {
        return new ClassifierOptions(
                dim, lr, epoch, wordNgrams, bucket, minCount, v, threads, seed, loss, minn, maxn, neg);
    }

    public ClassifierOptions withLoss(ClassifierLoss v) {
        return new ClassifierOptions(
                dim, lr, epoch, wordNgrams, bucket, minCount, lowercase, threads, seed, v, minn, maxn, neg);
    }

    /** Negative labels per update of the ns loss (fastText's -neg). */
    public ClassifierOptions withNeg(int v) {
        return new ClassifierOptions(
                dim, lr, epoch, wordNgrams, bucket, minCount, lowercase, threads, seed, loss, minn, maxn, v);
    }

    /** Character n-grams of minn..maxn code points of {@code "<word>"} (fastText's -minn/-maxn); 0, 0 turns them off. */
    public ClassifierOptions withCharNgrams(int newMinn, int newMaxn) {
        return new ClassifierOptions(
                dim, lr, epoch, wordNgrams, bucket, minCount, lowercase, threads, seed, loss, newMinn, newMaxn, neg);
    }

    private static void require(boolean ok, String name, Object value, String what) {
        if (!ok) {
            throw new IllegalArgumentException(name + " must be " + what + ", got " + value);
        }
    }
}
