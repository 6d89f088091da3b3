package org.embed4j.word2vec;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import org.embed4j.backend.Backend;
import org.embed4j.backend.Backends;
import org.embed4j.internal.sampling.NegativeSampler;
import org.embed4j.internal.sampling.Subsampler;
import org.embed4j.internal.train.SafePoint;
import org.embed4j.tensor.DType;
import org.embed4j.tensor.Tensor;
import org.embed4j.text.Subwords;
import org.embed4j.text.Vocabulary;
import org.embed4j.vectors.WordVectors;

/**
 * What one word2vec run shares between its epochs, shards and threads, and training on a shard of the corpus from
 * given weights: the piece a data-parallel trainer (one Spark task per partition and sync round) runs, and the
 * piece {@link Word2VecTrainer} runs over the whole corpus.
 *
 * <p>Built from the options and the vocabulary of the whole corpus: the backend ("auto": native CPU when it loads,
 * else Java), the subsampling probabilities, the unigram^0.75 negative table and, with subwords, the CSR of each
 * word's input rows. {@link #train} runs the same Hogwild workers and kernel as the single-machine trainer on
 * chunks of word ids cut by {@link #chunks}, updating W_in (R,D) and W_out (V,D) in place. The learning rate decays
 * linearly over the whole run: {@link Progress} says where the shard's words fall in it (after k words of the shard
 * the run has done {@code before + k·scale} words). With one thread, a seed, the weights of {@link #initialInput}
 * and the chunks of a whole corpus, {@link #train} gives bit for bit what {@link Word2VecTrainer} gives.
 *
 * <p>Thread-safe: {@link #train} calls may run at once from several threads (each has its own workers; the shared
 * tables are only read), on weights of their own. The instance owns the negative table and the subword index and
 * frees them on {@link #close}, which must come after the last call.
 */
public final class Word2VecShardTrainer implements AutoCloseable {
    private static final long LCG_MUL = 25214903917L;

    private final Word2VecOptions options;
    private final Vocabulary vocab;
    private final Backend backend;
    private final Subwords subwords; // null without subwords
    private final Subsampler subsampler;
    private final Tensor negTable;
    private final SubwordIndex sub; // null without subwords

    /**
     * Where a shard's words fall in the run: after k of its words the whole run has done {@code before + k·scale}
     * words out of {@code total} (corpus words × epochs). A single-machine run is {@code (0, 1, total)}.
     */
    public record Progress(long before, double scale, long total) {
        public Progress {
            if (before < 0 || !(scale > 0) || Double.isInfinite(scale) || total < 1) {
                throw new IllegalArgumentException("progress needs before >= 0, a finite scale > 0 and total >= 1, got "
                        + before + ", " + scale + ", " + total);
            }
        }

        /** The run's word count after {@code local} words of this shard. */
        long global(long local) {
            return scale == 1.0 ? before + local : before + (long) (local * scale);
        }
    }

    /** What a {@link #train} call did: corpus words read (before subsampling), summed loss, (input, output) pairs. */
    public record Stats(long words, double lossSum, long pairs) {}

    /** The run's shared pieces for {@code options} (validated here) and the whole corpus's {@code vocab}. */
    public Word2VecShardTrainer(Word2VecOptions options, Vocabulary vocab) {
        this.options = options.validate();
        this.vocab = Objects.requireNonNull(vocab, "vocab");
        if (vocab.size() < 2) {
            throw new IllegalArgumentException("a vocabulary of " + vocab.size() + " word(s) is too small to train");
        }
        this.backend = chooseBackend(options.backend());
        this.subwords = options.subwords() ? new Subwords(options.minn(), options.maxn(), options.bucket()) : null;
        long[] counts = vocab.counts();
        this.subsampler = new Subsampler(counts, options.sample());
        this.negTable = options.negative() > 0 ? negativeTable(counts, options.negTableSize()) : null;
        try {
            this.sub = subwords == null ? null : SubwordIndex.build(vocab, subwords);
        } catch (RuntimeException e) {
            if (negTable != null) {
                negTable.close();
            }
            throw e;
        }
    }

