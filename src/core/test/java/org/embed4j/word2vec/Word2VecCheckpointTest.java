package org.embed4j.word2vec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.embed4j.io.Safetensors;
import org.embed4j.tensor.DType;
import org.embed4j.tensor.Tensor;
import org.embed4j.testing.TopicCorpus;
import org.embed4j.train.CheckpointInterval;
import org.embed4j.train.TrainingListener;
import org.embed4j.vectors.WordVectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Word2vec checkpoints: a run resumed from the checkpoint of an earlier epoch, or from one taken mid-epoch every so
 * many words, ends bit for bit as the uninterrupted run (one thread; skip-gram with negative sampling, CBOW with
 * hierarchical softmax), and mid-epoch checkpoints do not change the model; with two threads a mid-epoch resume goes on
 * from the saved position; other settings or another corpus are refused naming the difference; a write that fails
 * leaves the previous checkpoint as it was.
 */
class Word2VecCheckpointTest {
    private static final int EPOCHS = 5;

    @TempDir
    static Path dir;

    static Path corpus;

    @BeforeAll
    static void writeCorpus() throws IOException {
        corpus = TopicCorpus.write(dir.resolve("topics.txt"), 4000, 3);
    }

    private static Word2VecOptions options() {
        return Word2VecOptions.defaults()
                .withDim(16)
                .withMinCount(1)
                .withEpochs(EPOCHS)
                .withThreads(1)
                .withSeed(5)
                .withNegTableSize(100_000);
    }

    /** Copies the checkpoint aside the first time the trainer's thread reports progress after it exists. */
    private static final class Snapshot implements TrainingListener {
        private final Path checkpoint;
        private final Path copy;
        boolean taken;

        Snapshot(Path checkpoint, Path copy) {
            this.checkpoint = checkpoint;
            this.copy = copy;
        }

        @Override
        public void onMetrics(Map<String, Object> record) {
            take();
        }

        @Override
        public void onProgress(String task, long done, long total, String unit, String status) {
            take();
        }

        private void take() {
            if (!taken && Files.isRegularFile(checkpoint)) {
                try {
                    Files.copy(checkpoint, copy, StandardCopyOption.REPLACE_EXISTING);
                } catch (IOException e) {
                    throw new AssertionError(e);
                }
                taken = true;
            }
        }
    }

    private static void resumedRunMatches(Word2VecOptions o, String name) throws IOException {
        Path ckpt = dir.resolve(name + ".ckpt");
        Path early = dir.resolve(name + "-early.ckpt");
        Snapshot snapshot = new Snapshot(ckpt, early);
        WordVectors whole =
                new Word2VecTrainer(o, snapshot).checkpoint(ckpt).train(corpus).vectors();
        assertTrue(snapshot.taken, "no checkpoint was seen during training");
        int done = Integer.parseInt(Safetensors.metadata(early).get("epochs_done"));
        assertTrue(done >= 1 && done < EPOCHS, "the early checkpoint is after epoch " + done + " of " + EPOCHS);
        assertEquals(Integer.toString(EPOCHS), Safetensors.metadata(ckpt).get("epochs_done"));

        WordVectors resumed = new Word2VecTrainer(o)
                .checkpoint(early)
                .resume(true)
                .train(corpus)
                .vectors();
        assertEquals(whole.size(), resumed.size());
        for (int i = 0; i < whole.size(); i++) {
            assertArrayEquals(whole.vector(i), resumed.vector(i), "row " + i + " after resuming from epoch " + done);
        }
        assertEquals(Integer.toString(EPOCHS), Safetensors.metadata(early).get("epochs_done"));
    }

    /** Copies each new mid-epoch checkpoint aside (up to two) when the trainer's thread reports progress. */
    private static final class MidEpochSnapshots implements TrainingListener {
        private final Path checkpoint;
        private final String prefix;
        final List<Path> copies = new ArrayList<>();
        private String last = "";

        MidEpochSnapshots(Path checkpoint, String prefix) {
            this.checkpoint = checkpoint;
            this.prefix = prefix;
        }

