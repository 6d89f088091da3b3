package org.embed4j.internal.ffm;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * The C ABI of libembed4j_cuda (native/include/embed4j_cuda.h) as Java methods, in the style of {@link CpuKernels}:
 * one method per bound function, named after it (camel case without the {@code e4j_} prefix), arguments in C order
 * (device pointers as zero-length segments, NULL as {@link MemorySegment#NULL}, the stream handle last), and a non-zero
 * e4j_status turned into the documented exception, E4J_ERR_CUDA by the caller's {@link NativeStatus.CudaErrors} with
 * the CUDA error name.
 *
 * <p>Each signature is written once, as a {@link Binding} in {@link #ABI} (a launcher of a CPU kernel as that kernel's
 * binding plus the stream), checked against the header by AbiBindingTest; the library fails to load when it lacks
 * one. A launch costs microseconds and may block on a full
 * queue, so no call is critical. Thread-safe (immutable; the error message is thread-local in C); a stream handle
 * must not be used by two threads at once (the backend serialises its calls).
 */
public final class CudaKernels {
    /** The functions of embed4j_cuda.h, as bound here. */
    static final Abi ABI = new Abi("embed4j_cuda", "e4j_cuda_", "embed4j_cuda.h");

    static {
        ABI.unbound(
                "e4j_cuda_runtime_version",
                "a diagnostic for the C and Python GPU tests; the backend describes itself by device name and properties");
        ABI.unbound(
                "e4j_index_sort_workspace_bytes_cuda",
                "the backend passes no workspace: the sort then uses the stream's cached scratch");
    }

    private static final Binding CUDA_DEVICE_COUNT = function("e4j_cuda_device_count", ADDRESS);
    private static final Binding CUDA_DEVICE_NAME = function("e4j_cuda_device_name", ADDRESS, JAVA_INT, JAVA_INT);
    private static final Binding CUDA_DEVICE_PROPERTIES = function("e4j_cuda_device_properties", ADDRESS, JAVA_INT);
    private static final Binding CUDA_STREAM_CREATE = function("e4j_cuda_stream_create", ADDRESS, JAVA_INT);
    private static final Binding CUDA_STREAM_WRAP = function("e4j_cuda_stream_wrap", ADDRESS, JAVA_INT, ADDRESS);
    private static final Binding CUDA_STREAM_DESTROY = function("e4j_cuda_stream_destroy", ADDRESS);
    private static final Binding CUDA_STREAM_SYNCHRONIZE = function("e4j_cuda_stream_synchronize", ADDRESS);
    private static final Binding CUDA_MALLOC = function("e4j_cuda_malloc", ADDRESS, ADDRESS, JAVA_LONG);
    private static final Binding CUDA_FREE = function("e4j_cuda_free", ADDRESS, ADDRESS);
    private static final Binding CUDA_MEMSET = function("e4j_cuda_memset", ADDRESS, ADDRESS, JAVA_INT, JAVA_LONG);
    private static final Binding CUDA_MEMCPY_H2D =
            function("e4j_cuda_memcpy_h2d", ADDRESS, ADDRESS, ADDRESS, JAVA_LONG);
    private static final Binding CUDA_MEMCPY_D2H =
            function("e4j_cuda_memcpy_d2h", ADDRESS, ADDRESS, ADDRESS, JAVA_LONG);
    private static final Binding CUDA_MEMCPY_D2D =
            function("e4j_cuda_memcpy_d2d", ADDRESS, ADDRESS, ADDRESS, JAVA_LONG);
    private static final Binding FILL_CUDA = function("e4j_fill_cuda", ADDRESS, JAVA_FLOAT, JAVA_LONG, ADDRESS);
    private static final Binding AXPY_CUDA =
            function("e4j_axpy_cuda", ADDRESS, JAVA_FLOAT, ADDRESS, JAVA_LONG, ADDRESS);
    private static final Binding SCALE_CUDA = function("e4j_scale_cuda", ADDRESS, JAVA_FLOAT, JAVA_LONG, ADDRESS);
    private static final Binding MUL_CUDA = function("e4j_mul_cuda", ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS);
    private static final Binding GATHER_FORWARD_CUDA = launchOf(CpuKernels.GATHER_FORWARD);
    private static final Binding EMBEDDING_BAG_FORWARD_CUDA = launchOf(CpuKernels.EMBEDDING_BAG_FORWARD);
    private static final Binding INDEX_SORT_CUDA = launchOf(CpuKernels.INDEX_SORT);
    private static final Binding EMBEDDING_BACKWARD_CUDA = launchOf(CpuKernels.EMBEDDING_BACKWARD);
    private static final Binding EMBEDDING_BAG_BACKWARD_CUDA = launchOf(CpuKernels.EMBEDDING_BAG_BACKWARD);
    private static final Binding EMBEDDING_BACKWARD_UPDATE_CUDA = launchOf(CpuKernels.EMBEDDING_BACKWARD_UPDATE);
    private static final Binding SPARSE_ROWS_UPDATE_CUDA = launchOf(CpuKernels.SPARSE_ROWS_UPDATE);
    private static final Binding DENSE_UPDATE_CUDA = launchOf(CpuKernels.DENSE_UPDATE);
    private static final Binding EMBEDDING_RENORM_CUDA = launchOf(CpuKernels.EMBEDDING_RENORM);
    private static final Binding GEMM_CUDA = launchOf(CpuKernels.GEMM);
    private static final Binding BIAS_ADD_CUDA = launchOf(CpuKernels.BIAS_ADD);
    private static final Binding BIAS_BACKWARD_CUDA = launchOf(CpuKernels.BIAS_BACKWARD);
    private static final Binding RELU_FORWARD_CUDA = launchOf(CpuKernels.RELU_FORWARD);
    private static final Binding RELU_BACKWARD_CUDA = launchOf(CpuKernels.RELU_BACKWARD);
    private static final Binding SOFTMAX_XENT_CUDA = launchOf(CpuKernels.SOFTMAX_XENT);
    private static final Binding ROW_NORMS_CUDA = launchOf(CpuKernels.ROW_NORMS);
    private static final Binding TOPK_CUDA = launchOf(CpuKernels.TOPK);
    private static final Binding W2V_TRAIN_CHUNK_CUDA = function(
            "e4j_w2v_train_chunk_cuda",
            ADDRESS,
            ADDRESS,
            ADDRESS,
            ADDRESS,
            JAVA_LONG,
            ADDRESS,
            JAVA_LONG,
            ADDRESS,
            JAVA_LONG,
            ADDRESS,
            ADDRESS,
            JAVA_INT,
            JAVA_INT,
            JAVA_INT,
            JAVA_FLOAT,
            JAVA_FLOAT,
            JAVA_LONG,
            JAVA_LONG,
            JAVA_LONG,
            ADDRESS);
    private static final Binding CHECK_INDICES_CUDA =
            function("e4j_check_indices_cuda", ADDRESS, JAVA_INT, JAVA_LONG, JAVA_LONG, ADDRESS);
    private static final Binding CHECK_OFFSETS_CUDA =
            function("e4j_check_offsets_cuda", ADDRESS, JAVA_LONG, JAVA_LONG, ADDRESS);
    private static final Binding CHECK_LOGITS_CUDA =
            function("e4j_check_logits_cuda", ADDRESS, ADDRESS, JAVA_LONG, JAVA_LONG, JAVA_LONG, ADDRESS);

    private final NativeLibrary lib;
    private final Calls calls;

    private CudaKernels(NativeLibrary lib, NativeStatus.CudaErrors cudaErrors) {
        this.lib = lib;
        this.calls = new Calls(lib, cudaErrors);
    }

    /**
     * libembed4j_cuda, loaded once per JVM with every function above resolved; E4J_ERR_CUDA becomes the exception
     * {@code cudaErrors} makes. Throws IllegalStateException saying why the library cannot be used.
     */
    public static CudaKernels load(NativeStatus.CudaErrors cudaErrors) {
        return new CudaKernels(NativeLibrary.load(ABI), cudaErrors);
    }

    /** A function returning e4j_status, never called critically (kernel launches take the stream last). */
    private static Binding function(String name, MemoryLayout... args) {
        return ABI.status(name, 0, args);
    }

    /**
     * The launcher of a CPU kernel, as embed4j_cuda.h defines it: the name with the suffix _cuda, the same arguments,
     * then the stream handle.
     */
    private static Binding launchOf(Binding cpu) {
        List<MemoryLayout> args = new ArrayList<>(cpu.descriptor().argumentLayouts());
        args.add(ADDRESS);
        return function(cpu.name() + "_cuda", args.toArray(MemoryLayout[]::new));
    }

    public NativeLibrary library() {
        return lib;
    }

    /** e4j_cuda_last_error() of this thread. */
    public String lastError() {
        return lib.lastError();
    }

    // ------------------------------------------------------------------ devices and streams

    /** Usable devices; 0 with the reason in {@link #lastError()} when there is no driver or no device. */
    public int cudaDeviceCount() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment count = arena.allocate(JAVA_INT);
            try {
                calls.handle(CUDA_DEVICE_COUNT).invokeExact(count);
            } catch (Throwable t) {
                throw Downcall.rethrow(t);
            }
            return count.get(JAVA_INT, 0);
        }
    }

    /** The device's name, e.g. "NVIDIA H200". */
    public String cudaDeviceName(int device) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(256);
            try {
                calls.handle(CUDA_DEVICE_NAME).invokeExact(buf, 256, device);
            } catch (Throwable t) {
                throw Downcall.rethrow(t);
            }
            return buf.getString(0);
        }
    }

    /** major, minor, SMs, global memory bytes, L2 bytes, shared memory per block, bus bits, memory clock kHz. */
    public long[] cudaDeviceProperties(int device) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment props = arena.allocate(JAVA_LONG, 8);
            try {
                calls.handle(CUDA_DEVICE_PROPERTIES).invokeExact(props, device);
            } catch (Throwable t) {
                throw Downcall.rethrow(t);
            }
            return props.toArray(JAVA_LONG);
        }
    }

    /** A new stream handle on {@code device}. */
    public MemorySegment cudaStreamCreate(int device) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ADDRESS);
            try {
                calls.handle(CUDA_STREAM_CREATE).invokeExact(out, device);
            } catch (Throwable t) {
                throw Downcall.rethrow(t);
            }
            return out.get(ADDRESS, 0);
        }
    }

    /**
     * A stream handle on {@code device} that launches onto {@code cudaStream}, a cudaStream_t the caller owns (it
     * outlives the handle; {@link #cudaStreamDestroy} leaves it alone).
     */
    public MemorySegment cudaStreamWrap(int device, MemorySegment cudaStream) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ADDRESS);
            try {
                calls.handle(CUDA_STREAM_WRAP).invokeExact(out, device, cudaStream);
            } catch (Throwable t) {
                throw Downcall.rethrow(t);
            }
            return out.get(ADDRESS, 0);
        }
    }

    public void cudaStreamDestroy(MemorySegment st) {
        try {
            calls.handle(CUDA_STREAM_DESTROY).invokeExact(st);
        } catch (Throwable t) {
            throw Downcall.rethrow(t);
        }
    }

    /** Waits for the stream, then reports (and clears) a kernel's error record. */
    public void cudaStreamSynchronize(MemorySegment st) {
        try {
            calls.handle(CUDA_STREAM_SYNCHRONIZE).invokeExact(st);
        } catch (Throwable t) {
            throw Downcall.rethrow(t);
        }
    }

    // ------------------------------------------------------------------ memory

    /** cudaMalloc of {@code bytes} on the stream's device; returns the device address. */
    public long cudaMalloc(MemorySegment st, long bytes) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ADDRESS);
            try {
                calls.handle(CUDA_MALLOC).invokeExact(st, out, bytes);
            } catch (Throwable t) {
                throw Downcall.rethrow(t);
            }
            return out.get(ADDRESS, 0).address();
        }
    }

    /** Frees device memory; {@code st} may be NULL (memory that outlives its stream). */
    public void cudaFree(MemorySegment st, MemorySegment ptr) {
        try {
            calls.handle(CUDA_FREE).invokeExact(st, ptr);
        } catch (Throwable t) {
            throw Downcall.rethrow(t);
        }
    }

    public void cudaMemset(MemorySegment st, MemorySegment ptr, int value, long bytes) {
        try {
            calls.handle(CUDA_MEMSET).invokeExact(st, ptr, value, bytes);
        } catch (Throwable t) {
            throw Downcall.rethrow(t);
        }
    }

    /** Returns once the host buffer may be reused. */
    public void cudaMemcpyH2d(MemorySegment st, MemorySegment dst, MemorySegment src, long bytes) {
        try {
            calls.handle(CUDA_MEMCPY_H2D).invokeExact(st, dst, src, bytes);
        } catch (Throwable t) {
            throw Downcall.rethrow(t);
        }
    }

    /** Synchronises, then reports the stream's error record. */
    public void cudaMemcpyD2h(MemorySegment st, MemorySegment dst, MemorySegment src, long bytes) {
        try {
            calls.handle(CUDA_MEMCPY_D2H).invokeExact(st, dst, src, bytes);
        } catch (Throwable t) {
            throw Downcall.rethrow(t);
        }
    }

    public void cudaMemcpyD2d(MemorySegment st, MemorySegment dst, MemorySegment src, long bytes) {
        try {
            calls.handle(CUDA_MEMCPY_D2D).invokeExact(st, dst, src, bytes);
        } catch (Throwable t) {
            throw Downcall.rethrow(t);
        }
    }

    // ------------------------------------------------------------------ kernels (asynchronous on the stream)

    public void fillCuda(MemorySegment x, float value, long n, MemorySegment st) {
        try {
            calls.handle(FILL_CUDA).invokeExact(x, value, n, st);
        } catch (Throwable t) {
            throw Downcall.rethrow(t);
        }
    }

    public void axpyCuda(MemorySegment y, float alpha, MemorySegment x, long n, MemorySegment st) {
        try {
            calls.handle(AXPY_CUDA).invokeExact(y, alpha, x, n, st);
        } catch (Throwable t) {
            throw Downcall.rethrow(t);
        }
    }

    public void scaleCuda(MemorySegment x, float alpha, long n, MemorySegment st) {
        try {
            calls.handle(SCALE_CUDA).invokeExact(x, alpha, n, st);
        } catch (Throwable t) {
            throw Downcall.rethrow(t);
        }
    }

    public void mulCuda(MemorySegment out, MemorySegment a, MemorySegment b, long n, MemorySegment st) {
        try {
            calls.handle(MUL_CUDA).invokeExact(out, a, b, n, st);
        } catch (Throwable t) {
            throw Downcall.rethrow(t);
        }
    }

    public void gatherForwardCuda(
            MemorySegment out,
            MemorySegment w,
            MemorySegment idx,
            int idxType,
            long n,
            long v,
            long d,
            MemorySegment st) {
        try {
            calls.handle(GATHER_FORWARD_CUDA).invokeExact(out, w, idx, idxType, n, v, d, st);
        } catch (Throwable t) {
            throw Downcall.rethrow(t);
        }
    }

    public void embeddingBagForwardCuda(
            MemorySegment out,
            MemorySegment argmax,
            MemorySegment w,
            MemorySegment idx,
            int idxType,
            MemorySegment offsets,
            MemorySegment psw,
            int mode,
            long paddingIdx,
            long n,
            long b,
            long v,
            long d,
            MemorySegment st) {
        try {
            calls.handle(EMBEDDING_BAG_FORWARD_CUDA)
                    .invokeExact(out, argmax, w, idx, idxType, offsets, psw, mode, paddingIdx, n, b, v, d, st);
        } catch (Throwable t) {
            throw Downcall.rethrow(t);
        }
    }

    public void indexSortCuda(
            MemorySegment uniq,
            MemorySegment seg,
            MemorySegment perm,
            MemorySegment numUnique,
            MemorySegment idx,
            int idxType,
            long paddingIdx,
            long n,
            long v,
            MemorySegment workspace,
            long workspaceBytes,
            MemorySegment st) {
        try {
            calls.handle(INDEX_SORT_CUDA)
                    .invokeExact(
                            uniq, seg, perm, numUnique, idx, idxType, paddingIdx, n, v, workspace, workspaceBytes, st);
        } catch (Throwable t) {
            throw Downcall.rethrow(t);
        }
    }

    public void embeddingBackwardCuda(
            MemorySegment dW,
            MemorySegment dout,
            MemorySegment uniq,
            MemorySegment seg,
            MemorySegment perm,
            int scaleGradByFreq,
            int compact,
            long u,
            long n,
            long d,
            MemorySegment st) {
        try {
            calls.handle(EMBEDDING_BACKWARD_CUDA)
                    .invokeExact(dW, dout, uniq, seg, perm, scaleGradByFreq, compact, u, n, d, st);
        } catch (Throwable t) {
            throw Downcall.rethrow(t);
        }
    }

    public void embeddingBagBackwardCuda(
            MemorySegment dW,
            MemorySegment dpsw,
            MemorySegment dout,
            MemorySegment w,
            MemorySegment idx,
            int idxType,
            MemorySegment offsets,
            MemorySegment psw,
            MemorySegment argmax,
            MemorySegment uniq,
            MemorySegment seg,
            MemorySegment perm,
            int mode,
            int compact,
            long u,
            long n,
            long b,
            long v,
            long d,
            MemorySegment st) {
        try {
            calls.handle(EMBEDDING_BAG_BACKWARD_CUDA)
                    .invokeExact(
                            dW, dpsw, dout, w, idx, idxType, offsets, psw, argmax, uniq, seg, perm, mode, compact, u, n,
                            b, v, d, st);
        } catch (Throwable t) {
            throw Downcall.rethrow(t);
        }
    }

    public void embeddingBackwardUpdateCuda(
            MemorySegment w,
            MemorySegment state1,
            MemorySegment state2,
            MemorySegment dout,
            MemorySegment uniq,
            MemorySegment seg,
            MemorySegment perm,
            int scaleGradByFreq,
            MemorySegment opt,
            long u,
            long n,
            long v,
            long d,
            MemorySegment st) {
        try {
            calls.handle(EMBEDDING_BACKWARD_UPDATE_CUDA)
                    .invokeExact(w, state1, state2, dout, uniq, seg, perm, scaleGradByFreq, opt, u, n, v, d, st);
        } catch (Throwable t) {
            throw Downcall.rethrow(t);
        }
    }

    public void sparseRowsUpdateCuda(
            MemorySegment w,
            MemorySegment state1,
            MemorySegment state2,
            MemorySegment grows,
            MemorySegment uniq,
            MemorySegment opt,
            long u,
            long v,
            long d,
            MemorySegment st) {
        try {
            calls.handle(SPARSE_ROWS_UPDATE_CUDA).invokeExact(w, state1, state2, grows, uniq, opt, u, v, d, st);
        } catch (Throwable t) {
            throw Downcall.rethrow(t);
        }
    }

    public void denseUpdateCuda(
            MemorySegment w,
            MemorySegment state1,
            MemorySegment state2,
            MemorySegment grad,
            MemorySegment opt,
            long n,
            MemorySegment st) {
        try {
            calls.handle(DENSE_UPDATE_CUDA).invokeExact(w, state1, state2, grad, opt, n, st);
        } catch (Throwable t) {
            throw Downcall.rethrow(t);
        }
    }

    public void embeddingRenormCuda(
            MemorySegment w,
            MemorySegment uniq,
            float maxNorm,
            float normType,
            long u,
            long v,
            long d,
            MemorySegment st) {
        try {
            calls.handle(EMBEDDING_RENORM_CUDA).invokeExact(w, uniq, maxNorm, normType, u, v, d, st);
        } catch (Throwable t) {
            throw Downcall.rethrow(t);
        }
    }

    public void gemmCuda(
            int transA,
            int transB,
            long m,
            long n,
            long k,
            float alpha,
            MemorySegment a,
            long lda,
            MemorySegment b,
            long ldb,
            float beta,
            MemorySegment c,
            long ldc,
            MemorySegment st) {
        try {
            calls.handle(GEMM_CUDA).invokeExact(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, st);
        } catch (Throwable t) {
            throw Downcall.rethrow(t);
        }
    }

    public void biasAddCuda(MemorySegment x, MemorySegment bias, long b, long k, MemorySegment st) {
        try {
            calls.handle(BIAS_ADD_CUDA).invokeExact(x, bias, b, k, st);
        } catch (Throwable t) {
            throw Downcall.rethrow(t);
        }
    }

    public void biasBackwardCuda(MemorySegment dbias, MemorySegment dout, long b, long k, MemorySegment st) {
        try {
            calls.handle(BIAS_BACKWARD_CUDA).invokeExact(dbias, dout, b, k, st);
        } catch (Throwable t) {
            throw Downcall.rethrow(t);
        }
    }

    public void reluForwardCuda(MemorySegment out, MemorySegment in, long n, MemorySegment st) {
        try {
            calls.handle(RELU_FORWARD_CUDA).invokeExact(out, in, n, st);
        } catch (Throwable t) {
            throw Downcall.rethrow(t);
        }
    }

    public void reluBackwardCuda(MemorySegment din, MemorySegment dout, MemorySegment out, long n, MemorySegment st) {
        try {
            calls.handle(RELU_BACKWARD_CUDA).invokeExact(din, dout, out, n, st);
        } catch (Throwable t) {
            throw Downcall.rethrow(t);
        }
    }

    public void softmaxXentCuda(
            MemorySegment loss,
            MemorySegment dlogits,
            MemorySegment logits,
            MemorySegment targets,
            MemorySegment weight,
            long ignoreIndex,
            float labelSmoothing,
            int reduction,
            long b,
            long k,
            MemorySegment st) {
        try {
            calls.handle(SOFTMAX_XENT_CUDA)
                    .invokeExact(
                            loss, dlogits, logits, targets, weight, ignoreIndex, labelSmoothing, reduction, b, k, st);
        } catch (Throwable t) {
            throw Downcall.rethrow(t);
        }
    }

    public void rowNormsCuda(MemorySegment norms, MemorySegment w, long v, long d, MemorySegment st) {
        try {
            calls.handle(ROW_NORMS_CUDA).invokeExact(norms, w, v, d, st);
        } catch (Throwable t) {
            throw Downcall.rethrow(t);
        }
    }

    public void topkCuda(
            MemorySegment outIdx,
            MemorySegment outScore,
            MemorySegment w,
            MemorySegment norms,
            MemorySegment queries,
            MemorySegment exclude,
            long q,
            long v,
            long d,
            long k,
            long e,
            MemorySegment st) {
        try {
            calls.handle(TOPK_CUDA).invokeExact(outIdx, outScore, w, norms, queries, exclude, q, v, d, k, e, st);
        } catch (Throwable t) {
            throw Downcall.rethrow(t);
        }
    }

    /**
     * One chunk of skip-gram (cbow 0) or CBOW negative-sampling training on device tensors, the learning rate
     * falling from {@code lrStart} to {@code lrEnd} over the chunk; {@code subOffsets}/{@code subIds} must be NULL.
     */
    public void w2vTrainChunkCuda(
            MemorySegment wIn,
            MemorySegment wOut,
            MemorySegment lossSum,
            MemorySegment pairs,
            long seed,
            MemorySegment tokens,
            long t,
            MemorySegment negTable,
            long s,
            MemorySegment subOffsets,
            MemorySegment subIds,
            int cbow,
            int window,
            int negative,
            float lrStart,
            float lrEnd,
            long v,
            long r,
            long d,
            MemorySegment st) {
        try {
            calls.handle(W2V_TRAIN_CHUNK_CUDA)
                    .invokeExact(
                            wIn,
                            wOut,
                            lossSum,
                            pairs,
                            seed,
                            tokens,
                            t,
                            negTable,
                            s,
                            subOffsets,
                            subIds,
                            cbow,
                            window,
                            negative,
                            lrStart,
                            lrEnd,
                            v,
                            r,
                            d,
                            st);
        } catch (Throwable e) {
            throw Downcall.rethrow(e);
        }
    }

    public void checkIndicesCuda(MemorySegment idx, int idxType, long n, long v, MemorySegment st) {
        try {
            calls.handle(CHECK_INDICES_CUDA).invokeExact(idx, idxType, n, v, st);
        } catch (Throwable t) {
            throw Downcall.rethrow(t);
        }
    }

    public void checkOffsetsCuda(MemorySegment offsets, long b, long n, MemorySegment st) {
        try {
            calls.handle(CHECK_OFFSETS_CUDA).invokeExact(offsets, b, n, st);
        } catch (Throwable t) {
            throw Downcall.rethrow(t);
        }
    }

    public void checkLogitsCuda(
            MemorySegment logits, MemorySegment targets, long ignoreIndex, long b, long k, MemorySegment st) {
        try {
            calls.handle(CHECK_LOGITS_CUDA).invokeExact(logits, targets, ignoreIndex, b, k, st);
        } catch (Throwable t) {
            throw Downcall.rethrow(t);
        }
    }
}
