package org.embed4j.bench.gpu;

import java.util.SplittableRandom;
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
 * Our word2vec skip-gram with negative sampling on the GPU (e4j_w2v_train_chunk_cuda): one chunk of T = 10^7 tokens
 * drawn from a Zipf(1.1) law over V = 100,000 words, D = 128, window 5, 5 negatives from a unigram^0.75 table of
 * 10^6 entries, lr 0.025 to 0.0001. No anchor runs in this JVM; the work counted is the words of the chunk.
 *
 * <p>The kernel is Hogwild (rows shared between warps are updated without locks), so there is no bit reference:
 * setup checks that on a small chunk (V = 1000, T = 200,000, D = 32) the loss per pair is finite, the pair count is
 * positive, and the loss falls from the first pass to the third, before timing.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
        value = 1,
        jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
public class GpuWord2VecBenchmark {
    static final int V = 100_000;
    static final int D = 128;
    static final int T = 10_000_000;
    static final int TABLE = 1_000_000;
    static final int WINDOW = 5;
    static final int NEGATIVE = 5;

    private GpuSession gpu;
    private Model model;
    private long seed;

    /** The device side of one training problem: both matrices, the tokens, the negative table, the counters. */
    private record Model(
            DeviceBuffer win,
            DeviceBuffer wout,
            DeviceBuffer tokens,
            DeviceBuffer table,
            DeviceBuffer loss,
            DeviceBuffer pairs,
            int v,
            int d,
            int t)
            implements AutoCloseable {
        static Model create(GpuDevice device, int v, int d, int t, long seed) {
            int[] tokens = zipf(seed, t, v);
            Model m = new Model(
                    device.allocate(4L * v * d),
                    device.allocate(4L * v * d),
                    device.allocate(4L * t),
                    device.allocate(4L * TABLE),
                    device.allocate(8),
                    device.allocate(8),
                    v,
                    d,
                    t);
            device.upload(m.win, Inputs.uniform(seed + 1, v * d, 0.5f / d));
            device.zero(m.wout);
            device.upload(m.tokens, tokens);
            device.upload(m.table, unigramTable(tokens, v));
            return m;
        }

        void train(E4jCuda ours, long chunkSeed) {
            ours.sgns(
                    win, wout, loss, pairs, chunkSeed, tokens, t, table, TABLE, WINDOW, NEGATIVE, 0.025f, 1e-4f, v, d);
        }

        /** Loss per pair since the counters were last zeroed. */
        double lossPerPair(GpuDevice device) {
            double sum = Double.longBitsToDouble(device.downloadLongs(loss, 1)[0]);
            long count = device.downloadLongs(pairs, 1)[0];
            if (count <= 0 || !Double.isFinite(sum)) {
                throw new IllegalStateException("word2vec chunk: loss sum " + sum + " over " + count + " pairs");
            }
            return sum / count;
        }

        void zeroCounters(GpuDevice device) {
            device.zero(loss);
            device.zero(pairs);
        }

        @Override
        public void close() {
            for (DeviceBuffer b : new DeviceBuffer[] {win, wout, tokens, table, loss, pairs}) {
                b.close();
            }
        }
    }

    @Setup(Level.Trial)
    public void setup() {
        gpu = GpuSession.open();
        check();
        model = Model.create(gpu.device, V, D, T, 21);
        model.zeroCounters(gpu.device);
    }

    private void check() {
        try (Model small = Model.create(gpu.device, 1000, 32, 200_000, 22)) {
            double[] loss = new double[3];
            for (int pass = 0; pass < loss.length; pass++) {
                small.zeroCounters(gpu.device);
                small.train(gpu.ours, 100 + pass);
                gpu.ours.synchronize();
                loss[pass] = small.lossPerPair(gpu.device);
            }
            if (!(loss[2] < loss[0])) {
                throw new IllegalStateException(
                        "word2vec SGNS does not learn: loss per pair " + loss[0] + ", " + loss[1] + ", " + loss[2]);
            }
        }
    }

    @Benchmark
    public void sgns(GpuTime time) {
        long chunkSeed = ++seed;
        gpu.timed(time, T, () -> model.train(gpu.ours, chunkSeed));
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        gpu.ours.synchronize();
        model.lossPerPair(gpu.device);
        model.close();
        gpu.close();
    }

    /** t token ids with P(id = r) proportional to 1 / (r + 1)^1.1. */
    static int[] zipf(long seed, int t, int v) {
        double[] cdf = new double[v];
        double sum = 0;
        for (int r = 0; r < v; r++) {
            sum += Math.pow(r + 1, -1.1);
            cdf[r] = sum;
        }
        SplittableRandom rnd = new SplittableRandom(seed);
        int[] out = new int[t];
        for (int i = 0; i < t; i++) {
            int at = java.util.Arrays.binarySearch(cdf, rnd.nextDouble() * sum);
            out[i] = Math.min(v - 1, at >= 0 ? at : -at - 1);
        }
        return out;
    }

    /** word2vec's negative-sampling table: ids laid out in proportion to count^0.75. */
    static int[] unigramTable(int[] tokens, int v) {
        long[] counts = new long[v];
        for (int id : tokens) {
            counts[id]++;
        }
        double total = 0;
        for (long c : counts) {
            total += Math.pow(c, 0.75);
        }
        int[] table = new int[TABLE];
        int id = 0;
        double reach = Math.pow(counts[0], 0.75) / total;
        for (int i = 0; i < TABLE; i++) {
            table[i] = id;
            if ((i + 1) / (double) TABLE > reach && id < v - 1) {
                id++;
                reach += Math.pow(counts[id], 0.75) / total;
            }
        }
        return table;
    }
}
