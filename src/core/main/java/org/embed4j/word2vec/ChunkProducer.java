package org.embed4j.word2vec;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.embed4j.text.CorpusReader;
import org.embed4j.text.Tokenizer;
import org.embed4j.text.Vocabulary;

/**
 * Streams the corpus once per epoch and cuts it into chunks with a {@link ChunkBuilder} (a line is a sentence;
 * out-of-vocabulary words are dropped). Lines and words are read as ranges of a reused buffer and looked up
 * without a String per word, so the reader neither competes with the workers for long nor makes garbage for the
 * collector: chunks go out in arrays that the workers hand back ({@link ChunkPool}). Memory stays constant: the
 * corpus is re-read every epoch (never held), and the bounded queue holds a few chunks at most.
 *
 * <p>Runs on its own thread; the order of chunks is the corpus order, so with one worker the run is
 * reproducible. Stops early when {@link TrainingState#stopped()} (a worker failed). Puts {@link #END}
 * once per worker at the end.
 */
final class ChunkProducer implements Runnable {
    /** The end-of-corpus marker (compared by identity). */
    static final int[] END = new int[0];

    private final CorpusReader corpus;
    private final Tokenizer tokenizer;
    private final Vocabulary vocab;
    private final int epochs;
    private final int workers;
    private final BlockingQueue<int[]> queue;
    private final TrainingState state;
    private final ChunkBuilder chunks;
    private final Tokenizer.WordChars onWord = this::word; // one instance, not one per line

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
        this.chunks = new ChunkBuilder(this::put, state.chunkPool);
    }

    @Override
    public void run() {
        try {
            for (int e = 0; e < epochs && !state.stopped(); e++) {
                corpus.forEachLineChars((line, from, to) -> {
                    if (state.stopped()) {
                        throw new Stopped();
                    }
                    tokenizer.tokenize(line, from, to, onWord);
                    chunks.endSentence();
                });
                chunks.finish(); // epochs do not share a chunk
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

    private void word(char[] w, int from, int to) {
        int id = vocab.id(w, from, to);
        if (id >= 0) {
            chunks.word(id);
        }
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
