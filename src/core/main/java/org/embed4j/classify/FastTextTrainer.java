package org.embed4j.classify;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
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
 * {@link #initialInput}, {@link #trainShard} and {@link #model} are the same steps for a data-parallel trainer that
 * keeps the matrices itself and runs one pass over each shard of the examples per sync round.
 * With {@link #checkpoint(Path)} the matrices and the tokens done are saved after every epoch ({@link
 * ClassifierCheckpoint}, atomically); with {@link #resume(boolean)} training first loads that checkpoint (when it
 * exists) and runs the remaining epochs: with one thread it ends bit for bit where an uninterrupted run does.
 * A trainer object is configured and used by one thread at a time; the models it returns are independent.
 */
public final class FastTextTrainer {
    private static final System.Logger LOG = System.getLogger(FastTextTrainer.class.getName());
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
    private Dictionary preparedFor; // the dictionary tree and negatives were built from
    private Consumer<EpochStats> listener = s -> {};
    private Path checkpoint;
    private boolean resume;

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

    /** Save a checkpoint to {@code file} after every epoch of {@link #train} (null: none). */
    public FastTextTrainer checkpoint(Path file) {
        this.checkpoint = file;
        return this;
    }

    /** Let {@link #train} continue from the checkpoint when it exists (needs {@link #checkpoint(Path)}). */
    public FastTextTrainer resume(boolean resume) {
        if (resume && checkpoint == null) {
            throw new IllegalArgumentException("resume needs a checkpoint file (--checkpoint)");
        }
        this.resume = resume;
        return this;
    }

    /** The options training uses (after {@link #initFrom}, the fine-tuned model's architecture). */
    public ClassifierOptions options() {
        return options;
    }

    /** Called after every epoch, after its checkpoint is saved (from the training thread). */
    public FastTextTrainer onEpoch(Consumer<EpochStats> listener) {
        this.listener = listener;
        return this;
    }

