package org.embed4j.backend;

import org.embed4j.tensor.DType;
import org.embed4j.tensor.Device;
import org.embed4j.tensor.Tensor;

/**
 * The kernels every device implements: the Java reference ({@code JavaBackend}), native CPU
 * ({@code CpuBackend}) and CUDA. Semantics are those of native/include/embed4j.h, which documents each
 * kernel; the Java reference is the executable specification.
 *
 * <p>Instances returned by {@link Backends} validate shapes, dtypes and devices once, before calling the
 * implementation (see {@code CheckedBackend}); data-dependent checks (index range, offsets order, NaN in
 * logits) happen inside each implementation and leave outputs and weights untouched on failure.
 * Parameter gradients ({@code dWeight}, {@code dBias}) are accumulated into; activation gradients are written.
 *
 * <p>Shapes: N lookups, V rows, D dim, B bags/batch, K classes, U unique rows. Index tensors are I32 or I64
 * where noted, else I64.
 */
public interface Backend extends AutoCloseable {

    /** "java", "cpu" or "cuda". */
    String name();

    /** Where this backend's tensors live. */
    Device device();

    // ------------------------------------------------------------------ memory

    /** A zero-filled tensor on this backend's device. */
    Tensor zeros(DType dtype, long... shape);

    /** A copy of a host tensor on this backend's device (host backends return a new host copy). */
    Tensor fromHost(Tensor host);

    /** A host copy of a tensor of this backend's device. */
    Tensor toHost(Tensor tensor);

    /** dst = src (same dtype and element count, both on this device). */
    void copy(Tensor dst, Tensor src);

    /** Every element of an F32 tensor set to {@code value}. */
    void fill(Tensor tensor, float value);

    /** y += alpha * x (F32, same element count). */
    void axpy(Tensor y, float alpha, Tensor x);

    /** x *= alpha (F32). */
    void scale(Tensor x, float alpha);

    /** out = a * b elementwise (F32, same element count; out may alias a or b). */
    void mul(Tensor out, Tensor a, Tensor b);

    /** Waits for queued work (CUDA); host backends return at once. */
    default void synchronize() {}

    // ------------------------------------------------------------------ embedding

    /** out(N,D) = weight(V,D)[indices(N)]; indices I32 or I64 (any shape, N = numel). Bit-exact. */
    void gather(Tensor out, Tensor weight, Tensor indices);

    /**
     * EmbeddingBag forward. {@code offsets} (B+1, I64) delimits bags, last entry = N. {@code argmax} (B,D) I64
     * for MAX mode, else null. {@code perSampleWeights} (N) F32 for SUM only, else null. {@code paddingIdx} -1: none.
     */
    void embeddingBagForward(
            Tensor out,
            Tensor argmax,
            Tensor weight,
            Tensor indices,
            Tensor offsets,
            Tensor perSampleWeights,
            BagMode mode,
            long paddingIdx);

    /** The deterministic sort of {@code indices} (I32/I64, range-checked against {@code numEmbeddings}). */
    SortedIndices sortIndices(Tensor indices, long numEmbeddings, long paddingIdx);

    /** dWeight(V,D) += rows of dOut(N,D) reduced per unique row (e4j_embedding_backward, compact = 0). */
    void embeddingBackward(Tensor dWeight, Tensor dOut, SortedIndices sorted, boolean scaleGradByFreq);

    /** dRows(U,D) += the same reduction, one row per unique index (a sparse gradient's values). */
    void embeddingBackwardRows(Tensor dRows, Tensor dOut, SortedIndices sorted, boolean scaleGradByFreq);

    /**
     * EmbeddingBag backward into dWeight (V,D) when {@code compact} is false, or (U,D) rows when true.
     * {@code dPerSampleWeights} (N) is written when non-null (SUM mode with weights).
     */
    void embeddingBagBackward(
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
            boolean compact);

    /** Fused backward + optimizer step per unique row; no V×D or U×D gradient exists. */
    void embeddingBackwardUpdate(
            Tensor weight,
            Tensor state1,
            Tensor state2,
            Tensor dOut,
            SortedIndices sorted,
            boolean scaleGradByFreq,
            OptimStep step);

