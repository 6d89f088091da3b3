package org.embed4j.internal.ffm;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;

/**
 * The C ABI of libembed4j (native/include/embed4j.h) as Java methods: one method per exported function, named after
 * it (camel case without the {@code e4j_} prefix), same argument order and meaning (outputs first, then inputs, then
 * sizes; MemorySegment.NULL where C takes NULL). Each method makes the downcall and turns a non-zero e4j_status into
 * the documented exception ({@link Calls}).
 *
 * <p>Each function's signature is written once, as a {@link Binding} in {@link #ABI}: the library fails to load when
 * it lacks one of them, and AbiBindingTest fails when one differs from the header (name, arity, argument types) or
 * when the header declares a function that is neither bound here nor listed as unbound with a reason.
 *
 * <p>Calls touching fewer than {@link #CRITICAL_BELOW} elements use critical downcalls (see {@link Downcall}):
 * every segment passed here must be off-heap. No argument is validated here (the backend's CheckedBackend
 * does that); data-dependent checks happen in C. Thread-safe: immutable handles, thread-local error messages.
 */
public final class CpuKernels {
    /** Below this many touched elements a call is short enough (microseconds) for a critical downcall. */
    static final long CRITICAL_BELOW = 1 << 15;

    /** The functions of embed4j.h, as bound here. */
    static final Abi ABI = new Abi("embed4j", "e4j_", "embed4j.h");

