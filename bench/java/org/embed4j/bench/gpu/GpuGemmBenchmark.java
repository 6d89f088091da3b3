package org.embed4j.bench.gpu;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * FP32 GEMM on the GPU, 4096^3, row-major, no transposes: ours (e4j_gemm_cuda, SIMT) vs cuBLAS cublasSgemm without
 * TF32 ({@link CublasGemm}), on the same stream, operands and output. Work: 2·M·N·K floating-point operations.
 *
 * <p>Setup checks both on M = 257, N = 129, K = 65 against {@link HostReference#gemm} (double) before timing. The
 * cuBLAS benchmark fails its setup, with the reason, when libcublas.so.13 does not load; ours still runs.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
        value = 1,
        jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
public class GpuGemmBenchmark {
    static final int SIZE = 4096;

    private GpuSession gpu;
    private DeviceBuffer a;
    private DeviceBuffer b;
    private DeviceBuffer c;

    @Setup(Level.Trial)
    public void setup() {
        gpu = GpuSession.open();
        check("ours", (m, n, k, x, y, z) -> gpu.ours.gemm(m, n, k, x, y, z));
        a = gpu.device.allocate(4L * SIZE * SIZE);
        b = gpu.device.allocate(4L * SIZE * SIZE);
        c = gpu.device.allocate(4L * SIZE * SIZE);
        gpu.device.uploadUniform(a, 17, 1f);
        gpu.device.uploadUniform(b, 18, 1f);
    }

    /** The cuBLAS anchor, opened only by the benchmark that times it. */
    @State(Scope.Benchmark)
    public static class Cublas {
        CublasGemm gemm;

        @Setup(Level.Trial)
        public void setup(GpuGemmBenchmark bench) {
            gemm = new CublasGemm(bench.gpu.device);
            bench.check("cuBLAS " + gemm.version(), (m, n, k, x, y, z) -> gemm.sgemm(m, n, k, x, y, z));
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            gemm.close();
        }
    }

    /** One of the two GEMMs, row-major C(M,N) = A(M,K) B(K,N). */
    interface Gemm {
        void run(int m, int n, int k, DeviceBuffer a, DeviceBuffer b, DeviceBuffer c);
    }

    void check(String who, Gemm gemm) {
        int m = 257;
        int n = 129;
        int k = 65;
        float[] x = Inputs.uniform(19, m * k, 1f);
        float[] y = Inputs.uniform(20, k * n, 1f);
        try (DeviceBuffer dx = gpu.device.allocate(4L * x.length);
                DeviceBuffer dy = gpu.device.allocate(4L * y.length);
                DeviceBuffer dz = gpu.device.allocate(4L * m * n)) {
            gpu.device.upload(dx, x);
            gpu.device.upload(dy, y);
            gemm.run(m, n, k, dx, dy, dz);
            gpu.ours.synchronize();
            HostReference.requireClose(
                    who + " gemm 257x129x65",
                    gpu.device.downloadFloats(dz, m * n),
                    HostReference.gemm(x, y, m, n, k),
                    1e-4,
                    1e-4);
        }
    }

    @Benchmark
    public void gemmOurs(GpuTime time) {
        gpu.timed(time, 2.0 * SIZE * SIZE * SIZE, () -> gpu.ours.gemm(SIZE, SIZE, SIZE, a, b, c));
    }

    @Benchmark
    public void gemmCublas(Cublas cublas, GpuTime time) {
        gpu.timed(time, 2.0 * SIZE * SIZE * SIZE, () -> cublas.gemm.sgemm(SIZE, SIZE, SIZE, a, b, c));
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        a.close();
        b.close();
        c.close();
        gpu.close();
    }
}
