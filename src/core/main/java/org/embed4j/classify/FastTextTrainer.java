package org.embed4j.classify;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.embed4j.vectors.WordVectors;

/**
 * Trains the fastText-style classifier: per-example SGD (the {@link Supervised} step) with the learning
 * rate decayed linearly to 0 over all epochs, Hogwild worker threads over shards of the examples, and
 * the training order shuffled (seeded) before every epoch — some sets ship sorted by label, and an
 * unshuffled pass over them learns only the last label. One thread + a seed: bit-for-bit reproducible.
 * Input rows start uniform in ±1/dim (or from pretrained vectors), output rows at zero, like fastText.
 * The hs loss's tree and the ns loss's negative-label distribution are built from the training label counts
 * before the first epoch and shared read-only by the workers; each worker draws with its own seeded random source.
 * A trainer object is configured and used by one thread at a time; the models it returns are independent.
 */
public final class FastTextTrainer {
    private static final long PROGRESS_FLUSH = 10_000;
    /** What one epoch did. */
    public record EpochStats(int epoch, double meanLoss, long examples, double seconds) {}

    private ClassifierOptions options;
    private TextClassifier init; // fine-tune this model, or null
    private WordVectors pretrained;
    private boolean freezePretrained;
    private boolean[] frozen; // rows that came from pretrained vectors and stay fixed, or null
    private HuffmanTree tree; // hs loss only
    private NegativeLabels negatives; // ns loss only
    private Consumer<EpochStats> listener = s -> {};

    public FastTextTrainer(ClassifierOptions options) {
        this.options = options;
    }

    /** Initialise the word rows from these vectors (their dim must equal the options' dim). */
    public FastTextTrainer pretrained(WordVectors vectors) {
        if (vectors != null && init != null) {
            throw new IllegalArgumentException("fine-tuning (--init) and pretrained vectors do not combine");
        }
        if (vectors != null && vectors.dim() != options.dim()) {
            throw new IllegalArgumentException("pretrained vectors have dim " + vectors.dim()
                    + " but the classifier dim is " + options.dim() + "; pass --dim " + vectors.dim());
        }
        this.pretrained = vectors;
        return this;
    }

    /**
     * Initialise from these vectors and, when {@code freeze}, keep the rows they provide fixed during training
     * (PyTorch's {@code from_pretrained(freeze=True)}; words the vectors lack and the n-gram rows still learn).
     */
    public FastTextTrainer pretrained(WordVectors vectors, boolean freeze) {
        pretrained(vectors);
        this.freezePretrained = freeze;
        return this;
    }

    /**
     * Fine-tune {@code model} instead of starting from scratch (see {@link FineTune}): its architecture (dim,
     * n-grams, buckets, case, loss) replaces the options', which keep only lr, epoch, minCount, threads and seed.
     */
    public FastTextTrainer initFrom(TextClassifier model) {
        if (model != null && pretrained != null) {
            throw new IllegalArgumentException("fine-tuning (--init) and pretrained vectors do not combine");
        }
        if (model != null) {
            this.options = FineTune.options(model, options);
        }
        this.init = model;
        return this;
    }

    /** The options training uses (after {@link #initFrom}, the fine-tuned model's architecture). */
    public ClassifierOptions options() {
        return options;
    }

    /** Called after every epoch (from the training thread). */
    public FastTextTrainer onEpoch(Consumer<EpochStats> listener) {
        this.listener = listener;
        return this;
    }

    public TextClassifier train(List<LabeledText> examples) {
        Dictionary dict =
                init != null ? FineTune.dictionary(init, examples, options) : Dictionary.build(examples, options);
        int dim = options.dim();
        List<int[]> rows = new ArrayList<>(examples.size());
        List<String[]> labels = new ArrayList<>(examples.size());
        long tokens = 0;
        for (LabeledText e : examples) {
            int[] r = dict.inputRows(e.text());
            if (r.length == 0) {
                continue; // fastText skips lines without a known token as well
            }
            rows.add(r);
            labels.add(e.labels().toArray(String[]::new));
            tokens += r.length;
        }
        if (rows.isEmpty()) {
            throw new IllegalArgumentException("none of the " + examples.size() + " training examples has a token");
        }
        int[][] targets = new int[rows.size()][];
        for (int i = 0; i < rows.size(); i++) {
            String[] ls = labels.get(i);
            targets[i] = new int[ls.length];
            for (int j = 0; j < ls.length; j++) {
                targets[i][j] = dict.labelId(ls[j]);
            }
        }
        float[] input = initInput(dict, dim);
        float[] output = new float[dict.labels().size() * dim];
        if (init != null) {
            FineTune.copyInput(init, dict, input);
            FineTune.copyOutput(init, output);
        }
        tree = options.loss() == ClassifierLoss.HS ? new HuffmanTree(dict.labelCounts()) : null;
        negatives = options.loss() == ClassifierLoss.NS ? new NegativeLabels(dict.labelCounts()) : null;
        trainEpochs(rows.toArray(int[][]::new), targets, input, output, dim, tokens * options.epoch());
        return new TextClassifier(options, dict, input, output);
    }