    private static final Binding CPU_FEATURES = ABI.value("e4j_cpu_features", JAVA_INT);
    private static final Binding SET_ISA_LEVEL = ABI.status("e4j_set_isa_level", Long.MAX_VALUE, JAVA_INT);
    private static final Binding ISA_LEVEL = ABI.value("e4j_isa_level", JAVA_INT);
    private static final Binding SET_NUM_THREADS = ABI.status("e4j_set_num_threads", Long.MAX_VALUE, JAVA_INT);
    private static final Binding NUM_THREADS = ABI.value("e4j_num_threads", JAVA_INT);
    static final Binding GATHER_FORWARD =
            kernel("e4j_gather_forward", ADDRESS, ADDRESS, ADDRESS, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG);
    static final Binding EMBEDDING_BAG_FORWARD = kernel(
            "e4j_embedding_bag_forward",
            ADDRESS,
            ADDRESS,
            ADDRESS,
            ADDRESS,
            JAVA_INT,
            ADDRESS,
            ADDRESS,
            JAVA_INT,
            JAVA_LONG,
            JAVA_LONG,
            JAVA_LONG,
            JAVA_LONG,
            JAVA_LONG);
    private static final Binding INDEX_SORT_WORKSPACE_BYTES =
            ABI.value("e4j_index_sort_workspace_bytes", JAVA_LONG, JAVA_LONG, JAVA_LONG);
    static final Binding INDEX_SORT = kernel(
            "e4j_index_sort",
            ADDRESS,
            ADDRESS,
            ADDRESS,
            ADDRESS,
            ADDRESS,
            JAVA_INT,
            JAVA_LONG,
            JAVA_LONG,
            JAVA_LONG,
            ADDRESS,
            JAVA_LONG);
    static final Binding EMBEDDING_BACKWARD = kernel(
            "e4j_embedding_backward",
            ADDRESS,
            ADDRESS,
            ADDRESS,
            ADDRESS,
            ADDRESS,
            JAVA_INT,
            JAVA_INT,
            JAVA_LONG,
            JAVA_LONG,
            JAVA_LONG);
    static final Binding EMBEDDING_BAG_BACKWARD = kernel(
            "e4j_embedding_bag_backward",
            ADDRESS,
            ADDRESS,
            ADDRESS,
            ADDRESS,
            ADDRESS,
            JAVA_INT,
            ADDRESS,
            ADDRESS,
            ADDRESS,
            ADDRESS,
            ADDRESS,
            ADDRESS,
            JAVA_INT,
            JAVA_INT,
            JAVA_LONG,
            JAVA_LONG,
            JAVA_LONG,
            JAVA_LONG,
            JAVA_LONG);
    static final Binding EMBEDDING_BACKWARD_UPDATE = kernel(
            "e4j_embedding_backward_update",
            ADDRESS,
            ADDRESS,
            ADDRESS,
            ADDRESS,
            ADDRESS,
            ADDRESS,
            ADDRESS,
            JAVA_INT,
            ADDRESS,
            JAVA_LONG,
            JAVA_LONG,
            JAVA_LONG,
            JAVA_LONG);
    static final Binding SPARSE_ROWS_UPDATE = kernel(
            "e4j_sparse_rows_update",
            ADDRESS,
            ADDRESS,
            ADDRESS,
            ADDRESS,
            ADDRESS,
            ADDRESS,
            JAVA_LONG,
            JAVA_LONG,
            JAVA_LONG);
    static final Binding DENSE_UPDATE =
            kernel("e4j_dense_update", ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG);
    static final Binding EMBEDDING_RENORM =
            kernel("e4j_embedding_renorm", ADDRESS, ADDRESS, JAVA_FLOAT, JAVA_FLOAT, JAVA_LONG, JAVA_LONG, JAVA_LONG);
    static final Binding GEMM = kernel(
            "e4j_gemm",
            JAVA_INT,
            JAVA_INT,
            JAVA_LONG,
            JAVA_LONG,
            JAVA_LONG,
            JAVA_FLOAT,
            ADDRESS,
            JAVA_LONG,
            ADDRESS,
            JAVA_LONG,
            JAVA_FLOAT,
            ADDRESS,
            JAVA_LONG);
    static final Binding BIAS_ADD = kernel("e4j_bias_add", ADDRESS, ADDRESS, JAVA_LONG, JAVA_LONG);
    static final Binding BIAS_BACKWARD = kernel("e4j_bias_backward", ADDRESS, ADDRESS, JAVA_LONG, JAVA_LONG);
    static final Binding RELU_FORWARD = kernel("e4j_relu_forward", ADDRESS, ADDRESS, JAVA_LONG);
    static final Binding RELU_BACKWARD = kernel("e4j_relu_backward", ADDRESS, ADDRESS, ADDRESS, JAVA_LONG);
    static final Binding SOFTMAX_XENT = kernel(
            "e4j_softmax_xent",
            ADDRESS,
            ADDRESS,
            ADDRESS,
            ADDRESS,
            ADDRESS,
            JAVA_LONG,
            JAVA_FLOAT,
            JAVA_INT,
            JAVA_LONG,
            JAVA_LONG);
    static final Binding ROW_NORMS = kernel("e4j_row_norms", ADDRESS, ADDRESS, JAVA_LONG, JAVA_LONG);
    static final Binding TOPK = kernel(
            "e4j_topk",
            ADDRESS,
            ADDRESS,
            ADDRESS,
            ADDRESS,
            ADDRESS,
            ADDRESS,
            JAVA_LONG,
            JAVA_LONG,
            JAVA_LONG,
            JAVA_LONG,
            JAVA_LONG);
    private static final Binding TOPK_I8 = kernel(
            "e4j_topk_i8", ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG);
    private static final Binding W2V_WORKSPACE_BYTES =
            ABI.value("e4j_w2v_workspace_bytes", JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_INT);
    // A Hogwild worker runs for seconds: never critical.
    private static final Binding W2V_TRAIN_CHUNK = ABI.status(
            "e4j_w2v_train_chunk",
            0,
            ADDRESS,
            ADDRESS,
            ADDRESS,
            ADDRESS,
            ADDRESS,
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
            ADDRESS,
            JAVA_LONG);
    private static final Binding W2V_HS_WORKSPACE_BYTES =
            ABI.value("e4j_w2v_hs_workspace_bytes", JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_INT);
    // weights (4), loss, pairs, rng, tokens, docs, T, codes (2), table, S, subwords (2), 5 ints, 2 floats, 6 sizes,
    // workspace and its size; never critical, like e4j_w2v_train_chunk
    private static final Binding W2V_HS_TRAIN_CHUNK = ABI.status(
            "e4j_w2v_hs_train_chunk",
            0,
            ADDRESS,
            ADDRESS,
            ADDRESS,
            ADDRESS,
            ADDRESS,
            ADDRESS,
            ADDRESS,
            ADDRESS,
            ADDRESS,
            JAVA_LONG,
            ADDRESS,
            ADDRESS,
            ADDRESS,
            JAVA_LONG,
            ADDRESS,
            ADDRESS,
            JAVA_INT,
            JAVA_INT,
            JAVA_INT,
            JAVA_INT,
            JAVA_INT,
            JAVA_FLOAT,
            JAVA_FLOAT,
            JAVA_LONG,
            JAVA_LONG,
            JAVA_LONG,
            JAVA_LONG,
            JAVA_LONG,
            ADDRESS,
            JAVA_LONG);

