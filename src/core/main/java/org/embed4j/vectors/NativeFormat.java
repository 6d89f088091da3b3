package org.embed4j.vectors;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import org.embed4j.internal.hash.Fnv1a;
import org.embed4j.internal.scope.ModelScope;
import org.embed4j.io.AtomicFiles;
import org.embed4j.io.SectionReader;
import org.embed4j.io.SectionWriter;
import org.embed4j.io.Snippet;
import org.embed4j.io.Utf8;
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
 * Opening validates the header, every section against the file size, every word offset, every table
 * entry and that the table finds every word at its own row before the vectors are usable, so a truncated, corrupt or forged file is an {@link IOException}
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
    private static final ValueLayout.OfFloat LE_F32 =
            ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED;

    private NativeFormat() {}

    // ------------------------------------------------------------------ write

    static void write(WordVectors v, Path path) throws IOException {
        int rows = v.size();
        long dim = v.dim();
        Subwords sub = v.subwords();
        long bucketRows = sub == null ? 0 : sub.bucket();
        if (rows > (1 << 28)) {
            throw new IllegalArgumentException(
                    rows + " words is more than the native format's hash table takes (" + (1 << 28) + ")");
        }
        SectionWriter.Words words = SectionWriter.Words.encode(rows, v.vocab()::word);
        int tableSize = Integer.highestOneBit(Math.max(1, rows)) * 4; // a power of two >= 2V: short probes
        int[] table = hashTable(words.utf8(), tableSize);

        long matrixOff = HEADER_BYTES;
        long normsOff = SectionWriter.align(matrixOff + rows * dim * 4);
        long bucketsOff = sub == null ? 0 : SectionWriter.align(normsOff + rows * 4L);
        long offsetsOff = SectionWriter.align((sub == null ? normsOff + rows * 4L : bucketsOff + bucketRows * dim * 4));
        long stringsOff = offsetsOff + words.offsetBytes();
        long tableOff = SectionWriter.align(stringsOff + words.stringBytes());
        long fileSize = tableOff + tableSize * 4L;

        ByteBuffer h = ByteBuffer.allocate(HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        h.put(MAGIC).putInt(VERSION).putInt(sub == null ? 0 : FLAG_SUBWORDS).putInt(HEADER_BYTES);
        h.putLong(rows)
                .putLong(dim)
                .putInt(sub == null ? 0 : sub.minn())
                .putInt(sub == null ? 0 : sub.maxn())
                .putLong(bucketRows);
        h.putLong(matrixOff)
                .putLong(normsOff)
                .putLong(bucketsOff)
                .putLong(offsetsOff)
                .putLong(stringsOff)
                .putLong(tableOff)
                .putLong(tableSize)
                .putLong(fileSize);

        AtomicFiles.write(path, out -> {
            SectionWriter pos = new SectionWriter(out);
            pos.write(h.array());
            pos.floatsLittleEndian(v.matrix(), rows * dim);
            pos.padTo(normsOff);
            pos.floatsLittleEndian(norms(v.matrix(), rows, (int) dim), rows);
            if (sub != null) {
                pos.padTo(bucketsOff);
                pos.floatsLittleEndian(v.buckets(), bucketRows * dim);
            }
            pos.padTo(offsetsOff);
            pos.words(words);
            pos.padTo(tableOff);
            ByteBuffer t = ByteBuffer.allocate(tableSize * 4).order(ByteOrder.LITTLE_ENDIAN);
            t.asIntBuffer().put(table);
            pos.write(t.array());
            pos.checkSize(fileSize, "native vectors");
        });
    }

    private static int[] hashTable(byte[][] words, int tableSize) {
        int[] table = new int[tableSize];
        java.util.Arrays.fill(table, -1);
        int mask = tableSize - 1;
        for (int i = 0; i < words.length; i++) {
            int slot = (int) (Fnv1a.hash64(words[i]) & mask);
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

    // ------------------------------------------------------------------ read

    /** Maps {@code path} into the scope's arena; the returned vectors read the file in place. */
    static WordVectors read(Path path, ModelScope scope) throws IOException {
        SectionReader f = SectionReader.map(path, "vectors", HEADER_BYTES, scope.arena());
        MemorySegment file = f.file();
        f.checkHeader(MAGIC, VERSION, HEADER_BYTES, 104);
        int flags = f.i32(8);
        if ((flags & ~FLAG_SUBWORDS) != 0) {
            throw f.corrupt(8, "unknown flags 0x" + Integer.toHexString(flags));
        }
        long rows = f.i64(16);
        long dim = f.i64(24);
        if (rows < 0 || rows > Integer.MAX_VALUE - 8) {
            throw f.corrupt(16, "impossible word count " + rows);
        }
        if (dim <= 0 || dim > FormatSupport.MAX_DIM) {
            throw f.corrupt(24, "impossible dimension " + dim + " (1 to " + FormatSupport.MAX_DIM + ")");
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
        MemorySegment matrix = f.next(48, Math.multiplyExact(rows * dim, 4L), true);
        MemorySegment norms = f.next(56, rows * 4, true);
        MemorySegment buckets = hasSub ? f.next(64, Math.multiplyExact(bucketRows * dim, 4L), true) : null;
        MemorySegment offsets = f.next(72, (rows + 1) * 8, false);
        long stringBytes = offsets.getAtIndex(LE_I64, rows);
        MemorySegment strings = f.next(80, stringBytes, false);
        long tableSize = file.get(LE_I64, 96);
        if (tableSize <= rows || Long.bitCount(tableSize) != 1 || tableSize > (1L << 31)) {
            throw FormatSupport.corrupt(path, 96, "hash table size " + tableSize + " is not a power of two > " + rows);
        }
        MemorySegment table = f.next(88, tableSize * 4, true);
        f.checkWordOffsets(f.i64(72), offsets, rows, stringBytes);
        checkTable(path, file.get(LE_I64, 88), table, rows);
        if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
            matrix = toNativeOrder(scope.arena(), matrix);
            norms = toNativeOrder(scope.arena(), norms);
            buckets = buckets == null ? null : toNativeOrder(scope.arena(), buckets);
        }
        MappedVocab vocab = new MappedVocab((int) rows, offsets, strings, table);
        checkWords(path, f.i64(80), offsets, strings, vocab);
        RowCheck check = RowCheck.mapped(
                path, vocab, (int) dim, matrix, f.i64(48), norms, f.i64(56), buckets, hasSub ? f.i64(64) : 0);
        return new WordVectors(scope, vocab, (int) dim, matrix, norms, sub, buckets, check);
    }

    /**
     * Every word must be valid UTF-8, as in every other format, and the hash table must lead to its own row (no
     * word listed twice, none out of its place): one pass over the strings section.
     */
    private static void checkWords(Path path, long at, MemorySegment offsets, MemorySegment strings, MappedVocab vocab)
            throws IOException {
        byte[] buf = new byte[256];
        for (int i = 0; i < vocab.size(); i++) {
            long start = offsets.getAtIndex(LE_I64, i);
            int len = (int) Math.min(Integer.MAX_VALUE - 8, offsets.getAtIndex(LE_I64, i + 1) - start);
            if (len > buf.length) {
                buf = new byte[len];
            }
            MemorySegment.copy(strings, ValueLayout.JAVA_BYTE, start, buf, 0, len);
            if (Utf8.firstInvalid(buf, 0, len) >= 0) {
                FormatSupport.word(path, at + start, i, buf, 0, len); // throws, naming the bytes
            }
            int found = vocab.indexOf(buf, len);
            if (found != i) {
                String word = Snippet.of(FormatSupport.word(path, at + start, i, buf, 0, len));
                throw FormatSupport.corrupt(
                        path,
                        at + start,
                        "word " + i + " ('" + word + "') "
                                + (found < 0 ? "is missing from the hash table" : "is also word " + found));
            }
        }
    }

    private static void checkTable(Path path, long at, MemorySegment table, long rows) throws IOException {
        long n = table.byteSize() / 4;
        long used = 0;
        for (long i = 0; i < n; i++) {
            int r = table.getAtIndex(LE_I32, i);
            if (r < -1 || r >= rows) {
                throw FormatSupport.corrupt(
                        path, at + i * 4, "hash table entry " + i + " is " + r + ", not a row in [-1, " + rows + ")");
            }
            used += r >= 0 ? 1 : 0;
        }
        if (used != rows) {
            throw FormatSupport.corrupt(path, at, "hash table holds " + used + " words, expected " + rows);
        }
    }

    private static MemorySegment toNativeOrder(Arena arena, MemorySegment le) {
        MemorySegment out = arena.allocate(Math.max(1, le.byteSize()), 64).asSlice(0, le.byteSize());
        MemorySegment.copy(le, LE_F32, 0, out, F32, 0, le.byteSize() / 4);
        return out;
    }
}
