package org.embed4j.glove;

import java.util.Locale;

/**
 * GloVe's hyper-parameters (Pennington, Socher and Manning 2014), with the reference implementation's names where
 * it has them. Defaults: dim 100, window 10 (the reference's is 15), symmetric context, 1/distance weighting,
 * minCount 5, epochs 25 (the reference's -iter), lr 0.05 (-eta), xMax 100, alpha 0.75, output W + C (the
 * reference's -model 2), threads = available cores, seed 1.
 *
 * <p>Implementation settings: {@code memoryMb} bounds the heap the co-occurrence build takes (half for counting,
 * half for shuffling; past it, sorted runs go to disk and are merged, like the reference's cooccur + shuffle);
 * {@code batchSize} co-occurrence records go to the kernels per call; {@code adagrad} picks per-element state (the
 * reference's) or one state per row (FBGEMM's row-wise Adagrad, a quarter of the memory at D = 100, bias included
 * in the row); {@code backend} is "auto" (native CPU when it loads, else Java), "cpu" or "java".
 *
 * <p>Immutable; {@link #validate()} throws naming the first bad value (the trainer calls it).
 */
public record GloveOptions(
        int dim,
        int window,
        boolean symmetric,
        boolean distanceWeighting,
        int minCount,
        int maxVocab,
        int epochs,
        float lr,
        double xMax,
        double alpha,
        int threads,
        long seed,
        boolean lowercase,
        int memoryMb,
        int batchSize,
        Adagrad adagrad,
        Output output,
        String backend) {

    /** Where the Adagrad sum of squared gradients lives. */
    public enum Adagrad {
        /** One sum per weight, as the reference implementation keeps it. */
        ELEMENTWISE,
        /** One sum per row (mean of the squared row gradient), as FBGEMM's row-wise Adagrad. */
        ROWWISE;

        /** "elementwise" or "rowwise", any case. */
        public static Adagrad parse(String s) {
            return switch (s.toLowerCase(Locale.ROOT)) {
                case "elementwise", "element" -> ELEMENTWISE;
                case "rowwise", "row" -> ROWWISE;
                default ->
                    throw new IllegalArgumentException("unknown adagrad '" + s + "': expected elementwise or rowwise");
            };
        }
    }

    /** Which rows become the word vectors (biases are never part of them). */
    public enum Output {
        /** W + C, the word and context vectors summed (the reference's -model 2, the paper's choice). */
        WORD_PLUS_CONTEXT,
        /** W alone (the reference's -model 1). */
        WORD
    }

    /** The defaults listed above. */
    public static GloveOptions defaults() {
        return new GloveOptions(
                100,
                10,
                true,
                true,
                5,
                0,
                25,
                0.05f,
                100.0,
                0.75,
                Runtime.getRuntime().availableProcessors(),
                1L,
                false,
                1024,
                4096,
                Adagrad.ELEMENTWISE,
                Output.WORD_PLUS_CONTEXT,
                "auto");
    }

    /** A builder starting from these options. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** A builder starting from {@link #defaults()}. */
    public static Builder builder() {
        return new Builder(defaults());
    }

    /** Throws {@link IllegalArgumentException} naming the first bad option; returns this. */
    public GloveOptions validate() {
        check(dim >= 1 && dim <= 1 << 16, "dim", dim, "in [1, 65536]");
        check(window >= 1 && window <= 1000, "window", window, "in [1, 1000]");
        check(minCount >= 1, "minCount", minCount, ">= 1");
        check(maxVocab >= 0, "maxVocab", maxVocab, ">= 0 (0: no cap)");
        check(epochs >= 1, "epochs", epochs, ">= 1");
        check(lr > 0 && Float.isFinite(lr), "lr", lr, "> 0");
        check(xMax > 0 && Double.isFinite(xMax), "xMax", xMax, "> 0");
        check(alpha >= 0 && Double.isFinite(alpha), "alpha", alpha, ">= 0");
        check(threads >= 1 && threads <= 1024, "threads", threads, "in [1, 1024]");
        check(memoryMb >= 1 && memoryMb <= 1 << 20, "memoryMb", memoryMb, "in [1, 1048576]");
        check(batchSize >= 1 && batchSize <= 1 << 20, "batchSize", batchSize, "in [1, 1048576]");
        if (adagrad == null || output == null) {
            throw new IllegalArgumentException("adagrad and output must not be null, got " + adagrad + ", " + output);
        }
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

    /** The settings that decide the co-occurrence matrix (a checkpoint's matrix is reused only when they match). */
    String cooccurrenceKey() {
        return String.format(
                Locale.ROOT,
                "window=%d symmetric=%b distance=%b minCount=%d maxVocab=%d lowercase=%b seed=%d",
                window,
                symmetric,
                distanceWeighting,
                minCount,
                maxVocab,
                lowercase,
                seed);
    }

    /** The settings a resumed run must share with its checkpoint (epochs, threads and the budget may change). */
    String modelKey() {
        return String.format(
                Locale.ROOT,
                "%s dim=%d lr=%s xMax=%s alpha=%s batch=%d adagrad=%s",
                cooccurrenceKey(),
                dim,
                Float.toString(lr),
                Double.toString(xMax),
                Double.toString(alpha),
                batchSize,
                adagrad);
    }

    /** Mutable settings for a {@link GloveOptions}; {@link #build()} validates. */
    public static final class Builder {
        private int dim;
        private int window;
        private boolean symmetric;
        private boolean distanceWeighting;
        private int minCount;
        private int maxVocab;
        private int epochs;
        private float lr;
        private double xMax;
        private double alpha;
        private int threads;
        private long seed;
        private boolean lowercase;
        private int memoryMb;
        private int batchSize;
        private Adagrad adagrad;
        private Output output;
        private String backend;

        private Builder(GloveOptions o) {
            dim = o.dim;
            window = o.window;
            symmetric = o.symmetric;
            distanceWeighting = o.distanceWeighting;
            minCount = o.minCount;
            maxVocab = o.maxVocab;
            epochs = o.epochs;
            lr = o.lr;
            xMax = o.xMax;
            alpha = o.alpha;
            threads = o.threads;
            seed = o.seed;
            lowercase = o.lowercase;
            memoryMb = o.memoryMb;
            batchSize = o.batchSize;
            adagrad = o.adagrad;
            output = o.output;
            backend = o.backend;
        }

        public Builder dim(int v) {
            dim = v;
            return this;
        }

        public Builder window(int v) {
            window = v;
            return this;
        }

        /** false: only the words before the centre count (the reference's -symmetric 0). */
        public Builder symmetric(boolean v) {
            symmetric = v;
            return this;
        }

        /** false: every pair in the window counts 1 instead of 1/distance. */
        public Builder distanceWeighting(boolean v) {
            distanceWeighting = v;
            return this;
        }

        public Builder minCount(int v) {
            minCount = v;
            return this;
        }

        public Builder maxVocab(int v) {
            maxVocab = v;
            return this;
        }

        public Builder epochs(int v) {
            epochs = v;
            return this;
        }

        public Builder lr(float v) {
            lr = v;
            return this;
        }

        public Builder xMax(double v) {
            xMax = v;
            return this;
        }

        public Builder alpha(double v) {
            alpha = v;
            return this;
        }

        public Builder threads(int v) {
            threads = v;
            return this;
        }

        public Builder seed(long v) {
            seed = v;
            return this;
        }

        public Builder lowercase(boolean v) {
            lowercase = v;
            return this;
        }

        public Builder memoryMb(int v) {
            memoryMb = v;
            return this;
        }

        public Builder batchSize(int v) {
            batchSize = v;
            return this;
        }

        public Builder adagrad(Adagrad v) {
            adagrad = v;
            return this;
        }

        public Builder output(Output v) {
            output = v;
            return this;
        }

        public Builder backend(String v) {
            backend = v;
            return this;
        }

        public GloveOptions build() {
            return new GloveOptions(
                            dim,
                            window,
                            symmetric,
                            distanceWeighting,
                            minCount,
                            maxVocab,
                            epochs,
                            lr,
                            xMax,
                            alpha,
                            threads,
                            seed,
                            lowercase,
                            memoryMb,
                            batchSize,
                            adagrad,
                            output,
                            backend)
                    .validate();
        }
    }
}