    private final NativeLibrary lib;
    private final Calls calls;

    private CpuKernels(NativeLibrary lib) {
        this.lib = lib;
        this.calls = new Calls(lib, NativeStatus.CudaErrors.PLAIN);
    }

    /** libembed4j, loaded once per JVM with every function above resolved; throws IllegalStateException saying why not. */
    public static CpuKernels load() {
        return new CpuKernels(NativeLibrary.load(ABI));
    }

    /** A kernel: returns e4j_status, critical below {@link #CRITICAL_BELOW} touched elements. */
    private static Binding kernel(String name, MemoryLayout... args) {
        return ABI.status(name, CRITICAL_BELOW, args);
    }

    public NativeLibrary library() {
        return lib;
    }

    // ------------------------------------------------------------------ runtime

    /** e4j_cpu_features(): bit 0 AVX2, bit 1 FMA, bit 2 OS saves YMM state, bit 3 AVX-512 F/BW/DQ/VL, bit 4 OS saves ZMM. */
    public int cpuFeatures() {
        return lib.callInt(CPU_FEATURES);
    }

    /** e4j_set_isa_level(level): 0 the scalar reference kernels, 1 AVX2+FMA, 2 AVX-512 (process-wide). */
    public void setIsaLevel(int level) {
        try {
            calls.handle(SET_ISA_LEVEL, 0).invokeExact(level);
        } catch (Throwable t) {
            throw Downcall.rethrow(t);
        }
    }

    /** e4j_isa_level(): the kernel level in use. */
    public int isaLevel() {
        return lib.callInt(ISA_LEVEL);
    }

    public void setNumThreads(int n) {
        try {
            calls.handle(SET_NUM_THREADS, 0).invokeExact(n);
        } catch (Throwable t) {
            throw Downcall.rethrow(t);
        }
    }

    public int numThreads() {
        return lib.callInt(NUM_THREADS);
    }

    // ------------------------------------------------------------------ embedding

    public void gatherForward(
            MemorySegment out, MemorySegment w, MemorySegment idx, int idxType, long n, long v, long d) {
        try {
            calls.handle(GATHER_FORWARD, n * d).invokeExact(out, w, idx, idxType, n, v, d);
        } catch (Throwable t) {
            throw Downcall.rethrow(t);
        }
    }

    public void embeddingBagForward(
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
            long d) {
        try {
            calls.handle(EMBEDDING_BAG_FORWARD, n * d + b * d)
                    .invokeExact(out, argmax, w, idx, idxType, offsets, psw, mode, paddingIdx, n, b, v, d);
        } catch (Throwable t) {
            throw Downcall.rethrow(t);
        }
    }

