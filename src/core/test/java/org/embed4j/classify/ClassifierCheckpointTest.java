package org.embed4j.classify;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.embed4j.io.Safetensors;
import org.embed4j.tensor.Tensor;
import org.embed4j.testing.ClassifierFixtures;
import org.embed4j.train.CheckpointInterval;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Classifier checkpoints: a run resumed from the checkpoint of an earlier epoch, or from one taken mid-epoch every so
 * many tokens, saves the same model file, byte for byte, as the uninterrupted run (one thread; softmax and
 * negative-sampling losses), and mid-epoch checkpoints do not change the model; a two-thread checkpoint resumes from
 * its parts' positions (with one thread or two); other settings or other data are refused naming the difference; a
 * checkpoint that cannot be written leaves the previous one as it was.
 */
class ClassifierCheckpointTest {
    private static final int EPOCHS = 6;

    @TempDir
    static Path dir;

    static List<LabeledText> train;

    @BeforeAll
    static void read() throws IOException {
        train = ClassifierFixtures.read("trec-400.train.txt");
    }

    private static ClassifierOptions options() {
        return ClassifierFixtures.OPTIONS.withEpoch(EPOCHS).withThreads(1);
    }

    private static void resumedRunMatches(ClassifierOptions o, String name) throws IOException {
        Path ckpt = dir.resolve(name + ".ckpt");
        Path early = dir.resolve(name + "-early.ckpt");
        TextClassifier whole = new FastTextTrainer(o)
                .checkpoint(ckpt)
                .onEpoch(s -> {
                    if (s.epoch() == 2) { // a kill here leaves this file
                        try {
                            Files.copy(ckpt, early, StandardCopyOption.REPLACE_EXISTING);
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    }
                })
                .train(train);
        assertEquals("2", Safetensors.metadata(early).get("epochs_done"));
        TextClassifier resumed =
                new FastTextTrainer(o).checkpoint(early).resume(true).train(train);
        Path a = dir.resolve(name + "-whole.e4jc");
        Path b = dir.resolve(name + "-resumed.e4jc");
        whole.save(a);
        resumed.save(b);
        assertEquals(-1L, Files.mismatch(a, b), "the resumed model differs from the uninterrupted one");
        assertEquals(Integer.toString(EPOCHS), Safetensors.metadata(early).get("epochs_done"));
    }

    private static final CheckpointInterval EVERY = CheckpointInterval.words(3_000);

    /** Trains with checkpoints every {@link #EVERY} tokens; copies the checkpoint on disk after each epoch. */
    private static List<Path> trainCopyingCheckpoints(ClassifierOptions o, Path ckpt, Path model, String name)
            throws IOException {
        List<Path> copies = new ArrayList<>();
        TextClassifier whole = new FastTextTrainer(o)
                .checkpoint(ckpt)
                .checkpointEvery(EVERY)
                .onEpoch(s -> {
                    Path copy = dir.resolve(name + "-after-" + s.epoch() + ".ckpt");
                    try {
                        Files.copy(ckpt, copy, StandardCopyOption.REPLACE_EXISTING);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                    copies.add(copy);
                })
                .train(train);
        whole.save(model);
        return copies;
    }

    /** Whether the checkpoint was taken mid-epoch (it has the parts' positions). */
    private static boolean midEpoch(Path ckpt) {
        try {
            Map<String, Tensor> t = Safetensors.read(ckpt);
            try {
                return t.containsKey("part_position");
            } finally {
                t.values().forEach(Tensor::close);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void resumedFromMidEpochMatches(ClassifierOptions o, String name) throws IOException {
        Path plain = dir.resolve(name + "-plain.e4jc");
        new FastTextTrainer(o).train(train).save(plain);
        Path whole = dir.resolve(name + "-every.e4jc");
        List<Path> copies = trainCopyingCheckpoints(o, dir.resolve(name + "-every.ckpt"), whole, name);
        assertEquals(-1L, Files.mismatch(plain, whole), "mid-epoch checkpoints changed the model");
        int resumedFrom = 0;
        for (Path copy : copies.subList(0, 3)) {
            Map<String, String> at = Safetensors.metadata(copy);
            if (!midEpoch(copy)) {
                continue; // the epoch ended right on a checkpoint
            }
            resumedFrom++;
            Path resumed = dir.resolve(name + "-resumed.e4jc");
            new FastTextTrainer(o)
                    .checkpoint(copy)
                    .checkpointEvery(EVERY)
                    .resume(true)
                    .train(train)
                    .save(resumed);
            assertEquals(
                    -1L,
                    Files.mismatch(whole, resumed),
                    "the model resumed in epoch " + (Integer.parseInt(at.get("epochs_done")) + 1) + " after "
                            + at.get("tokens_done") + " tokens differs from the uninterrupted one");
        }
        assertTrue(resumedFrom >= 2, "only " + resumedFrom + " of 3 epochs ended past a mid-epoch checkpoint");
    }

    @Test
    void softmaxResumedMidEpochSavesTheSameModelAsTheWholeRun() throws IOException {
        resumedFromMidEpochMatches(options(), "softmax-mid");
    }

    @Test
    void negativeSamplingResumedMidEpochSavesTheSameModel() throws IOException {
        resumedFromMidEpochMatches(options().withLoss(ClassifierLoss.NS), "ns-mid");
    }

    @Test
    void aTwoThreadCheckpointResumesFromItsPartsPositions() throws IOException {
        ClassifierOptions two = options().withThreads(2);
        List<Path> copies = trainCopyingCheckpoints(two, dir.resolve("two.ckpt"), dir.resolve("two.e4jc"), "two");
        long total = Long.parseLong(Safetensors.metadata(copies.get(EPOCHS - 1)).get("tokens_done"));
        Path mid = copies.stream()
                .filter(ClassifierCheckpointTest::midEpoch)
                .findFirst()
                .orElseThrow(() -> new AssertionError("no epoch ended past a mid-epoch checkpoint"));
        for (ClassifierOptions o : List.of(two, options())) {
            Path ckpt = dir.resolve("two-resumed-" + o.threads() + ".ckpt");
            Files.copy(mid, ckpt, StandardCopyOption.REPLACE_EXISTING);
            TextClassifier resumed = new FastTextTrainer(o)
                    .checkpoint(ckpt)
                    .checkpointEvery(EVERY)
                    .resume(true)
                    .train(train);
            // every token of every epoch counted once: those before the checkpoint and those after it
            assertEquals(Long.toString(total), Safetensors.metadata(ckpt).get("tokens_done"), o.threads() + " threads");
            assertEquals(Integer.toString(EPOCHS), Safetensors.metadata(ckpt).get("epochs_done"));
            assertTrue(
                    ClassifierMetrics.evaluate(resumed, train, 1).accuracy() > 0.5,
                    "the resumed model did not learn the training set");
        }
    }

    @Test
    void softmaxResumedFromEpochTwoSavesTheSameModelAsTheWholeRun() throws IOException {
        resumedRunMatches(options(), "softmax");
    }

    @Test
    void negativeSamplingResumesBitForBit() throws IOException {
        resumedRunMatches(options().withLoss(ClassifierLoss.NS), "ns");
    }

    @Test
    void refusesOtherSettingsAndOtherDataNamingTheDifference() {
        Path ckpt = dir.resolve("refuse.ckpt");
        new FastTextTrainer(options().withEpoch(1)).checkpoint(ckpt).train(train);
        IllegalArgumentException settings = assertThrows(
                IllegalArgumentException.class,
                () -> new FastTextTrainer(options().withEpoch(1).withDim(8))
                        .checkpoint(ckpt)
                        .resume(true)
                        .train(train));
        assertTrue(settings.getMessage().contains("other settings"), settings.getMessage());
        assertTrue(settings.getMessage().contains("dim=8"), settings.getMessage());
        IllegalArgumentException data = assertThrows(
                IllegalArgumentException.class,
                () -> new FastTextTrainer(options().withEpoch(1))
                        .checkpoint(ckpt)
                        .resume(true)
                        .train(train.subList(0, 100)));
        assertTrue(data.getMessage().contains("other data"), data.getMessage());
    }

    @Test
    void aCheckpointThatCannotBeWrittenLeavesThePreviousOneWhole() throws IOException {
        Path sub = Files.createDirectories(dir.resolve("read-only"));
        Path ckpt = sub.resolve("c.ckpt");
        new FastTextTrainer(options().withEpoch(1)).checkpoint(ckpt).train(train);
        byte[] good = Files.readAllBytes(ckpt);
        sub.toFile().setWritable(false, false);
        try {
            Assumptions.assumeFalse(Files.isWritable(sub), "running as root: a read-only folder is still writable");
            UncheckedIOException e = assertThrows(
                    UncheckedIOException.class,
                    () -> new FastTextTrainer(options().withEpoch(2).withSeed(8))
                            .checkpoint(ckpt)
                            .train(train));
            assertTrue(e.getMessage().contains(sub.toString()), e.getMessage());
        } finally {
            sub.toFile().setWritable(true, false);
        }
        assertArrayEquals(good, Files.readAllBytes(ckpt));
        try (Stream<Path> files = Files.list(sub)) {
            assertEquals(1, files.count(), "a temporary file was left beside the checkpoint");
        }
    }
}
