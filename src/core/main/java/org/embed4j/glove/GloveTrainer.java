package org.embed4j.glove;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.embed4j.backend.Backend;
import org.embed4j.backend.Backends;
import org.embed4j.internal.hash.Fnv1a;
import org.embed4j.text.CorpusReader;
import org.embed4j.text.Tokenizer;
import org.embed4j.text.Vocabulary;
import org.embed4j.train.TrainingListener;

/**
 * Trains GloVe vectors (Pennington et al. 2014). Pipeline, as the reference's vocab_count → cooccur → shuffle →
 * glove: count the vocabulary (one pass); count the windowed co-occurrences (a second pass; {@link
 * CooccurrenceCounter}, sorted runs on disk past the memory budget, merged by {@link CountedPairs}); shuffle the
 * records into one file ({@link RecordShuffler}); then {@code epochs} passes over that file, each split into
 * {@code threads} equal slices trained by Hogwild workers ({@link GloveWorker}) through the gather and fused
 * sparse-update kernels, Adagrad on the weighted least-squares loss ({@link GloveStep}). The learning rate is
 * constant (Adagrad adapts it per weight), as in the reference.
 *
 * <p>Checkpoints: with {@link #checkpoint(Path)} the weights and Adagrad sums are saved after every epoch
 * ({@link GloveCheckpoint}, atomically) and the shuffled co-occurrence file is kept beside it
 * ({@code <checkpoint>.cooccur}); with {@link #resume(boolean)} a run first loads that checkpoint and trains the
 * remaining epochs, reusing the co-occurrence file when it matches. With one thread a resumed run ends bit for bit
 * where the uninterrupted run would.
 *
 * <p>Memory: the budget of {@link GloveOptions#memoryMb()} (capped at 60% of the heap) for the co-occurrence build,
 * then the two (V, D+1) matrices and their Adagrad sums; the records stream from the file every epoch.
 * Temporary files go to the work folder (a new temporary folder by default, deleted at the end). While the epochs run,
 * the native kernels are set to one thread per call (process-wide, {@link Backends#setNumThreads}; the previous count
 * is restored after): the workers are the parallelism. With one thread
 * a run is reproducible bit for bit for a given seed, backend and budget. Worker failures are rethrown after the
 * join; a NaN or infinite loss stops training with an error naming the batch. One run per call; not thread-safe.
 */
public final class GloveTrainer {
    private static final System.Logger LOG = System.getLogger(GloveTrainer.class.getName());
    private static final long MB = 1L << 20;

    private final GloveOptions options;
    private final TrainingListener listener;
    private Path workDir;
    private Path checkpoint;
    private boolean resume;

    /** A trainer that reports to nobody. {@code options} are validated here. */
    public GloveTrainer(GloveOptions options) {
        this(options, TrainingListener.NONE);
    }

    /** A trainer that reports progress and metrics to {@code listener}. {@code options} are validated here. */
    public GloveTrainer(GloveOptions options, TrainingListener listener) {
        this.options = options.validate();
        this.listener = Objects.requireNonNull(listener, "listener");
    }

    public GloveOptions options() {
        return options;
    }

    /** Where the temporary runs and chunks go (null: a new temporary folder, deleted at the end). */
    public GloveTrainer workDir(Path dir) {
        this.workDir = dir;
        return this;
    }

    /** Save a checkpoint to {@code file} after every epoch (null: none). */
    public GloveTrainer checkpoint(Path file) {
        this.checkpoint = file;
        return this;
    }

    /** Continue from the checkpoint when it exists (needs {@link #checkpoint(Path)}). */
    public GloveTrainer resume(boolean resume) {
        this.resume = resume;
        return this;
    }

