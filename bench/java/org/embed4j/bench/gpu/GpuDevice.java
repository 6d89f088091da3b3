package org.embed4j.bench.gpu;

import static org.bytedeco.cuda.global.cudart.cudaDriverGetVersion;
import static org.bytedeco.cuda.global.cudart.cudaEventCreate;
import static org.bytedeco.cuda.global.cudart.cudaEventDestroy;
import static org.bytedeco.cuda.global.cudart.cudaEventElapsedTime;
import static org.bytedeco.cuda.global.cudart.cudaEventRecord;
import static org.bytedeco.cuda.global.cudart.cudaEventSynchronize;
import static org.bytedeco.cuda.global.cudart.cudaGetDeviceCount;
import static org.bytedeco.cuda.global.cudart.cudaGetErrorName;
import static org.bytedeco.cuda.global.cudart.cudaGetErrorString;
import static org.bytedeco.cuda.global.cudart.cudaMemcpyAsync;
import static org.bytedeco.cuda.global.cudart.cudaMemcpyDeviceToDevice;
import static org.bytedeco.cuda.global.cudart.cudaMemcpyDeviceToHost;
import static org.bytedeco.cuda.global.cudart.cudaMemcpyHostToDevice;
import static org.bytedeco.cuda.global.cudart.cudaMemsetAsync;
import static org.bytedeco.cuda.global.cudart.cudaRuntimeGetVersion;
import static org.bytedeco.cuda.global.cudart.cudaSetDevice;
import static org.bytedeco.cuda.global.cudart.cudaStreamCreateWithFlags;
import static org.bytedeco.cuda.global.cudart.cudaStreamDestroy;
import static org.bytedeco.cuda.global.cudart.cudaStreamNonBlocking;
import static org.bytedeco.cuda.global.cudart.cudaStreamSynchronize;
import static org.bytedeco.cuda.global.cudart.cudaSuccess;

import java.lang.foreign.Arena;
import java.lang.foreign.SymbolLookup;
import java.util.SplittableRandom;
import org.bytedeco.cuda.cudart.CUevent_st;
import org.bytedeco.cuda.cudart.CUstream_st;
import org.bytedeco.cuda.global.cudart;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.Pointer;

/**
 * Device 0 for the GPU benchmarks, through bytedeco's CUDA presets (JNI over the dynamic libcudart.so.13): one
 * non-blocking stream, device memory, copies, and CUDA-event timing on that stream. Our kernels ({@link E4jCuda})
 * launch on the same stream through {@code e4j_cuda_stream_wrap}, so every timed launch, ours or an anchor's, sits
 * between the same two events on the same stream.
 *
 * <p>Two CUDA runtimes share the process on purpose: libembed4j_cuda links cudart statically, the presets load
 * libcudart.so.13. Both use the device's primary context, so device pointers and the stream handle are valid in
 * both (the python GPU check shares PyTorch's stream with libembed4j_cuda the same way).
 *
 * <p>{@link #open()} throws IllegalStateException saying why when the JNI libraries do not load or no device
 * answers. Not thread-safe: one benchmark thread.
 */
public final class GpuDevice implements AutoCloseable {
    /** Host staging chunk for uploads of generated data, in floats (64 MiB). */
    private static final int CHUNK = 1 << 24;

    private final CUstream_st stream = new CUstream_st();
    private final CUevent_st start = new CUevent_st();
    private final CUevent_st stop = new CUevent_st();
    private final FloatPointer elapsedMs = new FloatPointer(1);

    private GpuDevice() {
        check(cudaSetDevice(0), "cudaSetDevice(0)");
        check(cudaStreamCreateWithFlags(stream, cudaStreamNonBlocking), "cudaStreamCreateWithFlags");
        check(cudaEventCreate(start), "cudaEventCreate");
        check(cudaEventCreate(stop), "cudaEventCreate");
    }

    /**
     * Loads the presets' CUDA runtime and opens device 0.
     *
     * @throws IllegalStateException why not: the JNI library or a library it links is missing, or no device
     */
    public static GpuDevice open() {
        loadRuntime();
        int[] count = {0};
        int status = cudaGetDeviceCount(count);
        if (status != cudaSuccess || count[0] == 0) {
            throw new IllegalStateException("no CUDA device: cudaGetDeviceCount returned "
                    + (status == cudaSuccess ? "0 devices" : errorText(status)));
        }
        return new GpuDevice();
    }

    /** Loads libjnicudart (and through it libcudart.so.13 and libcuda.so.1); throws IllegalStateException why not. */
    static void loadRuntime() {
        try {
            Loader.load(cudart.class);
        } catch (LinkageError | RuntimeException e) {
            throw new IllegalStateException(
                    "the CUDA runtime of org.bytedeco:cuda did not load: "
                            + unloadable("libcuda.so.1 (the NVIDIA driver)", "libcudart.so.13 (CUDA 13 runtime)")
                            + " (JavaCPP: " + e + "); put a CUDA 13 libcudart.so.13 on LD_LIBRARY_PATH (PyTorch's"
                            + " nvidia wheels have one; ci/gpu-check.sh finds them) on a machine with the NVIDIA driver",
                    e);
        }
    }

