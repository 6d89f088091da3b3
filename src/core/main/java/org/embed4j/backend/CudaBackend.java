package org.embed4j.backend;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.function.Consumer;
import org.embed4j.internal.ffm.CudaKernels;
import org.embed4j.internal.ffm.NativeLibrary;
import org.embed4j.tensor.DType;
import org.embed4j.tensor.Device;
import org.embed4j.tensor.Tensor;

/**
 * The CUDA backend: every kernel is a launch into libembed4j_cuda (native/include/embed4j_cuda.h) on this
 * backend's own stream; tensors are device allocations that Java never dereferences (Tensor.wrap of the device
 * address, freed by the tensor's close). Host data moves only through {@link #fromHost} and {@link #toHost}.
 * Results must match the Java reference (bit-exact for gather; float32 rounding elsewhere) — ci/gpu-check.sh
 * checks every kernel against the C reference and PyTorch on a GPU.
 *
 * <p>Errors: shapes are checked by CheckedBackend before these methods run. Data-dependent errors (an index out
 * of range, a bad target, a NaN logit) are found on the device and reported at the next synchronisation as
 * IndexOutOfBoundsException / IllegalArgumentException; the CUDA context stays usable. By default (strict mode)
 * the calls whose data can be bad (gather, bag forward and backward, softmax-CE) first run a read-only validation
 * pass and synchronise, so the exception comes from the call that caused it and no output is written, as on the
 * other backends; the sort synchronises anyway (to learn U). {@code -Dembed4j.cuda.async=true} skips the passes
 * and the synchronisation: the kernels still check as they go, errors surface at the next
 * {@link #synchronize()} or {@link #toHost}, and a failed call's output is unspecified (a bad gather row is
 * zeros). CUDA failures are {@link CudaException}s.
 *
 * <p>Deterministic like the reference: the backward passes reduce each row in a fixed order (bit-identical
 * across runs). word2vec chunks are host tensors by contract, so {@link #word2vecTrainChunk} runs on the CPU
 * (native when available); the batched GPU SGNS kernel is e4j_w2v_train_chunk_cuda.
 *
 * <p>The constructor throws, saying why, when libembed4j_cuda is missing or no device answers (no driver:
 * cudaGetDeviceCount fails with error 35). Thread-safe: calls are serialised on the backend (one stream, one
 * error record); device tensors may be freed from any thread.
 */
final class CudaBackend implements Backend {
    /** Property: the CUDA device ordinal (default 0). */
    static final String DEVICE_PROPERTY = "embed4j.cuda.device";
    /** Property: true leaves checking kernels asynchronous (errors at the next synchronisation). */
    static final String ASYNC_PROPERTY = "embed4j.cuda.async";

    private final CudaKernels k;
    private final int ordinal;
    private final Device device;
    private final String description;
    private final boolean async;
    private final Object lock = new Object();
    private final Backend host;
    private volatile MemorySegment stream;

    /** Loads libembed4j_cuda and opens a stream on the device; throws saying why when CUDA cannot run here. */
    CudaBackend() {
        this.k = CudaKernels.load(CudaException::new);
        int count = k.cudaDeviceCount();
        if (count == 0) {
            String why = k.lastError();
            throw new UnsupportedOperationException(why.isEmpty() ? "no CUDA device" : why);
        }
        this.ordinal = Integer.getInteger(DEVICE_PROPERTY, 0);
        if (ordinal < 0 || ordinal >= count) {
            throw new IllegalArgumentException("-D" + DEVICE_PROPERTY + "=" + ordinal + " but there are " + count
                    + " CUDA devices (0 .. " + (count - 1) + ")");
        }
        this.device = Device.cuda(ordinal);
        this.async = Boolean.getBoolean(ASYNC_PROPERTY);
        long[] p = k.cudaDeviceProperties(ordinal);
        NativeLibrary lib = k.library();
        this.description = "cuda:" + ordinal + " " + k.cudaDeviceName(ordinal) + " (cc " + p[0] + "." + p[1] + ", "
                + p[2] + " SMs, " + (p[3] >> 30) + " GiB), " + lib.path() + " " + lib.version();
        this.stream = k.cudaStreamCreate(ordinal);
        this.host = hostBackend();
    }

    /** The CPU backend for host-side work (word2vec chunks): native when it loads, else the Java reference. */
    private static Backend hostBackend() {
        try {
            return new CpuBackend();
        } catch (RuntimeException | LinkageError e) {
            return new JavaBackend();
        }
    }

    @Override
    public String name() {
        return "cuda";
    }

    @Override
    public Device device() {
        return device;
    }

