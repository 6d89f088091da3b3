package org.embed4j.backend;

import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.embed4j.internal.ffm.CpuKernels;
import org.embed4j.internal.ffm.NativeLibrary;
import org.embed4j.internal.ffm.Workspace;
import org.embed4j.tensor.DType;
import org.embed4j.tensor.Device;
import org.embed4j.tensor.Tensor;

/**
 * The native CPU backend: every kernel is a downcall into libembed4j (AVX2+FMA kernels, see
 * native/include/embed4j.h, bound by {@link CpuKernels}); memory operations (zeros, copy, fill, axpy, ...) are
 * inherited from the Java reference, which it must match (bit-exact for gather, within float rounding elsewhere:
 * the conformance tests run every backend against it).
 *
 * <p>Lucene-provider style: the constructor throws, saying why, when the library cannot be loaded or the CPU
 * (or OS) lacks AVX2+FMA, and {@link Backends} falls back; a library that lacks any bound function does not load.
 * Tensor segments go to C as they are (all host tensors are off-heap). Shapes are validated by
 * {@code CheckedBackend} before these methods run; index ranges are checked in C, which writes nothing on failure.
 * Thread-safe: no mutable state but the process-wide native thread count.
 */
class CpuBackend extends JavaBackend {
    /** Property: threads per native call (default: available processors). */
    static final String THREADS_PROPERTY = "embed4j.threads";

    private static final int FEATURES_NEEDED = 1 | 2 | 4; // AVX2, FMA, OS saves YMM

    private final CpuKernels k;
    private final int features;

    /** Loads libembed4j and checks the CPU; throws IllegalStateException or UnsupportedOperationException saying why not. */
    CpuBackend() {
        this.k = CpuKernels.load();
        this.features = k.cpuFeatures();
        if ((features & FEATURES_NEEDED) != FEATURES_NEEDED) {
            throw new UnsupportedOperationException(
                    "the native CPU backend needs AVX2+FMA with OS support, this CPU has " + featureNames(features)
                            + " (e4j_cpu_features = " + features + ")");
        }
        setNumThreads(threadsFromProperty());
    }

    @Override
    public String name() {
        return "cpu";
    }

    // ------------------------------------------------------------------ runtime

    /** The loaded library (path, version). */
    NativeLibrary library() {
        return k.library();
    }

    /** e4j_cpu_features() bits: 1 AVX2, 2 FMA, 4 OS saves YMM, 8 AVX-512 (F, BW, DQ, VL), 16 OS saves ZMM. */
    int features() {
        return features;
    }

    /** "AVX2+FMA+OS-YMM+AVX512+OS-ZMM" style names of the feature bits. */
    static String featureNames(int bits) {
        StringBuilder sb = new StringBuilder();
        if ((bits & 1) != 0) {
            sb.append("AVX2");
        }
        if ((bits & 2) != 0) {
            sb.append(sb.isEmpty() ? "" : "+").append("FMA");
        }
        if ((bits & 4) != 0) {
            sb.append(sb.isEmpty() ? "" : "+").append("OS-YMM");
        }
        if ((bits & 8) != 0) {
            sb.append(sb.isEmpty() ? "" : "+").append("AVX512");
        }
        if ((bits & 16) != 0) {
            sb.append(sb.isEmpty() ? "" : "+").append("OS-ZMM");
        }
        return sb.isEmpty() ? "none of AVX2/FMA/OS-YMM" : sb.toString();
    }

    /** Threads the native kernels use per call (process-wide: e4j_set_num_threads). */
    void setNumThreads(int n) {
        if (n < 1 || n > 1024) {
            throw new IllegalArgumentException("thread count must be in [1, 1024], got " + n);
        }
        k.setNumThreads(n);
    }

    int numThreads() {
        return k.numThreads();
    }

    /** -Dembed4j.threads, else the available processors. */
    static int threadsFromProperty() {
        String v = System.getProperty(THREADS_PROPERTY);
        if (v == null || v.isBlank()) {
            return Math.min(1024, Runtime.getRuntime().availableProcessors());
        }
        try {
            int n = Integer.parseInt(v.trim());
            if (n >= 1 && n <= 1024) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // falls through to the message below
        }
        throw new IllegalArgumentException("-D" + THREADS_PROPERTY + "=" + v + " must be a thread count in [1, 1024]");
    }

    // ------------------------------------------------------------------ embedding