    /**
     * Which of the libraries (by soname, with a note after it) the dynamic loader cannot open here, as a sentence:
     * JavaCPP reports only its last attempt ("no jnicudart in java.library.path"), not the missing dependency.
     */
    @SuppressWarnings("restricted") // dlopen of a system library, only to name the missing one
    static String unloadable(String... libraries) {
        StringBuilder missing = new StringBuilder();
        for (String library : libraries) {
            String soname = library.split(" ", 2)[0];
            try (Arena arena = Arena.ofConfined()) {
                SymbolLookup.libraryLookup(soname, arena);
            } catch (IllegalArgumentException | IllegalCallerException e) {
                missing.append(missing.isEmpty() ? "" : ", ").append(library);
            }
        }
        return missing.isEmpty() ? "its dependencies open, so the JNI library itself failed" : "cannot open " + missing;
    }

    /** "cudart 13000, driver 13000": the runtime the presets loaded and the driver's CUDA version. */
    public static String versions() {
        int[] runtime = {0};
        int[] driver = {0};
        cudaRuntimeGetVersion(runtime);
        cudaDriverGetVersion(driver);
        return "cudart " + runtime[0] + ", driver " + driver[0];
    }

    /** The cudaStream_t all launches go to. */
    public CUstream_st stream() {
        return stream;
    }

    /** cudaMalloc of {@code bytes}. */
    public DeviceBuffer allocate(long bytes) {
        Pointer p = new Pointer();
        check(cudart.cudaMalloc(p, bytes), "cudaMalloc(" + bytes + " bytes)");
        return new DeviceBuffer(p, bytes);
    }

    /** Zero bytes, on the stream. */
    public void zero(DeviceBuffer b) {
        check(cudaMemsetAsync(b.pointer(), 0, b.bytes(), stream), "cudaMemsetAsync");
    }

    /** Device-to-device copy of {@code bytes} on the stream: the bandwidth roof's anchor. */
    public void copy(DeviceBuffer dst, DeviceBuffer src, long bytes) {
        check(
                cudaMemcpyAsync(dst.pointer(), src.pointer(), bytes, cudaMemcpyDeviceToDevice, stream),
                "cudaMemcpyAsync");
    }

    public void upload(DeviceBuffer dst, float[] host) {
        try (FloatPointer h = new FloatPointer(host)) {
            transfer(dst.pointer(), h, 4L * host.length, cudaMemcpyHostToDevice);
        }
    }

    public void upload(DeviceBuffer dst, long[] host) {
        try (LongPointer h = new LongPointer(host)) {
            transfer(dst.pointer(), h, 8L * host.length, cudaMemcpyHostToDevice);
        }
    }

    public void upload(DeviceBuffer dst, int[] host) {
        try (IntPointer h = new IntPointer(host)) {
            transfer(dst.pointer(), h, 4L * host.length, cudaMemcpyHostToDevice);
        }
    }

    /** Fills the buffer with uniform floats in [-scale, scale), generated on the host in 64 MiB pieces. */
    public void uploadUniform(DeviceBuffer dst, long seed, float scale) {
        SplittableRandom rnd = new SplittableRandom(seed);
        long n = dst.bytes() / 4;
        try (FloatPointer h = new FloatPointer(Math.min(n, CHUNK))) {
            for (long at = 0; at < n; at += CHUNK) {
                int len = (int) Math.min(CHUNK, n - at);
                for (int i = 0; i < len; i++) {
                    h.put(i, (float) ((rnd.nextDouble() * 2 - 1) * scale));
                }
                Pointer to = new Pointer(dst.pointer()).position(4 * at);
                transfer(to, h, 4L * len, cudaMemcpyHostToDevice);
            }
        }
    }

    public float[] downloadFloats(DeviceBuffer src, int n) {
        try (FloatPointer h = new FloatPointer(n)) {
            transfer(h, src.pointer(), 4L * n, cudaMemcpyDeviceToHost);
            float[] out = new float[n];
            h.get(out);
            return out;
        }
    }

    public long[] downloadLongs(DeviceBuffer src, int n) {
        try (LongPointer h = new LongPointer(n)) {
            transfer(h, src.pointer(), 8L * n, cudaMemcpyDeviceToHost);
            long[] out = new long[n];
            h.get(out);
            return out;
        }
    }

    /** Waits for everything launched on the stream. */
    public void synchronize() {
        check(cudaStreamSynchronize(stream), "cudaStreamSynchronize");
    }

    /**
     * Runs {@code launch} (which enqueues work on {@link #stream()}) between two CUDA events and returns the time the
     * device spent between them, in nanoseconds. Waits for the second event, so the host never runs ahead.
     */
    public double timeNanos(Runnable launch) {
        check(cudaEventRecord(start, stream), "cudaEventRecord");
        launch.run();
        check(cudaEventRecord(stop, stream), "cudaEventRecord");
        check(cudaEventSynchronize(stop), "cudaEventSynchronize");
        check(cudaEventElapsedTime(elapsedMs, start, stop), "cudaEventElapsedTime");
        return elapsedMs.get() * 1e6;
    }

    @Override
    public void close() {
        cudaStreamSynchronize(stream);
        cudaEventDestroy(start);
        cudaEventDestroy(stop);
        cudaStreamDestroy(stream);
        elapsedMs.close();
    }

    private void transfer(Pointer dst, Pointer src, long bytes, int kind) {
        check(cudaMemcpyAsync(dst, src, bytes, kind, stream), "cudaMemcpyAsync");
        synchronize();
    }

    /** Throws IllegalStateException naming the call and the CUDA error when {@code status} is not cudaSuccess. */
    static void check(int status, String call) {
        if (status != cudaSuccess) {
            throw new IllegalStateException(call + " failed: " + errorText(status));
        }
    }

    static String errorText(int status) {
        return cudaGetErrorName(status).getString() + " (" + status + "): "
                + cudaGetErrorString(status).getString();
    }
}
