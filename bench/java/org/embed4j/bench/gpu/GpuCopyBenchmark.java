package org.embed4j.bench.gpu;

import java.util.Arrays;
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
 * The bandwidth roof of the GPU suite: cudaMemcpyAsync device-to-device of 1 GiB (2^28 floats) through bytedeco's
 * CUDA runtime, timed with CUDA events. Work: the bytes read plus the bytes written (2 GiB), so that its GB/s compare
 * with the bandwidth-bound kernels' (which count bytes the same way).
 *
 * <p>Setup checks one copy (the first 4099 floats come back as uploaded) before timing.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
        value = 1,
        jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
public class GpuCopyBenchmark {
    static final long FLOATS = 1L << 28;

    private GpuSession gpu;
    private DeviceBuffer src;
    private DeviceBuffer dst;
    private Runnable launch;

    @Setup(Level.Trial)
    public void setup() {
        gpu = GpuSession.open();
        src = gpu.device.allocate(4 * FLOATS);
        dst = gpu.device.allocate(4 * FLOATS);
        gpu.device.zero(src);
        float[] head = Inputs.uniform(1, 4099, 1f);
        gpu.device.upload(src, head);
        launch = () -> gpu.device.copy(dst, src, 4 * FLOATS);
        launch.run();
        gpu.device.synchronize();
        if (!Arrays.equals(gpu.device.downloadFloats(dst, head.length), head)) {
            throw new IllegalStateException("cudaMemcpy device-to-device did not copy the uploaded floats");
        }
    }

    @Benchmark
    public void copy(GpuTime time) {
        gpu.timed(time, 2.0 * 4 * FLOATS, launch);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        src.close();
        dst.close();
        gpu.close();
    }
}
