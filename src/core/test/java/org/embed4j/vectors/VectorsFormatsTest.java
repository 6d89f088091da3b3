package org.embed4j.vectors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.embed4j.testing.RandomVectors;
import org.embed4j.text.Subwords;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every format: write → read gives the same words and floats (exactly: the text formats use shortest
 * round-trip floats), write → read → write gives the same bytes, word2vec binary is byte-identical to an
 * independent minimal writer, and files in the styles of word2vec C, gensim, fastText and GloVe read correctly.
 * The fixtures in src/test/resources/org/embed4j/vectors were written by a short Python script with
 * {@code struct.pack('<f')} and {@code "%f "} (word2vec C's text), {@code "%.5g "} (fastText) and no header
 * with CRLF (GloVe); {@code gensim.bin} has no newline after each vector, as gensim 4 writes it.
 */
class VectorsFormatsTest {
    private static final List<String> FIXTURE_WORDS = List.of("</s>", "the", "café", "naïve", "日本");
    private static final double[][] FIXTURE = {
        {0.125, -1.5, 0.1, 2.0},
        {-0.25, 0.333333, 1e-3, -7.75},
        {3.0, 0.0, -0.5, 0.2},
        {1.0, 1.0, -1.0, 0.015625},
        {-2.5, 0.75, 0.6, -0.9}
    };

    @TempDir
    Path dir;

    static String extension(VectorsFormat f) {
        return switch (f) {
            case WORD2VEC_TEXT -> ".txt";
            case WORD2VEC_BINARY -> ".bin";
            case FASTTEXT_VEC -> ".vec";
            case GLOVE -> ".glove.txt";
            case SAFETENSORS -> ".safetensors";
            case NATIVE -> ".e4jv";
        };
    }

    static void assertSameVectors(WordVectors expected, WordVectors actual) {
        assertEquals(expected.words(), actual.words());
        assertEquals(expected.dim(), actual.dim());
        for (int i = 0; i < expected.size(); i++) {
            assertArrayEquals(
                    expected.vector(i),
                    actual.vector(i),
                    "row " + i + " (" + expected.words().get(i) + ")");
            assertEquals(i, actual.indexOf(expected.words().get(i)));
        }
        assertEquals(-1, actual.indexOf("no-such-word"));
    }

    @ParameterizedTest
    @EnumSource(VectorsFormat.class)
    void roundTripIsExactAndDeterministic(VectorsFormat format) throws IOException {
        float[] data = RandomVectors.gaussian(3, 40 * 9);
        data[5] = Float.MIN_VALUE; // subnormal
        data[6] = -0.0f;
        data[7] = 1.0e-30f;
        data[8] = 123456.79f;
        WordVectors v = WordVectors.of(RandomVectors.words(40), data, 9);
        Path first = dir.resolve("first" + extension(format));
        Path second = dir.resolve("second" + extension(format));
        VectorsIO.write(v, first, format);
        assertEquals(format, VectorsIO.detect(first));
        WordVectors back = VectorsIO.read(first, format);
        assertSameVectors(v, back);
        VectorsIO.write(back, second, format);
        assertArrayEquals(Files.readAllBytes(first), Files.readAllBytes(second), "rewritten bytes differ");
        if (format == VectorsFormat.SAFETENSORS) {
            assertArrayEquals(
                    Files.readAllBytes(SafetensorsFormat.vocabPath(first)),
                    Files.readAllBytes(SafetensorsFormat.vocabPath(second)));
        }
        // the same answers from a heap model and one read back (mapped for NATIVE)
        List<Neighbor> a = v.nearest("w20", 5);
        List<Neighbor> b = back.nearest("w20", 5);
        assertEquals(
                a.stream().map(Neighbor::word).toList(),
                b.stream().map(Neighbor::word).toList());
        for (int i = 0; i < a.size(); i++) {
            assertEquals(a.get(i).score(), b.get(i).score(), 1e-6);
        }
    }

    @Test
    void emptyVocabularyRoundTrips() throws IOException {
        WordVectors empty = WordVectors.of(List.of(), new float[0], 3);
        for (VectorsFormat f :
                List.of(VectorsFormat.WORD2VEC_TEXT, VectorsFormat.WORD2VEC_BINARY, VectorsFormat.NATIVE)) {
            Path p = dir.resolve("empty" + extension(f));
            VectorsIO.write(empty, p, f);
            WordVectors back = VectorsIO.read(p, f);
            assertEquals(0, back.size());
            assertEquals(List.of(), back.nearest(new float[] {1, 0, 0}, 3));
        }
    }

    /** word2vec C's writer, restated from its documented behaviour: "%lld %lld\n", then "%s " + raw floats + "\n". */
    private static byte[] minimalWord2VecBinary(List<String> words, float[] data, int dim) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes((words.size() + " " + dim + "\n").getBytes(StandardCharsets.US_ASCII));
        for (int i = 0; i < words.size(); i++) {
            out.writeBytes((words.get(i) + " ").getBytes(StandardCharsets.UTF_8));
            ByteBuffer b = ByteBuffer.allocate(dim * 4).order(ByteOrder.LITTLE_ENDIAN);
            for (int d = 0; d < dim; d++) {
                b.putFloat(data[i * dim + d]);
            }
            out.writeBytes(b.array());
            out.write('\n');
        }
        return out.toByteArray();
    }

    @Test
    void binaryIsByteCompatibleWithWord2VecC() throws IOException {
        List<String> words = RandomVectors.words(30);
        float[] data = RandomVectors.gaussian(9, 30 * 13);
        Path p = dir.resolve("v.bin");
        VectorsIO.write(WordVectors.of(words, data, 13), p, VectorsFormat.WORD2VEC_BINARY);
        assertArrayEquals(minimalWord2VecBinary(words, data, 13), Files.readAllBytes(p));
    }

    private Path fixture(String name) throws IOException {
        Path p = dir.resolve(name);
        try (InputStream in = getClass().getResourceAsStream(name)) {
            assertNotNull(in, "test resource " + name);
            Files.copy(in, p, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        return p;
    }

    private static void assertFixture(WordVectors v, double tol) {
        assertEquals(FIXTURE_WORDS, v.words());
        assertEquals(4, v.dim());
        for (int i = 0; i < FIXTURE.length; i++) {
            float[] row = v.vector(FIXTURE_WORDS.get(i));
            for (int d = 0; d < 4; d++) {
                assertEquals((float) FIXTURE[i][d], row[d], tol, FIXTURE_WORDS.get(i) + "[" + d + "]");
            }
        }
    }

    @Test
    void readsWord2VecCAndGensimFiles() throws IOException {
        assertFixture(VectorsIO.read(fixture("word2vec-c.bin"), VectorsFormat.WORD2VEC_BINARY), 0);
        assertFixture(VectorsIO.read(fixture("gensim.bin"), VectorsFormat.WORD2VEC_BINARY), 0);
        assertFixture(VectorsIO.read(fixture("word2vec-c.txt"), VectorsFormat.WORD2VEC_TEXT), 0);
        assertFixture(VectorsIO.read(fixture("fasttext.vec"), VectorsFormat.FASTTEXT_VEC), 1e-5);
        assertFixture(VectorsIO.read(fixture("glove.txt"), VectorsFormat.GLOVE), 0);
    }

    @Test
    void detectsFormatsByMagicExtensionAndContent() throws IOException {
        assertEquals(VectorsFormat.WORD2VEC_BINARY, VectorsIO.detect(fixture("gensim.bin")));
        assertEquals(VectorsFormat.WORD2VEC_TEXT, VectorsIO.detect(fixture("word2vec-c.txt")));
        assertEquals(VectorsFormat.FASTTEXT_VEC, VectorsIO.detect(fixture("fasttext.vec")));
        assertEquals(VectorsFormat.GLOVE, VectorsIO.detect(fixture("glove.txt")), ".txt without a header is GloVe");
        Path noExt = dir.resolve("model");
        Files.copy(fixture("word2vec-c.bin"), noExt);
        assertEquals(VectorsFormat.WORD2VEC_BINARY, VectorsIO.detect(noExt));
        Files.copy(fixture("word2vec-c.txt"), noExt, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        assertEquals(VectorsFormat.WORD2VEC_TEXT, VectorsIO.detect(noExt));
        WordVectors v = RandomVectors.model(1, 10, 3);
        Path nat = dir.resolve("model.data");
        VectorsIO.write(v, nat, VectorsFormat.NATIVE);
        assertEquals(VectorsFormat.NATIVE, VectorsIO.detect(nat), "by magic, whatever the extension");
        Path st = dir.resolve("model.st");
        VectorsIO.write(v, st, VectorsFormat.SAFETENSORS);
        assertEquals(VectorsFormat.SAFETENSORS, VectorsIO.detect(st));
        assertSameVectors(v, VectorsIO.read(st));
    }

    @Test
    void nativeFileIsMappedNotCopied() throws IOException {
        WordVectors v = RandomVectors.model(5, 100, 8);
        Path p = dir.resolve("m.e4jv");
        VectorsIO.write(v, p, VectorsFormat.NATIVE);
        WordVectors mapped = VectorsIO.read(p, VectorsFormat.NATIVE);
        assertTrue(mapped.matrix().isMapped(), "the matrix is the file's mapping");
        assertTrue(mapped.matrix().address() % 64 == 0, "the matrix is 64-byte aligned");
        assertSameVectors(v, mapped);
    }

    @ParameterizedTest
    @EnumSource(
            value = VectorsFormat.class,
            names = {"NATIVE", "SAFETENSORS"})
    void subwordsSurvive(VectorsFormat format) throws IOException {
        Subwords sub = new Subwords(2, 4, 31);
        float[] buckets = RandomVectors.gaussian(11, 31 * 6);
        WordVectors v =
                WordVectors.withSubwords(RandomVectors.words(20), RandomVectors.gaussian(12, 20 * 6), buckets, 6, sub);
        Path p = dir.resolve("sub" + extension(format));
        VectorsIO.write(v, p, format);
        WordVectors back = VectorsIO.read(p, format);
        assertSameVectors(v, back);
        assertEquals(sub.toString(), String.valueOf(back.subwords()));
        assertArrayEquals(v.vector("outofvocabulary"), back.vector("outofvocabulary"));
    }

    @Test
    void refusesWordsTheFormatCannotHold() {
        WordVectors v = WordVectors.of(List.of("ok", "two words"), new float[4], 2);
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> VectorsIO.write(v, dir.resolve("x.bin"), VectorsFormat.WORD2VEC_BINARY));
        assertTrue(e.getMessage().contains("two words"), e.getMessage());
        assertTrue(Files.notExists(dir.resolve("x.bin")));
    }
}
