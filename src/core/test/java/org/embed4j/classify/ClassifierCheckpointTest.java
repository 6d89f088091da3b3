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
import java.util.List;
import java.util.stream.Stream;
import org.embed4j.io.Safetensors;
import org.embed4j.testing.ClassifierFixtures;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Classifier checkpoints: a run resumed from the checkpoint of an earlier epoch saves the same model file, byte for
 * byte, as the uninterrupted run (one thread; softmax and negative-sampling losses); other settings or other data
 * are refused naming the difference; a checkpoint that cannot be written leaves the previous one as it was.
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
