package org.embed4j.word2vec;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.BlockingQueue;
import org.embed4j.backend.Backend;
import org.embed4j.backend.Word2VecChunk;
import org.embed4j.backend.Word2VecStats;
import org.embed4j.internal.sampling.Subsampler;
import org.embed4j.internal.train.SafePoint;
import org.embed4j.tensor.DType;
import org.embed4j.tensor.Tensor;
import org.embed4j.text.Vocabulary;

/**
 * One Hogwild worker thread: takes chunks of word ids, subsamples them with its own RNG (word2vec's
 * LCG, (rng & 0xFFFF)/65536 as the uniform draw), sets the learning rate from the global word count
 * ({@link Word2VecOptions#learningRate}: linear decay over all epochs, as word2vec; {@link TrainingState#progress}
 * maps a shard's words onto the run's), and calls the backend's word2vec kernel (the negative-sampling one, or
 * through {@link GeneralKernel} the general one for hierarchical softmax and CBOW over a sum). The shared weights
 * are updated without locks, on purpose (Hogwild: rare collisions on hot rows cost less than any locking).
 *
 * <p>After each chunk a few rows (the chunk's first word in W_in and W_out, one negative-table word, the
 * root of the hierarchical-softmax tree) are checked for NaN/Inf: divergence stops training with an error naming the step instead of
 * silently writing NaN vectors. Per-thread scratch: the kept ids, the kernel's token buffer and the RNG state tensors.
 * A chunk's array goes back to the {@link ChunkPool} as soon as its ids are subsampled. The two random states
 * start from {@code rngState} ({subsampling, kernel}: {@link #initialRng} or a checkpoint's) and are written back
 * to it when the worker ends, so the next epoch's worker (or a resumed run) continues both streams. On a {@link
 * ChunkProducer#PAUSE} it publishes them the same way and waits at the epoch's {@link SafePoint} while a checkpoint is
 * saved; it leaves the safe point when it ends (breaking it first when training failed, so nobody waits for it).
 */
final class HogwildWorker implements Runnable {
    private static final long LCG_MUL = 25214903917L;
    private static final long LCG_ADD = 11L;

    private final Backend backend;
    private final BlockingQueue<int[]> queue;
    private final TrainingState state;
    private final Vocabulary vocab;
    private final Subsampler subsampler;
    private final Tensor wIn;
    private final Tensor wOut;
    private final Tensor negTable;
    private final Tensor subOffsets;
    private final Tensor subIds;
    private final Word2VecOptions o;
    private final GeneralKernel general;
    private final long[] rngState;
    private final SafePoint safePoint;
    private final int[] kept = new int[ChunkPool.CAPACITY]; // the subsampled ids, copied to the kernel's tokens at once
    private long rng;

    HogwildWorker(
            int index,
            Backend backend,
            BlockingQueue<int[]> queue,
            TrainingState state,
            Vocabulary vocab,
            Subsampler subsampler,
            Tensor wIn,
            Tensor wOut,
            Tensor negTable,
            Tensor subOffsets,
            Tensor subIds,
            Word2VecOptions o,
            GeneralKernel general,
            long[] rngState,
            SafePoint safePoint) {
        this.backend = backend;
        this.queue = queue;
        this.state = state;
        this.vocab = vocab;
        this.subsampler = subsampler;
        this.wIn = wIn;
        this.wOut = wOut;
        this.negTable = negTable;
        this.subOffsets = subOffsets;
        this.subIds = subIds;
        this.o = o;
        this.general = general;
        this.rngState = rngState;
        this.safePoint = safePoint;
        this.rng = rngState[0];
    }

    /** Worker {@code index}'s {subsampling, kernel} random states at the start of a run with this seed. */
    static long[] initialRng(long seed, int index) {
        long r = seed * 0x9E3779B97F4A7C15L + index; // worker 0 of a seeded run is reproducible
        return new long[] {r, r ^ 0x5DEECE66DL};
    }