    /** e4j_index_sort_workspace_bytes(N, V); a negative answer becomes an IllegalArgumentException. */
    public long indexSortWorkspaceBytes(long n, long v) {
        long bytes;
        try {
            bytes = (long) calls.handle(INDEX_SORT_WORKSPACE_BYTES, 0).invokeExact(n, v);
        } catch (Throwable t) {
            throw Downcall.rethrow(t);
        }
        if (bytes < 0) {
            throw new IllegalArgumentException(
                    "e4j_index_sort_workspace_bytes(N=" + n + ", V=" + v + ") failed: " + lib.lastError());
        }
        return bytes;
    }

    public void indexSort(
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
            long workspaceBytes) {
        try {
            // A radix sort passes over N several times, a counting sort over its V-sized workspace.
            calls.handle(INDEX_SORT, 4 * n + workspaceBytes / 8)
                    .invokeExact(uniq, seg, perm, numUnique, idx, idxType, paddingIdx, n, v, workspace, workspaceBytes);
        } catch (Throwable t) {
            throw Downcall.rethrow(t);
        }
    }

    public void embeddingBackward(
            MemorySegment dW,
            MemorySegment dout,
            MemorySegment uniq,
            MemorySegment seg,
            MemorySegment perm,
            boolean scaleGradByFreq,
            boolean compact,
            long u,
            long n,
            long d) {
        try {
            calls.handle(EMBEDDING_BACKWARD, n * d)
                    .invokeExact(dW, dout, uniq, seg, perm, scaleGradByFreq ? 1 : 0, compact ? 1 : 0, u, n, d);
        } catch (Throwable t) {
            throw Downcall.rethrow(t);
        }
    }

    public void embeddingBagBackward(
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
            boolean compact,
            long u,
            long n,
            long b,
            long v,
            long d) {
        try {
            calls.handle(EMBEDDING_BAG_BACKWARD, n * d)
                    .invokeExact(
                            dW,
                            dpsw,
                            dout,
                            w,
                            idx,
                            idxType,
                            offsets,
                            psw,
                            argmax,
                            uniq,
                            seg,
                            perm,
                            mode,
                            compact ? 1 : 0,
                            u,
                            n,
                            b,
                            v,
                            d);
        } catch (Throwable t) {
            throw Downcall.rethrow(t);
        }
    }

    /** {@code opt} is an {@link OptimStruct}. */
    public void embeddingBackwardUpdate(
            MemorySegment w,
            MemorySegment state1,
            MemorySegment state2,
            MemorySegment dout,
            MemorySegment uniq,
            MemorySegment seg,
            MemorySegment perm,
            boolean scaleGradByFreq,
            MemorySegment opt,
            long u,
            long n,
            long v,
            long d) {
        try {
            calls.handle(EMBEDDING_BACKWARD_UPDATE, n * d)
                    .invokeExact(w, state1, state2, dout, uniq, seg, perm, scaleGradByFreq ? 1 : 0, opt, u, n, v, d);
        } catch (Throwable t) {
            throw Downcall.rethrow(t);
        }
    }

    public void sparseRowsUpdate(
            MemorySegment w,
            MemorySegment state1,
            MemorySegment state2,
            MemorySegment grows,
            MemorySegment uniq,
            MemorySegment opt,
            long u,
            long v,
            long d) {
        try {
            calls.handle(SPARSE_ROWS_UPDATE, u * d).invokeExact(w, state1, state2, grows, uniq, opt, u, v, d);
        } catch (Throwable t) {
            throw Downcall.rethrow(t);
        }
    }

    public void denseUpdate(
            MemorySegment w,
            MemorySegment state1,
            MemorySegment state2,
            MemorySegment grad,
            MemorySegment opt,
            long n) {
        try {
            calls.handle(DENSE_UPDATE, n).invokeExact(w, state1, state2, grad, opt, n);
        } catch (Throwable t) {
            throw Downcall.rethrow(t);
        }
    }

    public void embeddingRenorm(
            MemorySegment w, MemorySegment uniq, float maxNorm, float normType, long u, long v, long d) {
        try {
            calls.handle(EMBEDDING_RENORM, u * d).invokeExact(w, uniq, maxNorm, normType, u, v, d);
        } catch (Throwable t) {
            throw Downcall.rethrow(t);
        }
    }

