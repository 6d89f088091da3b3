package org.embed4j.docvec;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;
import org.embed4j.backend.Backend;
import org.embed4j.backend.Backends;
import org.embed4j.internal.sampling.Subsampler;
import org.embed4j.tensor.Tensor;
import org.embed4j.text.CorpusReader;
import org.embed4j.text.Tokenizer;
import org.embed4j.text.Vocabulary;
import org.embed4j.train.TrainingListener;
import org.embed4j.word2vec.Word2VecOptions;

/**
 * Trains paragraph vectors (Le &amp; Mikolov 2014, gensim's Doc2Vec) on a corpus of one document per line: PV-DBOW (the
 * document vector predicts each of its words; with {@code dbowWords} skip-gram word vectors are trained on the same
 * windows) or PV-DM (the document vector joins the mean or sum of the context words' vectors to predict the center),
 * with hierarchical softmax and/or negative sampling, through the general word2vec kernel
 * ({@link Backend#word2vecHsTrainChunk}, native AVX2 or the Java reference). Pipeline: count the vocabulary (one
 * pass), count the documents (one pass), then one reader thread streams the corpus each epoch and {@code threads}
 * Hogwild workers train on chunks of ~10k words. Memory: the vocabulary, the weights (V + P rows) and a few chunks.
 *
 * <p>Document rows start as word2vec's word rows do (uniform ±0.5/dim, from the seed), the output rows at zero.
 * With one thread a run is reproducible bit for bit for a given seed and backend. Worker failures are rethrown
 * after the join. One run per call; the resulting model is immutable.
 */
public final class DocVectorTrainer {
    private static final System.Logger LOG = System.getLogger(DocVectorTrainer.class.getName());

    private final DocVectorOptions options;
    private final TrainingListener listener;

    public DocVectorTrainer(DocVectorOptions options) {
        this(options, TrainingListener.NONE);
    }

    /** A trainer that reports progress and metrics to {@code listener}; {@code options} are validated here. */
    public DocVectorTrainer(DocVectorOptions options, TrainingListener listener) {
        this.options = options.validate();
        this.listener = Objects.requireNonNull(listener, "listener");
    }

    /** Trains on a plain or gzip corpus, document i being line i (an empty line is a document without words). */
    public DocVectorModel train(Path corpusPath) throws IOException {
        if (!Files.isRegularFile(corpusPath)) {
            throw new NoSuchFileException(corpusPath.toString(), null, "corpus not found");
        }
        Word2VecOptions o = options.word2vec();
        CorpusReader corpus = new CorpusReader(corpusPath);
        Tokenizer tokenizer = new Tokenizer(o.lowercase());
        Vocabulary vocab =
                Vocabulary.count(corpus, tokenizer, o.minCount(), o.maxVocab() == 0 ? Integer.MAX_VALUE : o.maxVocab());
        if (vocab.size() < 2) {
            throw new IllegalArgumentException("corpus " + corpusPath + " has " + vocab.size()
                    + " word(s) with count >= " + o.minCount() + "; need at least 2 (lower --min-count)");
        }
        long[] hashes = documentHashes(corpus, tokenizer);
        int docs = hashes.length;
        LOG.log(
                System.Logger.Level.INFO,
                String.format(
                        Locale.ROOT,
                        "doc vectors: %s%s, %d documents, %d words in the vocabulary, %d tokens per epoch, dim %d, "
                                + "%d epochs, %d threads",
                        options.mode() == DocVectorOptions.Mode.DBOW ? "PV-DBOW" : "PV-DM",
                        options.dbowWords() && options.mode() == DocVectorOptions.Mode.DBOW ? " with words" : "",
                        docs,
                        vocab.size(),
                        vocab.totalCount(),
                        o.dim(),
                        o.epochs(),
                        o.threads()));
        Backend backend = chooseBackend(o.backend());
        DocWeights w = DocWeights.init(o, vocab.counts());
        Tensor wDoc = DocWeights.randomRows(docs, o.dim(), o.seed() * 0x9E3779B97F4A7C15L + 1);
        long start = System.nanoTime();
        double loss = runWorkers(backend, corpus, tokenizer, vocab, w, wDoc);
        double seconds = (System.nanoTime() - start) / 1e9;
        LOG.log(
                System.Logger.Level.INFO,
                String.format(
                        Locale.ROOT,
                        "doc vectors: %d words in %.1f s (%.0f words/s), loss per pair %.4f, backend %s",
                        vocab.totalCount() * o.epochs(),
                        seconds,
                        vocab.totalCount() * o.epochs() / seconds,
                        loss,
                        backend.name()));
        return new DocVectorModel(options, vocab, w, wDoc, hashes, backend);
    }