    @Override
    public void gather(Tensor out, Tensor weight, Tensor indices) {
        k.gatherForward(
                out.segment(),
                weight.segment(),
                indices.segment(),
                indexType(indices),
                indices.numel(),
                weight.size(0),
                weight.size(1));
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
        k.embeddingBagForward(
                out.segment(),
                seg(argmax),
                weight.segment(),
                indices.segment(),
                indexType(indices),
                offsets.segment(),
                seg(perSampleWeights),
                mode.ordinal(),
                paddingIdx,
                indices.numel(),
                offsets.numel() - 1,
                weight.size(0),
                weight.size(1));
    }

    /**
     * The native sort into (N), (N+1), (N) buffers, handed back as uniq (U), seg (U+1), perm (N) tensors that own
     * their memory (the Java reference's layout); the scratch is this thread's cached workspace.
     */
    @Override
    @SuppressWarnings(
            "MustBeClosedChecker") // each arena is handed to the tensor that frees it, or closed here on failure
    public SortedIndices sortIndices(Tensor indices, long numEmbeddings, long paddingIdx) {
        long n = indices.numel();
        long wsBytes = k.indexSortWorkspaceBytes(n, numEmbeddings);
        Arena uniqArena = Arena.ofShared();
        Arena segArena = Arena.ofShared();
        Arena permArena = Arena.ofShared();
        try {
            MemorySegment uniq = uniqArena.allocate(Math.max(1, n) * 8, 64);
            MemorySegment seg = segArena.allocate((n + 1) * 8, 64);
            MemorySegment perm = permArena.allocate(Math.max(1, n) * 8, 64);
            // One 64-byte line for the U output, then the scratch, kept 64-byte aligned for the kernel.
            MemorySegment ws = Workspace.get(wsBytes + 64);
            MemorySegment numUnique = ws.asSlice(0, 8);
            k.indexSort(
                    uniq,
                    seg,
                    perm,
                    numUnique,
                    indices.segment(),
                    indexType(indices),
                    paddingIdx,
                    n,
                    numEmbeddings,
                    ws.asSlice(64, wsBytes),
                    wsBytes);
            long u = numUnique.get(JAVA_LONG, 0);
            return new SortedIndices(
                    Tensor.wrap(uniq.asSlice(0, u * 8), DType.I64, Device.CPU, uniqArena, u),
                    Tensor.wrap(seg.asSlice(0, (u + 1) * 8), DType.I64, Device.CPU, segArena, u + 1),
                    Tensor.wrap(perm.asSlice(0, n * 8), DType.I64, Device.CPU, permArena, n),
                    u,
                    n);
        } catch (RuntimeException | Error e) {
            uniqArena.close();
            segArena.close();
            permArena.close();
            throw e;
        }
    }

    @Override
    public void embeddingBackward(Tensor dWeight, Tensor dOut, SortedIndices sorted, boolean scaleGradByFreq) {
        k.embeddingBackward(
                dWeight.segment(),
                dOut.segment(),
                sorted.uniq().segment(),
                sorted.seg().segment(),
                sorted.perm().segment(),
                scaleGradByFreq,
                false,
                sorted.numUnique(),
                sorted.numIndices(),
                lastDim(dOut));
    }

    @Override
    public void embeddingBackwardRows(Tensor dRows, Tensor dOut, SortedIndices sorted, boolean scaleGradByFreq) {
        k.embeddingBackward(
                dRows.segment(),
                dOut.segment(),
                sorted.uniq().segment(),
                sorted.seg().segment(),
                sorted.perm().segment(),
                scaleGradByFreq,
                true,
                sorted.numUnique(),
                sorted.numIndices(),
                lastDim(dOut));
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
        // V bounds idx in C; without weight and with compact rows the sort already range-checked idx.
        long v = weight != null ? weight.size(0) : compact ? Long.MAX_VALUE : dWeight.size(0);
        k.embeddingBagBackward(
                dWeight.segment(),
                seg(dPerSampleWeights),
                dOut.segment(),
                seg(weight),
                indices.segment(),
                indexType(indices),
                offsets.segment(),
                seg(perSampleWeights),
                seg(argmax),
                sorted.uniq().segment(),
                sorted.seg().segment(),
                sorted.perm().segment(),
                mode.ordinal(),
                compact,
                sorted.numUnique(),
                indices.numel(),
                offsets.numel() - 1,
                v,
                lastDim(dOut));
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
        try (Arena arena = Arena.ofConfined()) {
            k.embeddingBackwardUpdate(
                    weight.segment(),
                    seg(state1),
                    seg(state2),
                    dOut.segment(),
                    sorted.uniq().segment(),
                    sorted.seg().segment(),
                    sorted.perm().segment(),
                    scaleGradByFreq,
                    NativeOptim.struct(arena, step),
                    sorted.numUnique(),
                    sorted.numIndices(),
                    weight.size(0),
                    weight.size(1));
        }
    }

