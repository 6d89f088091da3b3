package org.embed4j.bench;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.embed4j.backend.Backend;
import org.embed4j.backend.Backends;
import org.embed4j.backend.Reduction;
import org.embed4j.tensor.DType;
import org.embed4j.tensor.Tensor;
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
 * Fused softmax cross-entropy (loss and dlogits in one pass, mean reduction): the native CPU backend (ours) vs the
 * Java reference (anchor), on the classifier shapes of the project: binary/sentiment (K=2), topics (K=10),
 * a 1000-class head, and a 32000-class vocabulary head. A STREAM-style copy is the
 * bandwidth roof (CopyBenchmark, run by the same suite): the kernel must at least read B·K logits and write B·K
 * gradients.
 *
 * <p>Setup checks ours against the reference (loss and every gradient within float rounding) before timing.
 * Score: µs per call; bench/suites/xent.sh turns it into effective GB/s and prints the RESULT lines.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
        value = 1,
        jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
public class XentBenchmark {

    /** bB_kK: a batch of B rows of K classes. */
    @Param({"b65536_k2", "b65536_k10", "b4096_k1000", "b256_k32000"})
    public String shape;

    private Backend cpu;
    private Backend java;
    private Tensor logits;
    private Tensor targets;
    private Tensor loss;
    private Tensor dLogits;

    @Setup(Level.Trial)
    public void setup() {
        String[] p = shape.split("_");
        int b = Integer.parseInt(p[0].substring(1));
        int k = Integer.parseInt(p[1].substring(1));
        cpu = Backends.get("cpu");
        java = Backends.get("java");
        SplittableRandom rnd = new SplittableRandom(11);
        logits = EmbeddingBenchmark.random(rnd, 4f, b, k);
        long[] t = new long[b];
        for (int i = 0; i < b; i++) {
            t[i] = rnd.nextInt(k);
        }
        targets = Tensor.of(t);
        loss = Tensor.allocate(DType.F32, 1);
        dLogits = Tensor.allocate(DType.F32, b, k);
        try (Tensor refLoss = Tensor.allocate(DType.F32, 1);
                Tensor refGrad = Tensor.allocate(DType.F32, b, k)) {
            cpu.softmaxXent(loss, dLogits, logits, targets, null, -100, 0f, Reduction.MEAN);
            java.softmaxXent(refLoss, refGrad, logits, targets, null, -100, 0f, Reduction.MEAN);
            EmbeddingBenchmark.requireClose("xent loss " + shape, loss, refLoss, 1e-5);
            // Gradients are O(1/B): compare relative to 1/B, not to 1.
            float scale = b;
            for (long i = 0; i < dLogits.numel(); i++) {
                float x = dLogits.getFloat(i) * scale;
                float y = refGrad.getFloat(i) * scale;
                if (!(Math.abs(x - y) <= 1e-4 * (1 + Math.abs(y)))) {
                    throw new IllegalStateException("xent " + shape + " dlogits differ from the Java reference at " + i
                            + ": " + dLogits.getFloat(i) + " vs " + refGrad.getFloat(i));
                }
            }
        }
    }

    @Benchmark
    public void ours() {
        cpu.softmaxXent(loss, dLogits, logits, targets, null, -100, 0f, Reduction.MEAN);
    }

    @Benchmark
    public void anchor() {
        java.softmaxXent(loss, dLogits, logits, targets, null, -100, 0f, Reduction.MEAN);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        logits.close();
        targets.close();
        loss.close();
        dLogits.close();
    }
}