        @Override
        public void onMetrics(Map<String, Object> record) {
            take();
        }

        @Override
        public void onProgress(String task, long done, long total, String unit, String status) {
            take();
        }

        private void take() {
            if (copies.size() >= 2 || !Files.isRegularFile(checkpoint)) {
                return;
            }
            try {
                Path copy = dir.resolve(prefix + "-" + copies.size() + ".ckpt");
                Files.copy(checkpoint, copy, StandardCopyOption.REPLACE_EXISTING);
                Map<String, String> meta = Safetensors.metadata(copy);
                String at = meta.get("epochs_done") + "/" + meta.get("chunks_done");
                if (!meta.get("chunks_done").equals("0") && !at.equals(last)) {
                    copies.add(copy);
                    last = at;
                }
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        }
    }

    private static final CheckpointInterval EVERY = CheckpointInterval.words(12_000);

    private static void resumedFromMidEpochMatches(Word2VecOptions o, String name) throws IOException {
        Path ckpt = dir.resolve(name + "-every.ckpt");
        MidEpochSnapshots snapshots = new MidEpochSnapshots(ckpt, name + "-mid");
        WordVectors whole = new Word2VecTrainer(o, snapshots)
                .checkpoint(ckpt)
                .checkpointEvery(EVERY)
                .train(corpus)
                .vectors();
        assertFalse(snapshots.copies.isEmpty(), "no mid-epoch checkpoint was seen during training");
        assertEquals(Integer.toString(EPOCHS), Safetensors.metadata(ckpt).get("epochs_done"));
        assertEquals("0", Safetensors.metadata(ckpt).get("chunks_done"));
        WordVectors plain = new Word2VecTrainer(o).train(corpus).vectors();
        for (int i = 0; i < whole.size(); i++) {
            assertArrayEquals(plain.vector(i), whole.vector(i), "row " + i + ": checkpointing changed the model");
        }
        for (Path mid : snapshots.copies) {
            Map<String, String> at = Safetensors.metadata(mid);
            WordVectors resumed = new Word2VecTrainer(o)
                    .checkpoint(mid)
                    .checkpointEvery(EVERY)
                    .resume(true)
                    .train(corpus)
                    .vectors();
            for (int i = 0; i < whole.size(); i++) {
                assertArrayEquals(
                        whole.vector(i),
                        resumed.vector(i),
                        "row " + i + " after resuming in epoch " + (Integer.parseInt(at.get("epochs_done")) + 1)
                                + " at chunk " + at.get("chunks_done"));
            }
        }
    }

    @Test
    void skipGramResumedMidEpochEndsBitForBitAsTheWholeRun() throws IOException {
        resumedFromMidEpochMatches(options(), "sg");
    }

    @Test
    void cbowWithHierarchicalSoftmaxResumedMidEpochEndsBitForBit() throws IOException {
        resumedFromMidEpochMatches(
                options().withModel(Word2VecOptions.Model.CBOW).withHs(true).withNegative(0), "cbow-hs");
    }

    @Test
    void twoThreadsResumeMidEpochFromTheSavedPosition() throws IOException {
        Word2VecOptions o = options().withThreads(2);
        Path ckpt = dir.resolve("two.ckpt");
        MidEpochSnapshots snapshots = new MidEpochSnapshots(ckpt, "two-mid");
        new Word2VecTrainer(o, snapshots)
                .checkpoint(ckpt)
                .checkpointEvery(EVERY)
                .train(corpus);
        assertFalse(snapshots.copies.isEmpty(), "no mid-epoch checkpoint was seen during training");
        Path mid = snapshots.copies.get(0);
        long wordsAtCheckpoint = Long.parseLong(Safetensors.metadata(mid).get("words_done"));
        Word2VecResult r = new Word2VecTrainer(o)
                .checkpoint(mid)
                .checkpointEvery(EVERY)
                .resume(true)
                .train(corpus);
        long perEpoch = r.vocabulary().totalCount();
        // the run ends with every word of every epoch counted once: those before the checkpoint and those after it
        assertEquals(perEpoch * EPOCHS, r.words(), "resumed at " + wordsAtCheckpoint + " words");
        assertEquals(Long.toString(perEpoch * EPOCHS), Safetensors.metadata(mid).get("words_done"));
        assertEquals(Integer.toString(EPOCHS), Safetensors.metadata(mid).get("epochs_done"));
    }

