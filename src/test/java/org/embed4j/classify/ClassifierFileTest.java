package org.embed4j.classify;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.embed4j.classify.data.TextFormats;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Damaged, foreign and future model files, and bad training files, give clear errors. */
class ClassifierFileTest {

    private static Path saved(Path dir) throws IOException {
        Path file = dir.resolve("m.e4jc");
        ClassifierFixtures.trec().save(file);
        return file;
    }

    private static void assertRefused(Path file, String expected) {
        IOException e = assertThrows(IOException.class, () -> TextClassifier.load(file));
        assertTrue(e.getMessage().contains(expected), "message \"" + e.getMessage() + "\" lacks \"" + expected + "\"");
    }

    @Test
    void newerVersionIsRefusedByName(@TempDir Path dir) throws Exception {
        Path file = saved(dir);
        byte[] b = Files.readAllBytes(file);
        ByteBuffer.wrap(b).putInt(4, ClassifierFile.VERSION + 1);
        Files.write(file, b);
        assertRefused(file, "newer embed4j (format version " + (ClassifierFile.VERSION + 1) + ")");
    }

    @Test
    void truncatedFileIsRefused(@TempDir Path dir) throws Exception {
        Path file = saved(dir);
        byte[] b = Files.readAllBytes(file);
        for (int cut : new int[] {6, 40, b.length / 2, b.length - 1}) {
            Files.write(file, Arrays.copyOf(b, cut));
            IOException e = assertThrows(IOException.class, () -> TextClassifier.load(file));
            assertTrue(e.getMessage().contains("truncated") || e.getMessage().contains("exceeds the file"),
                    "cut at " + cut + ": " + e.getMessage());
        }
        Files.write(file, Arrays.copyOf(b, b.length + 3));
        assertRefused(file, "unexpected bytes");
    }

    @Test
    void emptyAndForeignFilesAreRefused(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("empty.e4jc");
        Files.write(file, new byte[0]);
        assertRefused(file, "empty");
        Files.writeString(file, "__label__a hello\n");
        assertRefused(file, "not an embed4j classifier");
    }

    @Test
    void badTrainingFilesNameFileAndLine(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("t.txt");
        Files.writeString(f, "");
        var e = assertThrows(IllegalArgumentException.class, () -> TextFormats.read(f));
        assertTrue(e.getMessage().contains("no examples"), e.getMessage());
        Files.writeString(f, "pos: a great film\n");
        e = assertThrows(IllegalArgumentException.class, () -> TextFormats.read(f));
        assertTrue(e.getMessage().contains(f + ":1") && e.getMessage().contains("label<TAB>text"), e.getMessage());
        Files.writeString(f, "__label__pos a great film\n__label__neg\n");
        e = assertThrows(IllegalArgumentException.class, () -> TextFormats.read(f));
        assertTrue(e.getMessage().contains(f + ":2") && e.getMessage().contains("no text"), e.getMessage());
        Files.writeString(f, "pos\ta great film\nneg\t  \n");
        e = assertThrows(IllegalArgumentException.class, () -> TextFormats.read(f));
        assertTrue(e.getMessage().contains(f + ":2") && e.getMessage().contains("no text"), e.getMessage());
    }
}