    /**
     * Trains on {@code examples}. Logs (INFO) the size of the matrices it allocates first: with word n-grams or
     * character n-grams on, the input matrix has {@code bucket} rows besides the words (fastText's default
     * 2,000,000 × dim 100 × 4 bytes = 800 MB), which {@link ClassifierOptions#withBucket} shrinks. A checkpoint
     * that cannot be read or written throws {@link UncheckedIOException}.
     */
    public TextClassifier train(List<LabeledText> examples) {
        Dictionary dict =
                init != null ? FineTune.dictionary(init, examples, options) : Dictionary.build(examples, options);
        int dim = options.dim();
        logModelSize(dict, dim);
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
        float[] input = initialInput(dict);
        float[] output = new float[dict.labels().size() * dim];
        if (init != null) {
            FineTune.copyInput(init, dict, input);
            FineTune.copyOutput(init, output);
        }
        long totalTokens = tokens * options.epoch();
        try {
            ClassifierCheckpoint.State from = resume && Files.isRegularFile(checkpoint)
                    ? ClassifierCheckpoint.read(checkpoint, input, output, options, dict)
                    : new ClassifierCheckpoint.State(0, 0);
            trainEpochs(rows.toArray(int[][]::new), targets, input, output, dict, totalTokens, from);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new TextClassifier(options, dict, input, output);
    }

    /**
     * The input matrix (inputRows × dim, row-major) as {@link #train} starts it for {@code dict}: uniform in ±1/dim
     * from the options' seed, word rows from the pretrained vectors when set (and, with freeze, those rows fixed in
     * later {@link #trainShard} calls). Also builds the loss's label tree or negative sampler from the dictionary's
     * label counts. The output matrix starts at zero.
     */
    public float[] initialInput(Dictionary dict) {
        prepareLoss(dict);
        return initInput(dict, options.dim());
    }

    /** The hs loss's label tree or the ns loss's negative-label sampler, built from {@code dict}'s label counts. */
    private void prepareLoss(Dictionary dict) {
        tree = options.loss() == ClassifierLoss.HS ? new HuffmanTree(dict.labelCounts()) : null;
        negatives = options.loss() == ClassifierLoss.NS ? new NegativeLabels(dict.labelCounts()) : null;
        preparedFor = dict;
    }

    /**
     * Where a shard's tokens fall in the run: after k of its tokens the whole run has done {@code before + k·scale}
     * tokens out of {@code total} (training tokens × epochs); the learning rate is lr·(1 − done/total). A
     * single-machine run is {@code (0, 1, total)}.
     */
    public record Progress(long before, double scale, long total) {
        public Progress {
            if (before < 0 || !(scale > 0) || Double.isInfinite(scale) || total < 1) {
                throw new IllegalArgumentException("progress needs before >= 0, a finite scale > 0 and total >= 1, got "
                        + before + ", " + scale + ", " + total);
            }
        }

        long global(long local) {
            return scale == 1.0 ? before + local : before + (long) (local * scale);
        }
    }

    /**
     * One pass over a shard of examples from given weights, updated in place: what a data-parallel trainer (one Spark
     * task per partition and sync round) runs. {@code rows[i]} are example i's input rows ({@link
     * Dictionary#inputRows(String)}, not empty), {@code targets[i]} its label ids; the order is shuffled with
     * {@code seed} and split over the options' threads (Hogwild), as one epoch of {@link #train}. The loss's label
     * structures are built from {@code dict} on the first call with it. Returns the summed loss.
     */
    public double trainShard(
            Dictionary dict,
            int[][] rows,
            int[][] targets,
            float[] input,
            float[] output,
            Progress progress,
            long seed) {
        int dim = options.dim();
        if (input.length != (long) dict.inputRows() * dim
                || output.length != (long) dict.labels().size() * dim) {
            throw new IllegalArgumentException("matrices of " + input.length + " and " + output.length
                    + " floats do not fit the dictionary: " + dict.inputRows() + " input rows and "
                    + dict.labels().size() + " labels of dim " + dim);
        }
        if (rows.length != targets.length) {
            throw new IllegalArgumentException(rows.length + " examples but " + targets.length + " target lists");
        }
        if (rows.length == 0) {
            return 0;
        }
        if (preparedFor != dict) {
            prepareLoss(dict);
        }
        int labels = output.length / dim;
        for (int i = 0; i < rows.length; i++) {
            if (rows[i].length == 0 || targets[i].length == 0) {
                throw new IllegalArgumentException("example " + i + " has no input row or no label");
            }
            for (int r : rows[i]) {
                if (r < 0 || (long) r * dim >= input.length) {
                    throw new IllegalArgumentException("example " + i + " has input row " + r + " outside the matrix");
                }
            }
            for (int t : targets[i]) {
                if (t < 0 || t >= labels) {
                    throw new IllegalArgumentException(
                            "example " + i + " has label id " + t + " outside [0, " + labels + ")");
                }
            }
        }
        int threads = Math.min(options.threads(), rows.length);
        ExecutorService pool = threads > 1 ? Executors.newFixedThreadPool(threads) : null;
        try {
            int[] order = shuffledOrder(rows.length, new Random(seed));
            return pass(rows, targets, order, input, output, dim, new AtomicLong(), progress, seed, threads, pool);
        } finally {
            if (pool != null) {
                pool.shutdownNow();
            }
        }
    }

    /** The classifier made of {@code dict} and trained matrices (copied neither: the caller must not change them). */
    public TextClassifier model(Dictionary dict, float[] input, float[] output) {
        return new TextClassifier(options, dict, input, output);
    }

    private void logModelSize(Dictionary dict, int dim) {
        long inputRows = dict.inputRows();
        long words = dict.words().size();
        long labels = dict.labels().size();
        long bytes = (inputRows + labels) * dim * Float.BYTES;
        LOG.log(
                System.Logger.Level.INFO,
                () -> String.format(
                        Locale.ROOT,
                        "fastText classifier: allocating %,d bytes (%.1f MB): input %,d rows (%,d words + %,d n-gram"
                                + " buckets) x dim %d, output %,d labels x dim %d, float32%s",
                        bytes,
                        bytes / 1e6,
                        inputRows,
                        words,
                        inputRows - words,
                        dim,
                        labels,
                        dim,
                        inputRows > words
                                ? "; the buckets take " + (inputRows - words) * dim * Float.BYTES / 1_000_000
                                        + " MB: set bucket lower (ClassifierOptions.withBucket, --bucket) to shrink"
                                        + " them"
                                : ""));
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

    private void trainEpochs(
            int[][] rows,
            int[][] targets,
            float[] input,
            float[] output,
            Dictionary dict,
            long totalTokens,
            ClassifierCheckpoint.State from)
            throws IOException {
        int dim = options.dim();
        int threads = Math.min(options.threads(), rows.length);
        AtomicLong processed = new AtomicLong(from.tokensDone());
        Progress progress = new Progress(0, 1.0, totalTokens);
        ExecutorService pool = threads > 1 ? Executors.newFixedThreadPool(threads) : null;
        try {
            for (int epoch = from.epochsDone(); epoch < options.epoch(); epoch++) {
                long start = System.nanoTime();
                int[] order = shuffledOrder(rows.length, new Random(options.seed() * 1_000_003L + epoch));
                long seedBase = options.seed() + 7919L * (epoch * 257L);
                double loss =
                        pass(rows, targets, order, input, output, dim, processed, progress, seedBase, threads, pool);
                checkFinite(output, epoch);
                if (checkpoint != null) {
                    ClassifierCheckpoint.State s = new ClassifierCheckpoint.State(epoch + 1, processed.get());
                    ClassifierCheckpoint.write(checkpoint, input, output, s, options, dict);
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

    /**
     * One pass over {@code order}, split into {@code threads} contiguous parts (Hogwild on {@code pool}, or inline
     * without one); thread t draws from seed {@code seedBase + 7919·t}. Returns the summed loss.
     */
    private double pass(
            int[][] rows,
            int[][] targets,
            int[] order,
            float[] input,
            float[] output,
            int dim,
            AtomicLong processed,
            Progress progress,
            long seedBase,
            int threads,
            ExecutorService pool) {
        double[] lossSums = new double[threads];
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            final int tid = t;
            final int from = (int) ((long) rows.length * t / threads);
            final int to = (int) ((long) rows.length * (t + 1) / threads);
            final long seed = seedBase + 7919L * t;
            Runnable work = () -> lossSums[tid] =
                    runShard(rows, targets, order, from, to, input, output, dim, processed, progress, seed);
            if (pool == null) {
                work.run();
            } else {
                futures.add(pool.submit(work));
            }
        }
        join(futures);
        double loss = 0;
        for (double l : lossSums) {
            loss += l;
        }
        return loss;
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
            Progress progress,
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
            float done = Math.min(1f, (float) progress.global(base + local) / progress.total());
            local += r.length;
            if (local >= PROGRESS_FLUSH) {
                base = processed.addAndGet(local);
                local = 0;
            }
            float lr = options.lr() * (1f - done);
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
