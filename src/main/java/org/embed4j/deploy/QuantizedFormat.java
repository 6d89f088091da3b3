package org.embed4j.deploy;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.embed4j.io.AtomicFiles;

/**
 * The quantized vectors file (.e4jq), memory-mapped on open so that the rows are shared with the page cache.
 * Little-endian throughout:
 * <pre>
 *   header, 128 bytes
 *     0 "E4JQ"   4 i32 version (1)   8 i32 precision (1 int8, 2 fp16)   12 i32 header size (128)
 *    16 i64 V    24 i64 D
 *    32 i64 data offset       (V,D) int8 or fp16, 64-byte aligned
 *    40 i64 scales offset     (V) f32 per-row scales, 64-byte aligned (int8 only; 0 for fp16)
 *    48 i64 norms offset      (V) f32 norms of the dequantized rows, 64-byte aligned
 *    56 i64 word offsets      (V+1) i64: word v is strings[off[v], off[v+1]), off[0] = 0
 *    64 i64 strings offset    UTF-8 bytes of the words, back to back
 *    72 i64 file size         80..127 zero
 *   sections follow in that order, without overlap.
 * </pre>
 * Opening checks the header, each section against the file size, every word offset, the UTF-8 and uniqueness
 * of every word, every scale and norm (finite, &gt;= 0) and, for fp16, every element (finite) before anything
 * sized by the header is allocated; a truncated, corrupt or forged file is an {@link IOException} naming the
 * file and the byte offset, a newer version is refused by number. Writing is atomic ({@link AtomicFiles}) and
 * deterministic. The vocabulary is decoded into a hash map on open (O(V)). Stateless and thread-safe.
 */
final class QuantizedFormat {
    static final int VERSION = 1;
    static final byte[] MAGIC = {'E', '4', 'J', 'Q'};
    static final int HEADER_BYTES = 128;
    private static final ValueLayout.OfInt LE_I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong LE_I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private QuantizedFormat() {
    }

    // ------------------------------------------------------------------ write

