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
 * Our fused softmax cross-entropy on the GPU (e4j_softmax_xent_cuda: mean loss, the gradient written over the logits
 * in place) at K = 2, 10, 1024, 8192 and 32000 classes, B = 2^26 / K rows (256 MiB of logits, several times the L2).
 * Anchor: the device-to-device copy; the work counted is the fewest bytes the pass must move: the logits read and the
 * gradient written (2·B·K·4) and the int64 targets (B·8).
 *
 * <p>Setup checks 33 rows of the same K against {@link HostReference#softmaxXentMean} (loss and every gradient) before
 * timing. After the first timed call the buffer holds gradients, which are as good logits as any: the pass reads and
 * writes the same bytes.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
        value = 1,
        jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
public class GpuXentBenchmark {
    static final long ELEMENTS = 1L << 26;

    @Param({"2", "10", "1024", "8192", "32000"})
    public int classes;

    private GpuSession gpu;
    private long rows;
    private DeviceBuffer logits;
    private DeviceBuffer targets;
    private DeviceBuffer loss;

    @Setup(Level.Trial)
    public void setup() {
        gpu = GpuSession.open();
        check();
        rows = ELEMENTS / classes;
        logits = gpu.device.allocate(4 * rows * classes);
        gpu.device.uploadUniform(logits, 13, 4f);
        targets = gpu.device.allocate(8 * rows);
        gpu.device.upload(targets, Inputs.indices(14, (int) rows, classes));
        loss = gpu.device.allocate(4);
    }

    private void check() {
        int b = 33;
        float[] z = Inputs.uniform(15, b * classes, 4f);
        long[] t = Inputs.indices(16, b, classes);
        double[] want = HostReference.softmaxXentMean(z, t, b, classes);
        try (DeviceBuffer dz = gpu.device.allocate(4L * z.length);
                DeviceBuffer dt = gpu.device.allocate(8L * b);
                DeviceBuffer dl = gpu.device.allocate(4)) {
            gpu.device.upload(dz, z);
            gpu.device.upload(dt, t);
            gpu.ours.softmaxXentInPlace(dl, dz, dt, b, classes);
            gpu.ours.synchronize();
            HostReference.requireClose(
                    "softmax-CE loss K=" + classes,
                    gpu.device.downloadFloats(dl, 1),
                    new double[] {want[0]},
                    1e-4,
                    1e-6);
            double[] grad = new double[z.length];
            System.arraycopy(want, 1, grad, 0, z.length);
            // gradients are O(1/B): the absolute tolerance scales with 1/B
            HostReference.requireClose(
                    "softmax-CE gradient K=" + classes, gpu.device.downloadFloats(dz, z.length), grad, 1e-4, 1e-6 / b);
        }
    }

    @Benchmark
    public void xent(GpuTime time) {
        gpu.timed(
                time,
                8.0 * rows * classes + 8.0 * rows,
                () -> gpu.ours.softmaxXentInPlace(loss, logits, targets, rows, classes));
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        logits.close();
        targets.close();
        loss.close();
        gpu.close();
    }
}