    /** Optimizer step on the rows {@code sorted.uniq()} given their gradients {@code gradRows} (U,D). */
    void sparseRowsUpdate(
            Tensor weight, Tensor state1, Tensor state2, Tensor gradRows, SortedIndices sorted, OptimStep step);

    /** Optimizer step on every element of a dense parameter. */
    void denseUpdate(Tensor param, Tensor state1, Tensor state2, Tensor grad, OptimStep step);

    /** max_norm renorm of the rows {@code sorted.uniq()}. */
    void embeddingRenorm(Tensor weight, SortedIndices sorted, float maxNorm, float normType);

    // ------------------------------------------------------------------ dense layers

    /** C(M,N) = alpha·op(A)·op(B) + beta·C, 2-D row-major tensors; op = transpose when the flag is set. */
    void gemm(boolean transA, boolean transB, float alpha, Tensor a, Tensor b, float beta, Tensor c);

    /** x(B,K) += bias(K) per row. */
    void biasAdd(Tensor x, Tensor bias);

    /** dBias(K) += column sums of dOut(B,K). */
    void biasBackward(Tensor dBias, Tensor dOut);

    /** out = max(in, 0); out may be in. */
    void reluForward(Tensor out, Tensor in);

    /** dIn = dOut where out > 0, else 0 ({@code out} is the forward output). */
    void reluBackward(Tensor dIn, Tensor dOut, Tensor out);

    /**
     * Fused softmax cross-entropy. {@code loss}: (1) for MEAN/SUM, (B) for NONE. {@code dLogits} (B,K) or null;
     * may be {@code logits} itself (overwritten with the gradient). {@code targets} (B) I64; {@code weight} (K) or null.
     */
    void softmaxXent(
            Tensor loss,
            Tensor dLogits,
            Tensor logits,
            Tensor targets,
            Tensor weight,
            long ignoreIndex,
            float labelSmoothing,
            Reduction reduction);

    // ------------------------------------------------------------------ search and word2vec

    /** norms(V) = L2 norm of each row of weight(V,D). */
    void rowNorms(Tensor norms, Tensor weight);

    /**
     * Top-k rows of weight by cosine (when {@code norms} is non-null) or dot product with each query.
     * outIdx (Q,k) I64, outScore (Q,k) F32, queries (Q,D), exclude (Q,E) I64 or null (-1 = unused).
     */
    void topk(Tensor outIdx, Tensor outScore, Tensor weight, Tensor norms, Tensor queries, Tensor exclude);

    /**
     * The candidate scan of exact search over int8 rows (e4j_topk_i8): per query the k rows of highest approximate
     * cosine, best first, ties to the lower row: q is scaled by a power of two into int16 ({@code q16 = rint(q·2^sh)},
     * {@code |q16| <= 2^B}, 2^B the largest power of two {@code <= min(32767, (2^31-1)/(128·D))}) and the score is
     * {@code ((float) dot(q16, weight[v]) * rowScale[v]) * (float) (2^-sh / ||q||)}, the same bits on every host
     * backend (embed4j.h states it in full); rows with scale 0 and every row of a query whose norm is 0 or not finite
     * score -inf, empty slots get -1; D above (2^31-1)/128 is refused. outIdx (Q,k) I64, outScore (Q,k) F32, weight
     * (V,D) I8, rowScale (V) F32, queries (Q,D) F32. Host backends implement it; a device backend throws
     * {@link UnsupportedOperationException} (its float {@link #topk} serves the same search).
     */
    default void topkInt8(Tensor outIdx, Tensor outScore, Tensor weight, Tensor rowScale, Tensor queries) {
        throw new UnsupportedOperationException(name() + " has no int8 top-k kernel; use topk on float rows");
    }

    /** One Hogwild worker's word2vec pass over a chunk (host tensors on every backend). */
    Word2VecStats word2vecTrainChunk(Word2VecChunk chunk);

    /**
     * One Hogwild worker's pass of the general word2vec kernel over a chunk: hierarchical softmax and/or negative
     * sampling, optional document rows (paragraph vectors), optionally with the words frozen (host tensors on every
     * backend).
     */
    Word2VecStats word2vecHsTrainChunk(Word2VecHsChunk chunk);

    /** Frees backend resources (streams, handles); tensors stay the caller's to close. */
    @Override
    default void close() {}
}
