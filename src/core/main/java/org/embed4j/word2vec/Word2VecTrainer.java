package org.embed4j.word2vec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import org.embed4j.backend.Backend;
import org.embed4j.tensor.DType;
import org.embed4j.tensor.Tensor;
import org.embed4j.text.CorpusReader;
import org.embed4j.text.Tokenizer;
import org.embed4j.text.Vocabulary;
import org.embed4j.train.CheckpointInterval;
import org.embed4j.train.TrainingListener;
import org.embed4j.vectors.WordVectors;

/**
 * Trains word vectors: skip-gram or CBOW with negative sampling and/or hierarchical softmax (word2vec), optionally
 * with fastText subwords. Pipeline: count the vocabulary (one pass) or take a given one (word2vec's -read-vocab),
 * build the unigram^0.75 table, the Huffman tree and the subword rows, then one reader thread streams the corpus
 * in the first epoch into chunks of ~10k word ids and {@code threads} Hogwild workers train on them through
 * {@link Backend#word2vecTrainChunk} (negative sampling) or {@link Backend#word2vecHsTrainChunk} (hierarchical
 * softmax, CBOW over a sum) (native AVX2 kernels, or the Java reference). The later epochs replay the first one's
 * chunks from memory when they fit a quarter of the heap ({@link ChunkCache}: 4 bytes a token), else they read the
 * corpus again. Memory is the vocabulary, the two weight matrices, the 40 MB negative table, that cache and a few
 * chunks.
 *
 * <p>Weights start as word2vec's: W_in uniform in ±0.5/dim (from word2vec's LCG seeded with the seed),
 * W_out zero. With {@code threads == 1} a run is reproducible bit for bit for a given seed and backend.
 * Worker failures are rethrown after the join; NaN/Inf stops training with an error naming the step.
 *
 * <p>Checkpoints: with {@link #checkpoint(Path)} the weights, every worker's random states, the words done and the
 * position in the corpus are saved after every epoch, or with {@link #checkpointEvery} every so many words or so much
 * time, mid-epoch at a chunk boundary where every worker has stopped ({@link Word2VecCheckpointer}; atomically,
 * {@link Word2VecCheckpoint}); with {@link #resume(boolean)} a run first loads that checkpoint (when it exists) and
 * goes on from its position. Each epoch's reader and workers start afresh and continue the random streams of the
 * last, so with {@code threads == 1} a resumed run ends bit for bit where an uninterrupted one does (with several
 * threads it goes on from the same position, but the Hogwild interleaving differs from run to run anyway).
 *
 * <p>Not thread-safe itself (one training run per instance call); the result is immutable.
 */
public final class Word2VecTrainer {
    private static final System.Logger LOG = System.getLogger(Word2VecTrainer.class.getName());

    private final Word2VecOptions options;
    private final TrainingListener listener;
    private WordVectors init;
    private Path checkpoint;
    private CheckpointInterval checkpointEvery = CheckpointInterval.EPOCH;
    private boolean resume;
    private long chunkCacheBytes = -1; // below 0: ChunkCache.budgetFor(epochs)

    /** A trainer that reports to nobody. {@code options} are validated here. */
    public Word2VecTrainer(Word2VecOptions options) {
        this(options, TrainingListener.NONE);
    }

    /**
     * A trainer that reports progress and metrics to {@code listener} (a progress bar, a {@code MetricsLog},
     * {@link TrainingListener#all} of several). {@code options} are validated here.
     */
    public Word2VecTrainer(Word2VecOptions options, TrainingListener listener) {
        this.options = options.validate();
        this.listener = Objects.requireNonNull(listener, "listener");
    }

    public Word2VecOptions options() {
        return options;
    }

    /**
     * Continue from {@code vectors} (null: start fresh): their words keep their ids and rows, the corpus's new words
     * are added (see {@link Continuation}). Checked against the options here.
     */
    public Word2VecTrainer initFrom(WordVectors vectors) {
        if (vectors != null) {
            Continuation.check(vectors, options);
        }
        this.init = vectors;
        return this;
    }

    /** Save checkpoints to {@code file} (null: none), after every epoch unless {@link #checkpointEvery} says else. */
    public Word2VecTrainer checkpoint(Path file) {
        this.checkpoint = file;
        return this;
    }

    /** How often {@link #checkpoint(Path)} saves: after every epoch (the default), or every so many words or time. */
    public Word2VecTrainer checkpointEvery(CheckpointInterval every) {
        this.checkpointEvery = Objects.requireNonNull(every, "every");
        return this;
    }

    /** Continue from the checkpoint when it exists (needs {@link #checkpoint(Path)}). */
    public Word2VecTrainer resume(boolean resume) {
        this.resume = resume;
        return this;
    }