    static void write(QuantizedVectors q, Path path) throws IOException {
        int rows = q.size();
        long dim = q.dim();
        byte[][] words = new byte[rows][];
        long[] wordOffsets = new long[rows + 1];
        for (int i = 0; i < rows; i++) {
            words[i] = q.words().get(i).getBytes(StandardCharsets.UTF_8);
            wordOffsets[i + 1] = wordOffsets[i] + words[i].length;
        }
        MemorySegment data = q.data();
        MemorySegment scales = q.scales();
        long dataOff = HEADER_BYTES;
        long scalesOff = scales == null ? 0 : align(dataOff + data.byteSize());
        long normsOff = align(scales == null ? dataOff + data.byteSize() : scalesOff + scales.byteSize());
        long offsetsOff = align(normsOff + q.norms().byteSize());
        long stringsOff = offsetsOff + (rows + 1L) * 8;
        long fileSize = stringsOff + wordOffsets[rows];

        ByteBuffer h = ByteBuffer.allocate(HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        h.put(MAGIC).putInt(VERSION).putInt(q.precision().code()).putInt(HEADER_BYTES);
        h.putLong(rows).putLong(dim).putLong(dataOff).putLong(scalesOff).putLong(normsOff).putLong(offsetsOff)
                .putLong(stringsOff).putLong(fileSize);
        AtomicFiles.write(path, out -> {
            Position pos = new Position(out);
            pos.write(h.array());
            pos.segment(data);
            if (scales != null) {
                pos.padTo(scalesOff);
                pos.segment(scales);
            }
            pos.padTo(normsOff);
            pos.segment(q.norms());
            pos.padTo(offsetsOff);
            ByteBuffer b8 = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            for (long o : wordOffsets) {
                pos.write(b8.putLong(0, o).array());
            }
            for (byte[] w : words) {
                pos.write(w);
            }
            if (pos.at != fileSize) {
                throw new IllegalStateException("quantized writer bug: wrote " + pos.at + " bytes, expected " + fileSize);
            }
        });
    }

    /** word -&gt; row; a repeated word is an error (rows would be unreachable). */
    static Map<String, Integer> indexOf(List<String> words) {
        Map<String, Integer> index = HashMap.newHashMap(words.size());
        for (int i = 0; i < words.size(); i++) {
            Integer prev = index.putIfAbsent(words.get(i), i);
            if (prev != null) {
                throw new IllegalArgumentException("word '" + words.get(i) + "' appears at rows " + prev + " and " + i);
            }
        }
        return index;
    }

    private static long align(long x) {
        return (x + 63) & ~63L;
    }

    /** Counts bytes, pads with zeros, copies segments in 64 KiB chunks. */
    private static final class Position {
        private final OutputStream out;
        private final byte[] chunk = new byte[1 << 16];
        long at;

        Position(OutputStream out) {
            this.out = out;
        }

        void write(byte[] b) throws IOException {
            out.write(b);
            at += b.length;
        }

        void padTo(long offset) throws IOException {
            while (at < offset) {
                out.write(0);
                at++;
            }
        }

        void segment(MemorySegment src) throws IOException {
            long n = src.byteSize();
            for (long i = 0; i < n; i += chunk.length) {
                int len = (int) Math.min(chunk.length, n - i);
                MemorySegment.copy(src, ValueLayout.JAVA_BYTE, i, chunk, 0, len);
                out.write(chunk, 0, len);
                at += len;
            }
        }
    }

    // ------------------------------------------------------------------ read

    static QuantizedVectors read(Path path) throws IOException {
        MemorySegment file;
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < HEADER_BYTES) {
                throw corrupt(path, size, "the file has " + size + " bytes, fewer than the " + HEADER_BYTES
                        + "-byte header of a quantized vectors file (truncated?)");
            }
            file = ch.map(FileChannel.MapMode.READ_ONLY, 0, size, Arena.ofAuto());
        }
        return open(path, file);
    }

    private static QuantizedVectors open(Path path, MemorySegment file) throws IOException {
        long size = file.byteSize();
        for (int i = 0; i < MAGIC.length; i++) {
            if (file.get(ValueLayout.JAVA_BYTE, i) != MAGIC[i]) {
                throw corrupt(path, 0, "not an embed4j quantized vectors file (magic is not \"E4JQ\")");
            }
        }
        int version = file.get(LE_I32, 4);
        if (version > VERSION) {
            throw new IOException("quantized vectors file " + path + " has format version " + version
                    + ", newer than the version " + VERSION + " this embed4j reads: upgrade embed4j to open it");
        }
        if (version < 1) {
            throw corrupt(path, 4, "invalid format version " + version);
        }
        Precision precision = Precision.ofCode(file.get(LE_I32, 8));
        if (precision == null) {
            throw corrupt(path, 8, "unknown precision code " + file.get(LE_I32, 8) + " (1 int8, 2 fp16)");
        }
        if (file.get(LE_I32, 12) != HEADER_BYTES) {
            throw corrupt(path, 12, "header size " + file.get(LE_I32, 12) + ", expected " + HEADER_BYTES);
        }
        long recorded = file.get(LE_I64, 72);
        if (recorded != size) {
            throw corrupt(path, Math.min(recorded < 0 ? 0 : recorded, size), "the header records " + recorded
                    + " bytes but the file has " + size + " (truncated or appended to)");
        }
        long rows = file.get(LE_I64, 16);
        long dim = file.get(LE_I64, 24);
        if (rows < 0 || rows > Integer.MAX_VALUE - 8) {
            throw corrupt(path, 16, "impossible word count " + rows);
        }
        if (dim <= 0 || dim > Integer.MAX_VALUE / 4) {
            throw corrupt(path, 24, "impossible dimension " + dim);
        }
        Sections s = new Sections(path, size);
        MemorySegment data = s.next(file, 32, Math.multiplyExact(rows * dim, (long) precision.bytesPerElement()), true);
        MemorySegment scales = precision == Precision.INT8 ? s.next(file, 40, rows * 4, true) : null;
        if (precision != Precision.INT8 && file.get(LE_I64, 40) != 0) {
            throw corrupt(path, 40, "an fp16 file has no scales section, found offset " + file.get(LE_I64, 40));
        }
        MemorySegment norms = s.next(file, 48, rows * 4, true);
        MemorySegment offsets = s.next(file, 56, (rows + 1) * 8, false);
        long stringBytes = offsets.getAtIndex(LE_I64, rows);
        MemorySegment strings = s.next(file, 64, stringBytes, false);
        if (s.end != size) {
            throw corrupt(path, s.end, "the last section ends at " + s.end + " but the file has " + size + " bytes");
        }
        checkFloats(path, file.get(LE_I64, 40), scales, "scale");
        checkFloats(path, file.get(LE_I64, 48), norms, "norm");
        if (precision == Precision.FP16) {
            checkHalves(path, file.get(LE_I64, 32), data);
        }
        long offsetsAt = file.get(LE_I64, 56);
        long prev = 0;
        for (long i = 0; i <= rows; i++) {
            long o = offsets.getAtIndex(LE_I64, i);
            if ((i == 0 && o != 0) || o < prev || o > stringBytes) {
                throw corrupt(path, offsetsAt + i * 8, "word offset " + i + " is " + o
                        + " (must start at 0, never decrease and stay within " + stringBytes + " bytes)");
            }
            prev = o;
        }
        List<String> words = decodeWords(path, file.get(LE_I64, 64), offsets, strings, (int) rows);
        Map<String, Integer> index;
        try {
            index = indexOf(words);
        } catch (IllegalArgumentException e) {
            throw corrupt(path, file.get(LE_I64, 64), e.getMessage());
        }
        return new QuantizedVectors(words, index, (int) dim, precision, data, scales, norms);
    }

    private static List<String> decodeWords(Path path, long at, MemorySegment offsets, MemorySegment strings,
                                            int rows) throws IOException {
        CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        List<String> words = new ArrayList<>(rows);
        for (int i = 0; i < rows; i++) {
            long start = offsets.getAtIndex(LE_I64, i);
            long end = offsets.getAtIndex(LE_I64, i + 1L);
            if (end - start > Integer.MAX_VALUE - 8) {
                throw corrupt(path, at + start, "word " + i + " is " + (end - start) + " bytes long");
            }
            try {
                CharBuffer chars = utf8.decode(strings.asSlice(start, end - start).asByteBuffer());
                words.add(chars.toString());
            } catch (CharacterCodingException e) {
                throw corrupt(path, at + start, "word " + i + " is not valid UTF-8");
            }
        }
        return words;
    }

    private static void checkFloats(Path path, long at, MemorySegment values, String what) throws IOException {
        if (values == null) {
            return;
        }
        long n = values.byteSize() / 4;
        for (long i = 0; i < n; i++) {
            float x = values.getAtIndex(QuantizedVectors.LE_F32, i);
            if (!(x >= 0f) || Float.isInfinite(x)) {
                throw corrupt(path, at + i * 4, what + " of row " + i + " is " + x + ", not a finite value >= 0");
            }
        }
    }

    private static void checkHalves(Path path, long at, MemorySegment data) throws IOException {
        long n = data.byteSize() / 2;
        for (long i = 0; i < n; i++) {
            short h = data.getAtIndex(QuantizedVectors.LE_I16, i);
            if ((h & 0x7c00) == 0x7c00) { // exponent all ones: infinity or NaN
                throw corrupt(path, at + i * 2, "fp16 element " + i + " is not finite");
            }
        }
    }

    static IOException corrupt(Path file, long offset, String message) {
        return new IOException("corrupt quantized vectors file " + file + " at byte offset " + offset + ": " + message);
    }

    /** Checks each section's offset and length against the file, in file order, without overlap. */
    private static final class Sections {
        private final Path path;
        private final long size;
        private long end = HEADER_BYTES;

        Sections(Path path, long size) {
            this.path = path;
            this.size = size;
        }

        MemorySegment next(MemorySegment file, long field, long length, boolean aligned) throws IOException {
            long offset = file.get(LE_I64, field);
            if (offset < end || (aligned && offset % 64 != 0) || length < 0 || offset > size
                    || length > size - offset) {
                throw corrupt(path, field, "section at offset " + offset + " of " + length
                        + " bytes does not fit the file of " + size + " bytes after offset " + end
                        + (aligned ? " (64-byte aligned)" : ""));
            }
            end = offset + length;
            return file.asSlice(offset, length);
        }
    }
}
