package org.embed4j.classify;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.embed4j.classify.mlp.MlpClassifier;
import org.embed4j.deploy.Precision;
import org.embed4j.testing.ClassifierFixtures;
import org.embed4j.testing.MlpFixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Classifier.load opens every kind a service may be given, and names the file when it cannot. */
class ClassifierLoadTest {
    private static final List<String> TEXTS =
            List.of("What is the capital of France ?", "How many feet are in a mile ?", "Who wrote Hamlet ?", "");

    @TempDir
    Path dir;

    private static void assertSamePredictions(Classifier expected, Classifier actual) {
        assertEquals(expected.labels(), actual.labels());
        assertEquals(expected.vocabularySize(), actual.vocabularySize());
        assertEquals(expected.dim(), actual.dim());
        for (String t : TEXTS) {
            assertArrayEquals(expected.probabilities(t), actual.probabilities(t), t);
            assertEquals(expected.predict(t, 2), actual.predict(t, 2), t);
        }
    }

    @Test
    void loadsAFastTextStyleModel() throws IOException {
        TextClassifier model = ClassifierFixtures.trec();
        Path file = dir.resolve("trec.e4jc");
        model.save(file);
        try (Classifier loaded = Classifier.load(file)) {
            TextClassifier text = assertInstanceOf(TextClassifier.class, loaded);
            assertEquals(Optional.empty(), text.precision());
            assertSamePredictions(model, loaded);
        }
    }

    @Test
    void loadsQuantizedModels() throws IOException {
        for (Precision precision : Precision.values()) {
            try (TextClassifier quantized = ClassifierFixtures.trec().quantize(precision)) {
                Path file = dir.resolve("trec-" + precision + ".e4jc");
                quantized.save(file);
                try (Classifier loaded = Classifier.load(file)) {
                    TextClassifier text = assertInstanceOf(TextClassifier.class, loaded);
                    assertEquals(Optional.of(precision), text.precision());
                    assertSamePredictions(quantized, loaded);
                }
            }
        }
    }

    @Test
    void loadsAnMlpModel() throws IOException {
        MlpClassifier model = MlpFixtures.trained().classifier();
        Path file = dir.resolve("mlp.safetensors");
        model.save(file);
        try (Classifier loaded = Classifier.load(file)) {
            assertInstanceOf(MlpClassifier.class, loaded);
            assertSamePredictions(model, loaded);
        }
    }

    private void assertRefusedNamingTheFile(Path file) {
        IOException e = assertThrows(IOException.class, () -> Classifier.load(file));
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    }

    @Test
    void aDamagedOrForeignFileIsAnIOExceptionNamingIt() throws IOException {
        Path good = dir.resolve("good.e4jc");
        ClassifierFixtures.trec().save(good);
        byte[] bytes = Files.readAllBytes(good);

        Path truncated = dir.resolve("truncated.e4jc");
        Files.write(truncated, Arrays.copyOf(bytes, bytes.length / 2));
        assertRefusedNamingTheFile(truncated);

        Path header = dir.resolve("header-only.e4jc");
        Files.write(header, Arrays.copyOf(bytes, 6));
        assertRefusedNamingTheFile(header);

        Path empty = dir.resolve("empty.e4jc");
        Files.write(empty, new byte[0]);
        assertRefusedNamingTheFile(empty);

        Path text = dir.resolve("notes.txt");
        Files.writeString(text, "__label__a this is a training file, not a model\n", StandardCharsets.UTF_8);
        assertRefusedNamingTheFile(text);

        Path mlp = dir.resolve("mlp.safetensors");
        MlpFixtures.trained().classifier().save(mlp);
        byte[] m = Files.readAllBytes(mlp);
        Path cut = dir.resolve("cut.safetensors");
        Files.write(cut, Arrays.copyOf(m, m.length - 100));
        assertRefusedNamingTheFile(cut);

        Path missing = dir.resolve("missing.e4jc");
        NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> Classifier.load(missing));
        assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
    }

    @Test
    void everyKindRefusesCallsOnceClosed() throws IOException {
        Path file = dir.resolve("trec.e4jc");
        ClassifierFixtures.trec().save(file);
        Path mlpFile = dir.resolve("mlp.safetensors");
        MlpFixtures.trained().classifier().save(mlpFile);
        for (Classifier c : List.of(
                Classifier.load(file),
                Classifier.load(mlpFile),
                ClassifierFixtures.trec().quantize(Precision.INT8))) {
            c.predict(TEXTS.get(0), 1);
            c.close();
            IllegalStateException e =
                    assertThrows(IllegalStateException.class, () -> c.predict(TEXTS.get(0), 1), c::toString);
            assertTrue(e.getMessage().contains("is closed"), e.getMessage());
            assertThrows(IllegalStateException.class, c::labels);
            assertThrows(IllegalStateException.class, () -> c.probabilities(TEXTS.get(1), new float[50], 0));
            c.close();
        }
    }
}
