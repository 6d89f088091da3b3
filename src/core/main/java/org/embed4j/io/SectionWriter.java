package org.embed4j.io;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.function.IntFunction;

/**
 * The writing side of embed4j's memory-mapped file formats (.e4jv vectors, .e4jq quantized vectors): a fixed
 * header, then sections at 64-byte aligned offsets the header records. Counts the bytes written so that a
 * writer can pad to the next section's offset and check, at the end, that it wrote exactly the size it
 * recorded (a mismatch is a writer bug, thrown as {@link IllegalStateException} before the rename of
 * {@link AtomicFiles} makes the file visible). Byte order is the caller's: segments are copied as they are.
 * One instance per file being written; not thread-safe.
 */
public final class SectionWriter {
    /** Sections start at multiples of this, so that a mapped section can be read with aligned vector loads. */
    public static final int ALIGNMENT = 64;

    private static final ValueLayout.OfFloat LE_F32 =
            ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final OutputStream out;
    private final byte[] chunk = new byte[1 << 16];
    private long position;

    public SectionWriter(OutputStream out) {
        this.out = Objects.requireNonNull(out, "out");
    }

    /** {@code offset} rounded up to the next multiple of {@link #ALIGNMENT}. */
    public static long align(long offset) {
        return (offset + ALIGNMENT - 1) & -(long) ALIGNMENT;
    }

    /** Bytes written so far. */
    public long position() {
        return position;
    }

    public void write(byte[] bytes) throws IOException {
        out.write(bytes);
        position += bytes.length;
    }

    /** Zero bytes up to {@code offset} (nothing when already there). */
    public void padTo(long offset) throws IOException {
        while (position < offset) {
            out.write(0);
            position++;
        }
    }

    /** Every byte of {@code src}, through a 64 KiB chunk (so a mapped or native segment is never copied whole). */
    public void segment(MemorySegment src) throws IOException {
        long n = src.byteSize();
        for (long i = 0; i < n; i += chunk.length) {
            int len = (int) Math.min(chunk.length, n - i);
            MemorySegment.copy(src, ValueLayout.JAVA_BYTE, i, chunk, 0, len);
            out.write(chunk, 0, len);
            position += len;
        }
    }

    /** {@code count} native-order floats of {@code src}, written little-endian through the chunk. */
    public void floatsLittleEndian(MemorySegment src, long count) throws IOException {
        MemorySegment dst = MemorySegment.ofArray(chunk);
        int per = chunk.length / Float.BYTES;
        for (long i = 0; i < count; i += per) {
            int n = (int) Math.min(per, count - i);
            MemorySegment.copy(src, ValueLayout.JAVA_FLOAT_UNALIGNED, i * Float.BYTES, dst, LE_F32, 0, n);
            out.write(chunk, 0, n * Float.BYTES);
            position += (long) n * Float.BYTES;
        }
    }

    /**
     * A vocabulary as the formats store it: the UTF-8 bytes of each word, back to back in a strings section, and
     * a section of (V+1) little-endian i64 offsets, word v being {@code strings[offsets[v], offsets[v+1])}.
     */
    public record Words(byte[][] utf8, long[] offsets) {
        /** Encodes words 0 .. count-1 of {@code word}. */
        public static Words encode(int count, IntFunction<String> word) {
            byte[][] utf8 = new byte[count][];
            long[] offsets = new long[count + 1];
            for (int i = 0; i < count; i++) {
                utf8[i] = word.apply(i).getBytes(StandardCharsets.UTF_8);
                offsets[i + 1] = offsets[i] + utf8[i].length;
            }
            return new Words(utf8, offsets);
        }

        /** Bytes of the offsets section. */
        public long offsetBytes() {
            return offsets.length * 8L;
        }

        /** Bytes of the strings section. */
        public long stringBytes() {
            return offsets[offsets.length - 1];
        }
    }

    /** The offsets section of {@code words}, then (directly after it) its strings section. */
    public void words(Words words) throws IOException {
        ByteBuffer b8 = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        for (long o : words.offsets()) {
            write(b8.putLong(0, o).array());
        }
        for (byte[] w : words.utf8()) {
            write(w);
        }
    }

    /** Throws when the bytes written differ from the {@code recorded} file size of the header. */
    public void checkSize(long recorded, String format) {
        if (position != recorded) {
            throw new IllegalStateException(
                    format + " writer bug: wrote " + position + " bytes, the header records " + recorded);
        }
    }
}
