package org.embed4j.docvec;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;
import org.embed4j.backend.Backend;
import org.embed4j.backend.Word2VecStats;
import org.embed4j.internal.sampling.Subsampler;
import org.embed4j.tensor.DType;
import org.embed4j.tensor.Tensor;
import org.embed4j.word2vec.Word2VecOptions;

/**
 * One Hogwild worker of paragraph-vector training: takes chunks, subsamples their words with its own RNG (word2vec's
 * LCG), sets the learning rate from the global word count ({@link Word2VecOptions#learningRate}) and calls the
 * general word2vec kernel with the document rows. Word, output and document rows are shared and updated without
 * locks, on purpose (Hogwild). After each chunk the first document's row is checked for NaN/Inf, so divergence
 * stops training with an error instead of writing NaN vectors. The first failure is recorded in {@code failure}.
 */
final class DocWorker implements Runnable {
    private static final long LCG_MUL = 25214903917L;

    /** What the workers share besides the weights. */
    record Shared(
            AtomicLong words, DoubleAdder loss, LongAdder pairs, AtomicReference<Throwable> failure, long totalWords) {}

    private final Backend backend;
    private final BlockingQueue<DocChunks.Chunk> queue;
    private final Shared shared;
    private final DocWeights w;
    private final Tensor wDoc;
    private final Subsampler subsampler;
    private final DocVectorOptions options;
    private final Word2VecOptions o;
    private long rng;

    DocWorker(
            int index,
            Backend backend,
            BlockingQueue<DocChunks.Chunk> queue,
            Shared shared,
            DocWeights w,
            Tensor wDoc,
            Subsampler subsampler,
            DocVectorOptions options) {
        this.backend = backend;
        this.queue = queue;
        this.shared = shared;
        this.w = w;
        this.wDoc = wDoc;
        this.subsampler = subsampler;
        this.options = options;
        this.o = options.word2vec();
        this.rng = o.seed() * 0x9E3779B97F4A7C15L + index;
    }

    @Override
    @SuppressWarnings("ReferenceEquality") // DocChunks.END is a sentinel chunk, compared by identity
    public void run() {
        int cap = DocChunks.CHUNK_TOKENS + 1024;
        try (Tensor tokens = Tensor.allocate(DType.I32, cap);
                Tensor docs = Tensor.allocate(DType.I32, cap);
                Tensor kernelRng = Tensor.of(new long[] {rng ^ 0x5DEECE66DL})) {
            while (shared.failure().get() == null) {
                DocChunks.Chunk c = queue.take();
                if (c == DocChunks.END) {
                    break;
                }
                train(c, tokens, docs, kernelRng);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            shared.failure().compareAndSet(null, new IllegalStateException("doc-vector worker interrupted", e));
        } catch (RuntimeException | Error e) {
            shared.failure().compareAndSet(null, e);
        }
    }

    private void train(DocChunks.Chunk c, Tensor tokens, Tensor docs, Tensor kernelRng) {
        long words = 0;
        int t = 0;
        int[] ids = c.tokens();
        for (int i = 0; i < ids.length; i++) {
            int id = ids[i];
            if (id < 0) {
                if (t > 0 && tokens.getIndex(t - 1) != -1) {
                    docs.setIndex(t, c.docs()[i]);
                    tokens.setIndex(t++, -1);
                }
                continue;
            }
            words++;
            rng = rng * LCG_MUL + 11;
            if (subsampler.keep(id, (rng & 0xFFFF) / 65536f)) {
                docs.setIndex(t, c.docs()[i]);
                tokens.setIndex(t++, id);
            }
        }
        long done = shared.words().getAndAdd(words);
        float lrStart = o.learningRate(done / (double) shared.totalWords());
        float lrEnd = o.learningRate((done + words) / (double) shared.totalWords());
        if (t == 0) {
            return;
        }
        boolean wordInputs = options.mode() == DocVectorOptions.Mode.DM || options.dbowWords();
        Word2VecStats st = backend.word2vecHsTrainChunk(
                w.chunk(o, wDoc, tokens.rows(0, t), docs.rows(0, t), kernelRng, wordInputs, false, lrStart, lrEnd));
        if (!Double.isFinite(st.lossSum())) {
            throw diverged("the loss", done, lrStart);
        }
        shared.loss().add(st.lossSum());
        shared.pairs().add(st.pairs());
        long doc = docs.getIndex(0);
        for (int j = 0; j < o.dim(); j++) {
            if (!Float.isFinite(wDoc.getFloat(doc * o.dim() + j))) {
                throw diverged("document " + doc + "'s vector", done, lrStart);
            }
        }
    }

    private IllegalStateException diverged(String what, long done, float lr) {
        return new IllegalStateException("doc-vector training diverged: NaN or Inf in " + what + " " + done
                + " words into the run, lr " + lr + "; lower --lr or check the corpus");
    }
}