    /** One pass: the number of documents and the {@link DocVectorModel#textHash} of each. */
    private static long[] documentHashes(CorpusReader corpus, Tokenizer tokenizer) {
        long[][] h = {new long[1024]};
        int[] n = {0};
        corpus.forEachLine(line -> {
            if (n[0] == h[0].length) {
                h[0] = java.util.Arrays.copyOf(h[0], h[0].length * 2);
            }
            h[0][n[0]++] = DocVectorModel.textHash(tokenizer.tokenize(line));
        });
        if (n[0] == 0) {
            throw new IllegalArgumentException("the corpus has no lines, so no documents");
        }
        return java.util.Arrays.copyOf(h[0], n[0]);
    }

    /** "auto": -Dembed4j.backend=cpu|java when given, else native CPU when it loads, else Java (a CPU algorithm). */
    static Backend chooseBackend(String name) {
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

    /** Runs the reader and the workers to the end; returns the loss per pair of the last quarter second or so. */
    private double runWorkers(
            Backend backend, CorpusReader corpus, Tokenizer tokenizer, Vocabulary vocab, DocWeights w, Tensor wDoc)
            throws IOException {
        Word2VecOptions o = options.word2vec();
        long total = Math.max(1, vocab.totalCount() * o.epochs());
        DocWorker.Shared shared = new DocWorker.Shared(
                new AtomicLong(), new DoubleAdder(), new LongAdder(), new AtomicReference<>(), total);
        BlockingQueue<DocChunks.Chunk> queue = new ArrayBlockingQueue<>(2 * o.threads() + 2);
        Subsampler subsampler = new Subsampler(vocab.counts(), o.sample());
        List<Thread> threads = new ArrayList<>();
        threads.add(Thread.ofPlatform()
                .name("docvec-reader")
                .daemon()
                .unstarted(new DocChunks(corpus, tokenizer, vocab, o.epochs(), o.threads(), queue, shared.failure())));
        for (int i = 0; i < o.threads(); i++) {
            threads.add(Thread.ofPlatform()
                    .name("docvec-worker-" + i)
                    .daemon()
                    .unstarted(new DocWorker(i, backend, queue, shared, w, wDoc, subsampler, options)));
        }
        long start = System.nanoTime();
        double[] last = {0, 0, Double.NaN, 0}; // loss, pairs, recent loss per pair, seconds of the last record
        try {
            threads.forEach(Thread::start);
            for (Thread t : threads) {
                while (t.isAlive()) {
                    t.join(250);
                    report(shared, total, start, last, false);
                }
            }
            report(shared, total, start, last, true);
        } catch (InterruptedException e) {
            shared.failure().compareAndSet(null, e);
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while training doc vectors", e);
        } finally {
            listener.onEnd();
        }
        Throwable f = shared.failure().get();
        if (f instanceof UncheckedIOException io) {
            throw io.getCause();
        } else if (f instanceof RuntimeException re) {
            throw re;
        } else if (f instanceof Error err) {
            throw err;
        } else if (f != null) {
            throw new IllegalStateException("doc-vector training failed: " + f, f);
        }
        return last[2];
    }

    /** A progress update every tick, a metrics record about once a second and at the end. */
    private void report(DocWorker.Shared s, long total, long start, double[] last, boolean end) {
        long words = Math.min(s.words().get(), total);
        double loss = s.loss().sum();
        double pairs = s.pairs().sum();
        if (pairs > last[1]) {
            last[2] = (loss - last[0]) / (pairs - last[1]);
        }
        last[0] = loss;
        last[1] = pairs;
        double elapsed = Math.max(1e-9, (System.nanoTime() - start) / 1e9);
        float lr = options.word2vec().learningRate(words / (double) total);
        listener.onProgress(
                "doc vectors",
                words,
                total,
                "words",
                String.format(Locale.ROOT, "%.0fk words/s, lr %.5f, loss %.4f", words / elapsed / 1000, lr, last[2]));
        if (end || elapsed - last[3] >= 1.0) {
            last[3] = elapsed;
            Map<String, Object> rec = new LinkedHashMap<>();
            rec.put("words", words);
            rec.put("elapsed_s", elapsed);
            rec.put("lr", (double) lr);
            rec.put("loss", last[2]);
            rec.put("words_per_sec", words / elapsed);
            rec.put(
                    "words_per_sec_per_thread",
                    words / elapsed / options.word2vec().threads());
            listener.onMetrics(rec);
        }
    }
}