    // ------------------------------------------------------------------ dense layers

    public void gemm(
            boolean transA,
            boolean transB,
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
            long ldc) {
        try {
            // Critical only below ~256k multiply-adds (tens of microseconds).
            calls.handle(GEMM, m * n * k / 8)
                    .invokeExact(transA ? 1 : 0, transB ? 1 : 0, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
        } catch (Throwable t) {
            throw Downcall.rethrow(t);
        }
    }

    public void biasAdd(MemorySegment x, MemorySegment bias, long b, long k) {
        try {
            calls.handle(BIAS_ADD, b * k).invokeExact(x, bias, b, k);
        } catch (Throwable t) {
            throw Downcall.rethrow(t);
        }
    }

    public void biasBackward(MemorySegment dbias, MemorySegment dout, long b, long k) {
        try {
            calls.handle(BIAS_BACKWARD, b * k).invokeExact(dbias, dout, b, k);
        } catch (Throwable t) {
            throw Downcall.rethrow(t);
        }
    }

    public void reluForward(MemorySegment out, MemorySegment in, long n) {
        try {
            calls.handle(RELU_FORWARD, n).invokeExact(out, in, n);
        } catch (Throwable t) {
            throw Downcall.rethrow(t);
        }
    }

    public void reluBackward(MemorySegment din, MemorySegment dout, MemorySegment out, long n) {
        try {
            calls.handle(RELU_BACKWARD, n).invokeExact(din, dout, out, n);
        } catch (Throwable t) {
            throw Downcall.rethrow(t);
        }
    }

    public void softmaxXent(
            MemorySegment loss,
            MemorySegment dlogits,
            MemorySegment logits,
            MemorySegment targets,
            MemorySegment weight,
            long ignoreIndex,
            float labelSmoothing,
            int reduction,
            long b,
            long k) {
        try {
            calls.handle(SOFTMAX_XENT, b * k)
                    .invokeExact(loss, dlogits, logits, targets, weight, ignoreIndex, labelSmoothing, reduction, b, k);
        } catch (Throwable t) {
            throw Downcall.rethrow(t);
        }
    }

    // ------------------------------------------------------------------ search and word2vec

    public void rowNorms(MemorySegment norms, MemorySegment w, long v, long d) {
        try {
            calls.handle(ROW_NORMS, v * d).invokeExact(norms, w, v, d);
        } catch (Throwable t) {
            throw Downcall.rethrow(t);
        }
    }

    public void topk(
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
            long e) {
        try {
            calls.handle(TOPK, q * v * d).invokeExact(outIdx, outScore, w, norms, queries, exclude, q, v, d, k, e);
        } catch (Throwable t) {
            throw Downcall.rethrow(t);
        }
    }

    public void topkI8(
            MemorySegment outIdx,
            MemorySegment outScore,
            MemorySegment w8,
            MemorySegment rowScale,
            MemorySegment queries,
            long q,
            long v,
            long d,
            long k) {
        try {
            calls.handle(TOPK_I8, q * v * d).invokeExact(outIdx, outScore, w8, rowScale, queries, q, v, d, k);
        } catch (Throwable t) {
            throw Downcall.rethrow(t);
        }
    }

    /** e4j_w2v_workspace_bytes(D, window, negative); a negative answer becomes an IllegalArgumentException. */
    public long w2vWorkspaceBytes(long d, int window, int negative) {
        long bytes;
        try {
            bytes = (long) calls.handle(W2V_WORKSPACE_BYTES, 0).invokeExact(d, window, negative);
        } catch (Throwable t) {
            throw Downcall.rethrow(t);
        }
        if (bytes < 0) {
            throw new IllegalArgumentException("e4j_w2v_workspace_bytes(D=" + d + ", window=" + window + ", negative="
                    + negative + ") failed: " + lib.lastError());
        }
        return bytes;
    }

    public void w2vTrainChunk(
            MemorySegment wIn,
            MemorySegment wOut,
            MemorySegment lossSum,
            MemorySegment pairs,
            MemorySegment rng,
            MemorySegment tokens,
            long t,
            MemorySegment negTable,
            long s,
            MemorySegment subOffsets,
            MemorySegment subIds,
            boolean cbow,
            int window,
            int negative,
            float lrStart,
            float lrEnd,
            long v,
            long r,
            long d,
            MemorySegment workspace,
            long workspaceBytes) {
        try {
            calls.handle(W2V_TRAIN_CHUNK)
                    .invokeExact(
                            wIn,
                            wOut,
                            lossSum,
                            pairs,
                            rng,
                            tokens,
                            t,
                            negTable,
                            s,
                            subOffsets,
                            subIds,
                            cbow ? 1 : 0,
                            window,
                            negative,
                            lrStart,
                            lrEnd,
                            v,
                            r,
                            d,
                            workspace,
                            workspaceBytes);
        } catch (Throwable t2) {
            throw Downcall.rethrow(t2);
        }
    }

    /** e4j_w2v_hs_workspace_bytes(D, window, max_outputs); a negative answer becomes an IllegalArgumentException. */
    public long w2vHsWorkspaceBytes(long d, int window, int maxOutputs) {
        long bytes;
        try {
            bytes = (long) calls.handle(W2V_HS_WORKSPACE_BYTES, 0).invokeExact(d, window, maxOutputs);
        } catch (Throwable t) {
            throw Downcall.rethrow(t);
        }
        if (bytes < 0) {
            throw new IllegalArgumentException("e4j_w2v_hs_workspace_bytes(D=" + d + ", window=" + window
                    + ", max_outputs=" + maxOutputs + ") failed: " + lib.lastError());
        }
        return bytes;
    }

    /** The weight, token, code, table and subword pointers of one e4j_w2v_hs_train_chunk call (NULL where absent). */
    public record W2vHsData(
            MemorySegment wIn,
            MemorySegment wHs,
            MemorySegment wOut,
            MemorySegment wDoc,
            MemorySegment tokens,
            MemorySegment docs,
            MemorySegment codeOffsets,
            MemorySegment codes,
            MemorySegment negTable,
            MemorySegment subOffsets,
            MemorySegment subIds) {}

    /** The scalar arguments of one e4j_w2v_hs_train_chunk call, in the C order. */
    public record W2vHsSizes(
            long t,
            long s,
            int mode,
            int flags,
            int window,
            int negative,
            int maxCodeLen,
            float lrStart,
            float lrEnd,
            long v,
            long r,
            long h,
            long p,
            long d) {}

    /** e4j_w2v_hs_train_chunk: the pointers of {@code x} and the sizes of {@code n} in the C order. */
    public void w2vHsTrainChunk(
            W2vHsData x,
            W2vHsSizes n,
            MemorySegment lossSum,
            MemorySegment pairs,
            MemorySegment rng,
            MemorySegment workspace,
            long workspaceBytes) {
        try {
            calls.handle(W2V_HS_TRAIN_CHUNK)
                    .invokeExact(
                            x.wIn(),
                            x.wHs(),
                            x.wOut(),
                            x.wDoc(),
                            lossSum,
                            pairs,
                            rng,
                            x.tokens(),
                            x.docs(),
                            n.t(),
                            x.codeOffsets(),
                            x.codes(),
                            x.negTable(),
                            n.s(),
                            x.subOffsets(),
                            x.subIds(),
                            n.mode(),
                            n.flags(),
                            n.window(),
                            n.negative(),
                            n.maxCodeLen(),
                            n.lrStart(),
                            n.lrEnd(),
                            n.v(),
                            n.r(),
                            n.h(),
                            n.p(),
                            n.d(),
                            workspace,
                            workspaceBytes);
        } catch (Throwable t) {
            throw Downcall.rethrow(t);
        }
    }
}
