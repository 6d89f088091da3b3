package org.embed4j.word2vec;

import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import org.embed4j.backend.Backend;
import org.embed4j.backend.Backends;
import org.embed4j.tensor.DType;
import org.embed4j.tensor.Tensor;
import org.embed4j.text.CorpusReader;
import org.embed4j.text.NegativeSampler;
import org.embed4j.text.Subsampler;
import org.embed4j.text.Subwords;
import org.embed4j.text.Tokenizer;
import org.embed4j.text.Vocabulary;
import org.embed4j.train.TrainingListener;
import org.embed4j.vectors.WordVectors;

/**
 * Trains word vectors: skip-gram or CBOW with negative sampling and/or hierarchical softmax (word2vec), optionally
 * with fastText subwords. Pipeline: count the vocabulary (one pass) or take a given one (word2vec's -read-vocab),
 * build the unigram^0.75 table, the Huffman tree and the subword rows, then one reader thread streams the corpus
 * each epoch into chunks of ~10k word ids and {@code threads} Hogwild workers train on them through
 * {@link Backend#word2vecTrainChunk} (negative sampling) or {@link Backend#word2vecHsTrainChunk} (hierarchical
 * softmax, CBOW over a sum) (native AVX2 kernels, or the Java reference). Memory does not grow with the corpus: it is streamed every
 * epoch (never held), so memory is the vocabulary, the two weight matrices, the 40 MB negative table and
 * a few chunks.
 *
 * <p>Weights start as word2vec's: W_in uniform in ±0.5/dim (from word2vec's LCG seeded with the seed),
 * W_out zero. With {@code threads == 1} a run is reproducible bit for bit for a given seed and backend.
 * Worker failures are rethrown after the join; NaN/Inf stops training with an error naming the step.
 *
 * <p>Not thread-safe itself (one training run per instance call); the result is immutable.
 */
public final class Word2VecTrainer {
    private static final System.Logger LOG = System.getLogger(Word2VecTrainer.class.getName());
    private static final long LCG_MUL = 25214903917L;

    private final Word2VecOptions options;
    private final TrainingListener listener;

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

    /** Trains on a plain or gzip text corpus (one sentence or paragraph per line), counting its vocabulary first. */
    public Word2VecResult train(Path corpusPath) throws IOException {
        requireCorpus(corpusPath);
        Vocabulary vocab = Vocabulary.count(
                new CorpusReader(corpusPath), new Tokenizer(options.lowercase()), options.minCount(), maxVocab());
        return train(corpusPath, vocab);
    }

    /**
     * Trains on a corpus with a vocabulary given instead of counted (word2vec's -read-vocab: a fixed vocabulary across
     * runs); the options' minCount and maxVocab still apply to it. Corpus words outside it are skipped. Its counts
     * drive subsampling, the negative table, the Huffman tree and the learning-rate schedule.
     */
    public Word2VecResult train(Path corpusPath, Vocabulary vocabulary) throws IOException {
        Word2VecOptions o = options;
        requireCorpus(corpusPath);
        CorpusReader corpus = new CorpusReader(corpusPath);
        Tokenizer tokenizer = new Tokenizer(o.lowercase());
        Vocabulary vocab = vocabulary.prune(o.minCount(), maxVocab());
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
        Backend backend = chooseBackend(o.backend());
        Subwords subwords = o.subwords() ? new Subwords(o.minn(), o.maxn(), o.bucket()) : null;
        int v = vocab.size();
        long rows = subwords == null ? v : (long) v + o.bucket();
        long[] counts = vocab.counts();
        boolean ns = o.negative() > 0;
        try (Tensor wIn = initInput(rows, o.dim(), o.seed());
                Tensor wOut = ns ? Tensor.allocate(DType.F32, v, o.dim()) : null;
                Tensor neg = ns
                        ? Tensor.of(new NegativeSampler(counts, o.negTableSize(), NegativeSampler.POWER).table())
                        : null;
                SubwordIndex sub = subwords == null ? null : SubwordIndex.build(vocab, subwords);
                GeneralKernel general = GeneralKernel.needed(o)
                        ? new GeneralKernel(
                                backend,
                                o,
                                counts,
                                wIn,
                                wOut,
                                neg,
                                sub == null ? null : sub.offsets(),
                                sub == null ? null : sub.ids())
                        : null) {
            Run run = runWorkers(
                    backend,
                    corpus,
                    tokenizer,
                    vocab,
                    new Subsampler(counts, o.sample()),
                    wIn,
                    wOut,
                    neg,
                    sub,
                    general);
            WordVectors vectors = toVectors(vocab, wIn, subwords, sub);
            return new Word2VecResult(
                    vocab,
                    vectors,
                    o,
                    run.words,
                    run.seconds,
                    run.words / Math.max(run.seconds, 1e-9),
                    run.finalLoss,
                    backend.name());
        }
    }

    private int maxVocab() {
        return options.maxVocab() == 0 ? Integer.MAX_VALUE : options.maxVocab();
    }

    private static void requireCorpus(Path corpusPath) throws IOException {
        if (!java.nio.file.Files.isRegularFile(corpusPath)) {
            throw new java.nio.file.NoSuchFileException(corpusPath.toString(), null, "corpus not found");
        }
    }

