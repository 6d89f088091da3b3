package org.embed4j.glove;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * The shuffled co-occurrence records that training reads, one file, little-endian:
 * <pre>
 *   0 "E4JX"   4 i32 version (1)   8 i32 header bytes (64)   12 i32 0
 *  16 i64 V (vocabulary size)   24 i64 N (records)   32 i64 fingerprint (vocabulary and counting settings)
 *  40..63 zero
 *  64 N records of 12 bytes: i32 word row, i32 context row, f32 X (> 0)
 * </pre>
 * Training threads each read their own slice of records through their own {@link Slice} (positional reads, so they
 * share nothing). Opening checks the header, the size and the fingerprint; reading checks every record's ids and
 * weight, so a damaged file is an {@link IOException} naming the file and the record, never a crash or NaN vectors.
 * A file is kept beside a checkpoint so that a resumed run need not count again. Immutable; thread-safe.
 */
final class CooccurrenceFile {
    static final int HEADER_BYTES = 64;
    static final int RECORD_BYTES = 12;
    private static final byte[] MAGIC = {'E', '4', 'J', 'X'};
    private static final int VERSION = 1;

    private final Path path;
    private final int vocabSize;
    private final long records;
    private final long fingerprint;

    private CooccurrenceFile(Path path, int vocabSize, long records, long fingerprint) {
        this.path = path;
        this.vocabSize = vocabSize;
        this.records = records;
        this.fingerprint = fingerprint;
    }

    Path path() {
        return path;
    }

    long records() {
        return records;
    }

    long fingerprint() {
        return fingerprint;
    }

    /** The 64-byte header for a file of {@code records} records. */
    static byte[] header(int vocabSize, long records, long fingerprint) {
        ByteBuffer h = ByteBuffer.allocate(HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        h.put(MAGIC).putInt(VERSION).putInt(HEADER_BYTES).putInt(0);
        h.putLong(vocabSize).putLong(records).putLong(fingerprint);
        return h.array();
    }

    /** Writes records {@code [from, from + n)} of the three arrays in the file's record layout. */
    static void writeRecords(OutputStream out, int[] w1, int[] w2, float[] x, int from, int n, ByteBuffer buf)
            throws IOException {
        buf.clear();
        for (int i = from; i < from + n; i++) {
            if (buf.remaining() < RECORD_BYTES) {
                out.write(buf.array(), buf.arrayOffset(), buf.position());
                buf.clear();
            }
            buf.putInt(w1[i]).putInt(w2[i]).putFloat(x[i]);
        }
        out.write(buf.array(), buf.arrayOffset(), buf.position());
    }

    /** A heap buffer for {@link #writeRecords}: little-endian, a whole number of records. */
    static ByteBuffer recordBuffer() {
        return ByteBuffer.allocate(RECORD_BYTES * 5461).order(ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * Opens a file written for a vocabulary of {@code vocabSize} words with {@code fingerprint}; throws
     * {@link IOException} when it is not such a file (wrong magic, newer version, other vocabulary or settings,
     * truncated).
     */
    static CooccurrenceFile open(Path path, int vocabSize, long fingerprint) throws IOException {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            ByteBuffer h = ByteBuffer.allocate(HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
            while (h.hasRemaining() && ch.read(h) >= 0) {
                // read the whole header
            }
            if (h.hasRemaining()) {
                throw new IOException(path + ": " + h.position() + " bytes, too short for a co-occurrence file");
            }
            h.flip();
            byte[] magic = new byte[4];
            h.get(magic);
            if (!Arrays.equals(magic, MAGIC)) {
                throw new IOException(path + ": not an embed4j co-occurrence file (no E4JX magic)");
            }
            int version = h.getInt();
            if (version != VERSION) {
                throw new IOException(path + ": co-occurrence format version " + version + "; this build reads "
                        + VERSION + (version > VERSION ? " (written by a newer embed4j)" : ""));
            }
            h.getInt();
            h.getInt();
            long v = h.getLong();
            long n = h.getLong();
            long fp = h.getLong();
            if (v != vocabSize || fp != fingerprint) {
                throw new IOException(path + ": counted for another vocabulary or other settings (V " + v + ", need "
                        + vocabSize + "; fingerprint " + Long.toHexString(fp) + ", need "
                        + Long.toHexString(fingerprint) + ")");
            }
            long expected = HEADER_BYTES + n * RECORD_BYTES;
            if (n < 0 || ch.size() != expected) {
                throw new IOException(path + ": " + ch.size() + " bytes, expected " + expected + " for " + n
                        + " records (truncated or damaged)");
            }
            return new CooccurrenceFile(path, vocabSize, n, fp);
        }
    }

    /** Whether {@code path} holds a usable file for this vocabulary and fingerprint. */
    static boolean usable(Path path, int vocabSize, long fingerprint) {
        if (!Files.isRegularFile(path)) {
            return false;
        }
        try {
            open(path, vocabSize, fingerprint);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Records {@code [from, to)}, read in order. */
    Slice slice(long from, long to) throws IOException {
        if (from < 0 || to < from || to > records) {
            throw new IndexOutOfBoundsException("slice [" + from + ", " + to + ") of " + records + " records");
        }
        return new Slice(from, to);
    }

    /** One reader's sequential view of a range of records. Owned by one thread. */
    final class Slice implements AutoCloseable {
        private final FileChannel channel;
        private final ByteBuffer buf =
                ByteBuffer.allocateDirect(RECORD_BYTES * 4096).order(ByteOrder.LITTLE_ENDIAN);
        private long next;
        private final long end;

        private Slice(long from, long to) throws IOException {
            this.channel = FileChannel.open(path, StandardOpenOption.READ);
            this.next = from;
            this.end = to;
        }

        /** Reads up to {@code max} records into the arrays; returns how many (0 at the end of the slice). */
        int read(int[] w1, int[] w2, float[] x, int max) throws IOException {
            int n = (int) Math.min(max, end - next);
            int done = 0;
            while (done < n) {
                int chunk = Math.min(n - done, buf.capacity() / RECORD_BYTES);
                buf.clear().limit(chunk * RECORD_BYTES);
                long pos = HEADER_BYTES + (next + done) * RECORD_BYTES;
                while (buf.hasRemaining()) {
                    if (channel.read(buf, pos + buf.position()) < 0) {
                        throw new IOException(path + ": ends inside record " + (next + done));
                    }
                }
                buf.flip();
                for (int i = 0; i < chunk; i++) {
                    int a = buf.getInt();
                    int b = buf.getInt();
                    float v = buf.getFloat();
                    if (a < 0
                            || a >= vocabSize
                            || b < 0
                            || b >= vocabSize
                            || !(v > 0f)
                            || v == Float.POSITIVE_INFINITY) {
                        throw new IOException(path + ": record " + (next + done + i) + " is (" + a + ", " + b + ", " + v
                                + "); rows must be in [0, " + vocabSize + ") and X > 0 and finite");
                    }
                    w1[done + i] = a;
                    w2[done + i] = b;
                    x[done + i] = v;
                }
                done += chunk;
            }
            next += n;
            return n;
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }
}