    /** Trains on a plain or gzip text corpus (one sentence or paragraph per line). */
    public GloveResult train(Path corpusPath) throws IOException {
        if (!Files.isRegularFile(corpusPath)) {
            throw new NoSuchFileException(corpusPath.toString(), null, "corpus not found");
        }
        if (resume && checkpoint == null) {
            throw new IllegalArgumentException("resume needs a checkpoint file (--checkpoint)");
        }
        GloveOptions o = options;
        long buildStart = System.nanoTime();
        CorpusReader corpus = new CorpusReader(corpusPath);
        Tokenizer tokenizer = new Tokenizer(o.lowercase());
        Vocabulary vocab = countVocabulary(corpus, tokenizer);
        long fingerprint = fingerprint(vocab, o);
        Backend backend = chooseBackend(o.backend());
        Path dir = workDir != null ? Files.createDirectories(workDir) : Files.createTempDirectory("embed4j-glove");
        try {
            Path matrixPath = checkpoint != null
                    ? checkpoint.resolveSibling(checkpoint.getFileName() + ".cooccur")
                    : dir.resolve("cooccurrence.bin");
            CooccurrenceBuild.Built build;
            if (resume && CooccurrenceFile.usable(matrixPath, vocab.size(), fingerprint)) {
                build = new CooccurrenceBuild.Built(CooccurrenceFile.open(matrixPath, vocab.size(), fingerprint), 0, 0);
                LOG.log(System.Logger.Level.INFO, "glove: reusing the co-occurrence matrix in " + matrixPath);
            } else {
                build = buildMatrix(corpus, tokenizer, vocab, dir, matrixPath, fingerprint);
            }
            CooccurrenceFile matrix = build.file();
            double buildSeconds = (System.nanoTime() - buildStart) / 1e9;
            GloveCheckpoint.State state = resume && Files.isRegularFile(checkpoint)
                    ? GloveCheckpoint.read(checkpoint, o, vocab.size(), fingerprint)
                    : new GloveCheckpoint.State(
                            GloveWeights.init(vocab.size(), o.dim(), o.adagrad(), o.seed()), 0, new double[0]);
            try (GloveWeights weights = state.weights()) {
                long trainStart = System.nanoTime();
                double[] losses = trainEpochs(backend, weights, matrix, state, fingerprint);
                double trainSeconds = (System.nanoTime() - trainStart) / 1e9;
                LOG.log(
                        System.Logger.Level.INFO,
                        String.format(
                                Locale.ROOT,
                                "glove: %d records, build %.1f s, %d epochs in %.1f s, final loss %.5f, backend %s",
                                matrix.records(),
                                buildSeconds,
                                o.epochs() - state.epochsDone(),
                                trainSeconds,
                                losses.length == 0 ? Double.NaN : losses[losses.length - 1],
                                backend.name()));
                return new GloveResult(
                        vocab,
                        weights.toVectors(vocab.words(), o.output()),
                        o,
                        matrix.records(),
                        buildSeconds,
                        trainSeconds,
                        losses,
                        build.spilledRuns(),
                        build.shuffleChunks(),
                        backend.name());
            }
        } finally {
            if (workDir == null) {
                deleteTree(dir);
            }
        }
    }

    private Vocabulary countVocabulary(CorpusReader corpus, Tokenizer tokenizer) {
        GloveOptions o = options;
        Vocabulary vocab =
                Vocabulary.count(corpus, tokenizer, o.minCount(), o.maxVocab() == 0 ? Integer.MAX_VALUE : o.maxVocab());
        if (vocab.size() < 2) {
            throw new IllegalArgumentException("corpus " + corpus.path() + " has " + vocab.size() + " word(s) with"
                    + " count >= " + o.minCount() + "; need at least 2 (lower --min-count or use a bigger corpus)");
        }
        LOG.log(
                System.Logger.Level.INFO,
                String.format(
                        Locale.ROOT,
                        "glove: %d words in the vocabulary, %d tokens, window %d, dim %d, %d epochs, %d threads",
                        vocab.size(),
                        vocab.totalCount(),
                        o.window(),
                        o.dim(),
                        o.epochs(),
                        o.threads()));
        return vocab;
    }

    private CooccurrenceBuild.Built buildMatrix(
            CorpusReader corpus, Tokenizer tokenizer, Vocabulary vocab, Path dir, Path target, long fingerprint)
            throws IOException {
        long budget = budgetBytes();
        long total = vocab.totalCount();
        long[] lastTick = {System.nanoTime()};
        CooccurrenceBuild.Built built =
                CooccurrenceBuild.build(options, corpus, tokenizer, vocab, dir, target, fingerprint, budget, read -> {
                    long now = System.nanoTime();
                    if (now - lastTick[0] > 250_000_000L) {
                        lastTick[0] = now;
                        listener.onProgress("glove co-occurrence", Math.min(read, total), total, "words", "counting");
                    }
                });
        listener.onProgress(
                "glove co-occurrence", total, total, "words", built.file().records() + " records");
        LOG.log(
                System.Logger.Level.INFO,
                String.format(
                        Locale.ROOT,
                        "glove: %d co-occurrence records (%d runs spilled, %d shuffle chunks, budget %d MB)",
                        built.file().records(),
                        built.spilledRuns(),
                        built.shuffleChunks(),
                        budget / MB));
        return built;
    }

    /** The co-occurrence budget in bytes: the option, capped at 60% of the largest heap the JVM may use. */
    private long budgetBytes() {
        long asked = options.memoryMb() * MB;
        long cap = (long) (Runtime.getRuntime().maxMemory() * 0.6);
        if (asked > cap) {
            LOG.log(
                    System.Logger.Level.WARNING,
                    "glove: memory budget " + options.memoryMb() + " MB is more than 60% of the heap (-Xmx "
                            + Runtime.getRuntime().maxMemory() / MB + " MB); using " + cap / MB + " MB");
            return cap;
        }
        return asked;
    }

