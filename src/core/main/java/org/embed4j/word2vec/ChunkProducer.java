package org.embed4j.word2vec;

import java.util.Arrays;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.embed4j.text.CorpusReader;
import org.embed4j.text.Tokenizer;
import org.embed4j.text.Vocabulary;

/**
 * Streams the corpus once per epoch and cuts it into chunks of about {@link #CHUNK_TOKENS} word ids:
 * out-of-vocabulary words dropped, -1 after every line (a sentence break: windows never cross lines),
 * chunks cut at a line end when one falls near the limit, else mid-line. Memory stays constant: the
 * corpus is re-read every epoch (never held), and the bounded queue holds a few chunks at most.
 *
 * <p>Runs on its own thread; the order of chunks is the corpus order, so with one worker the run is
 * reproducible. Stops early when {@link TrainingState#stopped()} (a worker failed). Puts {@link #END}
 * once per worker at the end.
 */
final class ChunkProducer implements Runnable {
    /** Tokens per chunk, before subsampling: the unit of work of one kernel call. */
    static final int CHUNK_TOKENS = 10_000;
    /** The end-of-corpus marker (compared by identity). */
    static final int[] END = new int[0];

    private final CorpusReader corpus;
    private final Tokenizer tokenizer;
    private final Vocabulary vocab;
    private final int epochs;
    private final int workers;
    private final BlockingQueue<int[]> queue;
    private final TrainingState state;
    private int[] buf = new int[CHUNK_TOKENS + 1024];
    private int n;

    ChunkProducer(
            CorpusReader corpus,
            Tokenizer tokenizer,
            Vocabulary vocab,
            int epochs,
            int workers,
            BlockingQueue<int[]> queue,
            TrainingState state) {
        this.corpus = corpus;
        this.tokenizer = tokenizer;
        this.vocab = vocab;
        this.epochs = epochs;
        this.workers = workers;
        this.queue = queue;
        this.state = state;
    }

    @Override
    public void run() {
        try {
            for (int e = 0; e < epochs && !state.stopped(); e++) {
                corpus.forEachLine(line -> {
                    if (state.stopped()) {
                        throw new Stopped();
                    }
                    tokenizer.tokenize(line, w -> {
                        int id = vocab.id(w);
                        if (id >= 0) {
                            if (n >= CHUNK_TOKENS + 1000) {
                                emit(); // a very long line: cut mid-line
                            }
                            buf[n++] = id;
                        }
                    });
                    if (n > 0 && buf[n - 1] != -1) {
                        buf[n++] = -1;
                    }
                    if (n >= CHUNK_TOKENS) {
                        emit();
                    }
                });
                if (n > 0) {
                    emit(); // epochs do not share a chunk
                }
            }
        } catch (Stopped ignored) {
            // a worker failed; the trainer reports its exception
        } catch (RuntimeException | Error e) {
            state.fail(e);
        } finally {
            for (int i = 0; i < workers; i++) {
                put(END);
            }
        }
    }

    private void emit() {
        put(Arrays.copyOf(buf, n));
        n = 0;
    }

    /** Blocks until there is room, giving up when training has stopped (workers may be gone). */
    @SuppressWarnings("ReferenceEquality") // END is a sentinel array, compared by identity
    private void put(int[] chunk) {
        try {
            while (!queue.offer(chunk, 100, TimeUnit.MILLISECONDS)) {
                if (state.stopped() && chunk != END) {
                    throw new Stopped();
                }
                if (state.stopped()) {
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            state.fail(new IllegalStateException("corpus reader interrupted", e));
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