    public Word2VecOptions options() {
        return options;
    }

    public Vocabulary vocabulary() {
        return vocab;
    }

    /** The backend the workers call (its name: "cpu" or "java"). */
    public String backendName() {
        return backend.name();
    }

    /** Rows of W_in: V words, then {@code bucket} subword rows when subwords are on. */
    public long inputRows() {
        return subwords == null ? vocab.size() : (long) vocab.size() + options.bucket();
    }

    /** Rows of W_out: V. */
    public int outputRows() {
        return vocab.size();
    }

    /**
     * "auto": -Dembed4j.backend=cpu|java when given, else native CPU when it loads, else Java (never CUDA: Hogwild is
     * a CPU algorithm).
     */
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

    /** The unigram^0.75 table, written straight into native memory (no heap copy of its 4·size bytes). */
    private static Tensor negativeTable(long[] counts, int size) {
        Tensor t = Tensor.allocate(DType.I32, size);
        try {
            NegativeSampler.writeTable(counts, size, NegativeSampler.POWER, t.segment());
            return t;
        } catch (RuntimeException e) {
            t.close();
            throw e;
        }
    }

    /** W_in as word2vec starts it: (u - 0.5)/dim per weight, u from its LCG seeded with the options' seed (16-bit draws). */
    public Tensor initialInput() {
        int dim = options.dim();
        long rows = inputRows();
        Tensor w = Tensor.allocate(DType.F32, rows, dim);
        long r = options.seed();
        float[] row = new float[dim];
        for (long i = 0; i < rows; i++) {
            for (int j = 0; j < dim; j++) {
                r = r * LCG_MUL + 11;
                row[j] = (((r & 0xFFFF) / 65536f) - 0.5f) / dim;
            }
            MemorySegment.copy(row, 0, w.segment(), ValueLayout.JAVA_FLOAT_UNALIGNED, i * dim * 4L, dim);
        }
        return w;
    }

    /**
     * Cuts sentences of word ids (each id in [0, V); an empty sentence is skipped) into the chunks {@link #train}
     * takes, as the single-machine trainer cuts a corpus: about 10k ids each, -1 after every sentence.
     */
    public static List<int[]> chunks(Iterator<int[]> sentences) {
        List<int[]> out = new ArrayList<>();
        ChunkBuilder b = new ChunkBuilder(out::add);
        while (sentences.hasNext()) {
            for (int id : sentences.next()) {
                if (id < 0) {
                    throw new IllegalArgumentException("word id " + id + " in a sentence: ids must be >= 0");
                }
                b.word(id);
            }
            b.endSentence();
        }
        b.finish();
        return out;
    }

    /**
     * Trains {@code wIn} (R,D) and {@code wOut} (V,D) in place on {@code chunks} (from {@link #chunks}), with the
     * options' thread count of Hogwild workers whose random streams start from {@code seed} (worker i as the
     * single-machine trainer's worker i for that seed). Divergence (NaN/Inf) throws naming the step.
     */
    public Stats train(List<int[]> chunks, Tensor wIn, Tensor wOut, Progress progress, long seed) throws IOException {
        if (GeneralKernel.needed(options) || options.negative() == 0) {
            throw new IllegalArgumentException("shard training runs negative sampling (negative > 0) without"
                    + " hierarchical softmax and, for CBOW, with the mean of the contexts; got hs=" + options.hs()
                    + ", negative=" + options.negative() + ", cbowMean=" + options.cbowMean());
        }
        Objects.requireNonNull(chunks, "chunks");
        Objects.requireNonNull(progress, "progress");
        checkShape("wIn", wIn, inputRows());
        checkShape("wOut", wOut, vocab.size());
        int v = vocab.size();
        for (int[] c : chunks) {
            if (c.length > ChunkPool.CAPACITY) {
                throw new IllegalArgumentException("a chunk of " + c.length + " ids is longer than the "
                        + ChunkPool.CAPACITY + " a worker takes (cut chunks with Word2VecShardTrainer.chunks)");
            }
            for (int id : c) {
                if (id < -1 || id >= v) {
                    throw new IllegalArgumentException("word id " + id + " in a chunk is outside [-1, " + v + ")");
                }
            }
        }
        BlockingQueue<int[]> queue = new LinkedBlockingQueue<>(chunks);
        for (int i = 0; i < options.threads(); i++) {
            queue.add(ChunkProducer.END);
        }
        TrainingState state = new TrainingState(progress);
        List<Thread> threads = startWorkers(queue, state, wIn, wOut, options.withSeed(seed), null, null, null);
        try {
            for (Thread t : threads) {
                t.join();
            }
        } catch (InterruptedException e) {
            state.fail(e);
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while training a word2vec shard", e);
        }
        state.rethrowFailure();
        return new Stats(state.words.get(), state.loss.sum(), state.pairs.sum());
    }

