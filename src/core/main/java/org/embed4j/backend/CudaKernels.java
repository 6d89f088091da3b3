package org.embed4j.backend;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.util.HashMap;
import java.util.Map;
import org.embed4j.internal.ffm.Downcall;
import org.embed4j.internal.ffm.NativeLibrary;

/**
 * The C ABI of libembed4j_cuda (native/include/embed4j_cuda.h) as downcalls: {@link #call} invokes one exported
 * function by name with its arguments in C order (device pointers as zero-length segments, NULL as
 * {@link MemorySegment#NULL}; Java long for int64_t, int for int32_t, float for float) and turns a non-zero
 * e4j_status into the documented exception, with the CUDA error name for E4J_ERR_CUDA.
 *
 * <p>Each signature is written once, as a string of argument codes (p pointer, i int32, l int64, f float, u uint64),
 * the functions native/tests/cuda/abi.py binds from the header with ctypes. A launch costs microseconds on the GPU, so the boxing of
 * {@code invokeWithArguments} is not worth a hand-written handle per kernel. Symbols resolve on first use.
 * Thread-safe (immutable after construction; the error message is thread-local in C).
 */
final class CudaKernels {
    private static final Map<String, String> SPECS = Map.ofEntries(
            Map.entry("e4j_cuda_device_count", "p"),
            Map.entry("e4j_cuda_device_name", "pii"),
            Map.entry("e4j_cuda_device_properties", "pi"),
            Map.entry("e4j_cuda_stream_create", "pi"),
            Map.entry("e4j_cuda_stream_destroy", "p"),
            Map.entry("e4j_cuda_stream_synchronize", "p"),
            Map.entry("e4j_cuda_malloc", "ppl"),
            Map.entry("e4j_cuda_free", "pp"),
            Map.entry("e4j_cuda_memset", "ppil"),
            Map.entry("e4j_cuda_memcpy_h2d", "pppl"),
            Map.entry("e4j_cuda_memcpy_d2h", "pppl"),
            Map.entry("e4j_cuda_memcpy_d2d", "pppl"),
            Map.entry("e4j_fill_cuda", "pflp"),
            Map.entry("e4j_axpy_cuda", "pfplp"),
            Map.entry("e4j_scale_cuda", "pflp"),
            Map.entry("e4j_mul_cuda", "ppplp"),
            Map.entry("e4j_gather_forward_cuda", "pppilllp"),
            Map.entry("e4j_embedding_bag_forward_cuda", "ppppippilllllp"),
            Map.entry("e4j_index_sort_cuda", "pppppilllplp"),
            Map.entry("e4j_embedding_backward_cuda", "pppppiilllp"),
            Map.entry("e4j_embedding_bag_backward_cuda", "pppppippppppiilllllp"),
            Map.entry("e4j_embedding_backward_update_cuda", "pppppppipllllp"),
            Map.entry("e4j_sparse_rows_update_cuda", "pppppplllp"),
            Map.entry("e4j_dense_update_cuda", "ppppplp"),
            Map.entry("e4j_embedding_renorm_cuda", "ppfflllp"),
            Map.entry("e4j_gemm_cuda", "iilllfplplfplp"),
            Map.entry("e4j_bias_add_cuda", "ppllp"),
            Map.entry("e4j_bias_backward_cuda", "ppllp"),
            Map.entry("e4j_relu_forward_cuda", "pplp"),
            Map.entry("e4j_relu_backward_cuda", "ppplp"),
            Map.entry("e4j_softmax_xent_cuda", "ppppplfillp"),
            Map.entry("e4j_row_norms_cuda", "ppllp"),
            Map.entry("e4j_topk_cuda", "pppppplllllp"),
            Map.entry("e4j_w2v_train_chunk_cuda", "ppppuplplppiiifflllp"),
            Map.entry("e4j_check_indices_cuda", "pillp"),
            Map.entry("e4j_check_offsets_cuda", "pllp"),
            Map.entry("e4j_check_logits_cuda", "pplllp"));

    private final NativeLibrary lib;
    private final Map<String, Downcall> calls = new HashMap<>();

    /** Binds libembed4j_cuda (loaded once per JVM); throws IllegalStateException saying why it cannot be used. */
    CudaKernels() {
        this.lib = NativeLibrary.load("embed4j_cuda", "e4j_cuda_");
        for (Map.Entry<String, String> e : SPECS.entrySet()) {
            calls.put(e.getKey(), lib.downcall(e.getKey(), descriptor(e.getValue())));
        }
    }

    NativeLibrary library() {
        return lib;
    }

    /** e4j_cuda_last_error() of this thread. */
    String lastError() {
        return lib.lastError();
    }

    /** Calls {@code function} and throws the exception its status maps to. */
    void call(String function, Object... args) {
        int status = invoke(function, args);
        lib.check(status, function);
    }

    /** Calls {@code function} and returns its raw status (for callers that map it themselves). */
    int invoke(String function, Object... args) {
        Downcall d = calls.get(function);
        if (d == null) {
            throw new IllegalArgumentException("no binding for " + function);
        }
        try {
            return (int) d.handle().invokeWithArguments(args);
        } catch (Throwable t) {
            throw Downcall.rethrow(t);
        }
    }

    /** Usable devices; 0 with the reason in {@link #lastError()} when there is no driver or no device. */
    int deviceCount() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment n = arena.allocate(JAVA_INT);
            call("e4j_cuda_device_count", n);
            return n.get(JAVA_INT, 0);
        }
    }

    /** The device's name, e.g. "NVIDIA H200". */
    String deviceName(int device) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(256);
            call("e4j_cuda_device_name", buf, 256, device);
            return buf.getString(0);
        }
    }

    /** major, minor, SMs, global memory bytes, L2 bytes, shared memory per block, bus bits, memory clock kHz. */
    long[] deviceProperties(int device) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment p = arena.allocate(JAVA_LONG, 8);
            call("e4j_cuda_device_properties", p, device);
            return p.toArray(JAVA_LONG);
        }
    }

    /** A new stream handle on {@code device}. */
    MemorySegment streamCreate(int device) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ADDRESS);
            call("e4j_cuda_stream_create", out, device);
            return out.get(ADDRESS, 0);
        }
    }

    /** cudaMalloc of {@code bytes} (at least 16) on the stream's device; returns the device address. */
    long malloc(MemorySegment stream, long bytes) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ADDRESS);
            call("e4j_cuda_malloc", stream, out, bytes);
            return out.get(ADDRESS, 0).address();
        }
    }

    private static FunctionDescriptor descriptor(String spec) {
        MemoryLayout[] args = new MemoryLayout[spec.length()];
        for (int i = 0; i < args.length; i++) {
            args[i] = switch (spec.charAt(i)) {
                case 'p' -> ADDRESS;
                case 'i' -> JAVA_INT;
                case 'l', 'u' -> JAVA_LONG;
                case 'f' -> JAVA_FLOAT;
                default -> throw new IllegalArgumentException("bad argument code in " + spec);
            };
        }
        return FunctionDescriptor.of(JAVA_INT, args);
    }
}