    /** The most bytes of word ids kept in memory for the later epochs (0: the corpus is read every epoch). */
    Word2VecTrainer chunkCacheBytes(long bytes) {
        this.chunkCacheBytes = bytes;
        return this;
    }

    /** Trains on a plain or gzip text corpus (one sentence or paragraph per line), counting its vocabulary first. */
    public Word2VecResult train(Path corpusPath) throws IOException {
        requireCorpus(corpusPath);
        CorpusReader corpus = new CorpusReader(corpusPath);
        Tokenizer tokenizer = new Tokenizer(options.lowercase());
        Vocabulary vocab = init != null
                ? Continuation.vocabulary(init, corpus, tokenizer, options)
                : Vocabulary.count(
                        corpus,
                        tokenizer,
                        options.minCount(),
                        maxVocab(),
                        Vocabulary.DEFAULT_MAX_ENTRIES,
                        options.threads());
        return trainWith(corpusPath, vocab);
    }

    /**
     * Trains on a corpus with a vocabulary given instead of counted (word2vec's -read-vocab: a fixed vocabulary across
     * runs); the options' minCount and maxVocab still apply to it. Corpus words outside it are skipped. Its counts
     * drive subsampling, the negative table, the Huffman tree and the learning-rate schedule.
     */
    public Word2VecResult train(Path corpusPath, Vocabulary vocabulary) throws IOException {
        if (init != null) {
            throw new IllegalArgumentException(
                    "continued training (initFrom) takes its vocabulary from the vectors; a given vocabulary does not"
                            + " combine with it");
        }
        requireCorpus(corpusPath);
        return trainWith(corpusPath, vocabulary.prune(options.minCount(), maxVocab()));
    }

    private Word2VecResult trainWith(Path corpusPath, Vocabulary vocab) throws IOException {
        Word2VecOptions o = options;
        if (resume && checkpoint == null) {
            throw new IllegalArgumentException("resume needs a checkpoint file (--checkpoint)");
        }
        CorpusReader corpus = new CorpusReader(corpusPath);
        Tokenizer tokenizer = new Tokenizer(o.lowercase());
        if (vocab.size() < 2) {
            throw new IllegalArgumentException(
                    "corpus " + corpusPath + " has " + vocab.size() + " word(s) with count >= " + o.minCount()
                            + "; need at least 2 (lower --min-count or use a bigger corpus)");
        }
        LOG.log(
                System.Logger.Level.INFO,
                String.format(
                        Locale.ROOT,
                        "word2vec: %d words in the vocabulary, %d tokens "
                                + "per epoch, %s%s, dim %d, %d epochs, %d threads",
                        vocab.size(),
                        vocab.totalCount(),
                        o.model().name().toLowerCase(Locale.ROOT),
                        (o.hs() ? ", hierarchical softmax" : "")
                                + (o.negative() > 0 ? ", " + o.negative() + " negatives" : ""),
                        o.dim(),
                        o.epochs(),
                        o.threads()));
        boolean ns = o.negative() > 0;
        try (Word2VecShardTrainer shared = new Word2VecShardTrainer(o, vocab);
                Tensor wIn = shared.initialInput();
                Tensor wOut = ns ? Tensor.allocate(DType.F32, vocab.size(), o.dim()) : null;
                GeneralKernel general = GeneralKernel.needed(o) ? shared.generalKernel(wIn, wOut) : null) {
            if (init != null) {
                Continuation.copyRows(init, wIn);
            }
            Weights w = new Weights(wIn, wOut, general);
            Word2VecCheckpoint.State from = resume && Files.isRegularFile(checkpoint)
                    ? Word2VecCheckpoint.read(checkpoint, wIn, wOut, w.wHs(), o, vocab)
                    : null;
            Run run = runWorkers(shared, corpus, tokenizer, w, from);
            WordVectors vectors = shared.vectors(wIn);
            return new Word2VecResult(
                    vocab,
                    vectors,
                    o,
                    run.words,
                    run.seconds,
                    run.words / Math.max(run.seconds, 1e-9),
                    run.finalLoss,
                    shared.backendName());
        }
    }

    private int maxVocab() {
        return options.maxVocab() == 0 ? Integer.MAX_VALUE : options.maxVocab();
    }

    private static void requireCorpus(Path corpusPath) throws IOException {
        if (!Files.isRegularFile(corpusPath)) {
            throw new java.nio.file.NoSuchFileException(corpusPath.toString(), null, "corpus not found");
        }
    }

    private record Run(long words, double seconds, double finalLoss) {}

    /** The matrices a run trains: W_in, W_out (null without negative sampling), the general kernel's (or null). */
    private record Weights(Tensor wIn, Tensor wOut, GeneralKernel general) {
        /** The hierarchical-softmax rows, or null. */
        Tensor wHs() {
            return general == null ? null : general.innerNodes();
        }
    }

