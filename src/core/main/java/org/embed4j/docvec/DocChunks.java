package org.embed4j.docvec;

import java.util.Arrays;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.embed4j.text.CorpusReader;
import org.embed4j.text.Tokenizer;
import org.embed4j.text.Vocabulary;

/**
 * The reader thread of paragraph-vector training: streams the corpus once per epoch (never held in memory), one
 * document per line, line i being document i, and cuts it into chunks of about {@link #CHUNK_TOKENS} word ids with
 * the document of each position beside them: out-of-vocabulary words dropped, -1 after every line (windows never
 * cross documents), a long line cut mid-line. The chunks come in corpus order (with one worker a run is
 * reproducible); {@link #END} once per worker at the end, or early when {@code failure} is set.
 */
final class DocChunks implements Runnable {
    static final int CHUNK_TOKENS = 10_000;
    /** The end-of-corpus marker (compared by identity). */
    static final Chunk END = new Chunk(new int[0], new int[0]);

    /** Word ids (-1: a document ends) and the document of each position. */
    record Chunk(int[] tokens, int[] docs) {}

    private final CorpusReader corpus;
    private final Tokenizer tokenizer;
    private final Vocabulary vocab;
    private final int epochs;
    private final int workers;
    private final BlockingQueue<Chunk> queue;
    private final AtomicReference<Throwable> failure;
    private int[] tokens = new int[CHUNK_TOKENS + 1024];
    private int[] docs = new int[CHUNK_TOKENS + 1024];
    private int n;

    DocChunks(
            CorpusReader corpus,
            Tokenizer tokenizer,
            Vocabulary vocab,
            int epochs,
            int workers,
            BlockingQueue<Chunk> queue,
            AtomicReference<Throwable> failure) {
        this.corpus = corpus;
        this.tokenizer = tokenizer;
        this.vocab = vocab;
        this.epochs = epochs;
        this.workers = workers;
        this.queue = queue;
        this.failure = failure;
    }

    @Override
    public void run() {
        try {
            for (int e = 0; e < epochs && failure.get() == null; e++) {
                int[] doc = {0};
                corpus.forEachLine(line -> {
                    if (failure.get() != null) {
                        throw new Stopped();
                    }
                    tokenizer.tokenize(line, w -> {
                        int id = vocab.id(w);
                        if (id >= 0) {
                            if (n >= CHUNK_TOKENS + 1000) {
                                emit();
                            }
                            tokens[n] = id;
                            docs[n++] = doc[0];
                        }
                    });
                    if (n > 0 && tokens[n - 1] != -1) {
                        tokens[n] = -1;
                        docs[n++] = doc[0];
                    }
                    doc[0]++;
                    if (n >= CHUNK_TOKENS) {
                        emit();
                    }
                });
                if (n > 0) {
                    emit();
                }
            }
        } catch (Stopped ignored) {
            // a worker failed; the trainer reports its exception
        } catch (RuntimeException | Error e) {
            failure.compareAndSet(null, e);
        } finally {
            for (int i = 0; i < workers; i++) {
                put(END);
            }
        }
    }

    private void emit() {
        put(new Chunk(Arrays.copyOf(tokens, n), Arrays.copyOf(docs, n)));
        n = 0;
    }

    /** Blocks until there is room, giving up when training has failed (workers may be gone). */
    @SuppressWarnings("ReferenceEquality") // END is a sentinel chunk, compared by identity
    private void put(Chunk chunk) {
        try {
            while (!queue.offer(chunk, 100, TimeUnit.MILLISECONDS)) {
                if (failure.get() != null) {
                    if (chunk != END) {
                        throw new Stopped();
                    }
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failure.compareAndSet(null, new IllegalStateException("corpus reader interrupted", e));
            throw new Stopped();
        }
    }

    /** Unwinds the corpus loop when training stops early. */
    private static final class Stopped extends RuntimeException {
        Stopped() {
            super(null, null, false, false);
        }
    }
}
