package org.embed4j.internal.ffm;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;

/**
 * The C ABI of libembed4j (native/include/embed4j.h) as Java methods: one method per exported function, same
 * name (camel case), same argument order and meaning (outputs first, then inputs, then sizes; MemorySegment.NULL
 * where C takes NULL). Each method makes the downcall and turns a non-zero e4j_status into the documented
 * exception ({@link NativeLibrary#check}). Kernel symbols are resolved on first use, so a library that lacks
 * one still loads and that method throws UnsupportedOperationException.
 *
 * <p>Calls touching fewer than {@link #CRITICAL_BELOW} elements use critical downcalls (see {@link Downcall}):
 * every segment passed here must be off-heap. No argument is validated here (the backend's CheckedBackend
 * does that); data-dependent checks happen in C. Thread-safe: immutable handles, thread-local error messages.
 */
public final class CpuKernels {
    /** Below this many touched elements a call is short enough (microseconds) for a critical downcall. */
    public static final long CRITICAL_BELOW = 1 << 15;

    private final NativeLibrary lib;
    private final Downcall cpuFeatures;
    private final Downcall setNumThreads;
    private final Downcall numThreads;
    private final Downcall gatherForward;
    private final Downcall embeddingBagForward;
    private final Downcall indexSortWorkspaceBytes;
    private final Downcall indexSort;
    private final Downcall embeddingBackward;
    private final Downcall embeddingBagBackward;
    private final Downcall embeddingBackwardUpdate;
    private final Downcall sparseRowsUpdate;
    private final Downcall denseUpdate;
    private final Downcall embeddingRenorm;
    private final Downcall gemm;
    private final Downcall biasAdd;
    private final Downcall biasBackward;
    private final Downcall reluForward;
    private final Downcall reluBackward;
    private final Downcall softmaxXent;
    private final Downcall rowNorms;
    private final Downcall topk;
    private final Downcall topkI8;
    private final Downcall w2vWorkspaceBytes;
    private final Downcall w2vTrainChunk;
    private final Downcall w2vHsWorkspaceBytes;
    private final Downcall w2vHsTrainChunk;

