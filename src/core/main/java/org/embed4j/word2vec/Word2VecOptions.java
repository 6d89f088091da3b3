package org.embed4j.word2vec;

/**
 * Training options, with word2vec's and fastText's names and defaults: dim 100, window 5, negative 5,
 * sample 1e-4, minCount 5, epochs 5, lr 0.025 for skip-gram and 0.05 for CBOW (NaN = that default),
 * subwords off (maxn 0; fastText's are minn 3, maxn 6, bucket 2,000,000), threads = available cores,
 * seed 1. {@code maxVocab} caps the vocabulary (most frequent words kept); {@code lowercase} is passed
 * to the tokenizer; {@code negTableSize} sizes the unigram^0.75 table; {@code backend} is "auto"
 * (native CPU when it loads, else Java), "cpu" or "java". {@code hs} trains the output layer as word2vec C's
 * hierarchical softmax (a Huffman tree over the word counts; {@code negative} 0 for hierarchical softmax alone, both at
 * once as word2vec C's {@code -hs 1 -negative K}); {@code cbowMean} (gensim's cbow_mean, default on) makes CBOW's input
 * the mean of the context vectors, off their sum; {@code minLr} (gensim's min_alpha) is where the linear learning-rate
 * decay ends, NaN for word2vec's lr·1e-4 floor.
 *
 * <p>Immutable; validated by {@link #validate()} (the trainer calls it).
 */