    /** "auto": -Dembed4j.backend=cpu|java when given, else native CPU when it loads, else Java (never CUDA: Hogwild is a CPU algorithm). */
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

    /** word2vec's initialisation: (u - 0.5)/dim, u from its LCG (16 bits a draw). */
    private static Tensor initInput(long rows, int dim, long seed) {
        Tensor w = Tensor.allocate(DType.F32, rows, dim);
        long r = seed;
        float[] row = new float[dim];
        for (long i = 0; i < rows; i++) {
            for (int j = 0; j < dim; j++) {
                r = r * LCG_MUL + 11;
                row[j] = (((r & 0xFFFF) / 65536f) - 0.5f) / dim;
            }
            java.lang.foreign.MemorySegment.copy(
                    row, 0, w.segment(), ValueLayout.JAVA_FLOAT_UNALIGNED, i * dim * 4L, dim);
        }
        return w;
    }

    private record Run(long words, double seconds, double finalLoss) {}

    private Run runWorkers(
            Backend backend,
            CorpusReader corpus,
            Tokenizer tokenizer,
            Vocabulary vocab,
            Subsampler subsampler,
            Tensor wIn,
            Tensor wOut,
            Tensor neg,
            SubwordIndex sub,
            GeneralKernel general)
            throws IOException {
        Word2VecOptions o = options;
        long total = vocab.totalCount() * o.epochs();
        TrainingState state = new TrainingState();
        BlockingQueue<int[]> queue = new ArrayBlockingQueue<>(2 * o.threads() + 2);
        List<Thread> threads = new ArrayList<>();
        threads.add(Thread.ofPlatform()
                .name("w2v-reader")
                .daemon()
                .unstarted(new ChunkProducer(corpus, tokenizer, vocab, o.epochs(), o.threads(), queue, state)));
        for (int i = 0; i < o.threads(); i++) {
            threads.add(Thread.ofPlatform()
                    .name("w2v-worker-" + i)
                    .daemon()
                    .unstarted(new HogwildWorker(
                            i,
                            backend,
                            queue,
                            state,
                            vocab,
                            subsampler,
                            wIn,
                            wOut,
                            neg,
                            sub == null ? null : sub.offsets(),
                            sub == null ? null : sub.ids(),
                            o,
                            vocab.totalCount() * o.epochs(),
                            general)));
        }
        long start = System.nanoTime();
        String task = "word2vec " + o.model().name().toLowerCase(Locale.ROOT);
        TrainingMonitor monitor = new TrainingMonitor(task, state, total, o.threads(), o, start);
        try {
            threads.forEach(Thread::start);
            try {
                for (Thread t : threads) {
                    while (t.isAlive()) {
                        t.join(250);
                        monitor.tick(listener, false);
                    }
                }
            } catch (InterruptedException e) {
                state.fail(e);
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while training word2vec", e);
            }
            monitor.tick(listener, true);
            Throwable failure = state.failure();
            if (failure instanceof java.io.UncheckedIOException io) {
                throw io.getCause(); // the corpus became unreadable mid-run
            } else if (failure instanceof RuntimeException re) {
                throw re;
            } else if (failure instanceof Error err) {
                throw err;
            } else if (failure != null) {
                throw new IllegalStateException("word2vec training failed: " + failure, failure);
            }
        } finally {
            listener.onEnd();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        LOG.log(
                System.Logger.Level.INFO,
                String.format(
                        Locale.ROOT,
                        "word2vec: %d words in %.1f s (%.0f words/s, "
                                + "%.0f per thread), final loss %.4f, backend %s",
                        state.words.get(),
                        seconds,
                        state.words.get() / seconds,
                        state.words.get() / seconds / o.threads(),
                        monitor.recentLoss(),
                        backend.name()));
        return new Run(state.words.get(), seconds, monitor.recentLoss());
    }

    /** Word vectors from the input rows: a word's own row, or with subwords the mean of its rows (fastText). */
    private static WordVectors toVectors(Vocabulary vocab, Tensor wIn, Subwords subwords, SubwordIndex sub) {
        int v = vocab.size();
        int d = (int) wIn.size(1);
        var seg = wIn.segment();
        var f32 = ValueLayout.JAVA_FLOAT_UNALIGNED;
        float[] words = new float[Math.multiplyExact(v, d)];
        if (subwords == null) {
            java.lang.foreign.MemorySegment.copy(seg, f32, 0, words, 0, words.length);
            return WordVectors.of(vocab.words(), words, d);
        }
        long[] off = sub.offsets().toLongArray();
        int[] ids = sub.ids().toIntArray();
        for (int w = 0; w < v; w++) {
            for (long p = off[w]; p < off[w + 1]; p++) {
                long base = (long) ids[(int) p] * d;
                for (int j = 0; j < d; j++) {
                    words[w * d + j] += seg.getAtIndex(f32, base + j);
                }
            }
            float inv = 1f / (off[w + 1] - off[w]);
            for (int j = 0; j < d; j++) {
                words[w * d + j] *= inv;
            }
        }
        float[] buckets = new float[Math.multiplyExact(subwords.bucket(), d)];
        java.lang.foreign.MemorySegment.copy(seg, f32, (long) v * d * 4, buckets, 0, buckets.length);
        return WordVectors.withSubwords(vocab.words(), words, buckets, d, subwords);
    }
}
