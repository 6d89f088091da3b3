package org.embed4j.vectors;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.embed4j.io.AtomicFiles;
import org.embed4j.text.Subwords;

/**
 * embed4j's native vectors format (.e4jv), opened by memory-mapping: nothing is parsed or copied per word,
 * so a 1M×300 model opens in milliseconds and its matrix is shared with the page cache. All integers and
 * floats are little-endian:
 * <pre>
 *   header, 128 bytes
 *     0 "E4JV"   4 i32 version (1)   8 i32 flags (bit 0: subword bucket matrix)   12 i32 header size (128)
 *    16 i64 V   24 i64 D   32 i32 minn   36 i32 maxn   40 i64 bucket rows (0 without subwords)
 *    48 i64 matrix offset     (V,D) f32, 64-byte aligned
 *    56 i64 norms offset      (V) f32 L2 row norms, 64-byte aligned
 *    64 i64 buckets offset    (bucket,D) f32, 64-byte aligned (0 without subwords)
 *    72 i64 word offsets      (V+1) i64: word v is strings[off[v], off[v+1]), off[0] = 0
 *    80 i64 strings offset    UTF-8 bytes of the words, back to back
 *    88 i64 hash table offset (H) i32 rows, -1 = empty: open addressing on FNV-1a 64 of the word's bytes
 *    96 i64 H (a power of two &gt; V)   104 i64 file size   112..127 zero
 *   sections follow in that order, without overlap.
 * </pre>
 * Opening validates the header, every section against the file size, every word offset and every table
 * entry before the vectors are usable, so a truncated, corrupt or forged file is an {@link IOException}
 * naming the file and byte offset, never an out-of-bounds read or an OutOfMemoryError. A newer format
 * version is refused with a message saying so. Writing is deterministic (same vectors, same bytes).
 * Stateless and thread-safe.
 */
final class NativeFormat {
    static final int VERSION = 1;
    static final byte[] MAGIC = {'E', '4', 'J', 'V'};
    static final int HEADER_BYTES = 128;
    private static final int FLAG_SUBWORDS = 1;
    private static final ValueLayout.OfInt LE_I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong LE_I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat LE_F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED;

    private NativeFormat() {
    }

    // ------------------------------------------------------------------ write

