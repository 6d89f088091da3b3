package org.embed4j.bench;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.T_TensorTensorTensorTensor_T;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.embed4j.backend.Backend;
import org.embed4j.backend.Backends;
import org.embed4j.backend.BagMode;
import org.embed4j.backend.OptimStep;
import org.embed4j.backend.SortedIndices;
import org.embed4j.tensor.DType;
import org.embed4j.tensor.Tensor;
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
import org.openjdk.jmh.infra.Blackhole;

/**
 * nn.Embedding's three hot paths on a 1M×128 F32 table with 100k uniformly random indices: gather (forward),
 * EmbeddingBag over bags of 20 (mean, also sum and max against libtorch), and backward fused with an SGD step. Ours = the native CPU backend
 * (Backends.get("cpu")); anchors, on the same memory in the same JVM: libtorch CPU (torch.embedding,
 * torch.embedding_bag, torch.embedding_dense_backward + weight.add_(grad, -lr), which is what PyTorch does for
 * nn.Embedding(sparse=False) with SGD) and the Java reference backend. A STREAM-style copy (CopyBenchmark, run by the same
 * suite) gives the machine's bandwidth roof.
 *
 * <p>Setup checks ours against the Java reference (gather and bag max with its argmax bit-exact, bag sum and mean and
 * the fused update within float rounding) and libtorch against ours before anything is timed. Score: µs per call; bench/suites/embedding.sh
 * turns it into effective GB/s (bytes a kernel must move at least) and prints the RESULT lines.
 * Threads: -Dembed4j.threads for ours, libtorch and the copy alike; the Java reference is single-threaded.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
        value = 1,
        jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Xmx2g"})
public class EmbeddingBenchmark {
    static final int V = 1_000_000;
    static final int D = 128;
    static final int N = 100_000;
    static final int BAG = 20;
    static final int B = N / BAG;
    static final float LR = 1e-4f;

    static int threads() {
        return Integer.getInteger("embed4j.threads", Runtime.getRuntime().availableProcessors());
    }

    /** The table, indices and buffers every case shares, and the two embed4j backends. */
    @State(Scope.Benchmark)
    public static class Data {
        Backend cpu;
        Backend java;
        Tensor weight;
        Tensor indices;
        Tensor offsets;
        Tensor out;
        Tensor bagOut;
        Tensor argmax;
        Tensor dOut;

        @Setup(Level.Trial)
        public void setup() {
            cpu = Backends.get("cpu");
            java = Backends.get("java");
            SplittableRandom rnd = new SplittableRandom(7);
            weight = random(rnd, 1f, V, D);
            dOut = random(rnd, 0.01f, N, D);
            long[] idx = new long[N];
            for (int i = 0; i < N; i++) {
                idx[i] = rnd.nextInt(V);
            }
            indices = Tensor.of(idx);
            long[] off = new long[B + 1];
            for (int b = 0; b <= B; b++) {
                off[b] = (long) b * BAG;
            }
            offsets = Tensor.of(off);
            out = Tensor.allocate(DType.F32, N, D);
            bagOut = Tensor.allocate(DType.F32, B, D);
            argmax = Tensor.allocate(DType.I64, B, D);
            checkAgainstReference();
        }

        /** Ours vs the Java reference before timing: gather and bag max bit-exact, the rest within rounding. */
        private void checkAgainstReference() {
            try (Tensor ref = Tensor.allocate(DType.F32, N, D);
                    Tensor refBag = Tensor.allocate(DType.F32, B, D)) {
                cpu.gather(out, weight, indices);
                java.gather(ref, weight, indices);
                if (out.segment().mismatch(ref.segment()) != -1) {
                    throw new IllegalStateException("cpu gather differs from the Java reference");
                }
                for (BagMode mode : BagMode.values()) { // sum, mean within rounding; max exactly, argmax too
                    try (Tensor refArgmax = Tensor.allocate(DType.I64, B, D)) {
                        Tensor am = mode == BagMode.MAX ? argmax : null;
                        cpu.embeddingBagForward(bagOut, am, weight, indices, offsets, null, mode, -1);
                        java.embeddingBagForward(
                                refBag,
                                mode == BagMode.MAX ? refArgmax : null,
                                weight,
                                indices,
                                offsets,
                                null,
                                mode,
                                -1);
                        requireClose("bag " + mode, bagOut, refBag, mode == BagMode.MAX ? 0 : 1e-6);
                        if (am != null && am.segment().mismatch(refArgmax.segment()) != -1) {
                            throw new IllegalStateException("cpu bag max argmax differs from the Java reference");
                        }
                    }
                }
            }
            // Fused update on a small table: both backends from the same start must agree.
            SplittableRandom rnd = new SplittableRandom(3);
            try (Tensor w1 = random(rnd, 1f, 1000, 16);
                    Tensor w2 = Tensor.allocate(DType.F32, 1000, 16);
                    Tensor g = random(rnd, 1f, 5000, 16);
                    Tensor idx = randomIndices(rnd, 5000, 1000)) {
                java.copy(w2, w1);
                try (SortedIndices s1 = cpu.sortIndices(idx, 1000, -1);
                        SortedIndices s2 = java.sortIndices(idx, 1000, -1)) {
                    cpu.embeddingBackwardUpdate(w1, null, null, g, s1, false, OptimStep.sgd(0.1f));
                    java.embeddingBackwardUpdate(w2, null, null, g, s2, false, OptimStep.sgd(0.1f));
                }
                requireClose("fused SGD update", w1, w2, 1e-5);
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            weight.close();
            dOut.close();
            indices.close();
            offsets.close();
            out.close();
            bagOut.close();
            argmax.close();
        }
    }

    /** libtorch over the same memory (from_blob: no copies), checked against ours. */
    @State(Scope.Benchmark)
    public static class Torch {
        org.bytedeco.pytorch.Tensor weight;
        org.bytedeco.pytorch.Tensor indices;
        org.bytedeco.pytorch.Tensor offsets;
        org.bytedeco.pytorch.Tensor dOut;
        Scalar minusLr;

        @Setup(Level.Trial)
        @SuppressWarnings("restricted") // libtorch's result, read for the byte size of our output of the same shape
        public void setup(Data d) {
            Loader.load(torch.class);
            torch.set_num_threads(threads());
            weight = floats(d.weight, V, D);
            dOut = floats(d.dOut, N, D);
            indices = longs(d.indices, N);
            offsets = longs(d.offsets, B + 1);
            minusLr = new Scalar(-LR);
            d.cpu.gather(d.out, d.weight, d.indices);
            try (org.bytedeco.pytorch.Tensor t = torch.embedding(weight, indices)) {
                MemorySegment got =
                        MemorySegment.ofAddress(t.data_ptr().address()).reinterpret(d.out.byteSize());
                if (got.mismatch(d.out.segment()) != -1) {
                    throw new IllegalStateException("torch.embedding differs from the cpu gather");
                }
            }
            d.cpu.embeddingBagForward(d.bagOut, null, d.weight, d.indices, d.offsets, null, BagMode.MEAN, -1);
            try (T_TensorTensorTensorTensor_T r = bag();
                    org.bytedeco.pytorch.Tensor mean = r.get0()) {
                MemorySegment got =
                        MemorySegment.ofAddress(mean.data_ptr().address()).reinterpret(d.bagOut.byteSize());
                for (long i = 0; i < (long) B * D; i++) {
                    float a = got.getAtIndex(ValueLayout.JAVA_FLOAT, i);
                    float b = d.bagOut.getFloat(i);
                    if (Math.abs(a - b) > 1e-5 * (1 + Math.abs(b))) {
                        throw new IllegalStateException(
                                "torch.embedding_bag mean differs at " + i + ": " + a + " vs " + b);
                    }
                }
            }
        }

        T_TensorTensorTensorTensor_T bag() {
            return bag(1);
        }

        /** mode 0 sum, 1 mean, 2 max; include_last_offset = true (offsets has B+1 entries, as ours) */
        T_TensorTensorTensorTensor_T bag(int mode) {
            return torch.embedding_bag(weight, indices, offsets, false, mode, false, new TensorOptional(), true);
        }

        private static org.bytedeco.pytorch.Tensor floats(Tensor t, long... shape) {
            FloatPointer p = new FloatPointer(
                    t.segment().asByteBuffer().order(ByteOrder.nativeOrder()).asFloatBuffer());
            return torch.from_blob(p, shape, new TensorOptions(torch.ScalarType.Float));
        }

        private static org.bytedeco.pytorch.Tensor longs(Tensor t, long... shape) {
            LongPointer p = new LongPointer(
                    t.segment().asByteBuffer().order(ByteOrder.nativeOrder()).asLongBuffer());
            return torch.from_blob(p, shape, new TensorOptions(torch.ScalarType.Long));
        }
    }

    // ------------------------------------------------------------------ gather

    @Benchmark
    public void gather_ours(Data d) {
        d.cpu.gather(d.out, d.weight, d.indices);
    }

    @Benchmark
    public void gather_java(Data d) {
        d.java.gather(d.out, d.weight, d.indices);
    }

    @Benchmark
    public void gather_torch(Torch t, Blackhole bh) {
        try (org.bytedeco.pytorch.Tensor r = torch.embedding(t.weight, t.indices)) {
            bh.consume(r.data_ptr().address());
        }
    }

    // ------------------------------------------------------------------ bag mean

    @Benchmark
    public void bag_ours(Data d) {
        d.cpu.embeddingBagForward(d.bagOut, null, d.weight, d.indices, d.offsets, null, BagMode.MEAN, -1);
    }

    @Benchmark
    public void bag_java(Data d) {
        d.java.embeddingBagForward(d.bagOut, null, d.weight, d.indices, d.offsets, null, BagMode.MEAN, -1);
    }

    @Benchmark
    public void bag_torch(Torch t, Blackhole bh) {
        try (T_TensorTensorTensorTensor_T r = t.bag();
                org.bytedeco.pytorch.Tensor mean = r.get0()) {
            bh.consume(mean.data_ptr().address());
        }
    }

    // ------------------------------------------------------------------ bag sum and max (anchor: libtorch)

    @Benchmark
    public void bag_sum_ours(Data d) {
        d.cpu.embeddingBagForward(d.bagOut, null, d.weight, d.indices, d.offsets, null, BagMode.SUM, -1);
    }

    @Benchmark
    public void bag_sum_torch(Torch t, Blackhole bh) {
        try (T_TensorTensorTensorTensor_T r = t.bag(0);
                org.bytedeco.pytorch.Tensor sum = r.get0()) {
            bh.consume(sum.data_ptr().address());
        }
    }

    @Benchmark
    public void bag_max_ours(Data d) {
        d.cpu.embeddingBagForward(d.bagOut, d.argmax, d.weight, d.indices, d.offsets, null, BagMode.MAX, -1);
    }

    @Benchmark
    public void bag_max_torch(Torch t, Blackhole bh) {
        try (T_TensorTensorTensorTensor_T r = t.bag(2);
                org.bytedeco.pytorch.Tensor max = r.get0()) {
            bh.consume(max.data_ptr().address());
        }
    }

    // ------------------------------------------------------------------ backward + SGD

    @Benchmark
    public void update_ours(Data d) {
        try (SortedIndices s = d.cpu.sortIndices(d.indices, V, -1)) {
            d.cpu.embeddingBackwardUpdate(d.weight, null, null, d.dOut, s, false, OptimStep.sgd(LR));
        }
    }

    @Benchmark
    public void update_java(Data d) {
        try (SortedIndices s = d.java.sortIndices(d.indices, V, -1)) {
            d.java.embeddingBackwardUpdate(d.weight, null, null, d.dOut, s, false, OptimStep.sgd(LR));
        }
    }

    @Benchmark
    public void update_torch(Torch t) {
        try (org.bytedeco.pytorch.Tensor g = torch.embedding_dense_backward(t.dOut, t.indices, V, -1, false)) {
            t.weight.add_(g, t.minusLr);
        }
    }

    // ------------------------------------------------------------------ helpers

    static Tensor random(SplittableRandom rnd, float scale, long... shape) {
        Tensor t = Tensor.allocate(DType.F32, shape);
        float[] chunk = new float[1 << 16];
        MemorySegment s = t.segment();
        for (long i = 0; i < t.numel(); i += chunk.length) {
            int n = (int) Math.min(chunk.length, t.numel() - i);
            for (int j = 0; j < n; j++) {
                chunk[j] = (float) (rnd.nextDouble() * 2 - 1) * scale;
            }
            MemorySegment.copy(chunk, 0, s, ValueLayout.JAVA_FLOAT, i * 4, n);
        }
        return t;
    }

    static Tensor randomIndices(SplittableRandom rnd, int n, int v) {
        long[] idx = new long[n];
        for (int i = 0; i < n; i++) {
            idx[i] = rnd.nextInt(v);
        }
        return Tensor.of(idx);
    }

    static void requireClose(String what, Tensor got, Tensor want, double tol) {
        for (long i = 0; i < got.numel(); i++) {
            float a = got.getFloat(i);
            float b = want.getFloat(i);
            if (!(Math.abs(a - b) <= tol * (1 + Math.abs(b)))) {
                throw new IllegalStateException(
                        what + " differs from the Java reference at " + i + ": " + a + " vs " + b);
            }
        }
    }
}
