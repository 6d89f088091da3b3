package org.embed4j.backend;

import java.util.Arrays;
import java.util.Objects;
import org.embed4j.tensor.DType;
import org.embed4j.tensor.Device;
import org.embed4j.tensor.Tensor;

/**
 * The argument checks every backend gets once, before its kernel runs: nulls, closed tensors, device, dtype,
 * rank and shape of each tensor, and the consistency between arguments (gather: out is (N,D) with
 * N = indices.numel() and D = weight.size(1)). Native code behind it never sees a bad shape.
 *
 * <p>Data-dependent checks (index range, offsets order, NaN in logits) stay in the implementations: they need
 * the data, which may live on a device. One exception: a {@link SortedIndices} must fit the weight it is applied
 * to, which the dense backward's C ABI cannot check (it has no V): {@link SortChecks} remembers the V of each sort
 * made here, reads a hand-made host sort's rows and refuses a hand-made device sort. Messages name the argument,
 * the bad value and the expected one.
 * Exceptions: {@link NullPointerException} for a missing tensor, {@link IllegalStateException} for a closed
 * one, {@link IllegalArgumentException} for everything else; {@link UnsupportedOperationException} for an
 * optimizer kind a kernel does not implement.
 *
 * <p>Thread-safe when the wrapped backend is; its only state is the sorts it made ({@link SortChecks}).
 */
final class CheckedBackend implements Backend {
    private final Backend impl;
    private final TensorChecks check;
    /** The sorts this backend made, with the V each was made for. */
    private final SortChecks sorts;

    CheckedBackend(Backend impl) {
        this.impl = Objects.requireNonNull(impl, "impl");
        this.check = new TensorChecks(impl.device(), impl.name());
        this.sorts = new SortChecks(check);
    }

    /** The backend this one checks arguments for. */
    Backend delegate() {
        return impl;
    }

    @Override
    public String name() {
        return impl.name();
    }

    @Override
    public Device device() {
        return impl.device();
    }

    @Override
    public String toString() {
        return "Backend(" + impl.name() + " on " + impl.device() + ")";
    }

    // ------------------------------------------------------------------ memory

