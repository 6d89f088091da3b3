package org.embed4j.word2vec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.embed4j.backend.Backends;
import org.embed4j.tensor.DType;
import org.embed4j.tensor.Tensor;
import org.embed4j.testing.TopicCorpus;
import org.embed4j.text.CorpusReader;
import org.embed4j.text.Tokenizer;
import org.embed4j.text.Vocabulary;
import org.embed4j.vectors.WordVectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Training from given weights on given chunks: the whole corpus as one shard is the single-machine run bit for bit
 * (plain and with subwords), the progress places the shard in the learning-rate schedule, chunks are cut as the
 * corpus reader cuts them, and bad ids or shapes are refused by name.
 */
class Word2VecShardTrainerTest {
    @TempDir
    static Path dir;

    static Path corpus;

    @BeforeAll
    static void writeCorpus() throws IOException {
        corpus = TopicCorpus.write(dir.resolve("topics.txt"), 1500, 5);
    }

    private static Word2VecOptions small() {
        String backend;
        try {
            Backends.get("cpu");
            backend = "cpu";
        } catch (IllegalStateException e) {
            backend = "java";
        }
        return Word2VecOptions.defaults()
                .withDim(16)
                .withMinCount(1)
                .withSample(1e-3)
                .withEpochs(2)
                .withThreads(1)
                .withSeed(11)
                .withNegTableSize(100_000)
                .withBackend(backend);
    }

    private static Vocabulary vocabulary(Word2VecOptions o) {
        return Vocabulary.count(
                new CorpusReader(corpus), new Tokenizer(o.lowercase()), o.minCount(), Integer.MAX_VALUE);
    }

    private static List<int[]> sentences(Vocabulary vocab) throws IOException {
        List<int[]> out = new ArrayList<>();
        Tokenizer tok = new Tokenizer(false);
        for (String line : Files.readAllLines(corpus)) {
            out.add(tok.tokenize(line).stream()
                    .mapToInt(vocab::id)
                    .filter(i -> i >= 0)
                    .toArray());
        }
        return out;
    }

    private static void assertSameVectors(WordVectors a, WordVectors b) {
        assertEquals(a.words(), b.words());
        for (int i = 0; i < a.size(); i++) {
            assertArrayEquals(
                    a.vector(i), b.vector(i), "row " + i + " ('" + a.words().get(i) + "')");
        }
    }

    /** Every epoch's chunks in one call, so that the one worker's random stream runs on as in the trainer. */
    private static WordVectors shardRun(Word2VecOptions o) throws IOException {
        Vocabulary vocab = vocabulary(o);
        List<int[]> epoch = Word2VecShardTrainer.chunks(sentences(vocab).iterator());
        List<int[]> all = new ArrayList<>();
        for (int e = 0; e < o.epochs(); e++) {
            all.addAll(epoch);
        }
        try (Word2VecShardTrainer t = new Word2VecShardTrainer(o, vocab);
                Tensor wIn = t.initialInput();
                Tensor wOut = Tensor.allocate(DType.F32, t.outputRows(), o.dim())) {
            long total = vocab.totalCount() * o.epochs();
            Word2VecShardTrainer.Stats s =
                    t.train(all, wIn, wOut, new Word2VecShardTrainer.Progress(0, 1.0, total), o.seed());
            assertEquals(total, s.words());
            assertTrue(s.pairs() > 0 && s.lossSum() > 0, s.toString());
            return t.vectors(wIn);
        }
    }

    @Test
    void theWholeCorpusAsOneShardIsTheSingleMachineRunBitForBit() throws IOException {
        Word2VecOptions o = small();
        assertSameVectors(new Word2VecTrainer(o).train(corpus).vectors(), shardRun(o));
    }

    @Test
    void withSubwordsAndCbowToo() throws IOException {
        Word2VecOptions o = small().withModel(Word2VecOptions.Model.CBOW).withSubwords(3, 5, 3000);
        WordVectors shard = shardRun(o);
        assertTrue(shard.hasSubwords());
        assertSameVectors(new Word2VecTrainer(o).train(corpus).vectors(), shard);
    }

