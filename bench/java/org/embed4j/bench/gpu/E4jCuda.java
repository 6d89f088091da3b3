package org.embed4j.bench.gpu;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.HashMap;
import java.util.Map;
import org.embed4j.internal.ffm.Downcall;
import org.embed4j.internal.ffm.NativeLibrary;

/**
 * Our CUDA kernels as the benchmarks call them: downcalls into libembed4j_cuda (native/include/embed4j_cuda.h),
 * found and version-checked by core's {@link NativeLibrary} (the core jar built with -Pcuda carries it), launched on
 * a {@link GpuDevice}'s stream wrapped by {@code e4j_cuda_stream_wrap}. The raw kernels, without the CUDA backend's
 * strict-mode validation and synchronisation: the kernel time is what is measured.
 *
 * <p>A launch returns its status at once; a data error found on the device is reported by {@link #synchronize()}.
 * Every non-zero status becomes an IllegalStateException with the library's message. Not thread-safe (one stream).
 */
final class E4jCuda implements AutoCloseable {
    static final int INT32 = 4;
    static final int INT64 = 8;
    static final int BAG_SUM = 0;
    static final int BAG_MEAN = 1;
    static final int REDUCE_MEAN = 1;
    static final int OPT_SGD = 0;

    /** e4j_optim of embed4j.h: kind, nesterov, step, lr, momentum, dampening, weight_decay, beta1/2, eps, ... */
    static final MemoryLayout OPTIM = MemoryLayout.structLayout(
            JAVA_INT.withName("kind"),
            JAVA_INT.withName("nesterov"),
            JAVA_LONG.withName("step"),
            JAVA_FLOAT.withName("lr"),
            JAVA_FLOAT.withName("momentum"),
            JAVA_FLOAT.withName("dampening"),
            JAVA_FLOAT.withName("weight_decay"),
            JAVA_FLOAT.withName("beta1"),
            JAVA_FLOAT.withName("beta2"),
            JAVA_FLOAT.withName("eps"),
            JAVA_INT.withName("first_step"),
            JAVA_INT.withName("maximize"),
            MemoryLayout.paddingLayout(4));

    /** Argument codes per function, in C order: p pointer, i int32, l int64 (and uint64), f float. */
    private static final Map<String, String> SPECS = Map.of(
            "e4j_cuda_stream_wrap", "pip",
            "e4j_cuda_stream_destroy", "p",
            "e4j_cuda_stream_synchronize", "p",
            "e4j_gather_forward_cuda", "pppilllp",
            "e4j_embedding_bag_forward_cuda", "ppppippilllllp",
            "e4j_index_sort_cuda", "pppppilllplp",
            "e4j_embedding_backward_update_cuda", "pppppppipllllp",
            "e4j_softmax_xent_cuda", "ppppplfillp",
            "e4j_gemm_cuda", "iilllfplplfplp",
            "e4j_w2v_train_chunk_cuda", "pppplplplppiiifflllp");

    private final NativeLibrary lib;
    private final Map<String, MethodHandle> handles = new HashMap<>();
    private final Arena arena = Arena.ofShared();
    private final MemorySegment stream;

    /**
     * Loads libembed4j_cuda and wraps the device's stream.
     *
     * @throws IllegalStateException why the library cannot be used (not in the jar: build core with -Pcuda)
     */
    E4jCuda(GpuDevice device) {
        this.lib = NativeLibrary.load("embed4j_cuda", "e4j_cuda_");
        for (Map.Entry<String, String> e : SPECS.entrySet()) {
            Downcall d = lib.downcall(e.getKey(), descriptor(e.getValue()));
            handles.put(e.getKey(), d.handle());
        }
        MemorySegment out = arena.allocate(ADDRESS);
        call(
                "e4j_cuda_stream_wrap",
                out,
                0,
                MemorySegment.ofAddress(device.stream().address()));
        this.stream = out.get(ADDRESS, 0);
    }

    /** The library's file and version, for the log. */
    String describe() {
        return lib.toString();
    }

    /** A host e4j_optim for plain SGD at learning rate {@code lr} (lives as long as this object). */
    MemorySegment sgd(float lr) {
        MemorySegment o = arena.allocate(OPTIM);
        o.set(JAVA_INT, 0, OPT_SGD);
        o.set(JAVA_LONG, 8, 1L);
        o.set(JAVA_FLOAT, 16, lr);
        return o;
    }

    void gather(DeviceBuffer out, DeviceBuffer w, DeviceBuffer idx, long n, long v, long d) {
        call("e4j_gather_forward_cuda", out.segment(), w.segment(), idx.segment(), INT64, n, v, d, stream);
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
        call(
                "e4j_embedding_bag_forward_cuda",
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
        call(
                "e4j_index_sort_cuda",
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
        call(
                "e4j_embedding_backward_update_cuda",
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
        call(
                "e4j_softmax_xent_cuda",
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
        call("e4j_gemm_cuda", 0, 0, m, n, k, 1f, a.segment(), k, b.segment(), n, 0f, c.segment(), n, stream);
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
        call(
                "e4j_w2v_train_chunk_cuda",
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
        call("e4j_cuda_stream_synchronize", stream);
    }

    @Override
    public void close() {
        try {
            call("e4j_cuda_stream_destroy", stream);
        } finally {
            arena.close();
        }
    }

    private void call(String function, Object... args) {
        int status;
        try {
            status = (int) handles.get(function).invokeWithArguments(args);
        } catch (Throwable t) {
            throw Downcall.rethrow(t);
        }
        if (status != 0) {
            throw new IllegalStateException(function + " returned status " + status + ": " + lib.lastError());
        }
    }

    private static FunctionDescriptor descriptor(String spec) {
        MemoryLayout[] args = new MemoryLayout[spec.length()];
        for (int i = 0; i < args.length; i++) {
            args[i] = switch (spec.charAt(i)) {
                case 'p' -> ADDRESS;
                case 'i' -> JAVA_INT;
                case 'l' -> JAVA_LONG;
                case 'f' -> JAVA_FLOAT;
                default -> throw new IllegalArgumentException("bad argument code in " + spec);
            };
        }
        return FunctionDescriptor.of(JAVA_INT, args);
    }
}
