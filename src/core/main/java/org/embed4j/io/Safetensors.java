package org.embed4j.io;

import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.embed4j.tensor.DType;
import org.embed4j.tensor.Tensor;

/**
 * The safetensors format (huggingface/safetensors), so that Python's {@code safetensors.torch.load_file}
 * reads what we write and we read what it writes:
 * <pre>
 *   u64 little-endian N | N bytes of UTF-8 JSON header | raw little-endian tensor data
 *   header = {"__metadata__": {str: str}, name: {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, ...}
 * </pre>
 * Offsets are relative to the start of the data section; tensors are written in the map's order, back to
 * back, and the header is padded with spaces to a multiple of 8 bytes (as the reference writer does).
 *
 * <p>Reading validates before trusting anything: the header length against the file size before any
 * allocation, the JSON, every dtype, shape and offset pair, that offsets tile the data section without gaps
 * or overlaps, and that each shape's byte count equals its offsets' span. Every error is an
 * {@link IOException} naming the file and the byte offset or tensor at fault; a corrupt file can never cause
 * an OutOfMemoryError or a crash. Writes go through {@link AtomicFiles}.
 *
 * <p>Stateless and thread-safe. Tensors returned by {@link #read} are host tensors the caller closes.
 */
public final class Safetensors {
    /** The reference implementation's limit on the header; anything larger is corrupt, not big. */
    static final long MAX_HEADER_BYTES = 100_000_000L;
    /**
     * Most JSON values a header may hold: a tensor entry takes about ten, metadata one per key and value. Parsed values
     * take tens of bytes each, so this bounds the memory of a header of tiny values (a 100 MB array of zeros would
     * otherwise become gigabytes); long strings, such as a vocabulary in the metadata, count once.
     */
    static final long MAX_HEADER_VALUES = 1_000_000L;
    /** Most dimensions a tensor may have (PyTorch's limit). */
    static final int MAX_RANK = 64;

    private static final String METADATA_KEY = "__metadata__";
    private static final int CHUNK = 1 << 20;

    private Safetensors() {}

    // ------------------------------------------------------------------ write

