package org.embed4j.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.embed4j.vectors.WordVectors;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * What the close guarantee costs on the smallest calls a service makes: every {@link WordVectors} call enters and
 * leaves the model's scope (a striped in-flight count and a closed flag) so that close can wait for it. Cases, each
 * against an anchor doing the same work without the scope, in the same JVM:
 * <ul>
 *   <li>{@code row}: {@code vector(row, out, 0)}, a 100-float row copied from a 100k×100 off-heap matrix; anchor: the
 *       same bounds checks and copy from a plain off-heap segment.</li>
 *   <li>{@code word}: {@code vector(word, out, 0)}, a hash lookup then the copy; anchor: a {@code HashMap} lookup
 *       then the copy.</li>
 * </ul>
 * Run it with {@code -t 1} and {@code -t <cores>}: the in-flight count is per thread-id stripe, so threads on
 * different cores should not slow each other. Setup checks that both sides copy the same floats. Score: ns per call.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(
        value = 1,
        jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
public class ModelScopeBenchmark {
    private static final int WORDS = 100_000;
    private static final int DIM = 100;
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED;

    private WordVectors vectors;
    private Arena arena;
    private MemorySegment plain;
    private Map<String, Integer> plainIndex;
    private String[] words;

    /** One thread's output row and position in the query sequence. */
    @State(Scope.Thread)
    public static class Caller {
        final float[] out = new float[DIM];
        int nextWord;
        int nextRow;
    }

    @Setup(Level.Trial)
    @SuppressWarnings("MustBeClosedChecker") // the arena lives for the trial and is closed in @TearDown
    public void setup() {
        SplittableRandom r = new SplittableRandom(11);
        float[] data = new float[WORDS * DIM];
        for (int i = 0; i < data.length; i++) {
            data[i] = (float) r.nextGaussian();
        }
        List<String> vocab = new ArrayList<>(WORDS);
        plainIndex = HashMap.newHashMap(WORDS);
        for (int i = 0; i < WORDS; i++) {
            vocab.add("w" + i);
            plainIndex.put("w" + i, i);
        }
        vectors = WordVectors.of(vocab, data, DIM);
        arena = Arena.ofShared();
        plain = arena.allocate((long) data.length * Float.BYTES, 64);
        MemorySegment.copy(data, 0, plain, F32, 0, data.length);
        words = new String[1024];
        for (int i = 0; i < words.length; i++) {
            words[i] = "w" + r.nextInt(WORDS);
        }
        Caller a = new Caller();
        Caller b = new Caller();
        for (int i = 0; i < 2 * words.length; i++) {
            row_ours(a);
            row_anchor(b);
            if (!Arrays.equals(a.out, b.out)) {
                throw new IllegalStateException("row " + i + ": the guarded and the plain copy differ");
            }
            word_ours(a);
            word_anchor(b);
            if (!Arrays.equals(a.out, b.out)) {
                throw new IllegalStateException("word " + i + ": the guarded and the plain lookup differ");
            }
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        vectors.close();
        arena.close();
    }

    private String word(Caller c) {
        return words[c.nextWord++ & (words.length - 1)]; // the mask keeps an overflowed counter in range
    }

    private static int row(Caller c) {
        int row = c.nextRow;
        c.nextRow = (row + 7919) % WORDS; // a stride that visits every row, far apart
        return row;
    }

    @Benchmark
    public float[] row_ours(Caller c) {
        vectors.vector(row(c), c.out, 0);
        return c.out;
    }

    @Benchmark
    public float[] row_anchor(Caller c) {
        copyPlain(row(c), c.out);
        return c.out;
    }

    @Benchmark
    public float[] word_ours(Caller c) {
        vectors.vector(word(c), c.out, 0);
        return c.out;
    }

    @Benchmark
    public float[] word_anchor(Caller c) {
        copyPlain(plainIndex.get(word(c)), c.out);
        return c.out;
    }

    private void copyPlain(int row, float[] out) {
        Objects.checkIndex(row, WORDS);
        Objects.checkFromIndexSize(0, DIM, out.length);
        MemorySegment.copy(plain, F32, (long) row * DIM * Float.BYTES, out, 0, DIM);
    }
}
