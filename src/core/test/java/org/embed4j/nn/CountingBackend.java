package org.embed4j.nn;

import java.util.concurrent.atomic.AtomicLong;
import org.embed4j.backend.Backend;
import org.embed4j.backend.BagMode;
import org.embed4j.backend.OptimStep;
import org.embed4j.backend.Reduction;
import org.embed4j.backend.SortedIndices;
import org.embed4j.backend.Word2VecChunk;
import org.embed4j.backend.Word2VecHsChunk;
import org.embed4j.backend.Word2VecStats;
import org.embed4j.tensor.DType;
import org.embed4j.tensor.Device;
import org.embed4j.tensor.Tensor;

/**
 * A Backend that delegates every kernel and counts the bytes of every tensor it hands out (zeros, fromHost,
 * toHost, the three tensors of each index sort), plus the largest single allocation: the allocation meter of the
 * no-(V,D)-gradient test. Thread-safe counters.
 */
final class CountingBackend implements Backend {
    private final Backend inner;
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicLong largest = new AtomicLong();
    private final java.util.List<Long> sizes = java.util.Collections.synchronizedList(new java.util.ArrayList<>());

    CountingBackend(Backend inner) {
        this.inner = inner;
    }

    long allocatedBytes() {
        return bytes.get();
    }

    long largestAllocation() {
        return largest.get();
    }

    /** How many tensors of at least {@code minBytes} were handed out since the last reset. */
    long allocationsOfAtLeast(long minBytes) {
        synchronized (sizes) {
            return sizes.stream().filter(b -> b >= minBytes).count();
        }
    }

    void reset() {
        bytes.set(0);
        largest.set(0);
        sizes.clear();
    }

    private Tensor count(Tensor t) {
        bytes.addAndGet(t.byteSize());
        sizes.add(t.byteSize());
        largest.accumulateAndGet(t.byteSize(), Math::max);
        return t;
    }

    @Override
    public String name() {
        return inner.name();
    }

    @Override
    public Device device() {
        return inner.device();
    }

    @Override
    public Tensor zeros(DType dtype, long... shape) {
        return count(inner.zeros(dtype, shape));
    }

    @Override
    public Tensor fromHost(Tensor host) {
        return count(inner.fromHost(host));
    }

    @Override
    public Tensor toHost(Tensor tensor) {
        return count(inner.toHost(tensor));
    }

    @Override
    public void copy(Tensor dst, Tensor src) {
        inner.copy(dst, src);
    }

    @Override
    public void fill(Tensor tensor, float value) {
        inner.fill(tensor, value);
    }

    @Override
    public void axpy(Tensor y, float alpha, Tensor x) {
        inner.axpy(y, alpha, x);
    }

    @Override
    public void scale(Tensor x, float alpha) {
        inner.scale(x, alpha);
    }

    @Override
    public void mul(Tensor out, Tensor a, Tensor b) {
        inner.mul(out, a, b);
    }

    @Override
    public void synchronize() {
        inner.synchronize();
    }

    @Override
    public void gather(Tensor out, Tensor weight, Tensor indices) {
        inner.gather(out, weight, indices);
    }

    @Override
    public void embeddingBagForward(
            Tensor out,
            Tensor argmax,
            Tensor weight,
            Tensor indices,
            Tensor offsets,
            Tensor perSampleWeights,
            BagMode mode,
            long paddingIdx) {
        inner.embeddingBagForward(out, argmax, weight, indices, offsets, perSampleWeights, mode, paddingIdx);
    }

    @Override
    public SortedIndices sortIndices(Tensor indices, long numEmbeddings, long paddingIdx) {
        SortedIndices s = inner.sortIndices(indices, numEmbeddings, paddingIdx);
        count(s.uniq());
        count(s.seg());
        count(s.perm());
        return s;
    }

    @Override
    public void embeddingBackward(Tensor dWeight, Tensor dOut, SortedIndices sorted, boolean scaleGradByFreq) {
        inner.embeddingBackward(dWeight, dOut, sorted, scaleGradByFreq);
    }

    @Override
    public void embeddingBackwardRows(Tensor dRows, Tensor dOut, SortedIndices sorted, boolean scaleGradByFreq) {
        inner.embeddingBackwardRows(dRows, dOut, sorted, scaleGradByFreq);
    }

    @Override
    public void embeddingBagBackward(
            Tensor dWeight,
            Tensor dPerSampleWeights,
            Tensor dOut,
            Tensor weight,
            Tensor indices,
            Tensor offsets,
            Tensor perSampleWeights,
            Tensor argmax,
            SortedIndices sorted,
            BagMode mode,
            boolean compact) {
        inner.embeddingBagBackward(
                dWeight,
                dPerSampleWeights,
                dOut,
                weight,
                indices,
                offsets,
                perSampleWeights,
                argmax,
                sorted,
                mode,
                compact);
    }

    @Override
    public void embeddingBackwardUpdate(
            Tensor weight,
            Tensor state1,
            Tensor state2,
            Tensor dOut,
            SortedIndices sorted,
            boolean scaleGradByFreq,
            OptimStep step) {
        inner.embeddingBackwardUpdate(weight, state1, state2, dOut, sorted, scaleGradByFreq, step);
    }

    @Override
    public void sparseRowsUpdate(
            Tensor weight, Tensor state1, Tensor state2, Tensor gradRows, SortedIndices sorted, OptimStep step) {
        inner.sparseRowsUpdate(weight, state1, state2, gradRows, sorted, step);
    }

    @Override
    public void denseUpdate(Tensor param, Tensor state1, Tensor state2, Tensor grad, OptimStep step) {
        inner.denseUpdate(param, state1, state2, grad, step);
    }

    @Override
    public void embeddingRenorm(Tensor weight, SortedIndices sorted, float maxNorm, float normType) {
        inner.embeddingRenorm(weight, sorted, maxNorm, normType);
    }

    @Override
    public void gemm(boolean transA, boolean transB, float alpha, Tensor a, Tensor b, float beta, Tensor c) {
        inner.gemm(transA, transB, alpha, a, b, beta, c);
    }

    @Override
    public void biasAdd(Tensor x, Tensor bias) {
        inner.biasAdd(x, bias);
    }

    @Override
    public void biasBackward(Tensor dBias, Tensor dOut) {
        inner.biasBackward(dBias, dOut);
    }

    @Override
    public void reluForward(Tensor out, Tensor in) {
        inner.reluForward(out, in);
    }

    @Override
    public void reluBackward(Tensor dIn, Tensor dOut, Tensor out) {
        inner.reluBackward(dIn, dOut, out);
    }

    @Override
    public void softmaxXent(
            Tensor loss,
            Tensor dLogits,
            Tensor logits,
            Tensor targets,
            Tensor weight,
            long ignoreIndex,
            float labelSmoothing,
            Reduction reduction) {
        inner.softmaxXent(loss, dLogits, logits, targets, weight, ignoreIndex, labelSmoothing, reduction);
    }

    @Override
    public void rowNorms(Tensor norms, Tensor weight) {
        inner.rowNorms(norms, weight);
    }

    @Override
    public void topk(Tensor outIdx, Tensor outScore, Tensor weight, Tensor norms, Tensor queries, Tensor exclude) {
        inner.topk(outIdx, outScore, weight, norms, queries, exclude);
    }

    @Override
    public Word2VecStats word2vecTrainChunk(Word2VecChunk chunk) {
        return inner.word2vecTrainChunk(chunk);
    }

    @Override
    public Word2VecStats word2vecHsTrainChunk(Word2VecHsChunk chunk) {
        return inner.word2vecHsTrainChunk(chunk);
    }
}
