package org.embed4j.bench.gpu;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Our embedding forward kernels on the GPU: gather (e4j_gather_forward_cuda) and embedding_bag sum / mean
 * (e4j_embedding_bag_forward_cuda), V = 2^20 rows of D floats, int64 indices uniform over V; N = 2^21 lookups at
 * D = 128 and 2^20 at D = 256 (1 GiB of output either way), bags of 64. Their anchor is the device-to-device copy
 * ({@link GpuCopyBenchmark}): the work counted is the fewest bytes each must move (gather: N·D·4 read + N·D·4
 * written + N·8 of indices; bag: N·D·4 read + B·D·4 written + N·8).
 *
 * <p>Setup checks each kernel on V = 1021, N = 4099 (ragged bags, empty ones included) against {@link HostReference}
 * before timing: gather bit-exact, bags within float rounding.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
        value = 1,
        jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
public class GpuEmbeddingBenchmark {
    static final long V = 1L << 20;
    static final int BAG = 64;

    @Param({"128", "256"})
    public int dim;

    private GpuSession gpu;
    private long n;
    private long bags;
    private DeviceBuffer w;
    private DeviceBuffer idx;
    private DeviceBuffer offsets;
    private DeviceBuffer out;
    private DeviceBuffer bagOut;

    @Setup(Level.Trial)
    public void setup() {
        gpu = GpuSession.open();
        check();
        n = dim == 128 ? 1L << 21 : 1L << 20;
        bags = n / BAG;
        w = gpu.device.allocate(4 * V * dim);
        gpu.device.uploadUniform(w, 2, 1f);
        idx = gpu.device.allocate(8 * n);
        gpu.device.upload(idx, Inputs.indices(3, (int) n, V));
        offsets = gpu.device.allocate(8 * (bags + 1));
        gpu.device.upload(offsets, Inputs.fixedBags((int) n, BAG));
        out = gpu.device.allocate(4 * n * dim);
        bagOut = gpu.device.allocate(4 * bags * dim);
    }

    /** Gather and both bag modes on a small awkward case against the Java reference. */
    private void check() {
        int v = 1021;
        int count = 4099;
        float[] hostW = Inputs.uniform(5, v * dim, 1f);
        long[] hostIdx = Inputs.indices(6, count, v);
        long[] hostOffsets = Inputs.ragged(count, 9);
        int b = hostOffsets.length - 1;
        try (DeviceBuffer dw = gpu.device.allocate(4L * hostW.length);
                DeviceBuffer di = gpu.device.allocate(8L * count);
                DeviceBuffer doff = gpu.device.allocate(8L * hostOffsets.length);
                DeviceBuffer dout = gpu.device.allocate(4L * count * dim);
                DeviceBuffer dbag = gpu.device.allocate(4L * b * dim)) {
            gpu.device.upload(dw, hostW);
            gpu.device.upload(di, hostIdx);
            gpu.device.upload(doff, hostOffsets);
            gpu.ours.gather(dout, dw, di, count, v, dim);
            gpu.ours.synchronize();
            HostReference.requireClose(
                    "gather D=" + dim,
                    gpu.device.downloadFloats(dout, count * dim),
                    HostReference.gather(hostW, dim, hostIdx),
                    0,
                    0);
            for (int mode : new int[] {E4jCuda.BAG_SUM, E4jCuda.BAG_MEAN}) {
                gpu.ours.bag(dbag, dw, di, doff, mode, count, b, v, dim);
                gpu.ours.synchronize();
                HostReference.requireClose(
                        "embedding_bag " + (mode == E4jCuda.BAG_SUM ? "sum" : "mean") + " D=" + dim,
                        gpu.device.downloadFloats(dbag, b * dim),
                        HostReference.bag(hostW, dim, hostIdx, hostOffsets, mode == E4jCuda.BAG_MEAN),
                        1e-5,
                        1e-5);
            }
        }
    }

    @Benchmark
    public void gather(GpuTime time) {
        gpu.timed(time, 8.0 * n * dim + 8.0 * n, () -> gpu.ours.gather(out, w, idx, n, V, dim));
    }

    @Benchmark
    public void bagSum(GpuTime time) {
        gpu.timed(time, bagBytes(), () -> gpu.ours.bag(bagOut, w, idx, offsets, E4jCuda.BAG_SUM, n, bags, V, dim));
    }

    @Benchmark
    public void bagMean(GpuTime time) {
        gpu.timed(time, bagBytes(), () -> gpu.ours.bag(bagOut, w, idx, offsets, E4jCuda.BAG_MEAN, n, bags, V, dim));
    }

    private double bagBytes() {
        return 4.0 * n * dim + 4.0 * bags * dim + 8.0 * n;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        for (DeviceBuffer b : new DeviceBuffer[] {w, idx, offsets, out, bagOut}) {
            b.close();
        }
        gpu.close();
    }
}