public record Word2VecOptions(
        Model model,
        int dim,
        int window,
        int negative,
        double sample,
        int minCount,
        int maxVocab,
        int epochs,
        float lr,
        int minn,
        int maxn,
        int bucket,
        int threads,
        long seed,
        boolean lowercase,
        int negTableSize,
        String backend,
        boolean hs,
        boolean cbowMean,
        float minLr) {
    /** sg: skip-gram (predict each context word from the word); cbow: predict the word from its context. */
    public enum Model {
        SG,
        CBOW;

        /** "sg", "skipgram" or "cbow", any case. */
        public static Model parse(String s) {
            return switch (s.toLowerCase(java.util.Locale.ROOT)) {
                case "sg", "skipgram", "skip-gram" -> SG;
                case "cbow" -> CBOW;
                default -> throw new IllegalArgumentException("unknown model '" + s + "': expected sg or cbow");
            };
        }
    }

    /** word2vec's defaults (skip-gram). */
    public static Word2VecOptions defaults() {
        return new Word2VecOptions(
                Model.SG,
                100,
                5,
                5,
                1e-4,
                5,
                0,
                5,
                Float.NaN,
                3,
                0,
                2_000_000,
                Runtime.getRuntime().availableProcessors(),
                1L,
                false,
                10_000_000,
                "auto",
                false,
                true,
                Float.NaN);
    }

    /** The learning rate in effect: {@link #lr} or the model's default (0.025 SG, 0.05 CBOW). */
    public float effectiveLr() {
        return Float.isNaN(lr) ? (model == Model.CBOW ? 0.05f : 0.025f) : lr;
    }

    /**
     * The learning rate after {@code progress} (0..1) of the run: linear from {@link #effectiveLr()} to {@link #minLr},
     * or with minLr NaN word2vec's lr·(1 − progress), never below lr·1e-4.
     */
    public float learningRate(double progress) {
        float lr0 = effectiveLr();
        if (Float.isNaN(minLr)) {
            return (float) (lr0 * Math.max(1e-4, 1.0 - progress));
        }
        return (float) (lr0 - (lr0 - minLr) * Math.min(1.0, Math.max(0.0, progress)));
    }

    public boolean subwords() {
        return maxn > 0;
    }

    /** Throws {@link IllegalArgumentException} naming the first bad option. */
    public Word2VecOptions validate() {
        if (model == null) {
            throw new IllegalArgumentException("model must be sg or cbow, got null");
        }
        check(dim >= 1 && dim <= 1 << 16, "dim", dim, "in [1, 65536]");
        check(window >= 1 && window <= 1000, "window", window, "in [1, 1000]");
        check(negative >= 0 && negative <= 1024, "negative", negative, "in [0, 1024]");
        if (negative == 0 && !hs) {
            throw new IllegalArgumentException(
                    "negative is 0 and hs is off: no output layer to train (use --hs, or negative >= 1)");
        }
        check(sample >= 0 && Double.isFinite(sample), "sample", sample, ">= 0");
        check(minCount >= 1, "minCount", minCount, ">= 1");
        check(maxVocab >= 0, "maxVocab", maxVocab, ">= 0 (0: no cap)");
        check(epochs >= 1, "epochs", epochs, ">= 1");
        check(Float.isNaN(lr) || (lr > 0 && Float.isFinite(lr)), "lr", lr, "> 0");
        check(Float.isNaN(minLr) || (minLr >= 0 && minLr <= effectiveLr()), "minLr", minLr, "in [0, lr]");
        check(threads >= 1 && threads <= 1024, "threads", threads, "in [1, 1024]");
        check(negTableSize >= 1000, "negTableSize", negTableSize, ">= 1000");
        if (maxn > 0) {
            check(minn >= 1 && minn <= maxn, "minn", minn, "in [1, maxn=" + maxn + "]");
            check(bucket >= 1, "bucket", bucket, ">= 1 when subwords are on");
        }
        check(maxn >= 0, "maxn", maxn, ">= 0 (0: no subwords)");
        if (backend == null || !(backend.equals("auto") || backend.equals("cpu") || backend.equals("java"))) {
            throw new IllegalArgumentException("backend must be auto, cpu or java, got " + backend);
        }
        return this;
    }

    private static void check(boolean ok, String name, Object value, String rule) {
        if (!ok) {
            throw new IllegalArgumentException(name + " must be " + rule + ", got " + value);
        }
    }

    public Word2VecOptions withModel(Model m) {
        return new Word2VecOptions(
                m,
                dim,
                window,
                negative,
                sample,
                minCount,
                maxVocab,
                epochs,
                lr,
                minn,
                maxn,
                bucket,
                threads,
                seed,
                lowercase,
                negTableSize,
                backend,
                hs,
                cbowMean,
                minLr);
    }

    public Word2VecOptions withDim(int v) {
        return new Word2VecOptions(
                model,
                v,
                window,
                negative,
                sample,
                minCount,
                maxVocab,
                epochs,
                lr,
                minn,
                maxn,
                bucket,
                threads,
                seed,
                lowercase,
                negTableSize,
                backend,
                hs,
                cbowMean,
                minLr);
    }

    public Word2VecOptions withWindow(int v) {
        return new Word2VecOptions(
                model,
                dim,
                v,
                negative,
                sample,
                minCount,
                maxVocab,
                epochs,
                lr,
                minn,
                maxn,
                bucket,
                threads,
                seed,
                lowercase,
                negTableSize,
                backend,
                hs,
                cbowMean,
                minLr);
    }

    public Word2VecOptions withNegative(int v) {
        return new Word2VecOptions(
                model,
                dim,
                window,
                v,
                sample,
                minCount,
                maxVocab,
                epochs,
                lr,
                minn,
                maxn,
                bucket,
                threads,
                seed,
                lowercase,
                negTableSize,
                backend,
                hs,
                cbowMean,
                minLr);
    }

    public Word2VecOptions withSample(double v) {
        return new Word2VecOptions(
                model,
                dim,
                window,
                negative,
                v,
                minCount,
                maxVocab,
                epochs,
                lr,
                minn,
                maxn,
                bucket,
                threads,
                seed,
                lowercase,
                negTableSize,
                backend,
                hs,
                cbowMean,
                minLr);
    }

    public Word2VecOptions withMinCount(int v) {
        return new Word2VecOptions(
                model,
                dim,
                window,
                negative,
                sample,
                v,
                maxVocab,
                epochs,
                lr,
                minn,
                maxn,
                bucket,
                threads,
                seed,
                lowercase,
                negTableSize,
                backend,
                hs,
                cbowMean,
                minLr);
    }

    public Word2VecOptions withMaxVocab(int v) {
        return new Word2VecOptions(
                model,
                dim,
                window,
                negative,
                sample,
                minCount,
                v,
                epochs,
                lr,
                minn,
                maxn,
                bucket,
                threads,
                seed,
                lowercase,
                negTableSize,
                backend,
                hs,
                cbowMean,
                minLr);
    }

    public Word2VecOptions withEpochs(int v) {
        return new Word2VecOptions(
                model,
                dim,
                window,
                negative,
                sample,
                minCount,
                maxVocab,
                v,
                lr,
                minn,
                maxn,
                bucket,
                threads,
                seed,
                lowercase,
                negTableSize,
                backend,
                hs,
                cbowMean,
                minLr);
    }

    public Word2VecOptions withLr(float v) {
        return new Word2VecOptions(
                model,
                dim,
                window,
                negative,
                sample,
                minCount,
                maxVocab,
                epochs,
                v,
                minn,
                maxn,
                bucket,
                threads,
                seed,
                lowercase,
                negTableSize,
                backend,
                hs,
                cbowMean,
                minLr);
    }

    public Word2VecOptions withSubwords(int newMinn, int newMaxn, int newBucket) {
        return new Word2VecOptions(
                model,
                dim,
                window,
                negative,
                sample,
                minCount,
                maxVocab,
                epochs,
                lr,
                newMinn,
                newMaxn,
                newBucket,
                threads,
                seed,
                lowercase,
                negTableSize,
                backend,
                hs,
                cbowMean,
                minLr);
    }

    public Word2VecOptions withThreads(int v) {
        return new Word2VecOptions(
                model,
                dim,
                window,
                negative,
                sample,
                minCount,
                maxVocab,
                epochs,
                lr,
                minn,
                maxn,
                bucket,
                v,
                seed,
                lowercase,
                negTableSize,
                backend,
                hs,
                cbowMean,
                minLr);
    }

    public Word2VecOptions withSeed(long v) {
        return new Word2VecOptions(
                model,
                dim,
                window,
                negative,
                sample,
                minCount,
                maxVocab,
                epochs,
                lr,
                minn,
                maxn,
                bucket,
                threads,
                v,
                lowercase,
                negTableSize,
                backend,
                hs,
                cbowMean,
                minLr);
    }

    public Word2VecOptions withLowercase(boolean v) {
        return new Word2VecOptions(
                model,
                dim,
                window,
                negative,
                sample,
                minCount,
                maxVocab,
                epochs,
                lr,
                minn,
                maxn,
                bucket,
                threads,
                seed,
                v,
                negTableSize,
                backend,
                hs,
                cbowMean,
                minLr);
    }

    public Word2VecOptions withNegTableSize(int v) {
        return new Word2VecOptions(
                model, dim, window, negative, sample, minCount, maxVocab, epochs, lr, minn, maxn, bucket, threads, seed,
                lowercase, v, backend, hs, cbowMean, minLr);
    }

    public Word2VecOptions withBackend(String v) {
        return new Word2VecOptions(
                model,
                dim,
                window,
                negative,
                sample,
                minCount,
                maxVocab,
                epochs,
                lr,
                minn,
                maxn,
                bucket,
                threads,
                seed,
                lowercase,
                negTableSize,
                v,
                hs,
                cbowMean,
                minLr);
    }

    public Word2VecOptions withHs(boolean v) {
        return new Word2VecOptions(
                model,
                dim,
                window,
                negative,
                sample,
                minCount,
                maxVocab,
                epochs,
                lr,
                minn,
                maxn,
                bucket,
                threads,
                seed,
                lowercase,
                negTableSize,
                backend,
                v,
                cbowMean,
                minLr);
    }

    public Word2VecOptions withCbowMean(boolean v) {
        return new Word2VecOptions(
                model,
                dim,
                window,
                negative,
                sample,
                minCount,
                maxVocab,
                epochs,
                lr,
                minn,
                maxn,
                bucket,
                threads,
                seed,
                lowercase,
                negTableSize,
                backend,
                hs,
                v,
                minLr);
    }

    public Word2VecOptions withMinLr(float v) {
        return new Word2VecOptions(
                model,
                dim,
                window,
                negative,
                sample,
                minCount,
                maxVocab,
                epochs,
                lr,
                minn,
                maxn,
                bucket,
                threads,
                seed,
                lowercase,
                negTableSize,
                backend,
                hs,
                cbowMean,
                v);
    }
}
