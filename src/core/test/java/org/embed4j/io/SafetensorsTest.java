package org.embed4j.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.embed4j.tensor.DType;
import org.embed4j.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Safetensors round trips, the exact byte layout Python's safetensors expects (u64 LE header length, JSON
 * header padded to 8 bytes, raw little-endian data at the stated offsets), files as Python writes them, and
 * every kind of corruption giving an IOException that names the file (never an OOM or a crash).
 */
class SafetensorsTest {
    @TempDir
    Path dir;

    @Test
    void roundTripKeepsNamesOrderDtypesShapesValuesAndMetadata() throws IOException {
        Path f = dir.resolve("m.safetensors");
        LinkedHashMap<String, Tensor> in = new LinkedHashMap<>();
        in.put("0.weight", Tensor.of(new float[] {1f, -2.5f, 3f, Float.NaN, 0f, 7f}, 2, 3));
        in.put("0.bias", Tensor.of(new float[] {0.5f}, 1));
        in.put("ids", Tensor.of(new int[] {1, 2, 3}));
        in.put("big", Tensor.of(new long[] {Long.MAX_VALUE, -1}));
        in.put("empty", Tensor.allocate(DType.F32, 0, 4));
        try {
            Safetensors.write(f, in, Map.of("format", "pt", "note", "héllo \"quoted\" <tag>"));
            Map<String, String> meta = Safetensors.metadata(f);
            assertEquals("pt", meta.get("format"));
            assertEquals("héllo \"quoted\" <tag>", meta.get("note"));
            LinkedHashMap<String, Tensor> out = Safetensors.read(f);
            try {
                assertEquals(List.copyOf(in.keySet()), List.copyOf(out.keySet()));
                for (String k : in.keySet()) {
                    Tensor a = in.get(k);
                    Tensor b = out.get(k);
                    assertEquals(a.dtype(), b.dtype(), k);
                    assertArrayEquals(a.shape(), b.shape(), k);
                    assertArrayEquals(
                            a.segment().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE),
                            b.segment().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE),
                            k);
                }
            } finally {
                out.values().forEach(Tensor::close);
            }
        } finally {
            in.values().forEach(Tensor::close);
        }
    }

    @Test
    void layoutIsWhatPythonSafetensorsReads() throws Exception {
        Path f = dir.resolve("w.safetensors");
        LinkedHashMap<String, Tensor> in = new LinkedHashMap<>();
        in.put("weight", Tensor.of(new float[] {1f, 2f, 3f, 4f, 5f, 6f}, 3, 2));
        try {
            Safetensors.write(f, in, Map.of("format", "pt"));
        } finally {
            in.values().forEach(Tensor::close);
        }
        byte[] bytes = Files.readAllBytes(f);
        ByteBuffer bb = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        long n = bb.getLong();
        assertEquals(0, n % 8, "header padded to a multiple of 8");
        String header = new String(bytes, 8, (int) n, StandardCharsets.UTF_8);
        Map<String, Object> json = Json.parseObject(header.strip());
        Map<?, ?> w = (Map<?, ?>) json.get("weight");
        assertEquals("F32", w.get("dtype"));
        assertEquals("[3,2]", Json.write(w.get("shape")));
        assertEquals("[0,24]", Json.write(w.get("data_offsets")));
        assertEquals("pt", ((Map<?, ?>) json.get("__metadata__")).get("format"));
        assertEquals(8 + n + 24, bytes.length);
        ByteBuffer data = ByteBuffer.wrap(bytes, (int) (8 + n), 24).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 1; i <= 6; i++) {
            assertEquals((float) i, data.getFloat(), "little-endian float " + i);
        }
    }

    @Test
    void readsAFileLaidOutAsPythonWritesIt() throws IOException {
        // safetensors.torch.save_file({"weight": torch.tensor([[1., 2.], [3., 4.]]), "b": torch.tensor([5.])},
        // metadata={"format": "pt"}): keys sorted, no spaces, header padded with spaces to 8 bytes.
        String header = "{\"__metadata__\":{\"format\":\"pt\"},\"b\":{\"dtype\":\"F32\",\"shape\":[1],"
                + "\"data_offsets\":[16,20]},\"weight\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]}}";
        byte[] data = floats(1f, 2f, 3f, 4f, 5f);
        Path f = write(dir.resolve("py.safetensors"), header, data);
        LinkedHashMap<String, Tensor> t = Safetensors.read(f);
        try {
            assertEquals(List.of("weight", "b"), List.copyOf(t.keySet()), "returned in data order");
            assertArrayEquals(new float[] {1f, 2f, 3f, 4f}, t.get("weight").toFloatArray());
            assertArrayEquals(new long[] {2, 2}, t.get("weight").shape());
            assertArrayEquals(new float[] {5f}, t.get("b").toFloatArray());
        } finally {
            t.values().forEach(Tensor::close);
        }
    }

    @Test
    void headerLengthBeyondTheFileIsRejectedBeforeAllocating() throws IOException {
        Path f = dir.resolve("huge.safetensors");
        ByteBuffer bb = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
        bb.putLong(Long.MAX_VALUE / 2).put("{}      ".getBytes(StandardCharsets.US_ASCII));
        Files.write(f, bb.array());
        IOException e = assertThrows(IOException.class, () -> Safetensors.read(f));
        assertTrue(e.getMessage().contains(f.toString()) && e.getMessage().contains("header length"), e.getMessage());
        Files.write(f, new byte[] {1, 2, 3});
        assertThrows(IOException.class, () -> Safetensors.read(f));
    }

    @Test
    void corruptHeadersAndDataAreClearErrors() throws IOException {
        byte[] data = floats(1f, 2f, 3f, 4f);
        String ok = "{\"w\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]}}";
        Safetensors.read(write(dir.resolve("ok.safetensors"), ok, data))
                .values()
                .forEach(Tensor::close);
        Map<String, String> bad = new LinkedHashMap<>();
        bad.put("not json", "{\"w\":{\"dtype\":\"F32\",");
        bad.put("not an object", "[1,2,3]");
        bad.put("unknown dtype", ok.replace("F32", "F16"));
        bad.put("offset beyond data", ok.replace("[0,16]", "[0,32]"));
        bad.put("shape vs bytes", ok.replace("[2,2]", "[2,3]"));
        bad.put("negative dim", ok.replace("[2,2]", "[-2,-2]"));
        bad.put("gap", ok.replace("[0,16]", "[4,16]").replace("[2,2]", "[3]"));
        bad.put("missing offsets", "{\"w\":{\"dtype\":\"F32\",\"shape\":[2,2]}}");
        bad.put("metadata not strings", "{\"__metadata__\":{\"a\":1}," + ok.substring(1));
        bad.put(
                "overlap",
                "{\"w\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]},"
                        + "\"v\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}");
        for (Map.Entry<String, String> c : bad.entrySet()) {
            Path f = write(dir.resolve("bad.safetensors"), c.getValue(), data);
            IOException e = assertThrows(IOException.class, () -> Safetensors.read(f), c.getKey());
            assertTrue(e.getMessage().contains(f.toString()), c.getKey() + ": " + e.getMessage());
        }
        // Truncated data: the header promises 16 bytes, the file has 10.
        Path f = write(dir.resolve("short.safetensors"), ok, Arrays.copyOf(data, 10));
        IOException e = assertThrows(IOException.class, () -> Safetensors.read(f));
        assertTrue(e.getMessage().contains("data section"), e.getMessage());
    }

    @Test
    void atomicWriteLeavesTheOldFileWhenTheWriterFails() throws IOException {
        Path f = dir.resolve("keep.txt");
        AtomicFiles.write(f, out -> out.write("old".getBytes(StandardCharsets.UTF_8)));
        assertThrows(
                IOException.class,
                () -> AtomicFiles.write(f, out -> {
                    out.write("half-written".getBytes(StandardCharsets.UTF_8));
                    throw new IOException("disk full");
                }));
        assertEquals("old", Files.readString(f));
        try (var files = Files.list(dir)) {
            assertEquals(List.of(f), files.toList(), "no temporary file left behind");
        }
        AtomicFiles.write(f, out -> {
            out.write("new".getBytes(StandardCharsets.UTF_8));
            out.close(); // a writer closing its stream must not break the fsync
        });
        assertEquals("new", Files.readString(f));
    }

    private static byte[] floats(float... v) {
        ByteBuffer bb = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float x : v) {
            bb.putFloat(x);
        }
        return bb.array();
    }

    private static Path write(Path f, String header, byte[] data) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        int padded = (h.length + 7) / 8 * 8;
        ByteBuffer bb = ByteBuffer.allocate(8 + padded + data.length).order(ByteOrder.LITTLE_ENDIAN);
        bb.putLong(padded).put(h);
        for (int i = h.length; i < padded; i++) {
            bb.put((byte) ' ');
        }
        bb.put(data);
        Files.write(f, bb.array());
        return f;
    }
}
