package org.embed4j.io;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The checking side of embed4j's memory-mapped file formats (.e4jv, .e4jq; see {@link SectionWriter}): maps
 * the file and validates what the formats share before anything sized by the header is touched, so that a
 * truncated, corrupt or forged file is an {@link IOException} naming the file and the byte offset, never an
 * out-of-bounds read or an OutOfMemoryError:
 * <pre>
 *   0 magic (4 bytes)   4 i32 version   12 i32 header size   (little-endian; a format's own fields around them)
 *   a recorded file size at a format-chosen field; sections in header order, within the file, without overlap
 *   word offsets: (V+1) i64 starting at 0, never decreasing, within the strings section
 * </pre>
 * A newer version is refused by number with a message saying to upgrade. One instance per file being opened;
 * not thread-safe.
 */
public final class SectionReader {
    private static final ValueLayout.OfInt LE_I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong LE_I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final Path path;
    private final String kind;
    private final MemorySegment file;
    private long end;

    private SectionReader(Path path, String kind, MemorySegment file, int headerBytes) {
        this.path = path;
        this.kind = kind;
        this.file = file;
        this.end = headerBytes;
    }

    /**
     * Maps {@code path} read-only into {@code arena} (the model's: closing it unmaps the file) after checking
     * that it holds at least the header; {@code kind} names the format in messages ("quantized vectors").
     */
    public static SectionReader map(Path path, String kind, int headerBytes, Arena arena) throws IOException {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < headerBytes) {
                throw corrupt(
                        path,
                        kind,
                        size,
                        "the file has " + size + " bytes, fewer than the " + headerBytes + "-byte header of a " + kind
                                + " file (truncated?)");
            }
            return new SectionReader(path, kind, ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena), headerBytes);
        }
    }

    /** The whole mapped file. */
    public MemorySegment file() {
        return file;
    }

    public int i32(long offset) {
        return file.get(LE_I32, offset);
    }

    public long i64(long offset) {
        return file.get(LE_I64, offset);
    }

    /**
     * Checks the magic, the version ({@code 1 ..= version}; newer is refused by number), the header size at byte
     * 12 and the file size recorded at {@code sizeField}; returns the file's version.
     */
    public int checkHeader(byte[] magic, int version, int headerBytes, long sizeField) throws IOException {
        for (int i = 0; i < magic.length; i++) {
            if (file.get(ValueLayout.JAVA_BYTE, i) != magic[i]) {
                throw corrupt(
                        0,
                        "not an embed4j " + kind + " file (magic is not \""
                                + new String(magic, java.nio.charset.StandardCharsets.US_ASCII) + "\")");
            }
        }
        int found = i32(4);
        if (found > version) {
            throw new IOException(kind + " file " + path + " has format version " + found + ", newer than the version "
                    + version + " this embed4j reads: upgrade embed4j to open it");
        }
        if (found < 1) {
            throw corrupt(4, "invalid format version " + found);
        }
        if (i32(12) != headerBytes) {
            throw corrupt(12, "header size " + i32(12) + ", expected " + headerBytes);
        }
        long size = file.byteSize();
        long recorded = i64(sizeField);
        if (recorded != size) {
            throw corrupt(
                    Math.max(0, Math.min(recorded, size)),
                    "the header records " + recorded + " bytes but the file has " + size
                            + " (truncated or appended to)");
        }
        return found;
    }

    /**
     * The next section: its offset is read from header field {@code field}; it must start at or after the end of
     * the previous one (64-byte aligned when {@code aligned}) and fit the file.
     */
    public MemorySegment next(long field, long length, boolean aligned) throws IOException {
        long size = file.byteSize();
        long offset = i64(field);
        if (offset < end
                || (aligned && offset % SectionWriter.ALIGNMENT != 0)
                || length < 0
                || offset > size
                || length > size - offset) {
            throw corrupt(
                    field,
                    "section at offset " + offset + " of " + length + " bytes does not fit the file of " + size
                            + " bytes after offset " + end + (aligned ? " (64-byte aligned)" : ""));
        }
        end = offset + length;
        return file.asSlice(offset, length);
    }

    /** Where the last section ends: the file size, for a well-formed file. */
    public long end() {
        return end;
    }

    /**
     * Checks the (V+1) little-endian word offsets of {@code offsets}, a section found at file offset {@code at}:
     * they start at 0, never decrease and stay within {@code stringBytes}.
     */
    public void checkWordOffsets(long at, MemorySegment offsets, long rows, long stringBytes) throws IOException {
        long prev = 0;
        for (long i = 0; i <= rows; i++) {
            long o = offsets.getAtIndex(LE_I64, i);
            if ((i == 0 && o != 0) || o < prev || o > stringBytes) {
                throw corrupt(
                        at + i * 8,
                        "word offset " + i + " is " + o + " (must start at 0, never decrease and stay within "
                                + stringBytes + " bytes)");
            }
            prev = o;
        }
    }

    /** "corrupt &lt;kind&gt; file &lt;path&gt; at byte offset N: message". */
    public IOException corrupt(long offset, String message) {
        return corrupt(path, kind, offset, message);
    }

    private static IOException corrupt(Path path, String kind, long offset, String message) {
        return new IOException("corrupt " + kind + " file " + path + " at byte offset " + offset + ": " + message);
    }
}