    private Run runWorkers(
            Word2VecShardTrainer shared,
            CorpusReader corpus,
            Tokenizer tokenizer,
            Weights w,
            Word2VecCheckpoint.State from)
            throws IOException {
        Word2VecOptions o = options;
        Vocabulary vocab = shared.vocabulary();
        long total = vocab.totalCount() * o.epochs();
        TrainingState state = new TrainingState(total);
        long[][] rngs = new long[o.threads()][];
        for (int i = 0; i < rngs.length; i++) {
            rngs[i] = from != null && i < from.rngs().length ? from.rngs()[i] : HogwildWorker.initialRng(o.seed(), i);
        }
        int firstEpoch = from == null ? 0 : from.epochsDone();
        if (from != null) {
            state.words.set(from.wordsDone());
            state.steps.set(from.steps());
            LOG.log(
                    System.Logger.Level.INFO,
                    "word2vec: resuming from " + checkpoint + " at epoch " + (firstEpoch + 1) + ", chunk "
                            + from.chunksDone() + " (" + from.wordsDone() + " words done)");
        }
        Word2VecCheckpointer saver = checkpoint == null
                ? null
                : new Word2VecCheckpointer(
                        checkpoint, checkpointEvery, w.wIn(), w.wOut(), w.wHs(), o, vocab, state, rngs);
        long start = System.nanoTime();
        String task = "word2vec " + o.model().name().toLowerCase(Locale.ROOT);
        TrainingMonitor monitor = new TrainingMonitor(task, state, total, o.threads(), o, start);
        ChunkCache cache =
                new ChunkCache(chunkCacheBytes >= 0 ? chunkCacheBytes : ChunkCache.budgetFor(o.epochs() - firstEpoch));
        try {
            for (int epoch = firstEpoch; epoch < o.epochs(); epoch++) {
                long skip = from != null && epoch == firstEpoch ? from.chunksDone() : 0;
                var pauses = saver == null ? null : saver.duringEpoch(epoch, o.threads());
                runEpoch(shared, corpus, tokenizer, w, state, monitor, rngs, skip, pauses, cache);
                if (epoch == firstEpoch && !cache.complete() && cache.budgetBytes() > 0) {
                    LOG.log(
                            System.Logger.Level.INFO,
                            String.format(
                                    Locale.ROOT,
                                    "word2vec: the corpus's word ids take more than the %.1f MB kept in memory for"
                                            + " the later epochs: it is read again every epoch",
                                    cache.budgetBytes() / 1e6));
                }
                if (saver != null) {
                    saver.afterEpoch(epoch, epoch == o.epochs() - 1);
                }
            }
            monitor.tick(listener, true);
        } finally {
            listener.onEnd();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        // DEBUG: the result carries these figures, and callers that show them (the CLI) print their own summary
        LOG.log(
                System.Logger.Level.DEBUG,
                String.format(
                        Locale.ROOT,
                        "word2vec: %d words in %.1f s (%.0f words/s, "
                                + "%.0f per thread), final loss %.4f, backend %s",
                        state.words.get(),
                        seconds,
                        state.words.get() / seconds,
                        state.words.get() / seconds / o.threads(),
                        monitor.recentLoss(),
                        shared.backendName()));
        return new Run(state.words.get(), seconds, monitor.recentLoss());
    }

    /**
     * One pass over the corpus (or its chunks in {@code cache}), its first {@code skip} chunks left out (trained before
     * a resume): a reader thread and the workers, joined; worker failures are rethrown. With {@code pauses}, mid-epoch
     * checkpoints.
     */
    private void runEpoch(
            Word2VecShardTrainer shared,
            CorpusReader corpus,
            Tokenizer tokenizer,
            Weights w,
            TrainingState state,
            TrainingMonitor monitor,
            long[][] rngs,
            long skip,
            Word2VecCheckpointer.Pauses pauses,
            ChunkCache cache)
            throws IOException {
        Word2VecOptions o = options;
        BlockingQueue<int[]> queue = new ArrayBlockingQueue<>(2 * o.threads() + 2);
        Thread reader = Thread.ofPlatform()
                .name("w2v-reader")
                .daemon()
                .unstarted(new ChunkProducer(
                        corpus, tokenizer, shared.vocabulary(), o.threads(), queue, state, skip, pauses, cache));
        reader.start();
        List<Thread> threads = new ArrayList<>(List.of(reader));
        threads.addAll(shared.startWorkers(
                queue, state, w.wIn(), w.wOut(), o, w.general(), rngs, pauses == null ? null : pauses.safePoint()));
        try {
            for (Thread t : threads) {
                while (t.isAlive()) {
                    t.join(TrainingMonitor.POLL_MILLIS);
                    monitor.tick(listener, false);
                }
            }
        } catch (InterruptedException e) {
            state.fail(e);
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while training word2vec", e);
        }
        state.rethrowFailure();
    }
}
