package org.embed4j.backend;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.embed4j.internal.ffm.NativeLibrary;
import org.embed4j.internal.ffm.OptimStruct;
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
        this.k = new CudaKernels();
        int count = k.deviceCount();
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
        long[] p = k.deviceProperties(ordinal);
        NativeLibrary lib = k.library();
        this.description = "cuda:" + ordinal + " " + k.deviceName(ordinal) + " (cc " + p[0] + "." + p[1] + ", " + p[2]
                + " SMs, " + (p[3] >> 30) + " GiB), " + lib.path() + " " + lib.version();
        this.stream = k.streamCreate(ordinal);
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
            ptr = k.malloc(stream(), Math.max(bytes, 16));
        }
        return Tensor.wrap(MemorySegment.ofAddress(ptr), dtype, device, () -> free(ptr), shape);
    }

    private void free(long ptr) {
        synchronized (lock) {
            MemorySegment st = stream;
            k.call("e4j_cuda_free", st == null ? MemorySegment.NULL : st, MemorySegment.ofAddress(ptr));
        }
    }

    @Override
    public Tensor zeros(DType dtype, long... shape) {
        Tensor t = alloc(dtype, shape);
        synchronized (lock) {
            k.call("e4j_cuda_memset", stream(), t.segment(), 0, t.byteSize());
        }
        return t;
    }

    @Override
    public Tensor fromHost(Tensor hostTensor) {
        Tensor t = alloc(hostTensor.dtype(), hostTensor.shape());
        try {
            synchronized (lock) {
                k.call("e4j_cuda_memcpy_h2d", stream(), t.segment(), hostTensor.segment(), t.byteSize());
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
                k.call("e4j_cuda_memcpy_d2h", stream(), out.segment(), tensor.segment(), out.byteSize());
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
            k.call("e4j_cuda_memcpy_d2d", stream(), dst.segment(), src.segment(), src.byteSize());
        }
    }

    @Override
    public void fill(Tensor tensor, float value) {
        launch("e4j_fill_cuda", tensor.segment(), value, tensor.numel());
    }

    @Override
    public void axpy(Tensor y, float alpha, Tensor x) {
        launch("e4j_axpy_cuda", y.segment(), alpha, x.segment(), y.numel());
    }

    @Override
    public void scale(Tensor x, float alpha) {
        launch("e4j_scale_cuda", x.segment(), alpha, x.numel());
    }

    @Override
    public void mul(Tensor out, Tensor a, Tensor b) {
        launch("e4j_mul_cuda", out.segment(), a.segment(), b.segment(), out.numel());
    }

    @Override
    public void synchronize() {
        synchronized (lock) {
            k.call("e4j_cuda_stream_synchronize", stream());
        }
    }

    // ------------------------------------------------------------------ embedding

    @Override
    public void gather(Tensor out, Tensor weight, Tensor indices) {
        synchronized (lock) {
            validate(() -> checkIndices(indices, weight.size(0)));
            launch(
                    "e4j_gather_forward_cuda",
                    out.segment(),
                    weight.segment(),
                    indices.segment(),
                    indexType(indices),
                    indices.numel(),
                    weight.size(0),
                    weight.size(1));
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
            launch(
                    "e4j_embedding_bag_forward_cuda",
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
                ptrs[0] = k.malloc(stream(), Math.max(16, n * 8));
                ptrs[1] = k.malloc(stream(), (n + 1) * 8);
                ptrs[2] = k.malloc(stream(), Math.max(16, n * 8));
                k.call(
                        "e4j_index_sort_cuda",
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
                k.call("e4j_cuda_memcpy_d2h", stream(), u, count.segment(), 8L);
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
        launch(
                "e4j_embedding_backward_cuda",
                dWeight.segment(),
                dOut.segment(),
                sorted.uniq().segment(),
                sorted.seg().segment(),
                sorted.perm().segment(),
                scaleGradByFreq ? 1 : 0,
                0,
                sorted.numUnique(),
                sorted.numIndices(),
                lastDim(dOut));
    }

    @Override
    public void embeddingBackwardRows(Tensor dRows, Tensor dOut, SortedIndices sorted, boolean scaleGradByFreq) {
        launch(
                "e4j_embedding_backward_cuda",
                dRows.segment(),
                dOut.segment(),
                sorted.uniq().segment(),
                sorted.seg().segment(),
                sorted.perm().segment(),
                scaleGradByFreq ? 1 : 0,
                1,
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
        long v = weight != null ? weight.size(0) : compact ? Long.MAX_VALUE : dWeight.size(0);
        validate(() -> checkOffsets(offsets, indices.numel())); // the sort already checked the indices
        launch(
                "e4j_embedding_bag_backward_cuda",
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
            launch(
                    "e4j_embedding_backward_update_cuda",
                    weight.segment(),
                    seg(state1),
                    seg(state2),
                    dOut.segment(),
                    sorted.uniq().segment(),
                    sorted.seg().segment(),
                    sorted.perm().segment(),
                    scaleGradByFreq ? 1 : 0,
                    OptimStruct.of(arena, step),
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
            launch(
                    "e4j_sparse_rows_update_cuda",
                    weight.segment(),
                    seg(state1),
                    seg(state2),
                    gradRows.segment(),
                    sorted.uniq().segment(),
                    OptimStruct.of(arena, step),
                    sorted.numUnique(),
                    weight.size(0),
                    weight.size(1));
        }
    }

    @Override
    public void denseUpdate(Tensor param, Tensor state1, Tensor state2, Tensor grad, OptimStep step) {
        try (Arena arena = Arena.ofConfined()) {
            launch(
                    "e4j_dense_update_cuda",
                    param.segment(),
                    seg(state1),
                    seg(state2),
                    grad.segment(),
                    OptimStruct.of(arena, step),
                    param.numel());
        }
    }

    @Override
    public void embeddingRenorm(Tensor weight, SortedIndices sorted, float maxNorm, float normType) {
        launch(
                "e4j_embedding_renorm_cuda",
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
        launch(
                "e4j_gemm_cuda",
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
                Math.max(1, n));
    }

    @Override
    public void biasAdd(Tensor x, Tensor bias) {
        long cols = bias.numel();
        launch("e4j_bias_add_cuda", x.segment(), bias.segment(), cols == 0 ? 0L : x.numel() / cols, cols);
    }

    @Override
    public void biasBackward(Tensor dBias, Tensor dOut) {
        long cols = dBias.numel();
        launch("e4j_bias_backward_cuda", dBias.segment(), dOut.segment(), cols == 0 ? 0L : dOut.numel() / cols, cols);
    }

    @Override
    public void reluForward(Tensor out, Tensor in) {
        launch("e4j_relu_forward_cuda", out.segment(), in.segment(), in.numel());
    }

    @Override
    public void reluBackward(Tensor dIn, Tensor dOut, Tensor out) {
        launch("e4j_relu_backward_cuda", dIn.segment(), dOut.segment(), out.segment(), dOut.numel());
    }

    @Override
    public void softmaxCrossEntropy(
            Tensor loss,
            Tensor dLogits,
            Tensor logits,
            Tensor targets,
            Tensor weight,
            long ignoreIndex,
            float labelSmoothing,
            Reduction reduction) {
        synchronized (lock) {
            validate(() -> launch(
                    "e4j_check_logits_cuda",
                    logits.segment(),
                    targets.segment(),
                    ignoreIndex,
                    logits.size(0),
                    logits.size(1)));
            launch(
                    "e4j_softmax_xent_cuda",
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
    }

    // ------------------------------------------------------------------ search and word2vec

    @Override
    public void rowNorms(Tensor norms, Tensor weight) {
        launch("e4j_row_norms_cuda", norms.segment(), weight.segment(), weight.size(0), weight.size(1));
    }

    @Override
    public void topk(Tensor outIdx, Tensor outScore, Tensor weight, Tensor norms, Tensor queries, Tensor exclude) {
        launch(
                "e4j_topk_cuda",
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
                exclude == null ? 0L : exclude.size(1));
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
            k.call("e4j_cuda_stream_destroy", st);
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
    private void launch(String function, Object... args) {
        Object[] all = java.util.Arrays.copyOf(args, args.length + 1);
        synchronized (lock) {
            all[args.length] = stream();
            k.call(function, all);
        }
    }

    /** Strict mode: queues the read-only validation passes, then synchronises so that bad data throws here. */
    private void validate(Runnable passes) {
        if (async) {
            return;
        }
        synchronized (lock) {
            passes.run();
            k.call("e4j_cuda_stream_synchronize", stream());
        }
    }

    private void checkIndices(Tensor indices, long rows) {
        launch("e4j_check_indices_cuda", indices.segment(), indexType(indices), indices.numel(), rows);
    }

    private void checkOffsets(Tensor offsets, long numIndices) {
        launch("e4j_check_offsets_cuda", offsets.segment(), offsets.numel() - 1, numIndices);
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
