package org.embed4j.vectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.embed4j.testing.RandomVectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Truncated, corrupt and forged files: each read fails with an IOException naming the file (and, where
 * a position is at fault, the byte offset), never another exception, an OutOfMemoryError or a crash.
 */
class CorruptFilesTest {
    @TempDir
    Path dir;

    private final WordVectors model = RandomVectors.model(17, 12, 5);

    private Path write(String name, VectorsFormat f) throws IOException {
        Path p = dir.resolve(name);
        VectorsIO.write(model, p, f);
        return p;
    }

    private static IOException assertCorrupt(Path p, VectorsFormat f) {
        IOException e = assertThrows(IOException.class, () -> VectorsIO.read(p, f));
        assertTrue(e.getMessage().contains(p.toString()), "message names the file: " + e.getMessage());
        return e;
    }

    private static void assertOffset(IOException e, long offset) {
        assertTrue(
                e.getMessage().contains("byte offset " + offset),
                "expected byte offset " + offset + " in: " + e.getMessage());
    }

    /** Every prefix of a valid file is rejected cleanly. */
    private void everyTruncationFails(String name, VectorsFormat f, boolean text) throws IOException {
        Path full = write(name, f);
        byte[] bytes = Files.readAllBytes(full);
        Path cut = dir.resolve("cut-" + name);
        for (int n = 0; n < bytes.length; n += 3) {
            if (n == bytes.length - 1 && f == VectorsFormat.WORD2VEC_BINARY) {
                continue; // the newline after the last vector is optional (gensim 4 omits it)
            }
            if (text && !new String(bytes, n, bytes.length - n, StandardCharsets.UTF_8).contains(" ")) {
                continue; // a text file cut inside its last value is still a valid file
            }
            Files.write(cut, Arrays.copyOf(bytes, n));
            try {
                VectorsIO.read(cut, f);
                fail("a file cut to " + n + " of " + bytes.length + " bytes was read without error");
            } catch (IOException expected) {
                assertTrue(expected.getMessage().contains(cut.toString()), expected.getMessage());
            }
        }
    }

    @Test
    void truncatedFilesFail() throws IOException {
        everyTruncationFails("t.e4jv", VectorsFormat.NATIVE, false);
        everyTruncationFails("t.bin", VectorsFormat.WORD2VEC_BINARY, false);
        everyTruncationFails("t.txt", VectorsFormat.WORD2VEC_TEXT, true);
    }

    @Test
    void forgedBinaryHeaderIsCheckedBeforeAllocating() throws IOException {
        Path p = dir.resolve("forged.bin");
        Files.write(p, "2000000000 100000000\nthe \u0001\u0002\u0003\u0004".getBytes(StandardCharsets.ISO_8859_1));
        IOException e = assertCorrupt(p, VectorsFormat.WORD2VEC_BINARY);
        assertTrue(e.getMessage().contains("2000000000"), e.getMessage());
        Files.write(p, "3000000 300\nthe ".getBytes(StandardCharsets.US_ASCII));
        assertCorrupt(p, VectorsFormat.WORD2VEC_BINARY);
        Files.write(p, "-3 300\n".getBytes(StandardCharsets.US_ASCII));
        assertCorrupt(p, VectorsFormat.WORD2VEC_BINARY);
        Files.write(
                p,
                "no header at all, just a long line of text without any newline in it: "
                        .repeat(3)
                        .getBytes(StandardCharsets.US_ASCII));
        assertOffset(assertCorrupt(p, VectorsFormat.WORD2VEC_BINARY), 0);
    }

    @Test
    void forgedTextHeaderIsCheckedBeforeAllocating() throws IOException {
        Path p = dir.resolve("forged.txt");
        Files.write(p, "2000000000 300\nthe 1 2 3\n".getBytes(StandardCharsets.US_ASCII));
        assertOffset(assertCorrupt(p, VectorsFormat.WORD2VEC_TEXT), 0);
    }

    @Test
    void badTextValuesNameTheOffset() throws IOException {
        Path p = dir.resolve("bad.txt");
        String good = "2 3\nthe 1 2 3\n";
        Files.write(p, (good + "cat 1 x2 3\n").getBytes(StandardCharsets.US_ASCII));
        IOException e = assertCorrupt(p, VectorsFormat.WORD2VEC_TEXT);
        assertOffset(e, good.length() + "cat 1 ".length());
        Files.write(p, (good + "cat 1 2\n").getBytes(StandardCharsets.US_ASCII));
        assertOffset(assertCorrupt(p, VectorsFormat.WORD2VEC_TEXT), good.length());
        Files.write(p, (good + "cat 1 2 3\nextra 1 2 3\n").getBytes(StandardCharsets.US_ASCII));
        assertCorrupt(p, VectorsFormat.WORD2VEC_TEXT);
        Files.write(p, (good + "the 1 2 3\n").getBytes(StandardCharsets.US_ASCII));
        assertTrue(assertCorrupt(p, VectorsFormat.WORD2VEC_TEXT).getMessage().contains("duplicate"));
        Files.write(p, "the 1 2 3\ncat 1 2\n".getBytes(StandardCharsets.US_ASCII));
        assertCorrupt(p, VectorsFormat.GLOVE);
    }

    @Test
    void binaryWithTrailingGarbageFails() throws IOException {
        Path p = write("g.bin", VectorsFormat.WORD2VEC_BINARY);
        long size = Files.size(p);
        Files.write(p, new byte[] {'x', 'y'}, java.nio.file.StandardOpenOption.APPEND);
        assertOffset(assertCorrupt(p, VectorsFormat.WORD2VEC_BINARY), size);
    }

