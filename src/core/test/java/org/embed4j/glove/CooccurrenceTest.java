package org.embed4j.glove;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.embed4j.text.CorpusReader;
import org.embed4j.text.Tokenizer;
import org.embed4j.text.Vocabulary;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The co-occurrence build against matrices computed by hand on tiny corpora, and against a naive transcription of
 * the reference's counting on a random corpus with a budget small enough that counting spills sorted runs and the
 * shuffle writes chunks; the shuffled file holds each record exactly once.
 */
class CooccurrenceTest {
    @TempDir
    Path dir;

    private static GloveOptions.Builder options() {
        return GloveOptions.builder().minCount(1).window(2).threads(1);
    }

    /** Every record of the built matrix, keyed "word|context". */
    private Map<String, Float> build(String text, GloveOptions o, long budgetBytes) throws IOException {
        Path corpus = Files.writeString(dir.resolve("corpus-" + System.nanoTime() + ".txt"), text);
        Built b = buildFile(corpus, o, budgetBytes);
        Map<String, Float> out = new HashMap<>();
        for (int i = 0; i < b.w1.size(); i++) {
            String key = b.vocab.word(b.w1.get(i)) + "|" + b.vocab.word(b.w2.get(i));
            assertEquals(null, out.put(key, b.x.get(i)), "record " + key + " appears twice");
        }
        return out;
    }

    private record Built(
            Vocabulary vocab, List<Integer> w1, List<Integer> w2, List<Float> x, CooccurrenceBuild.Built stats) {}

    private Built buildFile(Path corpus, GloveOptions o, long budgetBytes) throws IOException {
        CorpusReader reader = new CorpusReader(corpus);
        Tokenizer tok = new Tokenizer(o.lowercase());
        Vocabulary vocab = Vocabulary.count(reader, tok, o.minCount(), Integer.MAX_VALUE);
        long fp = GloveTrainer.fingerprint(vocab, o);
        Path work = Files.createTempDirectory(dir, "work");
        CooccurrenceBuild.Built built = CooccurrenceBuild.build(
                o, reader, tok, vocab, work, work.resolve("matrix.bin"), fp, budgetBytes, read -> {});
        List<Integer> w1 = new ArrayList<>();
        List<Integer> w2 = new ArrayList<>();
        List<Float> x = new ArrayList<>();
        int[] a = new int[100];
        int[] b = new int[100];
        float[] v = new float[100];
        try (CooccurrenceFile.Slice s = built.file().slice(0, built.file().records())) {
            int n;
            while ((n = s.read(a, b, v, 100)) > 0) {
                for (int i = 0; i < n; i++) {
                    w1.add(a[i]);
                    w2.add(b[i]);
                    x.add(v[i]);
                }
            }
        }
        assertEquals(built.file().records(), w1.size());
        try (var files = Files.list(work)) {
            assertEquals(List.of(work.resolve("matrix.bin")), files.toList(), "temporary runs and chunks deleted");
        }
        return new Built(vocab, w1, w2, x, built);
    }

    @Test
    void symmetricWindowWithDistanceWeightingMatchesTheHandCount() throws IOException {
        // vocabulary a (3), b (2), c (1); window 2. Line 1 pairs: (a,b) 1, (b,c) 1, (a,c) 1/2, (c,a) 1, (b,a) 1/2;
        // line 2: (b,a) 1. Windows never cross the line break.
        Map<String, Float> m = build("a b c a\nb a\n", options().build(), 64L << 20);
        Map<String, Float> expected = Map.of("a|b", 2.5f, "b|a", 2.5f, "b|c", 1f, "c|b", 1f, "a|c", 1.5f, "c|a", 1.5f);
        assertEquals(expected, m);
    }

    @Test
    void aWordNextToItselfCountsOncePerDirection() throws IOException {
        Map<String, Float> m = build("z z\n", options().build(), 64L << 20);
        assertEquals(Map.of("z|z", 2f), m); // the reference adds (z,z) for the left and for the right context
    }

    @Test
    void wordsOutsideTheVocabularyTakeNoPlaceInTheWindow() throws IOException {
        // min count 2: x and y are dropped, so a and b are neighbours at distance 1 in both lines
        GloveOptions o = options().minCount(2).window(1).build();
        Map<String, Float> m = build("a x b\nb y a\n", o, 64L << 20);
        assertEquals(Map.of("a|b", 2f, "b|a", 2f), m);
    }

    @Test
    void asymmetricCountsOnlyTheLeftContextAndWithoutWeightingEveryPairCountsOne() throws IOException {
        GloveOptions o = options().symmetric(false).distanceWeighting(false).build();
        Map<String, Float> m = build("a b c\n", o, 64L << 20);
        // (left, right): (a,b) (b,c) at distance 1, (a,c) at distance 2, each 1
        assertEquals(Map.of("a|b", 1f, "b|c", 1f, "a|c", 1f), m);
    }

