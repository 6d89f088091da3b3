package org.embed4j.classify;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.embed4j.testing.ClassifierFixtures;
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
            assertTrue(
                    e.getMessage().contains("truncated") || e.getMessage().contains("exceeds the file"),
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

    /** A hand-made format-1 file (as the first release wrote them): dim 2, words good/bad/EOS, labels pos/neg. */
    private static byte[] versionOneFile() throws IOException {
        return handMadeFile(1, ClassifierLoss.SOFTMAX, List.of("pos", "neg"), null, new float[] {2, -2, -2, 2});
    }

    /**
     * A hand-made file of {@code version}: dim 2, words good/bad/EOS with input rows (1, 0), (0, 1), (0, 0), the
     * given labels and output rows; version 2 adds neg 5, the label {@code counts} and the float32 storage code.
     */
    private static byte[] handMadeFile(
            int version, ClassifierLoss loss, List<String> labels, long[] counts, float[] output) throws IOException {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        java.io.DataOutputStream out = new java.io.DataOutputStream(bytes);
        out.writeInt(ClassifierFile.MAGIC);
        out.writeInt(version);
        out.writeInt(2); // dim
        out.writeFloat(0.1f); // lr
        out.writeInt(5); // epoch
        out.writeInt(1); // wordNgrams
        out.writeInt(0); // bucket
        out.writeInt(1); // minCount
        out.writeBoolean(false); // lowercase
        out.writeInt(1); // threads
        out.writeLong(7L); // seed
        out.writeInt(loss.ordinal());
        out.writeInt(0); // minn
        out.writeInt(0); // maxn
        if (version >= 2) {
            out.writeInt(ClassifierOptions.DEFAULT_NEG);
        }
        for (List<String> items : List.of(List.of("good", "bad", Dictionary.EOS), labels)) {
            out.writeInt(items.size());
            for (String item : items) {
                out.writeInt(item.length());
                out.writeBytes(item);
            }
        }
        if (version >= 2) {
            for (long count : counts) {
                out.writeLong(count);
            }
            out.writeInt(0); // storage: float32
        }
        ByteBuffer floats = ByteBuffer.allocate((6 + output.length) * 4).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (float f : new float[] {1, 0, 0, 1, 0, 0}) {
            floats.putFloat(f);
        }
        for (float f : output) {
            floats.putFloat(f);
        }
        out.write(floats.array());
        out.flush();
        return bytes.toByteArray();
    }

    @Test
    void versionOneFilesStillLoad(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("v1.e4jc");
        Files.write(file, versionOneFile());
        TextClassifier c = TextClassifier.load(file);
        assertEquals(ClassifierLoss.SOFTMAX, c.options().loss());
        assertEquals(ClassifierOptions.DEFAULT_NEG, c.options().neg());
        assertEquals(7L, c.options().seed());
        assertEquals(List.of("pos", "neg"), c.labels());
        assertTrue(c.precision().isEmpty());
        // "good": hidden = mean(good, EOS) = (0.5, 0); logits pos 1, neg -1
        assertEquals(1 / (1 + Math.exp(-2)), c.probabilities("good")[0], 1e-6);
        assertEquals(1 / (1 + Math.exp(-2)), c.probabilities("bad")[1], 1e-6);
        // saved again, it becomes a version-2 file that predicts the same
        Path again = dir.resolve("v2.e4jc");
        c.save(again);
        assertEquals(
                ClassifierFile.VERSION,
                ByteBuffer.wrap(Files.readAllBytes(again)).getInt(4));
        assertArrayEquals(
                c.probabilities("good bad good"), TextClassifier.load(again).probabilities("good bad good"), 0f);
    }

    @Test
    void versionOneFilesOfLossesItNeverHeldAreRefused(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("v1-hs.e4jc");
        for (ClassifierLoss loss : new ClassifierLoss[] {ClassifierLoss.HS, ClassifierLoss.NS}) {
            Files.write(file, handMadeFile(1, loss, List.of("pos", "neg"), null, new float[] {2, -2, -2, 2}));
            assertRefused(file, file + ": loss " + loss + " at offset 45 in a version 1 file");
        }
    }

    @Test
    void modelsWithoutLabelsAreRefused(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("no-labels.e4jc");
        for (int version = 1; version <= ClassifierFile.VERSION; version++) {
            Files.write(file, handMadeFile(version, ClassifierLoss.SOFTMAX, List.of(), new long[0], new float[0]));
            assertRefused(file, file + ": corrupt model");
            assertRefused(file, "a classifier needs at least one label");
        }
    }

    /** Counts whose sum wraps around would chain the hs tree K - 1 deep: O(K²) memory for a file of O(K) bytes. */
    @Test
    void hsLabelCountsThatOverflowAreRefused(@TempDir Path dir) throws Exception {
        int k = 64;
        List<String> labels = new java.util.ArrayList<>();
        for (int c = 0; c < k; c++) {
            labels.add("l" + c);
        }
        long[] counts = new long[k];
        Arrays.fill(counts, 1);
        Path file = dir.resolve("hs.e4jc");
        Files.write(file, handMadeFile(2, ClassifierLoss.HS, labels, counts, new float[k * 2]));
        float[] p = TextClassifier.load(file).probabilities("good"); // the same file with small counts loads
        double sum = 0;
        for (float x : p) {
            sum += x;
        }
        assertEquals(1.0, sum, 1e-5);
        Arrays.fill(counts, Long.MAX_VALUE);
        Files.write(file, handMadeFile(2, ClassifierLoss.HS, labels, counts, new float[k * 2]));
        assertRefused(file, file + ": corrupt model");
        assertRefused(file, "label counts sum past 2^63");
    }

    @Test
    void unknownMatrixStorageIsRefused(@TempDir Path dir) throws Exception {
        TextClassifier model = ClassifierFixtures.trec();
        Path file = saved(dir);
        byte[] b = Files.readAllBytes(file);
        int dim = model.options().dim();
        int storageAt =
                b.length - (model.dictionary().inputRows() + model.labels().size()) * dim * 4 - 4;
        assertEquals(0, ByteBuffer.wrap(b).getInt(storageAt), "float32 storage code expected at " + storageAt);
        ByteBuffer.wrap(b).putInt(storageAt, 7);
        Files.write(file, b);
        assertRefused(file, "unknown matrix storage 7 at offset " + storageAt);
    }
}