    private double[] trainEpochs(
            Backend backend, GloveWeights weights, CooccurrenceFile matrix, GloveCheckpoint.State state, long fp)
            throws IOException {
        GloveOptions o = options;
        double[] losses = java.util.Arrays.copyOf(state.epochLosses(), Math.max(o.epochs(), state.epochsDone()));
        GloveMonitor monitor = new GloveMonitor(listener, matrix.records(), o.epochs(), state.epochsDone(), o.lr());
        // the Hogwild workers are the parallelism: a kernel call that also forked its own threads would oversubscribe
        // the cores and pay a thread start per batch
        int kernelThreads = Backends.numThreads();
        boolean cpu = backend.name().equals("cpu");
        if (cpu) {
            Backends.setNumThreads(1);
        }
        try {
            for (int epoch = state.epochsDone(); epoch < o.epochs(); epoch++) {
                GloveWorker.Shared shared = runEpoch(backend, weights, matrix, epoch, monitor);
                losses[epoch] = shared.loss.sum() / Math.max(1, matrix.records());
                String bad = weights.firstNonFinite();
                if (bad != null) {
                    throw new IllegalStateException(
                            "GloVe training diverged in epoch " + (epoch + 1) + ": " + bad + "; lower --lr");
                }
                monitor.epochDone(epoch, losses[epoch], shared.batches.get());
                LOG.log(
                        System.Logger.Level.DEBUG,
                        String.format(Locale.ROOT, "glove: epoch %d, cost %.6f", epoch + 1, losses[epoch]));
                if (checkpoint != null) {
                    GloveCheckpoint.write(checkpoint, weights, epoch + 1, losses, o, fp);
                }
            }
        } finally {
            if (cpu) {
                Backends.setNumThreads(kernelThreads);
            }
            listener.onEnd();
        }
        return java.util.Arrays.copyOf(losses, Math.max(o.epochs(), state.epochsDone()));
    }

    private GloveWorker.Shared runEpoch(
            Backend backend, GloveWeights weights, CooccurrenceFile matrix, int epoch, GloveMonitor monitor)
            throws IOException {
        int threads = (int) Math.max(1, Math.min(options.threads(), matrix.records()));
        GloveWorker.Shared shared = new GloveWorker.Shared();
        List<Thread> workers = new ArrayList<>(threads);
        long n = matrix.records();
        for (int t = 0; t < threads; t++) {
            long from = n * t / threads;
            long to = n * (t + 1) / threads;
            workers.add(Thread.ofPlatform()
                    .name("glove-worker-" + t)
                    .daemon()
                    .unstarted(new GloveWorker(backend, weights, matrix, from, to, options, shared)));
        }
        workers.forEach(Thread::start);
        try {
            for (Thread t : workers) {
                while (t.isAlive()) {
                    t.join(250);
                    monitor.tick(epoch, shared, false);
                }
            }
        } catch (InterruptedException e) {
            shared.fail(e);
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while training GloVe", e);
        }
        monitor.tick(epoch, shared, true);
        Throwable failure = shared.failure();
        if (failure instanceof UncheckedIOException io) {
            throw io.getCause();
        } else if (failure instanceof RuntimeException re) {
            throw re;
        } else if (failure instanceof Error err) {
            throw err;
        } else if (failure != null) {
            throw new IllegalStateException("GloVe training failed: " + failure, failure);
        }
        return shared;
    }

    /** "auto": native CPU when it loads (or -Dembed4j.backend=cpu|java), else Java; never CUDA (Hogwild on the host). */
    private static Backend chooseBackend(String name) {
        String forced = System.getProperty(Backends.BACKEND_PROPERTY, "").trim();
        if (name.equals("auto") && (forced.equals("cpu") || forced.equals("java"))) {
            return Backends.get(forced);
        }
        if (name.equals("auto")) {
            for (Backend b : Backends.available()) {
                if (b.name().equals("cpu")) {
                    return b;
                }
            }
            return Backends.get("java");
        }
        return Backends.get(name);
    }

    /** 64-bit FNV-1a over the counting settings and every word with its count: what the matrix depends on. */
    static long fingerprint(Vocabulary vocab, GloveOptions o) {
        long h = Fnv1a.BASIS_64;
        h = fnv(h, o.cooccurrenceKey());
        for (int i = 0; i < vocab.size(); i++) {
            h = fnv(h, vocab.word(i));
            h = fnv(h, Long.toString(vocab.count(i)));
        }
        return h;
    }

    private static long fnv(long h, String s) {
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            h = Fnv1a.step64(h, b & 0xff);
        }
        return Fnv1a.step64(h, 0xff); // a separator, so "ab"+"c" differs from "a"+"bc"
    }

    private static void deleteTree(Path dir) {
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    // a temporary file left behind is harmless
                }
            });
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "could not delete " + dir + ": " + e.getMessage());
        }
    }
}
