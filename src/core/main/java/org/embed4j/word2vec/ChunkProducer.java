package org.embed4j.word2vec;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.embed4j.text.CorpusReader;
import org.embed4j.text.Tokenizer;
import org.embed4j.text.Vocabulary;

/**
 * Streams the corpus for one epoch and cuts it into chunks with a {@link ChunkBuilder} (a line is a sentence;
 * out-of-vocabulary words are dropped). Lines and words are read as ranges of a reused buffer and looked up
 * without a String per word, so the reader neither competes with the workers for long nor makes garbage for the
 * collector: chunks go out in arrays that the workers hand back ({@link ChunkPool}). The chunks are also recorded in
 * a {@link ChunkCache}; once it holds a whole epoch, later epochs replay it instead of reading the corpus. Memory is
 * that cache (bounded by its budget; past it the corpus is re-read every epoch) and the bounded queue's few chunks.
 *
 * <p>Runs on its own thread; the order of chunks is the corpus order, so with one worker the run is
 * reproducible. A run resumed mid-epoch skips the chunks its checkpoint had trained (the corpus is read from the
 * start of the epoch again: a gzip stream has no offsets to seek to, and the chunks are cut the same way). With
 * mid-epoch checkpoints, before each chunk it asks whether one is due and if so sends every worker a {@link #PAUSE}
 * and waits with them until it is saved. Stops early when {@link TrainingState#stopped()} (a worker failed). Puts
 * {@link #END} once per worker at the end.
 */
final class ChunkProducer implements Runnable {
    /** The end-of-corpus marker (compared by identity). */
    static final int[] END = new int[0];
    /** The stop-for-a-checkpoint marker (compared by identity): one per worker. */
    static final int[] PAUSE = new int[0];

    private final CorpusReader corpus;
    private final Tokenizer tokenizer;
    private final Vocabulary vocab;
    private final int workers;
    private final BlockingQueue<int[]> queue;
    private final TrainingState state;
    private final Word2VecCheckpointer.Pauses pauses;
    private long skip;
    private long chunks;
    private long words;
    private final ChunkBuilder builder;
    private final ChunkCache cache;
    private final Tokenizer.WordChars onWord = this::word; // one instance, not one per line

    ChunkProducer(
            CorpusReader corpus,
            Tokenizer tokenizer,
            Vocabulary vocab,
            int workers,
            BlockingQueue<int[]> queue,
            TrainingState state,
            long skipChunks,
            Word2VecCheckpointer.Pauses pauses,
            ChunkCache cache) {
        this.corpus = corpus;
        this.tokenizer = tokenizer;
        this.vocab = vocab;
        this.workers = workers;
        this.queue = queue;
        this.state = state;
        this.skip = skipChunks;
        this.pauses = pauses;
        this.words = state.words.get(); // the workers are idle: the words of the run before this epoch's chunks
        this.cache = cache;
        this.builder = new ChunkBuilder(this::cut, state.chunkPool);
    }

    @Override
    public void run() {
        try {
            if (cache.complete()) {
                replay();
            } else {
                read();
            }
        } catch (Stopped ignored) {
            // a worker failed; the trainer reports its exception
        } catch (RuntimeException | Error e) {
            state.fail(e);
        } finally {
            for (int i = 0; i < workers; i++) {
                put(END);
            }
            if (pauses != null) {
                leave();
            }
        }
    }

    private void read() {
        corpus.forEachLineChars((line, from, to) -> {
            if (state.stopped()) {
                throw new Stopped();
            }
            tokenizer.tokenize(line, from, to, onWord);
            builder.endSentence();
        });
        builder.finish(); // epochs do not share a chunk
        cache.seal();
    }

    private void replay() {
        for (int[] chunk : cache.chunks()) {
            if (state.stopped()) {
                throw new Stopped();
            }
            emit(state.chunkPool.copyOf(chunk, chunk.length));
        }
    }

    private void cut(int[] chunk) {
        if (cache.recording()) {
            cache.record(chunk, ChunkPool.length(chunk));
        }
        emit(chunk);
    }

    /** A chunk cut from the corpus: skipped when a resumed run had trained it, else queued (after a pause when due). */
    private void emit(int[] chunk) {
        if (skip > 0) {
            skip--;
            chunks++;
            state.chunkPool.recycle(chunk);
            return;
        }
        if (pauses != null && pauses.due(words)) {
            long asked = System.nanoTime();
            for (int i = 0; i < workers; i++) {
                put(PAUSE);
            }
            try {
                pauses.pauseAt(chunks, asked);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                state.fail(new IllegalStateException("corpus reader interrupted", e));
                throw new Stopped();
            }
            if (state.stopped()) {
                throw new Stopped();
            }
        }
        // counted before it is queued: a worker may hand the array back (and the reader reuse it) at once
        for (int id : chunk) {
            if (id == ChunkPool.END_OF_CHUNK) {
                break;
            }
            if (id >= 0) {
                words++;
            }
        }
        put(chunk);
        chunks++;
    }

    private void leave() {
        try {
            if (state.stopped()) {
                pauses.safePoint().breakAll();
            }
            pauses.safePoint().leave();
        } catch (RuntimeException e) {
            state.fail(e); // the checkpoint could not be saved
        }
    }

    private void word(char[] w, int from, int to) {
        int id = vocab.id(w, from, to);
        if (id >= 0) {
            builder.word(id);
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