    @Test
    void outOfCoreBuildWithSpilledRunsAndShuffleChunksEqualsTheNaiveCount() throws IOException {
        Path corpus = randomCorpus(dir.resolve("random.txt"), 400, 25_000, 11);
        GloveOptions o = GloveOptions.builder().minCount(1).window(10).build();
        Built small = buildFile(corpus, o, 1L << 20); // 1 MB: counting spills, shuffling writes chunks
        assertTrue(small.stats.spilledRuns() >= 2, "runs spilled: " + small.stats.spilledRuns());
        assertTrue(small.stats.shuffleChunks() >= 2, "shuffle chunks: " + small.stats.shuffleChunks());
        Built big = buildFile(corpus, o, 256L << 20);
        assertEquals(0, big.stats.spilledRuns());
        assertEquals(0, big.stats.shuffleChunks());

        Map<Long, Double> naive = naiveCount(corpus, big.vocab, o.window());
        for (Built b : List.of(small, big)) {
            assertEquals(naive.size(), b.w1.size(), "one record per non-zero cell");
            Map<Long, Float> got = new HashMap<>();
            for (int i = 0; i < b.w1.size(); i++) {
                got.put((long) b.w1.get(i) << 32 | b.w2.get(i), b.x.get(i));
            }
            for (Map.Entry<Long, Double> e : naive.entrySet()) {
                Float v = got.get(e.getKey());
                assertTrue(v != null, "missing cell " + (e.getKey() >>> 32) + "," + (int) (long) e.getKey());
                assertEquals(e.getValue(), v, 1e-5 * Math.max(1, e.getValue()), "cell " + e.getKey());
            }
        }
        // shuffled: the out-of-core order is not the in-memory order, and neither is sorted
        assertNotEquals(small.w1.subList(0, 50), big.w1.subList(0, 50));
    }

    @Test
    void aDamagedMatrixFileIsRefusedNamingTheRecord() throws IOException {
        Path corpus = Files.writeString(dir.resolve("c.txt"), "a b c a\nb a\n");
        GloveOptions o = options().build();
        Built b = buildFile(corpus, o, 64L << 20);
        Path file = b.stats.file().path();
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.seek(CooccurrenceFile.HEADER_BYTES + CooccurrenceFile.RECORD_BYTES + 4);
            raf.writeInt(Integer.reverseBytes(99)); // record 1's context row, little-endian
        }
        CooccurrenceFile f =
                CooccurrenceFile.open(file, b.vocab.size(), b.stats.file().fingerprint());
        IOException e = assertThrows(IOException.class, () -> {
            try (CooccurrenceFile.Slice s = f.slice(0, f.records())) {
                s.read(new int[10], new int[10], new float[10], 10);
            }
        });
        assertTrue(e.getMessage().contains("record 1"), e.getMessage());
        IOException other = assertThrows(
                IOException.class,
                () -> CooccurrenceFile.open(file, b.vocab.size(), b.stats.file().fingerprint() + 1));
        assertTrue(other.getMessage().contains("another vocabulary"), other.getMessage());
        Files.write(file, new byte[] {1, 2, 3});
        assertThrows(IOException.class, () -> CooccurrenceFile.open(file, 3, 0));
    }

    @Test
    void pairSortOrdersKeysAndCarriesTheirValues() {
        SplittableRandom r = new SplittableRandom(5);
        for (int n : new int[] {0, 1, 2, 7, 24, 25, 100, 1021, 4099}) {
            long[] keys = r.longs(n).distinct().toArray();
            double[] values = new double[keys.length];
            for (int i = 0; i < keys.length; i++) {
                values[i] = keys[i] * 0.5;
            }
            PairSort.sort(keys, values, 0, keys.length);
            for (int i = 0; i < keys.length; i++) {
                assertEquals(keys[i] * 0.5, values[i]);
                if (i > 0) {
                    assertTrue(keys[i - 1] < keys[i], "sorted at " + i);
                }
            }
        }
    }

    /** The reference's counting, transcribed naively: every (left, right) pair and its mirror, 1/distance each. */
    private static Map<Long, Double> naiveCount(Path corpus, Vocabulary vocab, int window) throws IOException {
        Map<Long, Double> m = new HashMap<>();
        for (String line : Files.readAllLines(corpus)) {
            List<Integer> ids = new ArrayList<>();
            for (String w : line.split(" ")) {
                if (!w.isEmpty() && vocab.id(w) >= 0) {
                    ids.add(vocab.id(w));
                }
            }
            for (int j = 0; j < ids.size(); j++) {
                for (int k = Math.max(0, j - window); k < j; k++) {
                    double v = 1.0 / (j - k);
                    m.merge((long) ids.get(k) << 32 | ids.get(j), v, Double::sum);
                    m.merge((long) ids.get(j) << 32 | ids.get(k), v, Double::sum);
                }
            }
        }
        return m;
    }

    /** Lines of 1 to 40 words drawn from {@code words} words with a Zipf-like skew. */
    static Path randomCorpus(Path file, int words, int tokens, long seed) throws IOException {
        SplittableRandom r = new SplittableRandom(seed);
        StringBuilder sb = new StringBuilder();
        int n = 0;
        while (n < tokens) {
            int len = 1 + r.nextInt(40);
            for (int i = 0; i < len; i++) {
                int w = (int) (words * Math.pow(r.nextDouble(), 2));
                sb.append('w').append(w).append(i + 1 < len ? " " : "\n");
            }
            n += len;
        }
        return Files.writeString(file, sb.toString());
    }
}
