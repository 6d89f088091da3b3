package org.embed4j.deploy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import org.embed4j.testing.RandomVectors;
import org.embed4j.text.Subwords;
import org.embed4j.vectors.WordVectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The .e4jq file: round trip, determinism, and refusal of truncated, corrupt and forged files. */
class QuantizedFormatTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(Precision.class)
    void roundTripIsExactAndDeterministic(Precision p) throws IOException {
        WordVectors w = RandomVectors.model(2, 300, 13);
        QuantizedVectors q = QuantizedVectors.quantize(w, p);
        Path f1 = dir.resolve("a.e4jq");
        Path f2 = dir.resolve("b.e4jq");
        q.save(f1);
        q.save(f2);
        assertArrayEquals(Files.readAllBytes(f1), Files.readAllBytes(f2), "same vectors, same bytes");
        QuantizedVectors back = QuantizedVectors.load(f1);
        assertEquals(p, back.precision());
        assertEquals(q.words(), back.words());
        assertEquals(q.dim(), back.dim());
        for (int r = 0; r < q.size(); r++) {
            assertArrayEquals(q.vector(r), back.vector(r), "row " + r);
            assertEquals(q.scale(r), back.scale(r));
        }
        assertEquals(33, back.indexOf("café33"), "a non-ASCII word keeps its row");
        assertEquals(q.nearest("w10", 5), back.nearest("w10", 5));
        try (var files = Files.list(dir)) {
            assertEquals(2, files.count(), "no temporary file is left behind");
        }
    }

    @Test
    void emptyModelRoundTrips() throws IOException {
        QuantizedVectors q = QuantizedVectors.quantize(WordVectors.of(List.of(), new float[0], 4), Precision.INT8);
        Path f = dir.resolve("empty.e4jq");
        q.save(f);
        assertEquals(0, QuantizedVectors.load(f).size());
    }

    @Test
    void truncatedFilesAreRefusedWithFileAndOffset() throws IOException {
        Path good = write(Precision.INT8);
        byte[] bytes = Files.readAllBytes(good);
        for (int len : new int[] {0, 3, 64, 127, 128, 200, bytes.length / 2, bytes.length - 1}) {
            Path bad = dir.resolve("t" + len + ".e4jq");
            Files.write(bad, java.util.Arrays.copyOf(bytes, len));
            IOException e = assertThrows(IOException.class, () -> QuantizedVectors.load(bad), "length " + len);
            assertTrue(
                    e.getMessage().contains(bad.toString()) && e.getMessage().contains("byte offset"), e.getMessage());
        }
    }

    @Test
    void forgedHeadersAreRefusedBeforeAllocating() throws IOException {
        expectCorrupt(Precision.INT8, b -> b.put(0, (byte) 'X'), "magic");
        expectCorrupt(Precision.INT8, b -> b.putInt(8, 7), "precision");
        expectCorrupt(Precision.INT8, b -> b.putInt(12, 64), "header size");
        expectCorrupt(Precision.INT8, b -> b.putLong(16, Long.MAX_VALUE / 2), "word count");
        expectCorrupt(Precision.INT8, b -> b.putLong(16, 1L << 30), "does not fit");
        expectCorrupt(Precision.INT8, b -> b.putLong(24, 0), "dimension");
        expectCorrupt(Precision.INT8, b -> b.putLong(24, 1L << 40), "dimension");
        expectCorrupt(Precision.INT8, b -> b.putLong(32, 100), "64-byte aligned");
        expectCorrupt(Precision.INT8, b -> b.putLong(48, 0), "does not fit");
        expectCorrupt(Precision.INT8, b -> b.putLong(72, b.capacity() + 8L), "truncated or appended");
        expectCorrupt(Precision.FP16, b -> b.putLong(40, 128), "no scales section");
    }

    @Test
    void newerVersionIsRefusedByNumber() throws IOException {
        int newer = QuantizedFormat.VERSION + 1;
        Path f = patch(Precision.INT8, b -> b.putInt(4, newer));
        IOException e = assertThrows(IOException.class, () -> QuantizedVectors.load(f));
        assertTrue(e.getMessage().contains("version " + newer) && e.getMessage().contains("upgrade"), e.getMessage());
    }

    @ParameterizedTest
    @EnumSource(Precision.class)
    void versionOneFilesStillLoad(Precision p) throws IOException {
        // version 1 is version 2 without subwords: the same bytes under version number 1
        QuantizedVectors q = QuantizedVectors.quantize(RandomVectors.model(4, 300, 13), p);
        Path v1 = patch(p, b -> b.putInt(4, 1));
        QuantizedVectors back = QuantizedVectors.load(v1);
        assertEquals(q.words(), back.words());
        assertFalse(back.hasSubwords());
        for (int r = 0; r < q.size(); r++) {
            assertArrayEquals(q.vector(r), back.vector(r), "row " + r);
        }
        expectCorrupt(p, b -> b.putInt(4, 1).putLong(88, 50), "reserved header bytes");
    }

    @ParameterizedTest
    @EnumSource(Precision.class)
    void subwordRowsRoundTrip(Precision p) throws IOException {
        QuantizedVectors q = QuantizedVectors.quantize(subwordModel(), p);
        Path f = dir.resolve("sub-" + p + ".e4jq");
        q.save(f);
        QuantizedVectors back = QuantizedVectors.load(f);
        assertTrue(back.hasSubwords());
        assertEquals(q.subwords().toString(), back.subwords().toString());
        assertEquals(q.vectorBytes(), back.vectorBytes());
        for (String w : new String[] {"w3", "zebra", "café", "w300000"}) {
            assertArrayEquals(q.vector(w), back.vector(w), w);
        }
        assertEquals(q.nearest("zebra", 5), back.nearest("zebra", 5));
    }

    @Test
    void forgedSubwordHeadersAreRefused() throws IOException {
        expectCorrupt(subwordFile(Precision.INT8), b -> b.putLong(88, 1L << 20), "does not fit");
        expectCorrupt(subwordFile(Precision.INT8), b -> b.putLong(88, -1), "bucket count");
        expectCorrupt(subwordFile(Precision.INT8), b -> b.putInt(84, 0), "maxn 0");
        expectCorrupt(subwordFile(Precision.INT8), b -> b.putInt(80, 9), "minn");
        expectCorrupt(subwordFile(Precision.INT8), b -> b.putLong(96, b.getLong(96) + 1), "64-byte aligned");
        expectCorrupt(
                subwordFile(Precision.INT8),
                b -> b.putFloat((int) b.getLong(104), Float.NaN),
                "subword scale of row 0");
        expectCorrupt(subwordFile(Precision.INT8), b -> b.putLong(120, 1), "reserved header bytes");
        expectCorrupt(subwordFile(Precision.FP16), b -> b.putLong(104, b.getLong(96)), "only int8 subword rows");
        expectCorrupt(
                subwordFile(Precision.FP16),
                b -> b.putShort((int) b.getLong(96) + 2, (short) 0x7c00),
                "fp16 element 1");
        expectCorrupt(write(Precision.INT8), b -> b.putInt(80, 3), "without subword rows");
        expectCorrupt(write(Precision.INT8), b -> b.putLong(96, 4096), "no bucket rows");
    }

    /** 300 words of dim 13 with 50 subword rows (minn 3, maxn 5). */
    private static WordVectors subwordModel() {
        WordVectors w = RandomVectors.model(4, 300, 13);
        return WordVectors.withSubwords(
                w.words(),
                RandomVectors.gaussian(5, 300 * 13),
                RandomVectors.gaussian(6, 50 * 13),
                13,
                new Subwords(3, 5, 50));
    }

    private Path subwordFile(Precision p) throws IOException {
        Path f = dir.resolve("good-sub-" + p + ".e4jq");
        if (!Files.exists(f)) {
            QuantizedVectors.quantize(subwordModel(), p).save(f);
        }
        return f;
    }

    @Test
    void corruptSectionsAreRefused() throws IOException {
        // scale of row 0 (the scales section of a 300 x 13 int8 file starts at align(128 + 3900) = 4032)
        expectCorrupt(Precision.INT8, b -> b.putFloat(4032, Float.NaN), "scale of row 0");
        expectCorrupt(Precision.INT8, b -> b.putFloat(4032, -1f), "scale of row 0");
        // fp16 element 3: 0x7e00 is a NaN
        expectCorrupt(Precision.FP16, b -> b.putShort(128 + 6, (short) 0x7e00), "fp16 element 3");
        long offsetsAt = offsets(Precision.INT8);
        expectCorrupt(Precision.INT8, b -> b.putLong((int) offsetsAt + 8, 1_000_000), "word offset 1");
        expectCorrupt(Precision.INT8, b -> b.putLong((int) offsetsAt, 1), "word offset 0");
        long stringsAt = ByteBuffer.wrap(Files.readAllBytes(write(Precision.INT8)))
                .order(ByteOrder.LITTLE_ENDIAN)
                .getLong(64);
        // "w0" -> "w1": a repeated word; 0xff: not UTF-8
        expectCorrupt(Precision.INT8, b -> b.put((int) stringsAt + 1, (byte) '1'), "appears at rows");
        expectCorrupt(Precision.INT8, b -> b.put((int) stringsAt + 1, (byte) 0xff), "not valid UTF-8");
    }

    private long offsets(Precision p) throws IOException {
        return ByteBuffer.wrap(Files.readAllBytes(write(p)))
                .order(ByteOrder.LITTLE_ENDIAN)
                .getLong(56);
    }

    private void expectCorrupt(Precision p, Consumer<ByteBuffer> change, String expected) throws IOException {
        expectCorrupt(write(p), change, expected);
    }

    private void expectCorrupt(Path good, Consumer<ByteBuffer> change, String expected) throws IOException {
        Path f = patch(good, change);
        IOException e = assertThrows(IOException.class, () -> QuantizedVectors.load(f), expected);
        assertTrue(e.getMessage().contains(expected), "expected '" + expected + "' in: " + e.getMessage());
        assertTrue(e.getMessage().contains(f.toString()) && e.getMessage().contains("byte offset"), e.getMessage());
    }

    private Path patch(Precision p, Consumer<ByteBuffer> change) throws IOException {
        return patch(write(p), change);
    }

    private Path patch(Path good, Consumer<ByteBuffer> change) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(good)).order(ByteOrder.LITTLE_ENDIAN);
        change.accept(b);
        Path f = Files.createTempFile(dir, "bad", ".e4jq");
        Files.write(f, b.array());
        return f;
    }

    private Path write(Precision p) throws IOException {
        Path f = dir.resolve("good-" + p + ".e4jq");
        if (!Files.exists(f)) {
            QuantizedVectors.quantize(RandomVectors.model(4, 300, 13), p).save(f);
        }
        return f;
    }
}