    @Override
    @SuppressWarnings("ReferenceEquality") // ChunkProducer.END and PAUSE are sentinel arrays, compared by identity
    public void run() {
        try (Tensor tokens = Tensor.allocate(DType.I32, ChunkPool.CAPACITY);
                Tensor kernelRng = Tensor.of(new long[] {rngState[1]})) {
            try {
                while (!state.stopped()) {
                    int[] chunk = queue.take();
                    if (chunk == ChunkProducer.END) {
                        break;
                    } else if (chunk == ChunkProducer.PAUSE) {
                        publishRng(kernelRng);
                        safePoint.arrive();
                    } else {
                        trainChunk(chunk, tokens, kernelRng);
                    }
                }
            } finally {
                publishRng(kernelRng);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            state.fail(new IllegalStateException("word2vec worker interrupted", e));
        } catch (RuntimeException | Error e) {
            state.fail(e);
        } finally {
            leaveSafePoint();
        }
    }

    private void publishRng(Tensor kernelRng) {
        rngState[0] = rng;
        rngState[1] = kernelRng.toLongArray()[0];
    }

    private void leaveSafePoint() {
        if (safePoint == null) {
            return;
        }
        try {
            if (state.stopped()) {
                safePoint.breakAll();
            }
            safePoint.leave();
        } catch (RuntimeException e) {
            state.fail(e); // the checkpoint this worker completed could not be saved
        }
    }

    private void trainChunk(int[] chunk, Tensor tokens, Tensor kernelRng) {
        long words = 0;
        int t = 0;
        int[] kept = this.kept;
        for (int id : chunk) {
            if (id < 0) {
                if (id == ChunkPool.END_OF_CHUNK) {
                    break;
                }
                if (t > 0 && kept[t - 1] != -1) {
                    kept[t++] = -1;
                }
                continue;
            }
            words++;
            rng = rng * LCG_MUL + LCG_ADD;
            if (subsampler.keep(id, (rng & 0xFFFF) / 65536f)) {
                kept[t++] = id;
            }
        }
        state.chunkPool.recycle(chunk);
        MemorySegment.copy(kept, 0, tokens.segment(), ValueLayout.JAVA_INT_UNALIGNED, 0, t);
        long done0 = state.words.getAndAdd(words);
        float lrStart = lrAt(state.progress.global(done0));
        float lrEnd = lrAt(state.progress.global(done0 + words));
        long step = state.steps.incrementAndGet();
        if (t == 0) {
            return;
        }
        Word2VecStats st = general != null
                ? general.train(tokens.rows(0, t), kernelRng, lrStart, lrEnd)
                : backend.word2vecTrainChunk(new Word2VecChunk(
                        wIn,
                        wOut,
                        tokens.rows(0, t),
                        negTable,
                        subOffsets,
                        subIds,
                        kernelRng,
                        o.model() == Word2VecOptions.Model.CBOW,
                        o.window(),
                        o.negative(),
                        lrStart,
                        lrEnd));
        if (!Double.isFinite(st.lossSum())) {
            throw diverged("the loss", step, done0, lrStart);
        }
        state.loss.add(st.lossSum());
        state.pairs.add(st.pairs());
        int first = (int) tokens.getIndex(0); // never -1: breaks are only written after a word
        checkRow(wIn, first, "W_in", step, done0, lrStart);
        if (o.negative() > 0) {
            checkRow(wOut, first, "W_out", step, done0, lrStart);
            checkRow(wOut, (int) negTable.getIndex(step % negTable.numel()), "W_out", step, done0, lrStart);
        }
        if (general != null && general.innerNodes() != null) {
            checkRow(general.innerNodes(), vocab.size() - 2, "W_hs", step, done0, lrStart);
        }
    }

    /** The learning rate after {@code done} words of the whole run. */
    private float lrAt(long done) {
        return o.learningRate(done / (double) state.progress.total());
    }

    private void checkRow(Tensor w, int row, String name, long step, long done, float lr) {
        if (row < 0) {
            return;
        }
        int d = o.dim();
        for (int j = 0; j < d; j++) {
            if (!Float.isFinite(w.getFloat((long) row * d + j))) {
                String what = w == wIn || w == wOut
                        ? name + " row " + row + " ('" + vocab.word(row) + "')"
                        : name + " row " + row + " (the tree's root)";
                throw diverged(what, step, done, lr);
            }
        }
    }

    private IllegalStateException diverged(String what, long step, long done, float lr) {
        return new IllegalStateException("word2vec training diverged: NaN or Inf in " + what + " after step " + step
                + " (kernel call), " + done + " words into the run, lr " + lr + "; lower --lr or check the corpus");
    }
}
