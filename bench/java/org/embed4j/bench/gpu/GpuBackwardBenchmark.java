package org.embed4j.bench.gpu;

import java.lang.foreign.MemorySegment;
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
 * Our embedding backward with the SGD step fused in, as a training step runs it: the index sort
 * (e4j_index_sort_cuda) then e4j_embedding_backward_update_cuda launched with U = N (no read-back of the unique
 * count), N = 2^20 int64 indices uniform over V = 2^20 rows of D = 128. Anchor: the device-to-device copy; the work
 * counted is the fewest bytes the step must move: dout (N·D·4) and the indices (N·8) read, each touched row of W read
 * and written (2·U·D·4, U the distinct indices, about 0.63·V here).
 *
 * <p>Setup checks one step on N = 4099, V = 1021, D = 128 (many duplicates) against {@link HostReference#sgdStep}
 * before timing. Each timed call moves W further (lr 1e-4, so it stays finite).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
        value = 1,
        jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
public class GpuBackwardBenchmark {
    static final int N = 1 << 20;
    static final long V = 1L << 20;
    static final int D = 128;

    private GpuSession gpu;
    private MemorySegment sgd;
    private double bytes;
    private Buffers step;

    /** W, dout, indices and the sort's outputs of one problem size. */
    private record Buffers(
            DeviceBuffer w,
            DeviceBuffer dout,
            DeviceBuffer idx,
            DeviceBuffer uniq,
            DeviceBuffer seg,
            DeviceBuffer perm,
            DeviceBuffer numUnique)
            implements AutoCloseable {
        static Buffers allocate(GpuDevice device, long n, long v, long d) {
            return new Buffers(
                    device.allocate(4 * v * d),
                    device.allocate(4 * n * d),
                    device.allocate(8 * n),
                    device.allocate(8 * n),
                    device.allocate(8 * (n + 1)),
                    device.allocate(8 * n),
                    device.allocate(8));
        }

        void run(E4jCuda ours, MemorySegment optim, long n, long v, long d) {
            ours.sort(uniq, seg, perm, numUnique, idx, n, v);
            ours.backwardUpdate(w, dout, uniq, seg, perm, optim, n, v, d);
        }

        @Override
        public void close() {
            for (DeviceBuffer b : new DeviceBuffer[] {w, dout, idx, uniq, seg, perm, numUnique}) {
                b.close();
            }
        }
    }

    @Setup(Level.Trial)
    public void setup() {
        gpu = GpuSession.open();
        sgd = gpu.ours.sgd(1e-4f);
        check();
        step = Buffers.allocate(gpu.device, N, V, D);
        gpu.device.uploadUniform(step.w(), 7, 1f);
        gpu.device.uploadUniform(step.dout(), 8, 1f);
        long[] idx = Inputs.indices(9, N, V);
        gpu.device.upload(step.idx(), idx);
        bytes = 4.0 * N * D + 8.0 * N + 2.0 * Inputs.distinct(idx) * D * 4;
    }

    private void check() {
        int n = 4099;
        int v = 1021;
        float lr = 0.5f;
        float[] w = Inputs.uniform(10, v * D, 1f);
        float[] dout = Inputs.uniform(11, n * D, 1f);
        long[] idx = Inputs.indices(12, n, v);
        try (Buffers b = Buffers.allocate(gpu.device, n, v, D)) {
            gpu.device.upload(b.w(), w);
            gpu.device.upload(b.dout(), dout);
            gpu.device.upload(b.idx(), idx);
            b.run(gpu.ours, gpu.ours.sgd(lr), n, v, D);
            gpu.ours.synchronize();
            HostReference.requireClose(
                    "backward+SGD",
                    gpu.device.downloadFloats(b.w(), v * D),
                    HostReference.sgdStep(w, D, dout, idx, lr),
                    1e-5,
                    1e-5);
        }
    }

    @Benchmark
    public void backwardSgd(GpuTime time) {
        gpu.timed(time, bytes, () -> step.run(gpu.ours, sgd, N, V, D));
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        step.close();
        gpu.close();
    }
}