    static void write(WordVectors v, Path path) throws IOException {
        int rows = v.size();
        long dim = v.dim();
        Subwords sub = v.subwords();
        long bucketRows = sub == null ? 0 : sub.bucket();
        if (rows > (1 << 28)) {
            throw new IllegalArgumentException(rows + " words is more than the native format's hash table takes ("
                    + (1 << 28) + ")");
        }
        byte[][] words = new byte[rows][];
        long[] wordOffsets = new long[rows + 1];
        for (int i = 0; i < rows; i++) {
            words[i] = v.vocab().word(i).getBytes(StandardCharsets.UTF_8);
            wordOffsets[i + 1] = wordOffsets[i] + words[i].length;
        }
        int tableSize = Integer.highestOneBit(Math.max(1, rows)) * 4; // a power of two >= 2V: short probes
        int[] table = hashTable(words, tableSize);

        long matrixOff = HEADER_BYTES;
        long normsOff = align(matrixOff + rows * dim * 4);
        long bucketsOff = sub == null ? 0 : align(normsOff + rows * 4L);
        long offsetsOff = align((sub == null ? normsOff + rows * 4L : bucketsOff + bucketRows * dim * 4));
        long stringsOff = offsetsOff + (rows + 1L) * 8;
        long tableOff = align(stringsOff + wordOffsets[rows]);
        long fileSize = tableOff + tableSize * 4L;

        ByteBuffer h = ByteBuffer.allocate(HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        h.put(MAGIC).putInt(VERSION).putInt(sub == null ? 0 : FLAG_SUBWORDS).putInt(HEADER_BYTES);
        h.putLong(rows).putLong(dim).putInt(sub == null ? 0 : sub.minn()).putInt(sub == null ? 0 : sub.maxn())
                .putLong(bucketRows);
        h.putLong(matrixOff).putLong(normsOff).putLong(bucketsOff).putLong(offsetsOff).putLong(stringsOff)
                .putLong(tableOff).putLong(tableSize).putLong(fileSize);

        AtomicFiles.write(path, out -> {
            Position pos = new Position(out);
            pos.write(h.array());
            pos.floats(v.matrix(), rows * dim);
            pos.padTo(normsOff);
            pos.floats(norms(v.matrix(), rows, (int) dim), rows);
            if (sub != null) {
                pos.padTo(bucketsOff);
                pos.floats(v.buckets(), bucketRows * dim);
            }
            pos.padTo(offsetsOff);
            ByteBuffer b8 = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            for (long o : wordOffsets) {
                pos.write(b8.putLong(0, o).array());
            }
            for (byte[] w : words) {
                pos.write(w);
            }
            pos.padTo(tableOff);
            ByteBuffer t = ByteBuffer.allocate(tableSize * 4).order(ByteOrder.LITTLE_ENDIAN);
            t.asIntBuffer().put(table);
            pos.write(t.array());
            if (pos.at != fileSize) {
                throw new IllegalStateException("native writer bug: wrote " + pos.at + " bytes, expected " + fileSize);
            }
        });
    }

    private static int[] hashTable(byte[][] words, int tableSize) {
        int[] table = new int[tableSize];
        java.util.Arrays.fill(table, -1);
        int mask = tableSize - 1;
        for (int i = 0; i < words.length; i++) {
            int slot = (int) (MappedVocab.hash(words[i]) & mask);
            while (table[slot] >= 0) {
                slot = (slot + 1) & mask;
            }
            table[slot] = i;
        }
        return table;
    }

    private static MemorySegment norms(MemorySegment m, int rows, int dim) {
        MemorySegment out = MemorySegment.ofArray(new float[rows]);
        for (long r = 0; r < rows; r++) {
            double s = 0;
            for (long d = 0; d < dim; d++) {
                float x = m.getAtIndex(F32, r * dim + d);
                s += (double) x * x;
            }
            out.setAtIndex(F32, r, (float) Math.sqrt(s));
        }
        return out;
    }

    private static long align(long x) {
        return (x + 63) & ~63L;
    }

    /** An output stream that counts bytes, pads with zeros and writes native floats little-endian. */
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

        void floats(MemorySegment src, long count) throws IOException {
            MemorySegment dst = MemorySegment.ofArray(chunk);
            int per = chunk.length / Float.BYTES;
            for (long i = 0; i < count; i += per) {
                int n = (int) Math.min(per, count - i);
                MemorySegment.copy(src, F32, i * Float.BYTES, dst, LE_F32, 0, n);
                out.write(chunk, 0, n * Float.BYTES);
                at += (long) n * Float.BYTES;
            }
        }
    }

    // ------------------------------------------------------------------ read

