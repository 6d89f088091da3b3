package org.embed4j.bench;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.embed4j.backend.Backend;
import org.embed4j.backend.Backends;
import org.embed4j.classify.mlp.TextMlp;
import org.embed4j.nn.CrossEntropyLoss;
import org.embed4j.nn.Init;
import org.embed4j.optim.Adam;
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
 * One training step of the MLP text classifier (TextMlp: EmbeddingBag mean V=10k, D=100 → Linear 100→100 +
 * ReLU → Linear 100→6, softmax cross-entropy, Adam on every parameter): zero_grad, forward, loss, backward, step on
 * a batch of 64 texts of 20 tokens. {@code backend} = cpu (ours, native) or java (the anchor, the reference).
 * Dropout is off so that both backends do identical work.
 *
 * <p>Setup trains 3 steps from the same seed on both backends and requires the losses to agree within float
 * rounding before anything is timed. Score: ms per step; bench/suites/train-step.sh prints the RESULT line.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
        value = 1,
        jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
public class TrainStepBenchmark {
    static final int V = 10_000;
    static final int D = 100;
    static final int HIDDEN = 100;
    static final int CLASSES = 6;
    static final int BATCH = 64;
    static final int TOKENS = 20;
    static final int BATCHES = 16;

    @Param({"cpu", "java"})
    public String backend;

    private Model model;
    private Tensor[] ids;
    private Tensor offsets;
    private Tensor[] targets;
    private int next;

    /** The model, loss and optimizer on one backend. */
    static final class Model implements AutoCloseable {
        final TextMlp mlp;
        final CrossEntropyLoss loss;
        final Adam adam;

        Model(Backend b) {
            Init.manualSeed(1);
            mlp = new TextMlp(V, D, HIDDEN, CLASSES, 0f, b);
            loss = new CrossEntropyLoss(CrossEntropyLoss.Options.defaults(), b);
            adam = new Adam(mlp.parameters(), 1e-2f);
        }

        float step(Tensor ids, Tensor offsets, Tensor targets) {
            adam.zeroGrad();
            loss.forward(mlp.forward(ids, offsets), targets);
            mlp.backward(loss.backward());
            adam.step();
            return loss.item();
        }

        @Override
        public void close() {
            adam.close();
            loss.close();
            mlp.close();
        }
    }

    @Setup(Level.Trial)
    public void setup() {
        SplittableRandom rnd = new SplittableRandom(5);
        ids = new Tensor[BATCHES];
        targets = new Tensor[BATCHES];
        for (int i = 0; i < BATCHES; i++) {
            ids[i] = EmbeddingBenchmark.randomIndices(rnd, BATCH * TOKENS, V);
            long[] t = new long[BATCH];
            for (int j = 0; j < BATCH; j++) {
                t[j] = rnd.nextInt(CLASSES);
            }
            targets[i] = Tensor.of(t);
        }
        long[] off = new long[BATCH];
        for (int j = 0; j < BATCH; j++) {
            off[j] = (long) j * TOKENS;
        }
        offsets = Tensor.of(off);
        try (Model cpu = new Model(Backends.get("cpu"));
                Model ref = new Model(Backends.get("java"))) {
            for (int s = 0; s < 3; s++) {
                float a = cpu.step(ids[s], offsets, targets[s]);
                float b = ref.step(ids[s], offsets, targets[s]);
                if (!(Math.abs(a - b) <= 1e-4 * (1 + Math.abs(b)))) {
                    throw new IllegalStateException(
                            "train step " + s + ": cpu loss " + a + " differs from the Java " + "reference " + b);
                }
            }
        }
        model = new Model(Backends.get(backend));
    }

    @Benchmark
    public float step() {
        int i = next;
        next = (next + 1) % BATCHES;
        return model.step(ids[i], offsets, targets[i]);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        model.close();
        for (int i = 0; i < BATCHES; i++) {
            ids[i].close();
            targets[i].close();
        }
        offsets.close();
    }
}
