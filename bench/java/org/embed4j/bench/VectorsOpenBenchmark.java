package org.embed4j.bench;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.embed4j.vectors.Neighbor;
import org.embed4j.vectors.VectorsFormat;
import org.embed4j.vectors.VectorsIO;
import org.embed4j.vectors.WordVectors;
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
 * Time to open a 1M×300 word-vector model: our memory-mapped native format (.e4jv) against reading the same
 * vectors from word2vec's binary format (the anchor, the format every other tool loads). Cases:
 * {@code open} (ready for lookups) and {@code openNearest} (open, then the 10 nearest neighbours of one word,
 * which touches the whole matrix once). Both files stay in the page cache between runs (warm cache for both).
 *
 * <p>The files are generated once in {@code -Dvectors.dir} (default /tmp/embed4j-vectors-bench): random floats
 * written as word2vec binary by a minimal writer here, then converted to .e4jv by {@link VectorsIO}. Setup checks
 * that both files give the same vectors and neighbours before anything is timed. Score: ms per single shot.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 1)
@Measurement(iterations = 5)
@Fork(
        value = 1,
        jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Xmx3g"})
public class VectorsOpenBenchmark {
    static final int WORDS = Integer.getInteger("vectors.words", 1_000_000);
    static final int DIM = Integer.getInteger("vectors.dim", 300);
    static final String QUERY = "w" + (WORDS / 2);

    private Path bin;
    private Path nat;

    @Setup(Level.Trial)
    public void setup() throws IOException {
        Path dir = Path.of(System.getProperty("vectors.dir", "/tmp/embed4j-vectors-bench"));
        Files.createDirectories(dir);
        bin = dir.resolve("v" + WORDS + "x" + DIM + ".bin");
        nat = dir.resolve("v" + WORDS + "x" + DIM + ".e4jv");
        if (!Files.exists(bin)) {
            writeWord2VecBinary(bin);
        }
        if (!Files.exists(nat)) {
            VectorsIO.write(VectorsIO.read(bin, VectorsFormat.WORD2VEC_BINARY), nat, VectorsFormat.NATIVE);
        }
        WordVectors a = VectorsIO.read(nat, VectorsFormat.NATIVE);
        WordVectors b = VectorsIO.read(bin, VectorsFormat.WORD2VEC_BINARY);
        if (a.size() != WORDS
                || !Arrays.equals(a.vector(QUERY), b.vector(QUERY))
                || !Arrays.equals(a.vector(WORDS - 1), b.vector(WORDS - 1))
                || !words(a.nearest(QUERY, 10)).equals(words(b.nearest(QUERY, 10)))) {
            throw new IllegalStateException("native and word2vec binary files disagree: delete " + dir);
        }
        System.gc(); // the check's 1.2 GB off-heap copy is freed once unreachable
    }

    private static List<String> words(List<Neighbor> n) {
        return n.stream().map(Neighbor::word).toList();
    }

    /** Releases the previous iteration's off-heap matrices (freed when unreachable) before the next shot. */
    @TearDown(Level.Iteration)
    public void collect() throws InterruptedException {
        System.gc();
        Thread.sleep(200);
    }

    private static void writeWord2VecBinary(Path path) throws IOException {
        Path tmp = path.resolveSibling(path.getFileName() + ".tmp");
        SplittableRandom r = new SplittableRandom(1);
        ByteBuffer row = ByteBuffer.allocate(DIM * 4 + 1).order(ByteOrder.LITTLE_ENDIAN);
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 20)) {
            out.write((WORDS + " " + DIM + "\n").getBytes(StandardCharsets.US_ASCII));
            for (int i = 0; i < WORDS; i++) {
                out.write(("w" + i + " ").getBytes(StandardCharsets.US_ASCII));
                row.clear();
                for (int d = 0; d < DIM; d++) {
                    row.putFloat((float) (r.nextDouble() * 2 - 1));
                }
                row.put((byte) '\n');
                out.write(row.array());
            }
        }
        Files.move(tmp, path);
    }

    @Benchmark
    public WordVectors open_ours() throws IOException {
        return VectorsIO.read(nat, VectorsFormat.NATIVE);
    }

    @Benchmark
    public WordVectors open_anchor() throws IOException {
        return VectorsIO.read(bin, VectorsFormat.WORD2VEC_BINARY);
    }

    @Benchmark
    public List<Neighbor> openNearest_ours() throws IOException {
        return VectorsIO.read(nat, VectorsFormat.NATIVE).nearest(QUERY, 10);
    }

    @Benchmark
    public List<Neighbor> openNearest_anchor() throws IOException {
        return VectorsIO.read(bin, VectorsFormat.WORD2VEC_BINARY).nearest(QUERY, 10);
    }
}