    private void checkShape(String name, Tensor t, long rows) {
        Objects.requireNonNull(t, name);
        if (!t.device().isHost()
                || t.dtype() != DType.F32
                || t.rank() != 2
                || t.size(0) != rows
                || t.size(1) != options.dim()) {
            throw new IllegalArgumentException(
                    name + " must be a host F32 tensor (" + rows + ", " + options.dim() + "), got " + t);
        }
    }

    /**
     * The general kernel (hierarchical softmax, CBOW over a sum) on these weights and the run's tables; the caller
     * closes it. {@code wOut} is null without negative sampling.
     */
    GeneralKernel generalKernel(Tensor wIn, Tensor wOut) {
        return new GeneralKernel(
                backend,
                options,
                vocab.counts(),
                wIn,
                wOut,
                negTable,
                sub == null ? null : sub.offsets(),
                sub == null ? null : sub.ids());
    }

    /**
     * Starts one Hogwild worker per thread of {@code o} on {@code queue} (through {@code general} when not null);
     * the caller joins them. Worker i's random states are {@code rngs[i]} (updated when it ends), or fresh from the
     * options' seed when {@code rngs} is null or shorter. With {@code safePoint} (or null) the workers stop there on a
     * {@link ChunkProducer#PAUSE}.
     */
    List<Thread> startWorkers(
            BlockingQueue<int[]> queue,
            TrainingState state,
            Tensor wIn,
            Tensor wOut,
            Word2VecOptions o,
            GeneralKernel general,
            long[][] rngs,
            SafePoint safePoint) {
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < o.threads(); i++) {
            long[] rng = rngs != null && i < rngs.length ? rngs[i] : HogwildWorker.initialRng(o.seed(), i);
            Thread t = Thread.ofPlatform()
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
                            negTable,
                            sub == null ? null : sub.offsets(),
                            sub == null ? null : sub.ids(),
                            o,
                            general,
                            rng,
                            safePoint));
            threads.add(t);
        }
        threads.forEach(Thread::start);
        return threads;
    }

    /** Word vectors from the input rows: a word's own row, or with subwords the mean of its rows (fastText). */
    public WordVectors vectors(Tensor wIn) {
        checkShape("wIn", wIn, inputRows());
        int v = vocab.size();
        int d = options.dim();
        var seg = wIn.segment();
        var f32 = ValueLayout.JAVA_FLOAT_UNALIGNED;
        float[] words = new float[Math.multiplyExact(v, d)];
        if (subwords == null) {
            MemorySegment.copy(seg, f32, 0, words, 0, words.length);
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
        MemorySegment.copy(seg, f32, (long) v * d * 4, buckets, 0, buckets.length);
        return WordVectors.withSubwords(vocab.words(), words, buckets, d, subwords);
    }

    @Override
    public void close() {
        if (negTable != null) {
            negTable.close();
        }
        if (sub != null) {
            sub.close();
        }
    }
}