    /** Maps {@code path}; the returned vectors read the file in place. */
    static WordVectors read(Path path) throws IOException {
        MemorySegment file;
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < HEADER_BYTES) {
                throw FormatSupport.corrupt(path, size, "the file has " + size + " bytes, fewer than the "
                        + HEADER_BYTES + "-byte header of a native vectors file (truncated?)");
            }
            // mapped for as long as the vectors (or any slice) are reachable
            file = ch.map(FileChannel.MapMode.READ_ONLY, 0, size, Arena.ofAuto());
        }
        return open(path, file);
    }

    private static WordVectors open(Path path, MemorySegment file) throws IOException {
        long size = file.byteSize();
        for (int i = 0; i < MAGIC.length; i++) {
            if (file.get(ValueLayout.JAVA_BYTE, i) != MAGIC[i]) {
                throw FormatSupport.corrupt(path, 0, "not an embed4j native vectors file (magic is not \"E4JV\")");
            }
        }
        int version = file.get(LE_I32, 4);
        if (version > VERSION) {
            throw new IOException("vectors file " + path + " has native format version " + version
                    + ", newer than the version " + VERSION + " this embed4j reads: upgrade embed4j to open it");
        }
        if (version < 1) {
            throw FormatSupport.corrupt(path, 4, "invalid format version " + version);
        }
        int flags = file.get(LE_I32, 8);
        if ((flags & ~FLAG_SUBWORDS) != 0) {
            throw FormatSupport.corrupt(path, 8, "unknown flags 0x" + Integer.toHexString(flags));
        }
        if (file.get(LE_I32, 12) != HEADER_BYTES) {
            throw FormatSupport.corrupt(path, 12, "header size " + file.get(LE_I32, 12) + ", expected " + HEADER_BYTES);
        }
        long recorded = file.get(LE_I64, 104);
        if (recorded != size) {
            throw FormatSupport.corrupt(path, Math.min(recorded, size), "the header records " + recorded
                    + " bytes but the file has " + size + " (truncated or appended to)");
        }
        long rows = file.get(LE_I64, 16);
        long dim = file.get(LE_I64, 24);
        if (rows < 0 || rows > Integer.MAX_VALUE - 8) {
            throw FormatSupport.corrupt(path, 16, "impossible word count " + rows);
        }
        if (dim <= 0 || dim > Integer.MAX_VALUE / 4) {
            throw FormatSupport.corrupt(path, 24, "impossible dimension " + dim);
        }
        boolean hasSub = (flags & FLAG_SUBWORDS) != 0;
        long bucketRows = file.get(LE_I64, 40);
        Subwords sub = null;
        if (hasSub) {
            if (bucketRows <= 0 || bucketRows > Integer.MAX_VALUE) {
                throw FormatSupport.corrupt(path, 40, "impossible bucket count " + bucketRows);
            }
            try {
                sub = new Subwords(file.get(LE_I32, 32), file.get(LE_I32, 36), (int) bucketRows);
            } catch (IllegalArgumentException e) {
                throw FormatSupport.corrupt(path, 32, e.getMessage());
            }
        }
        Sections s = new Sections(path, size);
        MemorySegment matrix = s.next(file, 48, Math.multiplyExact(rows * dim, 4L), true);
        MemorySegment norms = s.next(file, 56, rows * 4, true);
        MemorySegment buckets = hasSub ? s.next(file, 64, Math.multiplyExact(bucketRows * dim, 4L), true) : null;
        MemorySegment offsets = s.next(file, 72, (rows + 1) * 8, false);
        long stringBytes = offsets.getAtIndex(LE_I64, rows);
        MemorySegment strings = s.next(file, 80, stringBytes, false);
        long tableSize = file.get(LE_I64, 96);
        if (tableSize <= rows || Long.bitCount(tableSize) != 1 || tableSize > (1L << 31)) {
            throw FormatSupport.corrupt(path, 96, "hash table size " + tableSize + " is not a power of two > " + rows);
        }
        MemorySegment table = s.next(file, 88, tableSize * 4, true);
        checkOffsets(path, file.get(LE_I64, 72), offsets, rows, stringBytes);
        checkTable(path, file.get(LE_I64, 88), table, rows);
        if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
            matrix = toNativeOrder(matrix);
            norms = toNativeOrder(norms);
            buckets = buckets == null ? null : toNativeOrder(buckets);
        }
        return new WordVectors(new MappedVocab((int) rows, offsets, strings, table), (int) dim, matrix, norms, sub,
                buckets);
    }

    private static void checkOffsets(Path path, long at, MemorySegment offsets, long rows, long stringBytes)
            throws IOException {
        long prev = 0;
        for (long i = 0; i <= rows; i++) {
            long o = offsets.getAtIndex(LE_I64, i);
            if ((i == 0 && o != 0) || o < prev || o > stringBytes) {
                throw FormatSupport.corrupt(path, at + i * 8, "word offset " + i + " is " + o
                        + " (must start at 0, never decrease and stay within " + stringBytes + " bytes)");
            }
            prev = o;
        }
    }

    private static void checkTable(Path path, long at, MemorySegment table, long rows) throws IOException {
        long n = table.byteSize() / 4;
        long used = 0;
        for (long i = 0; i < n; i++) {
            int r = table.getAtIndex(LE_I32, i);
            if (r < -1 || r >= rows) {
                throw FormatSupport.corrupt(path, at + i * 4, "hash table entry " + i + " is " + r
                        + ", not a row in [-1, " + rows + ")");
            }
            used += r >= 0 ? 1 : 0;
        }
        if (used != rows) {
            throw FormatSupport.corrupt(path, at, "hash table holds " + used + " words, expected " + rows);
        }
    }

    private static MemorySegment toNativeOrder(MemorySegment le) {
        MemorySegment out = Arena.ofAuto().allocate(Math.max(1, le.byteSize()), 64).asSlice(0, le.byteSize());
        MemorySegment.copy(le, LE_F32, 0, out, F32, 0, le.byteSize() / 4);
        return out;
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
                throw FormatSupport.corrupt(path, field, "section at offset " + offset + " of " + length
                        + " bytes does not fit the file of " + size + " bytes after offset " + end
                        + (aligned ? " (64-byte aligned)" : ""));
            }
            end = offset + length;
            return file.asSlice(offset, length);
        }
    }
}