    @Override
    public void sparseRowsUpdate(
            Tensor weight, Tensor state1, Tensor state2, Tensor gradRows, SortedIndices sorted, OptimStep step) {
        try (Arena arena = Arena.ofConfined()) {
            k.sparseRowsUpdate(
                    weight.segment(),
                    seg(state1),
                    seg(state2),
                    gradRows.segment(),
                    sorted.uniq().segment(),
                    NativeOptim.struct(arena, step),
                    sorted.numUnique(),
                    weight.size(0),
                    weight.size(1));
        }
    }

    @Override
    public void denseUpdate(Tensor param, Tensor state1, Tensor state2, Tensor grad, OptimStep step) {
        try (Arena arena = Arena.ofConfined()) {
            k.denseUpdate(
                    param.segment(),
                    seg(state1),
                    seg(state2),
                    grad.segment(),
                    NativeOptim.struct(arena, step),
                    param.numel());
        }
    }

    @Override
    public void embeddingRenorm(Tensor weight, SortedIndices sorted, float maxNorm, float normType) {
        k.embeddingRenorm(
                weight.segment(),
                sorted.uniq().segment(),
                maxNorm,
                normType,
                sorted.numUnique(),
                weight.size(0),
                weight.size(1));
    }

    // ------------------------------------------------------------------ dense layers

    @Override
    public void gemm(boolean transA, boolean transB, float alpha, Tensor a, Tensor b, float beta, Tensor c) {
        long m = c.size(0);
        long n = c.size(1);
        long inner = transA ? a.size(0) : a.size(1);
        // Row-major leading dimensions are the stored column counts (>= 1 as BLAS wants, even when empty).
        k.gemm(
                transA,
                transB,
                m,
                n,
                inner,
                alpha,
                a.segment(),
                Math.max(1, a.size(1)),
                b.segment(),
                Math.max(1, b.size(1)),
                beta,
                c.segment(),
                Math.max(1, n));
    }

    @Override
    public void biasAdd(Tensor x, Tensor bias) {
        long cols = bias.numel();
        k.biasAdd(x.segment(), bias.segment(), cols == 0 ? 0 : x.numel() / cols, cols);
    }

    @Override
    public void biasBackward(Tensor dBias, Tensor dOut) {
        long cols = dBias.numel();
        k.biasBackward(dBias.segment(), dOut.segment(), cols == 0 ? 0 : dOut.numel() / cols, cols);
    }

    @Override
    public void reluForward(Tensor out, Tensor in) {
        k.reluForward(out.segment(), in.segment(), in.numel());
    }

    @Override
    public void reluBackward(Tensor dIn, Tensor dOut, Tensor out) {
        k.reluBackward(dIn.segment(), dOut.segment(), out.segment(), dOut.numel());
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
        k.softmaxXent(
                loss.segment(),
                seg(dLogits),
                logits.segment(),
                targets.segment(),
                seg(weight),
                ignoreIndex,
                labelSmoothing,
                reduction.ordinal(),
                logits.size(0),
                logits.size(1));
    }

    // ------------------------------------------------------------------ search and word2vec

    @Override
    public void rowNorms(Tensor norms, Tensor weight) {
        k.rowNorms(norms.segment(), weight.segment(), weight.size(0), weight.size(1));
    }

    @Override
    public void topk(Tensor outIdx, Tensor outScore, Tensor weight, Tensor norms, Tensor queries, Tensor exclude) {
        k.topk(
                outIdx.segment(),
                outScore.segment(),
                weight.segment(),
                seg(norms),
                queries.segment(),
                seg(exclude),
                queries.size(0),
                weight.size(0),
                weight.size(1),
                outIdx.size(1),
                exclude == null ? 0 : exclude.size(1));
    }