    public CpuKernels(NativeLibrary lib) {
        this.lib = lib;
        cpuFeatures = lib.downcall("e4j_cpu_features", FunctionDescriptor.of(JAVA_INT), Long.MAX_VALUE);
        setNumThreads = lib.downcall("e4j_set_num_threads", FunctionDescriptor.of(JAVA_INT, JAVA_INT), Long.MAX_VALUE);
        numThreads = lib.downcall("e4j_num_threads", FunctionDescriptor.of(JAVA_INT), Long.MAX_VALUE);
        gatherForward =
                kernel("e4j_gather_forward", ADDRESS, ADDRESS, ADDRESS, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG);
        embeddingBagForward = kernel(
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
        indexSortWorkspaceBytes = lib.downcall(
                "e4j_index_sort_workspace_bytes",
                FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG),
                Long.MAX_VALUE);
        indexSort = kernel(
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
        embeddingBackward = kernel(
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
        embeddingBagBackward = kernel(
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
        embeddingBackwardUpdate = kernel(
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
        sparseRowsUpdate = kernel(
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
        denseUpdate = kernel("e4j_dense_update", ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG);
        embeddingRenorm = kernel(
                "e4j_embedding_renorm", ADDRESS, ADDRESS, JAVA_FLOAT, JAVA_FLOAT, JAVA_LONG, JAVA_LONG, JAVA_LONG);
        gemm = kernel(
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
        biasAdd = kernel("e4j_bias_add", ADDRESS, ADDRESS, JAVA_LONG, JAVA_LONG);
        biasBackward = kernel("e4j_bias_backward", ADDRESS, ADDRESS, JAVA_LONG, JAVA_LONG);
        reluForward = kernel("e4j_relu_forward", ADDRESS, ADDRESS, JAVA_LONG);
        reluBackward = kernel("e4j_relu_backward", ADDRESS, ADDRESS, ADDRESS, JAVA_LONG);
        softmaxXent = kernel(
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
        rowNorms = kernel("e4j_row_norms", ADDRESS, ADDRESS, JAVA_LONG, JAVA_LONG);
        topk = kernel(
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
        topkI8 = kernel(
                "e4j_topk_i8", ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG);
        w2vWorkspaceBytes = lib.downcall(
                "e4j_w2v_workspace_bytes",
                FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_INT),
                Long.MAX_VALUE);
        // A Hogwild worker runs for seconds: never critical (criticalBelow 0).
        w2vTrainChunk = lib.downcall(
                "e4j_w2v_train_chunk",
                FunctionDescriptor.of(
                        JAVA_INT,
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
                        JAVA_LONG));
        w2vHsWorkspaceBytes = lib.downcall(
                "e4j_w2v_hs_workspace_bytes",
                FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_INT),
                Long.MAX_VALUE);
        // weights (4), loss, pairs, rng, tokens, docs, T, codes (2), table, S, subwords (2), 6 ints, 2 floats, 6 sizes,
        // workspace and its size; never critical, like e4j_w2v_train_chunk
        w2vHsTrainChunk = lib.downcall(
                "e4j_w2v_hs_train_chunk",
                FunctionDescriptor.of(
                        JAVA_INT,
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
                        JAVA_LONG));
    }

    private Downcall kernel(String name, MemoryLayout... args) {
        return lib.downcall(name, FunctionDescriptor.of(JAVA_INT, args), CRITICAL_BELOW);
    }

    public NativeLibrary library() {
        return lib;
    }

    // ------------------------------------------------------------------ runtime

    /** e4j_cpu_features(): bit 0 AVX2, bit 1 FMA, bit 2 OS saves YMM state, bit 3 AVX-512 F/BW/DQ/VL, bit 4 OS saves ZMM. */
    public int cpuFeatures() {
        return lib.callInt(cpuFeatures);
    }

    public void setNumThreads(int n) {
        int status;
        try {
            status = (int) setNumThreads.handle(0).invokeExact(n);
        } catch (Throwable t) {
            throw Downcall.rethrow(t);
        }
        lib.check(status, setNumThreads.name());
    }

    public int numThreads() {
        return lib.callInt(numThreads);
    }

    // ------------------------------------------------------------------ embedding

    public void gatherForward(
            MemorySegment out, MemorySegment w, MemorySegment idx, int idxType, long n, long v, long d) {
        int status;
        try {
            status = (int) gatherForward.handle(n * d).invokeExact(out, w, idx, idxType, n, v, d);
        } catch (Throwable t) {
            throw Downcall.rethrow(t);
        }
        lib.check(status, gatherForward.name());
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
        int status;
        try {
            status = (int) embeddingBagForward
                    .handle(n * d + b * d)
                    .invokeExact(out, argmax, w, idx, idxType, offsets, psw, mode, paddingIdx, n, b, v, d);
        } catch (Throwable t) {
            throw Downcall.rethrow(t);
        }
        lib.check(status, embeddingBagForward.name());
    }

    /** e4j_index_sort_workspace_bytes(N, V); a negative answer becomes an IllegalArgumentException. */
    public long indexSortWorkspaceBytes(long n, long v) {
        long bytes;
        try {
            bytes = (long) indexSortWorkspaceBytes.handle(0).invokeExact(n, v);
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
        int status;
        try {
            // A radix sort passes over N several times, a counting sort over its V-sized workspace.
            status = (int) indexSort
                    .handle(4 * n + workspaceBytes / 8)
                    .invokeExact(uniq, seg, perm, numUnique, idx, idxType, paddingIdx, n, v, workspace, workspaceBytes);
        } catch (Throwable t) {
            throw Downcall.rethrow(t);
        }
        lib.check(status, indexSort.name());
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
        int status;
        try {
            status = (int) embeddingBackward
                    .handle(n * d)
                    .invokeExact(dW, dout, uniq, seg, perm, scaleGradByFreq ? 1 : 0, compact ? 1 : 0, u, n, d);
        } catch (Throwable t) {
            throw Downcall.rethrow(t);
        }
        lib.check(status, embeddingBackward.name());
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
        int status;
        try {
            status = (int) embeddingBagBackward
                    .handle(n * d)
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
        lib.check(status, embeddingBagBackward.name());
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
        int status;
        try {
            status = (int) embeddingBackwardUpdate
                    .handle(n * d)
                    .invokeExact(w, state1, state2, dout, uniq, seg, perm, scaleGradByFreq ? 1 : 0, opt, u, n, v, d);
        } catch (Throwable t) {
            throw Downcall.rethrow(t);
        }
        lib.check(status, embeddingBackwardUpdate.name());
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
        int status;
        try {
            status = (int) sparseRowsUpdate.handle(u * d).invokeExact(w, state1, state2, grows, uniq, opt, u, v, d);
        } catch (Throwable t) {
            throw Downcall.rethrow(t);
        }
        lib.check(status, sparseRowsUpdate.name());
    }

    public void denseUpdate(
            MemorySegment w,
            MemorySegment state1,
            MemorySegment state2,
            MemorySegment grad,
            MemorySegment opt,
            long n) {
        int status;
        try {
            status = (int) denseUpdate.handle(n).invokeExact(w, state1, state2, grad, opt, n);
        } catch (Throwable t) {
            throw Downcall.rethrow(t);
        }
        lib.check(status, denseUpdate.name());
    }

    public void embeddingRenorm(
            MemorySegment w, MemorySegment uniq, float maxNorm, float normType, long u, long v, long d) {
        int status;
        try {
            status = (int) embeddingRenorm.handle(u * d).invokeExact(w, uniq, maxNorm, normType, u, v, d);
        } catch (Throwable t) {
            throw Downcall.rethrow(t);
        }
        lib.check(status, embeddingRenorm.name());
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
        int status;
        try {
            // Critical only below ~256k multiply-adds (tens of microseconds).
            status = (int) gemm.handle(m * n * k / 8)
                    .invokeExact(transA ? 1 : 0, transB ? 1 : 0, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
        } catch (Throwable t) {
            throw Downcall.rethrow(t);
        }
        lib.check(status, gemm.name());
    }

    public void biasAdd(MemorySegment x, MemorySegment bias, long b, long k) {
        int status;
        try {
            status = (int) biasAdd.handle(b * k).invokeExact(x, bias, b, k);
        } catch (Throwable t) {
            throw Downcall.rethrow(t);
        }
        lib.check(status, biasAdd.name());
    }

    public void biasBackward(MemorySegment dbias, MemorySegment dout, long b, long k) {
        int status;
        try {
            status = (int) biasBackward.handle(b * k).invokeExact(dbias, dout, b, k);
        } catch (Throwable t) {
            throw Downcall.rethrow(t);
        }
        lib.check(status, biasBackward.name());
    }

    public void reluForward(MemorySegment out, MemorySegment in, long n) {
        int status;
        try {
            status = (int) reluForward.handle(n).invokeExact(out, in, n);
        } catch (Throwable t) {
            throw Downcall.rethrow(t);
        }
        lib.check(status, reluForward.name());
    }

    public void reluBackward(MemorySegment din, MemorySegment dout, MemorySegment out, long n) {
        int status;
        try {
            status = (int) reluBackward.handle(n).invokeExact(din, dout, out, n);
        } catch (Throwable t) {
            throw Downcall.rethrow(t);
        }
        lib.check(status, reluBackward.name());
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
        int status;
        try {
            status = (int) softmaxXent
                    .handle(b * k)
                    .invokeExact(loss, dlogits, logits, targets, weight, ignoreIndex, labelSmoothing, reduction, b, k);
        } catch (Throwable t) {
            throw Downcall.rethrow(t);
        }
        lib.check(status, softmaxXent.name());
    }

    // ------------------------------------------------------------------ search and word2vec

    public void rowNorms(MemorySegment norms, MemorySegment w, long v, long d) {
        int status;
        try {
            status = (int) rowNorms.handle(v * d).invokeExact(norms, w, v, d);
        } catch (Throwable t) {
            throw Downcall.rethrow(t);
        }
        lib.check(status, rowNorms.name());
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
        int status;
        try {
            status = (int)
                    topk.handle(q * v * d).invokeExact(outIdx, outScore, w, norms, queries, exclude, q, v, d, k, e);
        } catch (Throwable t) {
            throw Downcall.rethrow(t);
        }
        lib.check(status, topk.name());
    }

    public void topkInt8(
            MemorySegment outIdx,
            MemorySegment outScore,
            MemorySegment w8,
            MemorySegment rowScale,
            MemorySegment queries,
            long q,
            long v,
            long d,
            long k) {
        int status;
        try {
            status = (int) topkI8.handle(q * v * d).invokeExact(outIdx, outScore, w8, rowScale, queries, q, v, d, k);
        } catch (Throwable t) {
            throw Downcall.rethrow(t);
        }
        lib.check(status, topkI8.name());
    }

    /** e4j_w2v_workspace_bytes(D, window, negative); a negative answer becomes an IllegalArgumentException. */
    public long w2vWorkspaceBytes(long d, int window, int negative) {
        long bytes;
        try {
            bytes = (long) w2vWorkspaceBytes.handle(0).invokeExact(d, window, negative);
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
        int status;
        try {
            status = (int) w2vTrainChunk
                    .handle()
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
        lib.check(status, w2vTrainChunk.name());
    }

    /** e4j_w2v_hs_workspace_bytes(D, window, max_outputs); a negative answer becomes an IllegalArgumentException. */
    public long w2vHsWorkspaceBytes(long d, int window, int maxOutputs) {
        long bytes;
        try {
            bytes = (long) w2vHsWorkspaceBytes.handle(0).invokeExact(d, window, maxOutputs);
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

    public void w2vHsTrainChunk(
            W2vHsData x,
            W2vHsSizes n,
            MemorySegment lossSum,
            MemorySegment pairs,
            MemorySegment rng,
            MemorySegment workspace,
            long workspaceBytes) {
        int status;
        try {
            status = (int) w2vHsTrainChunk
                    .handle()
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
        } catch (Throwable t2) {
            throw Downcall.rethrow(t2);
        }
        lib.check(status, w2vHsTrainChunk.name());
    }
}
