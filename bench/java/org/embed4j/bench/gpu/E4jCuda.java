package org.embed4j.bench.gpu;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.embed4j.internal.ffm.CudaKernels;
import org.embed4j.internal.ffm.NativeStatus;
import org.embed4j.internal.ffm.OptimStruct;

/**
 * Our CUDA kernels as the benchmarks call them: core's typed bindings of libembed4j_cuda ({@link CudaKernels}, checked
 * against native/include/embed4j_cuda.h; the core jar built with -Pcuda carries the library), launched on a
 * {@link GpuDevice}'s stream wrapped by {@code e4j_cuda_stream_wrap}. The raw kernels, without the CUDA backend's
 * strict-mode validation and synchronisation: the kernel time is what is measured.
 *
 * <p>A launch returns its status at once; a data error found on the device is reported by {@link #synchronize()}.
 * A non-zero status becomes the exception {@link NativeStatus} maps it to, with the library's message (a CUDA error an
 * IllegalStateException naming it). Not thread-safe (one stream).
 */
final class E4jCuda implements AutoCloseable {
    static final int INT32 = 4;
    static final int INT64 = 8;
    static final int BAG_SUM = 0;
    static final int BAG_MEAN = 1;
    static final int REDUCE_MEAN = 1;
    static final int OPT_SGD = 0;

    private final CudaKernels cuda;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment stream;

    /**
     * Loads libembed4j_cuda and wraps the device's stream.
     *
     * @throws IllegalStateException why the library cannot be used (not in the jar: build core with -Pcuda)
     */
    E4jCuda(GpuDevice device) {
        this.cuda = CudaKernels.load(NativeStatus.CudaErrors.PLAIN);
        this.stream =
                cuda.cudaStreamWrap(0, MemorySegment.ofAddress(device.stream().address()));
    }

    /** The library's file and version, for the log. */
    String describe() {
        return cuda.library().toString();
    }

    /** A host e4j_optim for plain SGD at learning rate {@code lr} (lives as long as this object). */
    MemorySegment sgd(float lr) {
        return OptimStruct.of(arena, OPT_SGD, false, 1L, lr, 0f, 0f, 0f, 0f, 0f, 0f, false, false);
    }

    void gather(DeviceBuffer out, DeviceBuffer w, DeviceBuffer idx, long n, long v, long d) {
        cuda.gatherForwardCuda(out.segment(), w.segment(), idx.segment(), INT64, n, v, d, stream);
    }

    void bag(
            DeviceBuffer out,
            DeviceBuffer w,
            DeviceBuffer idx,
            DeviceBuffer offsets,
            int mode,
            long n,
            long b,
            long v,
            long d) {
        cuda.embeddingBagForwardCuda(
                out.segment(),
                MemorySegment.NULL,
                w.segment(),
                idx.segment(),
                INT64,
                offsets.segment(),
                MemorySegment.NULL,
                mode,
                -1L,
                n,
                b,
                v,
                d,
                stream);
    }

    /** Sorts idx (int64) into uniq/seg/perm and the device count of unique rows; the stream's cached workspace. */
    void sort(
            DeviceBuffer uniq,
            DeviceBuffer seg,
            DeviceBuffer perm,
            DeviceBuffer numUnique,
            DeviceBuffer idx,
            long n,
            long v) {
        cuda.indexSortCuda(
                uniq.segment(),
                seg.segment(),
                perm.segment(),
                numUnique.segment(),
                idx.segment(),
                INT64,
                -1L,
                n,
                v,
                MemorySegment.NULL,
                0L,
                stream);
    }

    /** The fused backward + optimizer step without state (plain SGD), launched with U = N (the sort's padding). */
    void backwardUpdate(
            DeviceBuffer w,
            DeviceBuffer dout,
            DeviceBuffer uniq,
            DeviceBuffer seg,
            DeviceBuffer perm,
            MemorySegment optim,
            long n,
            long v,
            long d) {
        cuda.embeddingBackwardUpdateCuda(
                w.segment(),
                MemorySegment.NULL,
                MemorySegment.NULL,
                dout.segment(),
                uniq.segment(),
                seg.segment(),
                perm.segment(),
                0,
                optim,
                n,
                n,
                v,
                d,
                stream);
    }

    /** Mean softmax cross-entropy, the gradient written over the logits (in place). */
    void softmaxXentInPlace(DeviceBuffer loss, DeviceBuffer logits, DeviceBuffer targets, long b, long k) {
        cuda.softmaxXentCuda(
                loss.segment(),
                logits.segment(),
                logits.segment(),
                targets.segment(),
                MemorySegment.NULL,
                -100L,
                0f,
                REDUCE_MEAN,
                b,
                k,
                stream);
    }

    /** Row-major C(M,N) = A(M,K) B(K,N), no transposes, dense leading dimensions. */
    void gemm(long m, long n, long k, DeviceBuffer a, DeviceBuffer b, DeviceBuffer c) {
        cuda.gemmCuda(0, 0, m, n, k, 1f, a.segment(), k, b.segment(), n, 0f, c.segment(), n, stream);
    }

    /** Skip-gram negative sampling over T int32 tokens (no subwords: R = V). */
    void sgns(
            DeviceBuffer win,
            DeviceBuffer wout,
            DeviceBuffer lossSum,
            DeviceBuffer pairs,
            long seed,
            DeviceBuffer tokens,
            long t,
            DeviceBuffer negTable,
            long s,
            int window,
            int negative,
            float lrStart,
            float lrEnd,
            long v,
            long d) {
        cuda.w2vTrainChunkCuda(
                win.segment(),
                wout.segment(),
                lossSum.segment(),
                pairs.segment(),
                seed,
                tokens.segment(),
                t,
                negTable.segment(),
                s,
                MemorySegment.NULL,
                MemorySegment.NULL,
                0,
                window,
                negative,
                lrStart,
                lrEnd,
                v,
                v,
                d,
                stream);
    }

    /** Waits for the stream and reports a kernel's data error (bad index, NaN logit) recorded since the last call. */
    void synchronize() {
        cuda.cudaStreamSynchronize(stream);
    }

    @Override
    public void close() {
        try {
            cuda.cudaStreamDestroy(stream);
        } finally {
            arena.close();
        }
    }
}
