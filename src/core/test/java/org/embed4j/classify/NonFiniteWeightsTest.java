package org.embed4j.classify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.embed4j.testing.ClassifierFixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A classifier file whose weights hold NaN: the output rows (read by every prediction) are refused when the file
 * opens; an input row, left in the mapped file, makes the predictions that use it an error naming the row, its
 * word and byte offset, while texts that do not use it are answered.
 */
class NonFiniteWeightsTest {
    @TempDir
    Path dir;

    /** The saved model and the byte offset of its input matrix (float32 matrices end the file). */
    private record Saved(Path file, byte[] bytes, long inputAt, int dim, TextClassifier model) {}

    private Saved save() throws IOException {
        TextClassifier model = ClassifierFixtures.trec();
        Path file = dir.resolve("m.e4jc");
        model.save(file);
        byte[] bytes = Files.readAllBytes(file);
        int dim = model.dim();
        long matrices = ((long) model.dictionary().inputRows() + model.labels().size()) * dim * Float.BYTES;
        return new Saved(file, bytes, bytes.length - matrices, dim, model);
    }

    private static void putNaN(byte[] bytes, long at) {
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putFloat((int) at, Float.NaN);
    }

    @Test
    void aNaNOutputRowIsRefusedAtLoad() throws IOException {
        Saved s = save();
        long outputAt = s.inputAt + (long) s.model.dictionary().inputRows() * s.dim * Float.BYTES;
        putNaN(s.bytes, outputAt + (long) s.dim * Float.BYTES + 8); // label 1, value 3
        Files.write(s.file, s.bytes);
        IOException e = assertThrows(IOException.class, () -> TextClassifier.load(s.file));
        assertTrue(e.getMessage().contains("value 3 of row 1 is NaN"), e.getMessage());
        assertTrue(e.getMessage().contains("label '" + s.model.labels().get(1) + "'"), e.getMessage());
        assertTrue(e.getMessage().contains(s.file.toString()), e.getMessage());
    }

    @Test
    void aNaNInputRowFailsOnlyThePredictionsThatUseIt() throws IOException {
        Saved s = save();
        String word = s.model.dictionary().words().get(5);
        putNaN(s.bytes, s.inputAt + 5L * s.dim * Float.BYTES);
        Files.write(s.file, s.bytes);
        try (TextClassifier loaded = TextClassifier.load(s.file)) {
            UncheckedIOException e =
                    assertThrows(UncheckedIOException.class, () -> loaded.predict("what is " + word, 1));
            assertTrue(e.getMessage().contains("value 1 of row 5 is NaN"), e.getMessage());
            assertTrue(e.getMessage().contains("word '" + word + "'"), e.getMessage());
            assertTrue(e.getMessage().contains("byte offset " + (s.inputAt + 5L * s.dim * 4)), e.getMessage());
            String other = "zzzz-not-a-word";
            assertEquals(1, loaded.predict(other, 1).size());
        }
    }
}