    @Override
    public String toString() {
        return description;
    }

    // ------------------------------------------------------------------ memory

    /** An uninitialised device tensor (at least 16 bytes are allocated, so empty tensors have an address). */
    private Tensor alloc(DType dtype, long... shape) {
        long bytes = Math.multiplyExact(Tensor.numel(shape), (long) dtype.byteSize());
        long ptr;
        synchronized (lock) {
            ptr = k.cudaMalloc(stream(), Math.max(bytes, 16));
        }
        return Tensor.wrap(MemorySegment.ofAddress(ptr), dtype, device, () -> free(ptr), shape);
    }

    private void free(long ptr) {
        synchronized (lock) {
            MemorySegment st = stream;
            k.cudaFree(st == null ? MemorySegment.NULL : st, MemorySegment.ofAddress(ptr));
        }
    }

    @Override
    public Tensor zeros(DType dtype, long... shape) {
        Tensor t = alloc(dtype, shape);
        synchronized (lock) {
            k.cudaMemset(stream(), t.segment(), 0, t.byteSize());
        }
        return t;
    }

    @Override
    public Tensor fromHost(Tensor hostTensor) {
        Tensor t = alloc(hostTensor.dtype(), hostTensor.shape());
        try {
            synchronized (lock) {
                k.cudaMemcpyH2d(stream(), t.segment(), hostTensor.segment(), t.byteSize());
            }
        } catch (RuntimeException e) {
            t.close();
            throw e;
        }
        return t;
    }

    @Override
    public Tensor toHost(Tensor tensor) {
        Tensor out = Tensor.allocate(tensor.dtype(), tensor.shape());
        try {
            synchronized (lock) {
                k.cudaMemcpyD2h(stream(), out.segment(), tensor.segment(), out.byteSize());
            }
        } catch (RuntimeException e) {
            out.close();
            throw e;
        }
        return out;
    }

    @Override
    public void copy(Tensor dst, Tensor src) {
        synchronized (lock) {
            k.cudaMemcpyD2d(stream(), dst.segment(), src.segment(), src.byteSize());
        }
    }

    @Override
    public void fill(Tensor tensor, float value) {
        launch(st -> k.fillCuda(tensor.segment(), value, tensor.numel(), st));
    }

    @Override
    public void axpy(Tensor y, float alpha, Tensor x) {
        launch(st -> k.axpyCuda(y.segment(), alpha, x.segment(), y.numel(), st));
    }

    @Override
    public void scale(Tensor x, float alpha) {
        launch(st -> k.scaleCuda(x.segment(), alpha, x.numel(), st));
    }

    @Override
    public void mul(Tensor out, Tensor a, Tensor b) {
        launch(st -> k.mulCuda(out.segment(), a.segment(), b.segment(), out.numel(), st));
    }

    @Override
    public void synchronize() {
        synchronized (lock) {
            k.cudaStreamSynchronize(stream());
        }
    }

    // ------------------------------------------------------------------ embedding

    @Override
    public void gather(Tensor out, Tensor weight, Tensor indices) {
        synchronized (lock) {
            validate(() -> checkIndices(indices, weight.size(0)));
            launch(st -> k.gatherForwardCuda(
                    out.segment(),
                    weight.segment(),
                    indices.segment(),
                    indexType(indices),
                    indices.numel(),
                    weight.size(0),
                    weight.size(1),
                    st));
        }
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
        synchronized (lock) {
            validate(() -> {
                checkOffsets(offsets, indices.numel());
                checkIndices(indices, weight.size(0));
            });
            launch(st -> k.embeddingBagForwardCuda(
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
                    weight.size(1),
                    st));
        }
    }

