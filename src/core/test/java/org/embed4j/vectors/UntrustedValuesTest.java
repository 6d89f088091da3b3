package org.embed4j.vectors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.embed4j.testing.RandomVectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Values and sizes that a file declares but must not be trusted: NaN and infinite vector values (refused when a
 * row is read, or when a mapped row is used), header dimensions far beyond the file, stored norms that are not the
 * rows' norms, and words that are not valid UTF-8 (refused the same way in every format).
 */
class UntrustedValuesTest {
    @TempDir
    Path dir;

    private Path text(String name, String content) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, content, StandardCharsets.UTF_8);
        return p;
    }

    private static IOException refused(Path p, VectorsFormat f, String... parts) {
        IOException e = assertThrows(IOException.class, () -> VectorsIO.read(p, f));
        assertTrue(e.getMessage().contains(p.toString()), e.getMessage());
        for (String part : parts) {
            assertTrue(e.getMessage().contains(part), "expected '" + part + "' in: " + e.getMessage());
        }
        return e;
    }

    @Test
    void textFormatsRefuseNonFiniteValues() throws IOException {
        for (String bad : List.of("NaN", "Infinity", "-Infinity", "1e39")) {
            Path vec = text("nan.vec", "2 3\na 1 2 3\nb 1 " + bad + " 3\n");
            refused(vec, VectorsFormat.FASTTEXT_VEC, "line 3", "word 'b'", "value 2 is");
            Path glove = text("nan.glove.txt", "a 1 2 3\nb 1 2 " + bad + "\n");
            refused(glove, VectorsFormat.GLOVE, "line 2", "value 3 is");
        }
    }

    @Test
    void textFormatRefusesARowWhoseNormOverflowsFloat() throws IOException {
        Path vec = text("big.vec", "1 2\na 3e38 3e38\n");
        refused(vec, VectorsFormat.FASTTEXT_VEC, "norm overflows float");
    }

    @Test
    void binaryFormatRefusesNonFiniteValuesNamingTheOffset() throws IOException {
        ByteBuffer b = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        b.put("1 2\nw ".getBytes(StandardCharsets.US_ASCII))
                .putFloat(1f)
                .putFloat(Float.NaN)
                .put((byte) '\n');
        Path p = dir.resolve("nan.bin");
        Files.write(p, java.util.Arrays.copyOf(b.array(), b.position()));
        refused(p, VectorsFormat.WORD2VEC_BINARY, "byte offset 10", "value 2 is NaN");
    }

    @Test
    void safetensorsRefusesNonFiniteValues() throws IOException {
        Path p = dir.resolve("v.safetensors");
        VectorsIO.write(WordVectors.of(List.of("a", "b"), new float[] {1, 2, 3, 4}, 2), p, VectorsFormat.SAFETENSORS);
        byte[] bytes = Files.readAllBytes(p);
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putFloat(bytes.length - 4, Float.POSITIVE_INFINITY);
        Files.write(p, bytes);
        refused(p, VectorsFormat.SAFETENSORS, "row 1 (word 'b')", "value 2 is Infinity");
    }

    @Test
    void inMemoryVectorsRefuseNonFiniteValues() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> WordVectors.of(List.of("a"), new float[] {Float.NaN, 1}, 2));
        assertTrue(e.getMessage().contains("row 0"), e.getMessage());
    }

    /** A 12-byte file may declare any dimension; nothing is sized by it unless rows need it. */
    @Test
    void aHugeDeclaredDimensionAllocatesNothing() throws IOException {
        Path vec = text("huge.vec", "0 536870911\n");
        refused(vec, VectorsFormat.FASTTEXT_VEC, "impossible word count or dimension");
        Path oneRow = text("one.vec", "1 1048576\na 1\n");
        refused(oneRow, VectorsFormat.FASTTEXT_VEC, "header claims 1 words of dim 1048576");
        Path bin = dir.resolve("huge.bin");
        Files.writeString(bin, "0 536870911\n");
        refused(bin, VectorsFormat.WORD2VEC_BINARY, "impossible word count or dimension");
    }

    /** Zero words of the largest dimension allowed read, convert and write without sizing anything by it. */
    @Test
    void zeroWordsOfAWideDimensionConvert() throws IOException {
        Path vec = text("empty.vec", "0 1048576\n");
        try (WordVectors v = VectorsIO.read(vec, VectorsFormat.FASTTEXT_VEC)) {
            assertEquals(0, v.size());
            for (VectorsFormat f : VectorsFormat.values()) {
                Path out = dir.resolve("empty-" + f);
                VectorsIO.write(v, out, f);
            }
        }
    }

    // ------------------------------------------------------------------ the mapped format: checked when used

    private Path nativeFile(WordVectors v) throws IOException {
        Path p = dir.resolve("v.e4jv");
        VectorsIO.write(v, p, VectorsFormat.NATIVE);
        return p;
    }

    private static long i64(byte[] b, int at) {
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getLong(at);
    }

    private static void putF32(byte[] b, long at, float x) {
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putFloat((int) at, x);
    }

    @Test
    void aForgedNormNeverGivesACosineOutsideMinusOneOne() throws IOException {
        WordVectors model = RandomVectors.model(3, 50, 8);
        Path p = nativeFile(model);
        byte[] b = Files.readAllBytes(p);
        long norms = i64(b, 56);
        putF32(b, norms + 7 * 4, 1e-20f); // row 7 claims a tiny norm: its cosines would be ~1e20
        Files.write(p, b);
        try (WordVectors v = VectorsIO.read(p, VectorsFormat.NATIVE)) {
            String w7 = v.words().get(7);
            float[] towards7 = model.vector(7);
            UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> v.nearest(towards7, 5));
            assertTrue(e.getMessage().contains("row 7 (word '" + w7 + "')"), e.getMessage());
            assertTrue(e.getMessage().contains("byte offset " + (norms + 28)), e.getMessage());
            assertTrue(e.getMessage().contains(p.toString()), e.getMessage());
            // a query whose answer does not involve row 7 still works, and its cosines are within [-1, 1]
            float[] away = towards7.clone();
            for (int d = 0; d < away.length; d++) {
                away[d] = -away[d];
            }
            List<Neighbor> answer = v.nearest(away, 5);
            assertEquals(5, answer.size());
            for (Neighbor n : answer) {
                assertTrue(Math.abs(n.score()) <= 1.0, n.toString());
            }
        }
    }

    @Test
    void aNaNInAMappedRowIsAnErrorNamingItWhenTheRowIsUsed() throws IOException {
        WordVectors model = RandomVectors.model(4, 40, 6);
        Path p = nativeFile(model);
        byte[] b = Files.readAllBytes(p);
        long matrix = i64(b, 48);
        putF32(b, matrix + (11 * 6 + 2) * 4, Float.NaN);
        Files.write(p, b);
        try (WordVectors v = VectorsIO.read(p, VectorsFormat.NATIVE)) {
            String w11 = v.words().get(11);
            String w10 = v.words().get(10);
            float[] good = v.vector(w10);
            assertArrayEquals(good, v.vector(w10), "a row that passed its check reads the same again");
            UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> v.vector(w11));
            assertTrue(e.getMessage().contains("row 11 (word '" + w11 + "'): value 3 is NaN"), e.getMessage());
            assertTrue(e.getMessage().contains("byte offset " + (matrix + 68 * 4)), e.getMessage());
            // a bad row is refused every time it is used, not only the first
            UncheckedIOException again = assertThrows(UncheckedIOException.class, () -> v.vector(w11));
            assertEquals(e.getMessage(), again.getMessage());
            // 3CosMul would rank a NaN first: it is refused instead, or not answered at all
            for (int a = 0; a < 10; a++) {
                try {
                    for (Neighbor n : v.analogy(
                            v.words().get(a), v.words().get(a + 1), v.words().get(a + 2), 40, AnalogyMethod.COS_MUL)) {
                        assertTrue(Double.isFinite(n.score()), n.toString());
                        assertTrue(!n.word().equals(w11), "the NaN row was answered: " + n);
                    }
                } catch (UncheckedIOException refused) {
                    assertTrue(refused.getMessage().contains("row 11"), refused.getMessage());
                }
            }
            // converting the damaged file is refused before anything is written
            Path out = dir.resolve("copy.bin");
            assertThrows(UncheckedIOException.class, () -> VectorsIO.write(v, out, VectorsFormat.WORD2VEC_BINARY));
            assertTrue(Files.notExists(out));
        }
    }

    // ------------------------------------------------------------------ invalid UTF-8 words: refused everywhere

    @Test
    void invalidUtf8WordsAreRefusedInEveryFormat() throws IOException {
        byte[] word = {'a', (byte) 0xff, 'b'};
        // word2vec binary
        ByteBuffer bin = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        bin.put("1 1\n".getBytes(StandardCharsets.US_ASCII))
                .put(word)
                .put((byte) ' ')
                .putFloat(1f);
        Path pb = dir.resolve("w.bin");
        Files.write(pb, java.util.Arrays.copyOf(bin.array(), bin.position()));
        refused(pb, VectorsFormat.WORD2VEC_BINARY, "word 0 is not valid UTF-8", "ff 62", "byte offset 5");
        // word2vec text
        Path pt = dir.resolve("w.txt");
        byte[] line =
                concat("1 1\n".getBytes(StandardCharsets.US_ASCII), word, " 1\n".getBytes(StandardCharsets.US_ASCII));
        Files.write(pt, line);
        refused(pt, VectorsFormat.WORD2VEC_TEXT, "word 0 is not valid UTF-8", "byte offset 5");
        // the native format: a valid file whose word bytes are then damaged
        Path pn = nativeFile(WordVectors.of(List.of("aab"), new float[] {1, 2}, 2));
        byte[] b = Files.readAllBytes(pn);
        long strings = i64(b, 80);
        b[(int) strings + 1] = (byte) 0xff;
        Files.write(pn, b);
        refused(pn, VectorsFormat.NATIVE, "word 0 is not valid UTF-8", "byte offset " + (strings + 1));
    }

    private static byte[] concat(byte[]... parts) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