    /**
     * Writes {@code tensors} (host tensors, in map order) and string {@code metadata} (may be null) to
     * {@code path} atomically.
     */
    public static void write(Path path, LinkedHashMap<String, Tensor> tensors, Map<String, String> metadata)
            throws IOException {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(tensors, "tensors");
        Map<String, Object> header = new LinkedHashMap<>();
        if (metadata != null && !metadata.isEmpty()) {
            Map<String, Object> meta = new LinkedHashMap<>();
            for (Map.Entry<String, String> e : metadata.entrySet()) {
                meta.put(
                        Objects.requireNonNull(e.getKey(), "metadata key"),
                        Objects.requireNonNull(e.getValue(), () -> "metadata value of " + e.getKey()));
            }
            header.put(METADATA_KEY, meta);
        }
        long offset = 0;
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            String name = Objects.requireNonNull(e.getKey(), "tensor name");
            Tensor t = Objects.requireNonNull(e.getValue(), () -> "tensor " + name);
            if (name.equals(METADATA_KEY)) {
                throw new IllegalArgumentException("tensor name " + METADATA_KEY + " is reserved by safetensors");
            }
            if (!t.device().isHost()) {
                throw new IllegalArgumentException("tensor " + name + " is " + t.describe()
                        + "; copy it to the host (backend.toHost) before saving");
            }
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("dtype", t.dtype().safetensorsName());
            List<Object> shape = new ArrayList<>();
            for (long d : t.shape()) {
                shape.add(d);
            }
            entry.put("shape", shape);
            long begin = offset;
            offset += t.byteSize();
            entry.put("data_offsets", List.of(begin, offset));
            header.put(name, entry);
        }
        byte[] json = Json.write(header).getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8;
        byte[] headerBytes = Arrays.copyOf(json, padded);
        Arrays.fill(headerBytes, json.length, padded, (byte) ' ');
        AtomicFiles.write(path, out -> {
            ByteBuffer len =
                    ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(headerBytes.length);
            out.write(len.array());
            out.write(headerBytes);
            for (Tensor t : tensors.values()) {
                writeData(out, t.segment());
            }
        });
    }

    private static void writeData(OutputStream out, MemorySegment segment) throws IOException {
        byte[] buf = new byte[(int) Math.min(CHUNK, Math.max(1, segment.byteSize()))];
        for (long pos = 0; pos < segment.byteSize(); pos += buf.length) {
            int n = (int) Math.min(buf.length, segment.byteSize() - pos);
            MemorySegment.copy(segment, ValueLayout.JAVA_BYTE, pos, buf, 0, n);
            out.write(buf, 0, n);
        }
    }

    // ------------------------------------------------------------------ read

    /** Reads every tensor of {@code path}, in data order, as host tensors the caller closes. */
    public static LinkedHashMap<String, Tensor> read(Path path) throws IOException {
        Objects.requireNonNull(path, "path");
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            Header header = readHeader(path, ch);
            LinkedHashMap<String, Tensor> result = new LinkedHashMap<>();
            try {
                for (Entry e : header.entries) {
                    Tensor t = Tensor.allocate(e.dtype, e.shape);
                    result.put(e.name, t);
                    readFully(path, ch, t.segment(), header.dataStart + e.begin);
                }
            } catch (IOException | RuntimeException | Error ex) {
                result.values().forEach(Tensor::close);
                throw ex;
            }
            return result;
        }
    }

    /** The header's {@code __metadata__} map (empty when absent); reads only the header. */
    public static Map<String, String> metadata(Path path) throws IOException {
        Objects.requireNonNull(path, "path");
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            return readHeader(path, ch).metadata;
        }
    }

    private record Entry(String name, DType dtype, long[] shape, long begin, long end) {}

    private record Header(List<Entry> entries, Map<String, String> metadata, long dataStart) {}

    private static Header readHeader(Path path, FileChannel ch) throws IOException {
        long fileSize = ch.size();
        if (fileSize < 8) {
            throw corrupt(path, 0, "file has " + fileSize + " bytes, fewer than the 8-byte header length");
        }
        ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        readFully(path, ch, lenBuf, 0);
        long headerLen = lenBuf.flip().getLong();
        // Checked before allocating anything: a corrupt length must not become a huge allocation.
        if (headerLen < 2 || headerLen > fileSize - 8 || headerLen > MAX_HEADER_BYTES) {
            throw corrupt(
                    path,
                    0,
                    "header length " + Long.toUnsignedString(headerLen) + " is impossible for a file of " + fileSize
                            + " bytes (it must be between 2 and " + Math.min(fileSize - 8, MAX_HEADER_BYTES) + ")");
        }
        ByteBuffer headerBuf = ByteBuffer.allocate((int) headerLen);
        readFully(path, ch, headerBuf, 8);
        byte[] bytes = headerBuf.array();
        String json = Utf8.decode(bytes, 0, bytes.length);
        if (json == null) {
            throw corrupt(
                    path,
                    8 + Utf8.firstInvalid(bytes, 0, bytes.length),
                    "header is not valid UTF-8 (bytes " + Utf8.describe(bytes, 0, bytes.length) + ")");
        }
        Map<String, Object> root;
        try {
            root = Json.parseObject(json, MAX_HEADER_VALUES);
        } catch (Json.JsonException e) {
            throw corrupt(
                    path,
                    8,
                    e.overLimit()
                            ? "header holds " + e.getMessage() + ": a header lists tensors, a few values each"
                            : "header is not a well-formed JSON object: " + e.getMessage());
        }
        long dataStart = 8 + headerLen;
        long dataSize = fileSize - dataStart;
        Map<String, String> metadata = new LinkedHashMap<>();
        List<Entry> entries = new ArrayList<>();
        for (Map.Entry<String, Object> kv : root.entrySet()) {
            if (kv.getKey().equals(METADATA_KEY)) {
                readMetadata(path, kv.getValue(), metadata);
            } else {
                entries.add(parseEntry(path, kv.getKey(), kv.getValue(), dataSize));
            }
        }
        entries.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        long expected = 0;
        for (Entry e : entries) {
            if (e.begin != expected) {
                throw corrupt(
                        path,
                        dataStart + e.begin,
                        "tensor '" + e.name + "' starts at data offset " + e.begin + " but the previous tensor ends at "
                                + expected + " (offsets must be contiguous)");
            }
            expected = e.end;
        }
        if (expected != dataSize) {
            throw corrupt(
                    path,
                    dataStart + expected,
                    "tensors cover " + expected + " bytes of data but the file has " + dataSize
                            + " (truncated or trailing garbage)");
        }
        return new Header(List.copyOf(entries), Map.copyOf(metadata), dataStart);
    }

    private static void readMetadata(Path path, Object value, Map<String, String> metadata) throws IOException {
        if (!(value instanceof Map<?, ?> map)) {
            throw corrupt(path, 8, METADATA_KEY + " must be an object of strings");
        }
        for (Map.Entry<?, ?> m : map.entrySet()) {
            if (!(m.getValue() instanceof String v)) {
                throw corrupt(
                        path,
                        8,
                        METADATA_KEY + " value of '" + m.getKey() + "' is not a string but a "
                                + Json.typeName(m.getValue()));
            }
            metadata.put((String) m.getKey(), v);
        }
    }

    private static Entry parseEntry(Path path, String name, Object value, long dataSize) throws IOException {
        if (!(value instanceof Map<?, ?> o)) {
            throw corrupt(path, 8, "tensor '" + name + "' is not a JSON object");
        }
        DType dtype = parseDType(path, name, o.get("dtype"));
        long[] shape = parseLongs(path, name, "shape", o.get("shape"), -1);
        if (shape.length > MAX_RANK) {
            throw corrupt(path, 8, "tensor '" + name + "' has " + shape.length + " dimensions, more than " + MAX_RANK);
        }
        long[] offsets = parseLongs(path, name, "data_offsets", o.get("data_offsets"), 2);
        long begin = offsets[0];
        long end = offsets[1];
        if (begin > end || end > dataSize) {
            throw corrupt(
                    path,
                    8,
                    "tensor '" + name + "' has data_offsets [" + begin + ", " + end + "] outside the data section of "
                            + dataSize + " bytes");
        }
        long bytes;
        try {
            bytes = Math.multiplyExact(Tensor.numel(shape), (long) dtype.byteSize());
        } catch (ArithmeticException e) {
            throw corrupt(path, 8, "tensor '" + name + "' has shape " + Arrays.toString(shape) + " that overflows");
        }
        if (bytes != end - begin) {
            throw corrupt(
                    path,
                    8,
                    "tensor '" + name + "' " + dtype + Arrays.toString(shape) + " needs " + bytes
                            + " bytes but its data_offsets [" + begin + ", " + end + "] span " + (end - begin));
        }
        return new Entry(name, dtype, shape, begin, end);
    }

    private static DType parseDType(Path path, String name, Object e) throws IOException {
        if (!(e instanceof String s)) {
            throw corrupt(path, 8, "tensor '" + name + "' has no dtype string");
        }
        for (DType d : DType.values()) {
            if (d.safetensorsName().equals(s)) {
                return d;
            }
        }
        throw corrupt(
                path, 8, "tensor '" + name + "' has dtype " + s + ", which embed4j does not support (F32, I32, I64)");
    }

    private static long[] parseLongs(Path path, String name, String field, Object e, int expectedLength)
            throws IOException {
        if (!(e instanceof List<?> a)) {
            throw corrupt(path, 8, "tensor '" + name + "' has no " + field + " array");
        }
        if (expectedLength >= 0 && a.size() != expectedLength) {
            throw corrupt(
                    path,
                    8,
                    "tensor '" + name + "' " + field + " has " + a.size() + " entries, expected " + expectedLength);
        }
        long[] out = new long[a.size()];
        for (int i = 0; i < out.length; i++) {
            Object v = a.get(i);
            long x;
            try {
                if (!(v instanceof BigDecimal d)) {
                    throw new NumberFormatException(String.valueOf(v));
                }
                x = d.longValueExact();
            } catch (NumberFormatException | ArithmeticException ex) {
                throw corrupt(path, 8, "tensor '" + name + "' " + field + "[" + i + "] is not an integer: " + v);
            }
            if (x < 0) {
                throw corrupt(path, 8, "tensor '" + name + "' " + field + "[" + i + "] is negative: " + x);
            }
            out[i] = x;
        }
        return out;
    }

    private static void readFully(Path path, FileChannel ch, ByteBuffer buf, long position) throws IOException {
        long pos = position;
        while (buf.hasRemaining()) {
            int n = ch.read(buf, pos);
            if (n < 0) {
                throw new EOFException(path + ": unexpected end of file at byte offset " + pos);
            }
            pos += n;
        }
    }

    private static void readFully(Path path, FileChannel ch, MemorySegment segment, long position) throws IOException {
        for (long done = 0; done < segment.byteSize(); done += CHUNK) {
            long n = Math.min(CHUNK, segment.byteSize() - done);
            readFully(path, ch, segment.asSlice(done, n).asByteBuffer(), position + done);
        }
    }

    private static IOException corrupt(Path path, long offset, String message) {
        return new IOException("corrupt safetensors file " + path + " at byte offset " + offset + ": " + message);
    }
}