    private void patch(Path p, int offset, ByteBuffer value) throws IOException {
        byte[] b = Files.readAllBytes(p);
        value.get(0, b, offset, value.capacity());
        Files.write(p, b);
    }

    private static ByteBuffer i32(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(0, v);
    }

    private static ByteBuffer i64(long v) {
        return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, v);
    }

    @Test
    void forgedNativeHeadersFail() throws IOException {
        Path p = write("n.e4jv", VectorsFormat.NATIVE);
        byte[] good = Files.readAllBytes(p);

        patch(p, 16, i64(1L << 40)); // V
        assertOffset(assertCorrupt(p, VectorsFormat.NATIVE), 16);
        Files.write(p, good);
        patch(p, 16, i64(1_000_000)); // plausible V, but the sections no longer fit
        assertCorrupt(p, VectorsFormat.NATIVE);
        Files.write(p, good);
        patch(p, 24, i64(Integer.MAX_VALUE / 8)); // D
        assertCorrupt(p, VectorsFormat.NATIVE);
        Files.write(p, good);
        patch(p, 48, i64(130)); // unaligned matrix
        assertOffset(assertCorrupt(p, VectorsFormat.NATIVE), 48);
        Files.write(p, good);
        patch(p, 0, i32(0x12345678));
        assertTrue(assertCorrupt(p, VectorsFormat.NATIVE).getMessage().contains("magic"));
        Files.write(p, good);
        patch(p, 104, i64(good.length + 100L));
        assertCorrupt(p, VectorsFormat.NATIVE);
    }

    @Test
    void newerNativeVersionIsRefused() throws IOException {
        Path p = write("v.e4jv", VectorsFormat.NATIVE);
        patch(p, 4, i32(NativeFormat.VERSION + 1));
        IOException e = assertCorrupt(p, VectorsFormat.NATIVE);
        assertTrue(
                e.getMessage().contains("version " + (NativeFormat.VERSION + 1))
                        && e.getMessage().contains("newer"),
                e.getMessage());
    }

    @Test
    void corruptNativeVocabularyFails() throws IOException {
        Path p = write("w.e4jv", VectorsFormat.NATIVE);
        ByteBuffer h = ByteBuffer.wrap(Files.readAllBytes(p)).order(ByteOrder.LITTLE_ENDIAN);
        long offsets = h.getLong(72);
        long table = h.getLong(88);
        byte[] good = Files.readAllBytes(p);
        patch(p, (int) offsets + 8 * 3, i64(1L << 50)); // word offset far outside
        assertOffset(assertCorrupt(p, VectorsFormat.NATIVE), offsets + 8 * 3);
        Files.write(p, good);
        int slot = 0;
        while (h.getInt((int) (table + 4L * slot)) < 0) {
            slot++;
        }
        patch(p, (int) (table + 4L * slot), i32(1000)); // row outside the vocabulary
        assertOffset(assertCorrupt(p, VectorsFormat.NATIVE), table + 4L * slot);
    }

    @Test
    void nativeWordsOutOfTheirHashSlotsFail() throws IOException {
        Path p = write("h.e4jv", VectorsFormat.NATIVE);
        byte[] good = Files.readAllBytes(p);
        ByteBuffer h = ByteBuffer.wrap(good).order(ByteOrder.LITTLE_ENDIAN);
        int offsets = (int) h.getLong(72);
        int strings = (int) h.getLong(80);
        int w1 = strings + (int) h.getLong(offsets + 8);
        int w2 = strings + (int) h.getLong(offsets + 16);
        assertEquals(model.words().get(0).length(), w1 - strings, "ASCII words of one length");
        assertEquals(w1 - strings, w2 - w1, "ASCII words of one length");
        byte[] b = good.clone();
        System.arraycopy(good, strings, b, w1, w2 - w1); // word 1 spelled as word 0
        Files.write(p, b);
        String m = assertCorrupt(p, VectorsFormat.NATIVE).getMessage();
        assertTrue(m.contains("word 1 ('" + model.words().get(0) + "') is also word 0"), m);
        b = good.clone();
        b[w1] = '~'; // word 1 renamed: the table leads elsewhere
        Files.write(p, b);
        m = assertCorrupt(p, VectorsFormat.NATIVE).getMessage();
        assertTrue(m.contains("word 1 (") && m.contains("is missing from the hash table"), m);
        assertOffset(assertCorrupt(p, VectorsFormat.NATIVE), w1);
    }

    @Test
    void safetensorsNeedsItsVocabulary() throws IOException {
        Path p = write("s.safetensors", VectorsFormat.SAFETENSORS);
        Path vocab = SafetensorsFormat.vocabPath(p);
        Files.writeString(vocab, "only\ntwo\n");
        IOException e = assertThrows(IOException.class, () -> VectorsIO.read(p, VectorsFormat.SAFETENSORS));
        assertTrue(e.getMessage().contains(vocab.toString()) && e.getMessage().contains("12"), e.getMessage());
        Files.delete(vocab);
        e = assertThrows(IOException.class, () -> VectorsIO.read(p, VectorsFormat.SAFETENSORS));
        assertTrue(e.getMessage().contains("missing"), e.getMessage());
    }

    @Test
    void emptyFilesFail() throws IOException {
        Path p = dir.resolve("empty");
        Files.write(p, new byte[0]);
        for (VectorsFormat f : VectorsFormat.values()) {
            if (f != VectorsFormat.SAFETENSORS) {
                assertCorrupt(p, f);
            }
        }
        assertThrows(IOException.class, () -> VectorsIO.read(p, VectorsFormat.SAFETENSORS));
        assertEquals(VectorsFormat.GLOVE, VectorsIO.detect(p));
    }
}