    /**
     * The device sort into (N), (N+1), (N) buffers, handed back as uniq (U), seg (U+1), perm (N) tensors; reading U
     * back synchronises, so an index out of range is reported here, before any backward or update uses the sort.
     */
    @Override
    public SortedIndices sortIndices(Tensor indices, long numEmbeddings, long paddingIdx) {
        long n = indices.numel();
        long[] ptrs = new long[3]; // uniq, seg, perm: freed here unless handed over to the result
        try (Arena arena = Arena.ofConfined();
                Tensor count = alloc(DType.I64, 1)) {
            MemorySegment u = arena.allocate(JAVA_LONG);
            synchronized (lock) {
                ptrs[0] = k.cudaMalloc(stream(), Math.max(16, n * 8));
                ptrs[1] = k.cudaMalloc(stream(), (n + 1) * 8);
                ptrs[2] = k.cudaMalloc(stream(), Math.max(16, n * 8));
                k.indexSortCuda(
                        MemorySegment.ofAddress(ptrs[0]),
                        MemorySegment.ofAddress(ptrs[1]),
                        MemorySegment.ofAddress(ptrs[2]),
                        count.segment(),
                        indices.segment(),
                        indexType(indices),
                        paddingIdx,
                        n,
                        numEmbeddings,
                        MemorySegment.NULL,
                        0L,
                        stream());
                k.cudaMemcpyD2h(stream(), u, count.segment(), 8L);
            }
            long numUnique = u.get(JAVA_LONG, 0);
            SortedIndices sorted = new SortedIndices(
                    wrap(ptrs[0], numUnique), wrap(ptrs[1], numUnique + 1), wrap(ptrs[2], n), numUnique, n);
            ptrs[0] = ptrs[1] = ptrs[2] = 0;
            return sorted;
        } finally {
            for (long p : ptrs) {
                if (p != 0) {
                    free(p);
                }
            }
        }
    }

    /** An I64 device tensor over an allocation it now owns (freed by its close). */
    private Tensor wrap(long ptr, long length) {
        return Tensor.wrap(MemorySegment.ofAddress(ptr), DType.I64, device, () -> free(ptr), length);
    }

    @Override
    public void embeddingBackward(Tensor dWeight, Tensor dOut, SortedIndices sorted, boolean scaleGradByFreq) {
        launch(st -> k.embeddingBackwardCuda(
                dWeight.segment(),
                dOut.segment(),
                sorted.uniq().segment(),
                sorted.seg().segment(),
                sorted.perm().segment(),
                scaleGradByFreq ? 1 : 0,
                0,
                sorted.numUnique(),
                sorted.numIndices(),
                lastDim(dOut),
                st));
    }

