package org.embed4j.classify;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.embed4j.train.CheckpointInterval;
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
 * With {@link #checkpoint(Path)} the matrices and the tokens done are saved after every epoch, or with {@link
 * #checkpointEvery} every so many tokens or so much time, mid-epoch where every thread has stopped at an example
 * boundary ({@link ClassifierCheckpointer}; atomically, {@link ClassifierCheckpoint}); with {@link #resume(boolean)}
 * training first loads that checkpoint (when it exists) and goes on from its position: each part of the interrupted
 * epoch replays its random draws up to where it stopped, so with one thread a resumed run ends bit for bit where an
 * uninterrupted one does (with several, it goes on from the same positions; the epoch in progress keeps the
 * checkpoint's number of parts).
 * A trainer object is configured and used by one thread at a time; the models it returns are independent.
 */
public final class FastTextTrainer {
    private static final System.Logger LOG = System.getLogger(FastTextTrainer.class.getName());
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
    private CheckpointInterval checkpointEvery = CheckpointInterval.EPOCH;
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

    /** Save checkpoints of {@link #train} to {@code file} (null: none), after every epoch unless {@link
     * #checkpointEvery} says else. */
    public FastTextTrainer checkpoint(Path file) {
        this.checkpoint = file;
        return this;
    }

    /** How often {@link #checkpoint(Path)} saves: after every epoch (the default), or every so many tokens or time. */
    public FastTextTrainer checkpointEvery(CheckpointInterval every) {
        this.checkpointEvery = Objects.requireNonNull(every, "every");
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
                    : ClassifierCheckpoint.State.between(0, 0, rows.size());
            if (from.examples() != 0 && from.examples() != rows.size()) {
                throw new IllegalArgumentException(checkpoint + " was trained on other data: " + from.examples()
                        + " examples with a token, this data has " + rows.size());
            }
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
            return new ExamplePass(options, frozen, tree, negatives)
                    .run(
                            rows,
                            targets,
                            order,
                            input,
                            output,
                            dim,
                            new AtomicLong(),
                            progress,
                            seed,
                            ExamplePass.Parts.fresh(rows.length, threads),
                            pool,
                            null);
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
        ClassifierCheckpointer saver = checkpoint == null
                ? null
                : new ClassifierCheckpointer(
                        checkpoint, checkpointEvery, input, output, options, dict, processed, rows.length);
        ExecutorService pool = threads > 1 ? Executors.newFixedThreadPool(threads) : null;
        try {
            for (int epoch = from.epochsDone(); epoch < options.epoch(); epoch++) {
                long start = System.nanoTime();
                int[] order = shuffledOrder(rows.length, new Random(options.seed() * 1_000_003L + epoch));
                long seedBase = options.seed() + 7919L * (epoch * 257L);
                ExamplePass.Parts at = epoch == from.epochsDone() && from.midEpoch()
                        ? ExamplePass.Parts.resumed(rows.length, from.positions(), from.losses())
                        : ExamplePass.Parts.fresh(rows.length, threads);
                var stops = saver == null ? null : saver.duringEpoch(epoch, at.count());
                ExecutorService own = at.count() > 1 && (pool == null || at.count() > threads)
                        ? Executors.newFixedThreadPool(at.count()) // the checkpoint's parts, one thread each
                        : null;
                double loss;
                try {
                    ExecutorService runOn = at.count() == 1 ? null : own != null ? own : pool;
                    loss = new ExamplePass(options, frozen, tree, negatives)
                            .run(
                                    rows, targets, order, input, output, dim, processed, progress, seedBase, at, runOn,
                                    stops);
                } finally {
                    if (own != null) {
                        own.shutdownNow();
                    }
                }
                checkFinite(output, epoch);
                if (saver != null) {
                    saver.afterEpoch(epoch, epoch == options.epoch() - 1);
                }
                listener.accept(
                        new EpochStats(epoch + 1, loss / rows.length, rows.length, (System.nanoTime() - start) / 1e9));
            }
        } catch (UncheckedIOException e) {
            throw e.getCause(); // a mid-epoch checkpoint could not be written
        } finally {
            if (pool != null) {
                pool.shutdownNow();
            }
        }
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

    private static void checkFinite(float[] output, int epoch) {
        for (int i = 0; i < output.length; i++) {
            if (!Float.isFinite(output[i])) {
                throw new IllegalStateException("training diverged in epoch " + (epoch + 1) + ": output weight " + i
                        + " is " + output[i] + "; lower --lr");
            }
        }
    }
}