    private float[] initInput(Dictionary dict, int dim) {
        long n = (long) dict.inputRows() * dim;
        if (n > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("input matrix of " + dict.inputRows() + " x " + dim
                    + " is too large for one array; lower --bucket or --dim");
        }
        float[] input = new float[(int) n];
        SplittableRandom rng = new SplittableRandom(options.seed());
        float bound = 1f / dim;
        for (int i = 0; i < input.length; i++) {
            input[i] = (float) (rng.nextDouble() * 2 - 1) * bound;
        }
        frozen = null;
        if (pretrained != null) {
            boolean[] fixed = new boolean[dict.words().size()];
            for (int w = 0; w < dict.words().size(); w++) {
                int row = pretrained.indexOf(dict.words().get(w));
                if (row >= 0) {
                    fixed[w] = true;
                    System.arraycopy(pretrained.vector(row), 0, input, w * dim, dim);
                }
            }
            frozen = freezePretrained ? fixed : null;
        }
        return input;
    }

    private void trainEpochs(int[][] rows, int[][] targets, float[] input, float[] output, int dim, long totalTokens) {
        int threads = Math.min(options.threads(), rows.length);
        AtomicLong processed = new AtomicLong();
        ExecutorService pool = threads > 1 ? Executors.newFixedThreadPool(threads) : null;
        try {
            for (int epoch = 0; epoch < options.epoch(); epoch++) {
                long start = System.nanoTime();
                int[] order = shuffledOrder(rows.length, new Random(options.seed() * 1_000_003L + epoch));
                double[] lossSums = new double[threads];
                List<Future<?>> futures = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    final int tid = t;
                    final int from = (int) ((long) rows.length * t / threads);
                    final int to = (int) ((long) rows.length * (t + 1) / threads);
                    final long seed = options.seed() + 7919L * (epoch * 257L + t);
                    Runnable work = () -> lossSums[tid] =
                            runShard(rows, targets, order, from, to, input, output, dim, processed, totalTokens, seed);
                    if (pool == null) {
                        work.run();
                    } else {
                        futures.add(pool.submit(work));
                    }
                }
                join(futures);
                checkFinite(output, epoch);
                double loss = 0;
                for (double l : lossSums) {
                    loss += l;
                }
                listener.accept(
                        new EpochStats(epoch + 1, loss / rows.length, rows.length, (System.nanoTime() - start) / 1e9));
            }
        } finally {
            if (pool != null) {
                pool.shutdownNow();
            }
        }
    }

    private double runShard(
            int[][] rows,
            int[][] targets,
            int[] order,
            int from,
            int to,
            float[] input,
            float[] output,
            int dim,
            AtomicLong processed,
            long totalTokens,
            long seed) {
        double[] hidden = new double[dim];
        double[] grad = new double[dim];
        float[] probs = new float[output.length / dim];
        int[] drawn = new int[options.neg()];
        SplittableRandom rng = new SplittableRandom(seed);
        double loss = 0;
        // The shared token count is updated every PROGRESS_FLUSH tokens, not per example: one contended cache line
        // written by every thread per example cost a quarter more CPU with 2 threads. With one thread, base + local
        // is the exact count, so the learning rates (and the model) are what a per-example update gives.
        long base = processed.get();
        long local = 0;
        for (int i = from; i < to; i++) {
            int ex = order[i];
            int[] r = rows[ex];
            int[] ts = targets[ex];
            float progress = Math.min(1f, (float) (base + local) / totalTokens);
            local += r.length;
            if (local >= PROGRESS_FLUSH) {
                base = processed.addAndGet(local);
                local = 0;
            }
            float lr = options.lr() * (1f - progress);
            if (options.loss() == ClassifierLoss.OVA) {
                loss += Supervised.stepOva(input, output, dim, r, ts, lr, hidden, grad, probs, frozen);
                continue;
            }
            int target = ts.length == 1 ? ts[0] : ts[rng.nextInt(ts.length)]; // fastText: one label per update
            loss += switch (options.loss()) {
                case HS ->
                    Supervised.stepHs(
                            input, output, dim, r, tree.path(target), tree.code(target), lr, hidden, grad, frozen);
                case NS ->
                    Supervised.stepNs(
                            input,
                            output,
                            dim,
                            r,
                            target,
                            drawn,
                            negatives.draw(target, rng, drawn),
                            lr,
                            hidden,
                            grad,
                            frozen);
                default -> Supervised.step(input, output, dim, r, target, lr, hidden, grad, probs, frozen);
            };
        }
        processed.addAndGet(local);
        return loss;
    }

    private static int[] shuffledOrder(int n, Random rng) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int tmp = order[i];
            order[i] = order[j];
            order[j] = tmp;
        }
        return order;
    }

    private static void join(List<Future<?>> futures) {
        for (Future<?> f : futures) {
            try {
                f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("training interrupted", e);
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                if (cause instanceof RuntimeException re) {
                    throw re;
                }
                throw new IllegalStateException("training worker failed: " + cause, cause);
            }
        }
    }

    private static void checkFinite(float[] output, int epoch) {
        for (int i = 0; i < output.length; i++) {
            if (!Float.isFinite(output[i])) {
                throw new IllegalStateException("training diverged in epoch " + (epoch + 1) + ": output weight " + i
                        + " is " + output[i] + "; lower --lr");
            }
        }
    }
}