    @Override
    public void embeddingBackwardRows(Tensor dRows, Tensor dOut, SortedIndices sorted, boolean scaleGradByFreq) {
        launch(st -> k.embeddingBackwardCuda(
                dRows.segment(),
                dOut.segment(),
                sorted.uniq().segment(),
                sorted.seg().segment(),
                sorted.perm().segment(),
                scaleGradByFreq ? 1 : 0,
                1,
                sorted.numUnique(),
                sorted.numIndices(),
                lastDim(dOut),
                st));
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
        long v = weight != null ? weight.size(0) : compact ? Long.MAX_VALUE : dWeight.size(0);
        validate(() -> checkOffsets(offsets, indices.numel())); // the sort already checked the indices
        launch(st -> k.embeddingBagBackwardCuda(
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
                compact ? 1 : 0,
                sorted.numUnique(),
                indices.numel(),
                offsets.numel() - 1,
                v,
                lastDim(dOut),
                st));
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
            launch(st -> k.embeddingBackwardUpdateCuda(
                    weight.segment(),
                    seg(state1),
                    seg(state2),
                    dOut.segment(),
                    sorted.uniq().segment(),
                    sorted.seg().segment(),
                    sorted.perm().segment(),
                    scaleGradByFreq ? 1 : 0,
                    NativeOptim.struct(arena, step),
                    sorted.numUnique(),
                    sorted.numIndices(),
                    weight.size(0),
                    weight.size(1),
                    st));
        }
    }

    @Override
    public void sparseRowsUpdate(
            Tensor weight, Tensor state1, Tensor state2, Tensor gradRows, SortedIndices sorted, OptimStep step) {
        try (Arena arena = Arena.ofConfined()) {
            launch(st -> k.sparseRowsUpdateCuda(
                    weight.segment(),
                    seg(state1),
                    seg(state2),
                    gradRows.segment(),
                    sorted.uniq().segment(),
                    NativeOptim.struct(arena, step),
                    sorted.numUnique(),
                    weight.size(0),
                    weight.size(1),
                    st));
        }
    }

    @Override
    public void denseUpdate(Tensor param, Tensor state1, Tensor state2, Tensor grad, OptimStep step) {
        try (Arena arena = Arena.ofConfined()) {
            launch(st -> k.denseUpdateCuda(
                    param.segment(),
                    seg(state1),
                    seg(state2),
                    grad.segment(),
                    NativeOptim.struct(arena, step),
                    param.numel(),
                    st));
        }
    }

    @Override
    public void embeddingRenorm(Tensor weight, SortedIndices sorted, float maxNorm, float normType) {
        launch(st -> k.embeddingRenormCuda(
                weight.segment(),
                sorted.uniq().segment(),
                maxNorm,
                normType,
                sorted.numUnique(),
                weight.size(0),
                weight.size(1),
                st));
    }

    // ------------------------------------------------------------------ dense layers

    @Override
    public void gemm(boolean transA, boolean transB, float alpha, Tensor a, Tensor b, float beta, Tensor c) {
        long m = c.size(0);
        long n = c.size(1);
        long inner = transA ? a.size(0) : a.size(1);
        launch(st -> k.gemmCuda(
                transA ? 1 : 0,
                transB ? 1 : 0,
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
                Math.max(1, n),
                st));
    }

    @Override
    public void biasAdd(Tensor x, Tensor bias) {
        long cols = bias.numel();
        launch(st -> k.biasAddCuda(x.segment(), bias.segment(), cols == 0 ? 0L : x.numel() / cols, cols, st));
    }

    @Override
    public void biasBackward(Tensor dBias, Tensor dOut) {
        long cols = dBias.numel();
        launch(st ->
                k.biasBackwardCuda(dBias.segment(), dOut.segment(), cols == 0 ? 0L : dOut.numel() / cols, cols, st));
    }

    @Override
    public void reluForward(Tensor out, Tensor in) {
        launch(st -> k.reluForwardCuda(out.segment(), in.segment(), in.numel(), st));
    }

    @Override
    public void reluBackward(Tensor dIn, Tensor dOut, Tensor out) {
        launch(st -> k.reluBackwardCuda(dIn.segment(), dOut.segment(), out.segment(), dOut.numel(), st));
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
        synchronized (lock) {
            validate(() -> launch(st -> k.checkLogitsCuda(
                    logits.segment(), targets.segment(), ignoreIndex, logits.size(0), logits.size(1), st)));
            launch(st -> k.softmaxXentCuda(
                    loss.segment(),
                    seg(dLogits),
                    logits.segment(),
                    targets.segment(),
                    seg(weight),
                    ignoreIndex,
                    labelSmoothing,
                    reduction.ordinal(),
                    logits.size(0),
                    logits.size(1),
                    st));
        }
    }

    // ------------------------------------------------------------------ search and word2vec

    @Override
    public void rowNorms(Tensor norms, Tensor weight) {
        launch(st -> k.rowNormsCuda(norms.segment(), weight.segment(), weight.size(0), weight.size(1), st));
    }

    @Override
    public void topk(Tensor outIdx, Tensor outScore, Tensor weight, Tensor norms, Tensor queries, Tensor exclude) {
        launch(st -> k.topkCuda(
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
                exclude == null ? 0L : exclude.size(1),
                st));
    }

    /** Host tensors by contract: runs on the CPU (see the class comment). */
    @Override
    public Word2VecStats word2vecTrainChunk(Word2VecChunk chunk) {
        return host.word2vecTrainChunk(chunk);
    }

    /** Host tensors by contract: runs on the CPU (see the class comment). */
    @Override
    public Word2VecStats word2vecHsTrainChunk(Word2VecHsChunk chunk) {
        return host.word2vecHsTrainChunk(chunk);
    }

    /**
     * Waits for queued work and reports a pending kernel error. The stream stays open: {@link Backends} hands the
     * same instance to every caller, so one caller's try-with-resources must not end it for the others.
     */
    @Override
    public void close() {
        if (stream != null) {
            synchronize();
        }
    }

    /** Destroys the stream (tests, or a process that is done with the GPU); device tensors stay valid until closed. */
    void destroy() {
        synchronized (lock) {
            MemorySegment st = stream;
            if (st == null) {
                return;
            }
            stream = null;
            k.cudaStreamDestroy(st);
        }
    }

    // ------------------------------------------------------------------ helpers

    private MemorySegment stream() {
        MemorySegment st = stream;
        if (st == null) {
            throw new IllegalStateException("the CUDA backend on " + device + " is closed");
        }
        return st;
    }

    /** A launch on this backend's stream (the stream is the last C argument). */
    private void launch(Consumer<MemorySegment> kernel) {
        synchronized (lock) {
            kernel.accept(stream());
        }
    }

    /** Strict mode: queues the read-only validation passes, then synchronises so that bad data throws here. */
    private void validate(Runnable passes) {
        if (async) {
            return;
        }
        synchronized (lock) {
            passes.run();
            k.cudaStreamSynchronize(stream());
        }
    }

    private void checkIndices(Tensor indices, long rows) {
        launch(st -> k.checkIndicesCuda(indices.segment(), indexType(indices), indices.numel(), rows, st));
    }

    private void checkOffsets(Tensor offsets, long numIndices) {
        launch(st -> k.checkOffsetsCuda(offsets.segment(), offsets.numel() - 1, numIndices, st));
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