    @Test
    void progressPlacesTheShardInTheLearningRateSchedule() throws IOException {
        Word2VecOptions o = small();
        Vocabulary vocab = vocabulary(o);
        List<int[]> chunks = Word2VecShardTrainer.chunks(sentences(vocab).iterator());
        long total = vocab.totalCount() * 100;
        double early = change(o, vocab, chunks, new Word2VecShardTrainer.Progress(0, 1.0, total));
        // the shard's words stand for 50× as many of the run, all of them in its last 1%: lr ≈ 1e-4·lr0 throughout
        double late = change(o, vocab, chunks, new Word2VecShardTrainer.Progress(total - total / 100, 50.0, total));
        assertTrue(early > 0 && late < early * 0.05, "early " + early + ", late " + late);
    }

    /** The largest change of any W_in weight over one pass. */
    private static double change(
            Word2VecOptions o, Vocabulary vocab, List<int[]> chunks, Word2VecShardTrainer.Progress p)
            throws IOException {
        try (Word2VecShardTrainer t = new Word2VecShardTrainer(o, vocab);
                Tensor wIn = t.initialInput();
                Tensor wOut = Tensor.allocate(DType.F32, t.outputRows(), o.dim())) {
            float[] before = wIn.toFloatArray();
            t.train(chunks, wIn, wOut, p, 3);
            float[] after = wIn.toFloatArray();
            double max = 0;
            for (int i = 0; i < before.length; i++) {
                max = Math.max(max, Math.abs(after[i] - before[i]));
            }
            return max;
        }
    }

    @Test
    void chunksEndEverySentenceAndCutLongOnes() {
        List<int[]> c = Word2VecShardTrainer.chunks(
                List.of(new int[] {1, 2}, new int[0], new int[] {3}).iterator());
        assertEquals(1, c.size());
        assertArrayEquals(new int[] {1, 2, -1, 3, -1}, c.get(0));
        int[] longOne = new int[25_000];
        List<int[]> cut =
                Word2VecShardTrainer.chunks(Collections.singletonList(longOne).iterator());
        assertEquals(3, cut.size());
        assertEquals(11_000, cut.get(0).length);
        assertEquals(25_001, cut.stream().mapToInt(a -> a.length).sum());
        var e = assertThrows(
                IllegalArgumentException.class,
                () -> Word2VecShardTrainer.chunks(List.of(new int[] {4, -2}).iterator()));
        assertTrue(e.getMessage().contains("-2"), e.getMessage());
    }

    @Test
    void badIdsAndShapesAreNamed() {
        Word2VecOptions o = small();
        Vocabulary vocab = vocabulary(o);
        try (Word2VecShardTrainer t = new Word2VecShardTrainer(o, vocab);
                Tensor wIn = t.initialInput();
                Tensor wOut = Tensor.allocate(DType.F32, t.outputRows(), o.dim());
                Tensor narrow = Tensor.allocate(DType.F32, t.outputRows(), o.dim() - 1)) {
            var p = new Word2VecShardTrainer.Progress(0, 1.0, 100);
            int v = vocab.size();
            var e = assertThrows(
                    IllegalArgumentException.class, () -> t.train(List.<int[]>of(new int[] {0, v}), wIn, wOut, p, 1));
            assertTrue(e.getMessage().contains(Integer.toString(v)), e.getMessage());
            int[] tooLong = new int[ChunkPool.CAPACITY + 1];
            e = assertThrows(IllegalArgumentException.class, () -> t.train(List.of(tooLong), wIn, wOut, p, 1));
            assertTrue(e.getMessage().contains(Integer.toString(tooLong.length)), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> t.train(List.of(), wIn, narrow, p, 1));
            assertTrue(e.getMessage().contains("wOut"), e.getMessage());
        }
        var e = assertThrows(IllegalArgumentException.class, () -> new Word2VecShardTrainer.Progress(0, 0.0, 10));
        assertTrue(e.getMessage().contains("scale"), e.getMessage());
    }
}