    @Override
    public Tensor zeros(DType dtype, long... shape) {
        Objects.requireNonNull(dtype, "dtype must not be null");
        Objects.requireNonNull(shape, "shape must not be null");
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException(
                        "shape " + Arrays.toString(shape) + " has a negative dimension " + d);
            }
        }
        return impl.zeros(dtype, shape);
    }

    @Override
    public Tensor fromHost(Tensor host) {
        check.open(host, "host");
        if (!host.device().isHost()) {
            throw new IllegalArgumentException("fromHost needs a host tensor, got " + host.describe());
        }
        return impl.fromHost(host);
    }

    @Override
    public Tensor toHost(Tensor tensor) {
        check.here(tensor, "tensor");
        return impl.toHost(tensor);
    }

    @Override
    public void copy(Tensor dst, Tensor src) {
        check.here(dst, "dst");
        check.here(src, "src");
        if (dst.dtype() != src.dtype() || dst.numel() != src.numel()) {
            throw new IllegalArgumentException(
                    "copy needs the same dtype and element count: dst " + dst.describe() + ", src " + src.describe());
        }
        impl.copy(dst, src);
    }

    @Override
    public void fill(Tensor tensor, float value) {
        check.f32(tensor, "tensor");
        impl.fill(tensor, value);
    }

    @Override
    public void axpy(Tensor y, float alpha, Tensor x) {
        check.f32(y, "y");
        check.f32(x, "x");
        check.sameCount(x, "x", y.numel());
        impl.axpy(y, alpha, x);
    }

    @Override
    public void scale(Tensor x, float alpha) {
        check.f32(x, "x");
        impl.scale(x, alpha);
    }

    @Override
    public void mul(Tensor out, Tensor a, Tensor b) {
        check.f32(out, "out");
        check.f32(a, "a");
        check.f32(b, "b");
        check.sameCount(a, "a", out.numel());
        check.sameCount(b, "b", out.numel());
        impl.mul(out, a, b);
    }

    @Override
    public void synchronize() {
        impl.synchronize();
    }

    // ------------------------------------------------------------------ embedding

    @Override
    public void gather(Tensor out, Tensor weight, Tensor indices) {
        check.matrix(weight, "weight");
        check.indexTensor(indices, "indices");
        check.rows(out, "out", indices.numel(), weight.size(1));
        impl.gather(out, weight, indices);
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
        Objects.requireNonNull(mode, "mode must not be null");
        check.matrix(weight, "weight");
        long n = bagIndices(indices);
        long b = bagOffsets(offsets);
        long d = weight.size(1);
        check.shape(check.f32(out, "out"), "out", b, d);
        if (mode == BagMode.MAX) {
            check.shape(check.typed(argmax, "argmax", DType.I64), "argmax", b, d);
        }
        perSampleWeights(perSampleWeights, mode, n);
        paddingIdx(paddingIdx, weight.size(0));
        impl.embeddingBagForward(out, argmax, weight, indices, offsets, perSampleWeights, mode, paddingIdx);
    }

    @Override
    public SortedIndices sortIndices(Tensor indices, long numEmbeddings, long paddingIdx) {
        check.indexTensor(indices, "indices");
        if (numEmbeddings < 0) {
            throw new IllegalArgumentException("numEmbeddings must be >= 0, got " + numEmbeddings);
        }
        paddingIdx(paddingIdx, numEmbeddings);
        SortedIndices sorted = impl.sortIndices(indices, numEmbeddings, paddingIdx);
        sorts.remember(sorted, numEmbeddings);
        return sorted;
    }

    @Override
    public void embeddingBackward(Tensor dWeight, Tensor dOut, SortedIndices sorted, boolean scaleGradByFreq) {
        check.matrix(dWeight, "dWeight");
        sorts.fits(sorted, dWeight.size(0), "dWeight");
        check.rows(dOut, "dOut", sorted.numIndices(), dWeight.size(1));
        impl.embeddingBackward(dWeight, dOut, sorted, scaleGradByFreq);
    }

    @Override
    public void embeddingBackwardRows(Tensor dRows, Tensor dOut, SortedIndices sorted, boolean scaleGradByFreq) {
        check.matrix(dRows, "dRows");
        sorts.wellFormed(sorted);
        check.shape(dRows, "dRows", sorted.numUnique(), dRows.size(1));
        check.rows(dOut, "dOut", sorted.numIndices(), dRows.size(1));
        impl.embeddingBackwardRows(dRows, dOut, sorted, scaleGradByFreq);
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
        Objects.requireNonNull(mode, "mode must not be null");
        check.matrix(weight, "weight");
        long n = bagIndices(indices);
        long b = bagOffsets(offsets);
        long v = weight.size(0);
        long d = weight.size(1);
        sorts.fits(sorted, v, "weight");
        if (sorted.numIndices() != n) {
            throw new IllegalArgumentException("sorted covers " + sorted.numIndices() + " indices, expected N = " + n
                    + " (sort the same indices)");
        }
        check.shape(check.f32(dOut, "dOut"), "dOut", b, d);
        check.shape(check.f32(dWeight, "dWeight"), "dWeight", compact ? sorted.numUnique() : v, d);
        perSampleWeights(perSampleWeights, mode, n);
        if (mode == BagMode.MAX) {
            check.shape(check.typed(argmax, "argmax", DType.I64), "argmax", b, d);
        }
        if (dPerSampleWeights != null) {
            if (perSampleWeights == null) {
                throw new IllegalArgumentException("dPerSampleWeights needs perSampleWeights (SUM mode)");
            }
            check.shape(check.f32(dPerSampleWeights, "dPerSampleWeights"), "dPerSampleWeights", n);
        }
        impl.embeddingBagBackward(
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
        check.matrix(weight, "weight");
        sorts.fits(sorted, weight.size(0), "weight");
        check.rows(dOut, "dOut", sorted.numIndices(), weight.size(1));
        OptimStepChecks.step(step);
        OptimStepChecks.sparseKind(step);
        OptimStepChecks.state(check, step, weight, state1, state2);
        impl.embeddingBackwardUpdate(weight, state1, state2, dOut, sorted, scaleGradByFreq, step);
    }

    @Override
    public void sparseRowsUpdate(
            Tensor weight, Tensor state1, Tensor state2, Tensor gradRows, SortedIndices sorted, OptimStep step) {
        check.matrix(weight, "weight");
        sorts.fits(sorted, weight.size(0), "weight");
        check.shape(check.f32(gradRows, "gradRows"), "gradRows", sorted.numUnique(), weight.size(1));
        OptimStepChecks.step(step);
        OptimStepChecks.sparseKind(step);
        OptimStepChecks.state(check, step, weight, state1, state2);
        impl.sparseRowsUpdate(weight, state1, state2, gradRows, sorted, step);
    }

    @Override
    public void denseUpdate(Tensor param, Tensor state1, Tensor state2, Tensor grad, OptimStep step) {
        check.f32(param, "param");
        check.f32(grad, "grad");
        check.sameCount(grad, "grad", param.numel());
        OptimStepChecks.step(step);
        OptimStepChecks.denseKind(step);
        OptimStepChecks.state(check, step, param, state1, state2);
        impl.denseUpdate(param, state1, state2, grad, step);
    }

    @Override
    public void embeddingRenorm(Tensor weight, SortedIndices sorted, float maxNorm, float normType) {
        check.matrix(weight, "weight");
        sorts.fits(sorted, weight.size(0), "weight");
        if (Float.isNaN(maxNorm)) {
            throw new IllegalArgumentException("maxNorm must be a number, got NaN");
        }
        if (!(normType > 0f)) {
            throw new IllegalArgumentException("normType must be > 0, got " + normType);
        }
        impl.embeddingRenorm(weight, sorted, maxNorm, normType);
    }

    // ------------------------------------------------------------------ dense layers

    @Override
    public void gemm(boolean transA, boolean transB, float alpha, Tensor a, Tensor b, float beta, Tensor c) {
        check.matrix(a, "a");
        check.matrix(b, "b");
        check.matrix(c, "c");
        long m = transA ? a.size(1) : a.size(0);
        long k = transA ? a.size(0) : a.size(1);
        long kb = transB ? b.size(1) : b.size(0);
        long n = transB ? b.size(0) : b.size(1);
        if (k != kb) {
            throw new IllegalArgumentException("gemm inner dimensions differ: op(a) is (" + m + ", " + k
                    + "), op(b) is ("
                    + kb + ", " + n + ") (a " + a.describe() + (transA ? " transposed" : "") + ", b " + b.describe()
                    + (transB ? " transposed" : "") + ")");
        }
        check.shape(c, "c", m, n);
        impl.gemm(transA, transB, alpha, a, b, beta, c);
    }

    @Override
    public void biasAdd(Tensor x, Tensor bias) {
        check.vector(bias, "bias");
        check.lastDim(check.f32(x, "x"), "x", bias.numel());
        impl.biasAdd(x, bias);
    }

    @Override
    public void biasBackward(Tensor dBias, Tensor dOut) {
        check.vector(dBias, "dBias");
        check.lastDim(check.f32(dOut, "dOut"), "dOut", dBias.numel());
        impl.biasBackward(dBias, dOut);
    }

    @Override
    public void reluForward(Tensor out, Tensor in) {
        check.f32(out, "out");
        check.f32(in, "in");
        check.sameCount(out, "out", in.numel());
        impl.reluForward(out, in);
    }

    @Override
    public void reluBackward(Tensor dIn, Tensor dOut, Tensor out) {
        check.f32(dIn, "dIn");
        check.f32(dOut, "dOut");
        check.f32(out, "out");
        check.sameCount(dIn, "dIn", out.numel());
        check.sameCount(dOut, "dOut", out.numel());
        impl.reluBackward(dIn, dOut, out);
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
        Objects.requireNonNull(reduction, "reduction must not be null");
        check.matrix(logits, "logits");
        long b = logits.size(0);
        long k = logits.size(1);
        check.shape(check.typed(targets, "targets", DType.I64), "targets", b);
        if (weight != null) {
            check.shape(check.f32(weight, "weight"), "weight", k);
        }
        if (dLogits != null) {
            check.shape(check.f32(dLogits, "dLogits"), "dLogits", b, k);
        }
        check.sameCount(check.f32(loss, "loss"), "loss", reduction == Reduction.NONE ? b : 1);
        if (!(labelSmoothing >= 0f && labelSmoothing <= 1f)) {
            throw new IllegalArgumentException("labelSmoothing must be in [0, 1], got " + labelSmoothing);
        }
        impl.softmaxXent(loss, dLogits, logits, targets, weight, ignoreIndex, labelSmoothing, reduction);
    }

    // ------------------------------------------------------------------ search and word2vec

    @Override
    public void rowNorms(Tensor norms, Tensor weight) {
        check.matrix(weight, "weight");
        check.shape(check.f32(norms, "norms"), "norms", weight.size(0));
        impl.rowNorms(norms, weight);
    }

    @Override
    public void topk(Tensor outIdx, Tensor outScore, Tensor weight, Tensor norms, Tensor queries, Tensor exclude) {
        check.matrix(weight, "weight");
        check.matrix(queries, "queries");
        long q = queries.size(0);
        if (queries.size(1) != weight.size(1)) {
            throw new IllegalArgumentException("queries have dimension " + queries.size(1) + ", expected D = "
                    + weight.size(1) + " of weight " + weight.describe());
        }
        if (norms != null) {
            check.shape(check.f32(norms, "norms"), "norms", weight.size(0));
        }
        check.typed(outIdx, "outIdx", DType.I64);
        if (outIdx.rank() != 2 || outIdx.size(0) != q) {
            throw new IllegalArgumentException("outIdx must be (Q, k) with Q = " + q + ", got " + outIdx.describe());
        }
        check.shape(check.f32(outScore, "outScore"), "outScore", q, outIdx.size(1));
        if (exclude != null) {
            check.typed(exclude, "exclude", DType.I64);
            if (exclude.rank() != 2 || exclude.size(0) != q) {
                throw new IllegalArgumentException(
                        "exclude must be (Q, E) with Q = " + q + ", got " + exclude.describe());
            }
        }
        impl.topk(outIdx, outScore, weight, norms, queries, exclude);
    }

    @Override
    public void topkInt8(Tensor outIdx, Tensor outScore, Tensor weight, Tensor rowScale, Tensor queries) {
        check.typed(weight, "weight", DType.I8);
        if (weight.rank() != 2) {
            throw new IllegalArgumentException("weight must be 2-D (rows, cols), got " + weight.describe());
        }
        check.matrix(queries, "queries");
        long q = queries.size(0);
        if (queries.size(1) != weight.size(1)) {
            throw new IllegalArgumentException("queries have dimension " + queries.size(1) + ", expected D = "
                    + weight.size(1) + " of weight " + weight.describe());
        }
        check.shape(check.f32(rowScale, "rowScale"), "rowScale", weight.size(0));
        check.typed(outIdx, "outIdx", DType.I64);
        if (outIdx.rank() != 2 || outIdx.size(0) != q) {
            throw new IllegalArgumentException("outIdx must be (Q, k) with Q = " + q + ", got " + outIdx.describe());
        }
        check.shape(check.f32(outScore, "outScore"), "outScore", q, outIdx.size(1));
        impl.topkInt8(outIdx, outScore, weight, rowScale, queries);
    }

    @Override
    public Word2VecStats word2vecTrainChunk(Word2VecChunk chunk) {
        Objects.requireNonNull(chunk, "chunk must not be null");
        Tensor wIn = check.hostTensor(chunk.wIn(), "wIn", DType.F32);
        Tensor wOut = check.hostTensor(chunk.wOut(), "wOut", DType.F32);
        if (wIn.rank() != 2 || wOut.rank() != 2 || wIn.size(1) != wOut.size(1)) {
            throw new IllegalArgumentException("wIn (R,D) and wOut (V,D) must be matrices with the same D, got wIn "
                    + wIn.describe() + ", wOut " + wOut.describe());
        }
        if (check.hostTensor(chunk.tokens(), "tokens", DType.I32).rank() != 1) {
            throw new IllegalArgumentException(
                    "tokens must be 1-D, got " + chunk.tokens().describe());
        }
        Tensor table = check.hostTensor(chunk.negTable(), "negTable", DType.I32);
        if (chunk.negative() > 0 && table.numel() == 0) {
            throw new IllegalArgumentException("negTable is empty but negative = " + chunk.negative());
        }
        if (check.hostTensor(chunk.rng(), "rng", DType.I64).numel() != 1) {
            throw new IllegalArgumentException(
                    "rng must hold 1 element, got " + chunk.rng().describe());
        }
        if ((chunk.subOffsets() == null) != (chunk.subIds() == null)) {
            throw new IllegalArgumentException("subOffsets and subIds must both be given or both be null");
        }
        if (chunk.subOffsets() != null) {
            check.sameCount(
                    check.hostTensor(chunk.subOffsets(), "subOffsets", DType.I64), "subOffsets", wOut.size(0) + 1);
            check.hostTensor(chunk.subIds(), "subIds", DType.I32);
        } else if (wIn.size(0) < wOut.size(0)) {
            throw new IllegalArgumentException("without subwords wIn needs a row per word of wOut, got wIn "
                    + wIn.describe() + ", wOut " + wOut.describe());
        }
        if (chunk.window() < 1 || chunk.negative() < 0) {
            throw new IllegalArgumentException("window must be >= 1 and negative >= 0, got window " + chunk.window()
                    + ", negative " + chunk.negative());
        }
        return impl.word2vecTrainChunk(chunk);
    }

    @Override
    public Word2VecStats word2vecHsTrainChunk(Word2VecHsChunk chunk) {
        Word2VecHsChecks.check(check, chunk);
        return impl.word2vecHsTrainChunk(chunk);
    }

    @Override
    public void close() {
        impl.close();
    }

    // ------------------------------------------------------------------ checks

    private long bagIndices(Tensor indices) {
        check.indexTensor(indices, "indices");
        if (indices.rank() != 1) {
            throw new IllegalArgumentException(
                    "bag indices must be 1-D (N), got " + indices.describe() + " (flatten 2-D input and pass offsets)");
        }
        return indices.size(0);
    }

    /** Returns B for offsets of B+1 entries. */
    private long bagOffsets(Tensor offsets) {
        check.typed(offsets, "offsets", DType.I64);
        if (offsets.rank() != 1 || offsets.size(0) < 1) {
            throw new IllegalArgumentException("offsets must be 1-D with B+1 >= 1 entries, got " + offsets.describe());
        }
        return offsets.size(0) - 1;
    }

    private void perSampleWeights(Tensor psw, BagMode mode, long n) {
        if (psw == null) {
            return;
        }
        if (mode != BagMode.SUM) {
            throw new IllegalArgumentException("perSampleWeights are only supported with mode SUM, got " + mode);
        }
        check.shape(check.f32(psw, "perSampleWeights"), "perSampleWeights", n);
    }

    private static void paddingIdx(long paddingIdx, long numEmbeddings) {
        if (paddingIdx < -1 || paddingIdx >= numEmbeddings) {
            throw new IllegalArgumentException(
                    "paddingIdx must be -1 (none) or in [0, " + numEmbeddings + "), got " + paddingIdx);
        }
    }
}