    /** The loss and pair count come back through the first 16 bytes of this thread's workspace. */
    @Override
    public Word2VecStats word2vecTrainChunk(Word2VecChunk c) {
        long d = c.wIn().size(1);
        long wsBytes = k.w2vWorkspaceBytes(d, c.window(), c.negative());
        MemorySegment ws = Workspace.get(wsBytes + 64); // loss and pair count, then 64-byte aligned scratch
        MemorySegment lossSum = ws.asSlice(0, 8);
        MemorySegment pairs = ws.asSlice(8, 8);
        lossSum.set(JAVA_DOUBLE, 0, 0.0);
        pairs.set(JAVA_LONG, 0, 0L);
        k.w2vTrainChunk(
                c.wIn().segment(),
                c.wOut().segment(),
                lossSum,
                pairs,
                c.rng().segment(),
                c.tokens().segment(),
                c.tokens().numel(),
                c.negTable().segment(),
                c.negTable().numel(),
                seg(c.subOffsets()),
                seg(c.subIds()),
                c.cbow(),
                c.window(),
                c.negative(),
                c.lrStart(),
                c.lrEnd(),
                c.wOut().size(0),
                c.wIn().size(0),
                d,
                ws.asSlice(64, wsBytes),
                wsBytes);
        return new Word2VecStats(lossSum.get(JAVA_DOUBLE, 0), pairs.get(JAVA_LONG, 0));
    }

    /** As {@link #word2vecTrainChunk}: the loss and pair count come back through the workspace's first 16 bytes. */
    @Override
    public Word2VecStats word2vecHsTrainChunk(Word2VecHsChunk c) {
        long d = c.wIn().size(1);
        int maxCode = c.codeOffsets() == null ? 0 : c.maxCodeLength();
        long wsBytes = k.w2vHsWorkspaceBytes(d, c.window(), maxCode + c.negative() + 1);
        MemorySegment ws = Workspace.get(wsBytes + 64);
        MemorySegment lossSum = ws.asSlice(0, 8);
        MemorySegment pairs = ws.asSlice(8, 8);
        lossSum.set(JAVA_DOUBLE, 0, 0.0);
        pairs.set(JAVA_LONG, 0, 0L);
        int flags = (c.wordInputs() ? 0 : 1) | (c.freezeWords() ? 2 : 0); // e4j_w2v_flags
        k.w2vHsTrainChunk(
                new CpuKernels.W2vHsData(
                        c.wIn().segment(),
                        seg(c.wHs()),
                        seg(c.wOut()),
                        seg(c.wDoc()),
                        c.tokens().segment(),
                        seg(c.docs()),
                        seg(c.codeOffsets()),
                        seg(c.codes()),
                        seg(c.negTable()),
                        seg(c.subOffsets()),
                        seg(c.subIds())),
                new CpuKernels.W2vHsSizes(
                        c.tokens().numel(),
                        c.negTable() == null ? 0 : c.negTable().numel(),
                        c.mode().ordinal(), // e4j_w2v_mode: SKIP_GRAM 0, CBOW_MEAN 1, CBOW_SUM 2
                        flags,
                        c.window(),
                        c.negative(),
                        maxCode,
                        c.lrStart(),
                        c.lrEnd(),
                        c.vocabSize(),
                        c.wIn().size(0),
                        c.wHs() == null ? 0 : c.wHs().size(0),
                        c.wDoc() == null ? 0 : c.wDoc().size(0),
                        d),
                lossSum,
                pairs,
                c.rng().segment(),
                ws.asSlice(64, wsBytes),
                wsBytes);
        return new Word2VecStats(lossSum.get(JAVA_DOUBLE, 0), pairs.get(JAVA_LONG, 0));
    }

    // ------------------------------------------------------------------ helpers

    @Override
    public void topkInt8(Tensor outIdx, Tensor outScore, Tensor weight, Tensor rowScale, Tensor queries) {
        k.topkI8(
                outIdx.segment(),
                outScore.segment(),
                weight.segment(),
                rowScale.segment(),
                queries.segment(),
                queries.size(0),
                weight.size(0),
                weight.size(1),
                outIdx.size(1));
    }

    private static MemorySegment seg(Tensor t) {
        return t == null ? MemorySegment.NULL : t.segment();
    }

    /** e4j_index_type: the byte size of the index dtype (4 or 8). */
    private static int indexType(Tensor indices) {
        DType t = indices.dtype();
        if (t != DType.I32 && t != DType.I64) {
            throw new IllegalArgumentException("indices must be I32 or I64, got " + indices.describe());
        }
        return t.byteSize();
    }

    private static long lastDim(Tensor t) {
        return t.rank() == 0 ? 1 : t.size(-1);
    }
}