    @Test
    void skipGramResumedFromAnEarlierEpochEndsBitForBitAsTheWholeRun() throws IOException {
        resumedRunMatches(options(), "sg");
    }

    @Test
    void cbowWithHierarchicalSoftmaxResumesBitForBit() throws IOException {
        resumedRunMatches(
                options().withModel(Word2VecOptions.Model.CBOW).withHs(true).withNegative(0), "cbow-hs");
    }

    @Test
    void resumeWithoutACheckpointStartsFresh() throws IOException {
        Path ckpt = dir.resolve("fresh.ckpt");
        WordVectors a = new Word2VecTrainer(options()).train(corpus).vectors();
        WordVectors b = new Word2VecTrainer(options())
                .checkpoint(ckpt)
                .resume(true)
                .train(corpus)
                .vectors();
        assertArrayEquals(a.vector(3), b.vector(3));
        assertTrue(Files.isRegularFile(ckpt));
    }

    @Test
    void refusesOtherSettingsAndAnotherCorpusNamingTheDifference() throws IOException {
        Path ckpt = dir.resolve("refuse.ckpt");
        new Word2VecTrainer(options().withEpochs(1)).checkpoint(ckpt).train(corpus);
        IllegalArgumentException settings = assertThrows(
                IllegalArgumentException.class,
                () -> new Word2VecTrainer(options().withEpochs(1).withWindow(3))
                        .checkpoint(ckpt)
                        .resume(true)
                        .train(corpus));
        assertTrue(settings.getMessage().contains("other settings"), settings.getMessage());
        assertTrue(settings.getMessage().contains("window=3"), settings.getMessage());

        Path other = TopicCorpus.write(dir.resolve("other.txt"), 500, 9);
        IllegalArgumentException vocab = assertThrows(
                IllegalArgumentException.class,
                () -> new Word2VecTrainer(options().withEpochs(1))
                        .checkpoint(ckpt)
                        .resume(true)
                        .train(other));
        assertTrue(vocab.getMessage().contains("another corpus"), vocab.getMessage());

        // only the thread count may change
        new Word2VecTrainer(options().withEpochs(1).withThreads(2))
                .checkpoint(ckpt)
                .resume(true)
                .train(corpus);
    }

    @Test
    void aWriteThatFailsLeavesThePreviousCheckpointWhole() throws IOException {
        Path sub = Files.createDirectories(dir.resolve("failing"));
        Path ckpt = sub.resolve("w2v.ckpt");
        Word2VecOptions o = options().withEpochs(1);
        new Word2VecTrainer(o).checkpoint(ckpt).train(corpus);
        byte[] good = Files.readAllBytes(ckpt);

        // A tensor freed under the writer fails the write after the temporary file was made and partly written.
        org.embed4j.text.Vocabulary vocab = org.embed4j.text.Vocabulary.count(
                new org.embed4j.text.CorpusReader(corpus), new org.embed4j.text.Tokenizer(o.lowercase()), 1, 1 << 20);
        Tensor freed = Tensor.allocate(DType.F32, vocab.size(), o.dim());
        freed.close();
        Word2VecCheckpoint.State s = new Word2VecCheckpoint.State(1, 0, 1, 1, new long[][] {{1, 2}});
        assertThrows(Exception.class, () -> Word2VecCheckpoint.write(ckpt, freed, null, null, s, o, vocab));

        assertArrayEquals(good, Files.readAllBytes(ckpt));
        try (Stream<Path> files = Files.list(sub)) {
            assertEquals(1, files.count(), "a temporary file was left beside the checkpoint");
        }
        assertNotNull(new Word2VecTrainer(o).checkpoint(ckpt).resume(true).train(corpus));
    }
}
