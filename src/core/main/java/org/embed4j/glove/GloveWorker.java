package org.embed4j.glove;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.DoubleAdder;
import org.embed4j.backend.Backend;
import org.embed4j.backend.OptimKind;
import org.embed4j.backend.OptimStep;
import org.embed4j.tensor.DType;
import org.embed4j.tensor.Tensor;

/**
 * One Hogwild worker of one epoch: reads its slice of the shuffled co-occurrence records in batches and, per batch,
 * gathers the named rows of W and C ({@link Backend#gather}), computes the loss and the gradients in Java
 * ({@link GloveStep}: a dot, a scalar, two scaled copies per record) and applies them with the fused sparse update
 * ({@link Backend#embeddingBackwardUpdate}, Adagrad, on the index sort of {@link RowSort}), which sums the gradients
 * of a row named several times in the batch and updates each row once. W and C are shared with the other workers and
 * updated without locks, on purpose (Hogwild, as the reference's threads do). Per-thread scratch: the index, row and
 * gradient tensors of one batch and their Java copies.
 */
final class GloveWorker implements Runnable {
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED;

    /** What the workers share besides the weights: progress, loss, batch count and the first failure. */
    static final class Shared {
        final AtomicLong records = new AtomicLong();
        final AtomicLong batches = new AtomicLong();
        final DoubleAdder loss = new DoubleAdder();
        private final AtomicReference<Throwable> failure = new AtomicReference<>();
        private volatile boolean stopped;

        void fail(Throwable t) {
            failure.compareAndSet(null, t);
            stopped = true;
        }

        boolean stopped() {
            return stopped;
        }

        Throwable failure() {
            return failure.get();
        }
    }

    private final Backend backend;
    private final GloveWeights weights;
    private final CooccurrenceFile file;
    private final long from;
    private final long to;
    private final GloveOptions options;
    private final Shared shared;
    private final OptimStep step;

    GloveWorker(
            Backend backend,
            GloveWeights weights,
            CooccurrenceFile file,
            long from,
            long to,
            GloveOptions options,
            Shared shared) {
        this.backend = backend;
        this.weights = weights;
        this.file = file;
        this.from = from;
        this.to = to;
        this.options = options;
        this.shared = shared;
        this.step = adagradStep(options.adagrad());
    }

    /** Adagrad with learning rate 1 and no epsilon: the gradients come scaled by lr and the sums start at 1. */
    static OptimStep adagradStep(GloveOptions.Adagrad adagrad) {
        OptimKind kind = adagrad == GloveOptions.Adagrad.ROWWISE ? OptimKind.ROWWISE_ADAGRAD : OptimKind.ADAGRAD;
        return new OptimStep(kind, 1, 1f, 0f, 0f, 0f, 0.9f, 0.999f, 0f, false, false, false);
    }

    @Override
    public void run() {
        int b = options.batchSize();
        int d = weights.dim;
        int width = d + 1;
        try (CooccurrenceFile.Slice slice = file.slice(from, to);
                Tensor idxW = Tensor.allocate(DType.I32, b);
                Tensor idxC = Tensor.allocate(DType.I32, b);
                Tensor rowsW = Tensor.allocate(DType.F32, b, width);
                Tensor rowsC = Tensor.allocate(DType.F32, b, width);
                Tensor gradW = Tensor.allocate(DType.F32, b, width);
                Tensor gradC = Tensor.allocate(DType.F32, b, width);
                RowSort sortW = new RowSort(b);
                RowSort sortC = new RowSort(b)) {
            int[] i1 = new int[b];
            int[] i2 = new int[b];
            float[] x = new float[b];
            float[] w = new float[b * width];
            float[] c = new float[b * width];
            float[] dW = new float[b * width];
            float[] dC = new float[b * width];
            int n;
            while (!shared.stopped() && (n = slice.read(i1, i2, x, b)) > 0) {
                MemorySegment.copy(i1, 0, idxW.segment(), I32, 0, n);
                MemorySegment.copy(i2, 0, idxC.segment(), I32, 0, n);
                Tensor iw = idxW.rows(0, n);
                Tensor ic = idxC.rows(0, n);
                backend.gather(rowsW.rows(0, n), weights.w, iw);
                backend.gather(rowsC.rows(0, n), weights.c, ic);
                MemorySegment.copy(rowsW.segment(), F32, 0, w, 0, n * width);
                MemorySegment.copy(rowsC.segment(), F32, 0, c, 0, n * width);
                double loss = GloveStep.gradients(w, c, x, n, d, options.lr(), options.xMax(), options.alpha(), dW, dC);
                long batch = shared.batches.incrementAndGet();
                if (!Double.isFinite(loss)) {
                    throw new IllegalStateException("GloVe training diverged: the loss of batch " + batch + " is "
                            + loss + " (records " + shared.records.get() + " into the run, lr " + options.lr()
                            + "); lower --lr or check the corpus");
                }
                MemorySegment.copy(dW, 0, gradW.segment(), F32, 0, n * width);
                MemorySegment.copy(dC, 0, gradC.segment(), F32, 0, n * width);
                backend.embeddingBackwardUpdate(
                        weights.w, weights.gradsqW, null, gradW.rows(0, n), sortW.sort(i1, n), false, step);
                backend.embeddingBackwardUpdate(
                        weights.c, weights.gradsqC, null, gradC.rows(0, n), sortC.sort(i2, n), false, step);
                shared.loss.add(loss);
                shared.records.addAndGet(n);
            }
        } catch (IOException e) {
            shared.fail(new UncheckedIOException(e));
        } catch (RuntimeException | Error e) {
            shared.fail(e);
        }
    }
}
