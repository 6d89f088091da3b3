package org.embed4j.classify;

import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.embed4j.deploy.Precision;
import org.embed4j.internal.scope.ModelScope;
import org.embed4j.io.AtomicFiles;
import org.embed4j.io.Utf8;

/**
 * The one-file classifier format: magic "E4JC", format version, options (loss, minn, maxn, then neg from version 2),
 * vocabulary, labels, then from version 2 the label counts (int64 each; the hs tree is rebuilt from them) and the
 * storage code of the matrices (0 float32, 1 int8 with a float scale per row, 2 fp16), then the input (rows × dim) and
 * output (labels × dim) matrices, little-endian: float32 and fp16 as elements; int8 as the rows' scales (float32)
 * followed by the signed bytes. Version 1 (float32, no neg, no counts) still loads: neg 5, counts 0.
 * The header is big-endian (DataOutputStream), the matrices follow it at whatever offset the strings leave them,
 * which is why they are read with unaligned layouts.
 * Written to a temporary file and renamed, so a crash never leaves half a model under the real name, and a model
 * still mapped from the old file keeps reading the old bytes. Reading memory-maps the file, parses the small parts
 * (checking every count against the bytes left before allocating), checks that the matrices the header implies
 * fill the rest of the file exactly, and leaves them in place ({@link MappedMatrix}) for any version; a newer
 * version is refused by name. A damaged file is an {@link IOException} naming it, never a read outside the mapping.
 * Words and labels must be valid UTF-8. The output matrix (one row per label) is checked for non-finite values when
 * the file is opened; the input rows, which can be millions, when a prediction uses them (see
 * {@link MappedMatrix#rowProblem}).
 */
final class ClassifierFile {
    /** The first four bytes of every classifier file, as text. */
    static final String MAGIC_TEXT = "E4JC";
    /** The magic as the big-endian int the header starts with. */
    static final int MAGIC =
            ByteBuffer.wrap(MAGIC_TEXT.getBytes(StandardCharsets.US_ASCII)).getInt();

    static final int VERSION = 2;
    private static final int FLOAT32 = 0;
    private static final int INT8 = 1;
    private static final int FP16 = 2;
    private static final int CHUNK_FLOATS = 1 << 18;

    private ClassifierFile() {}

    /** Whether {@code head}, a file's first bytes, starts with the magic. */
    static boolean startsWithMagic(byte[] head) {
        return head.length >= 4 && ByteBuffer.wrap(head, 0, 4).getInt() == MAGIC;
    }

    static void write(TextClassifier model, Path path) throws IOException {
        AtomicFiles.write(path, raw -> {
            DataOutputStream out = new DataOutputStream(new BufferedOutputStream(raw, 1 << 16));
            out.writeInt(MAGIC);
            out.writeInt(VERSION);
            ClassifierOptions o = model.options();
            out.writeInt(o.dim());
            out.writeFloat(o.lr());
            out.writeInt(o.epoch());
            out.writeInt(o.wordNgrams());
            out.writeInt(o.bucket());
            out.writeInt(o.minCount());
            out.writeBoolean(o.lowercase());
            out.writeInt(o.threads());
            out.writeLong(o.seed());
            out.writeInt(o.loss().ordinal());
            out.writeInt(o.minn());
            out.writeInt(o.maxn());
            out.writeInt(o.neg());
            writeStrings(out, model.dictionary().words());
            writeStrings(out, model.labels());
            for (long count : model.dictionary().labelCounts()) {
                out.writeLong(count);
            }
            ClassifierMatrix input = model.input();
            out.writeInt(storageCode(input));
            writeMatrix(out, input);
            writeMatrix(out, model.output());
            out.flush();
        });
    }

    /**
     * Opens {@code path}, mapped into the scope's arena: the header, vocabulary, labels and counts are parsed from the mapped file, the matrices
     * stay in it ({@link MappedMatrix}) once their sizes, computed from the header, match the bytes that are left.
     */
    static TextClassifier read(Path path, ModelScope scope) throws IOException {
        MemorySegment file;
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            if (ch.size() == 0) {
                throw new IOException(path + ": the file is empty, not an embed4j classifier");
            }
            // the model's arena: closing the model unmaps the file, after the calls in flight on it
            file = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), scope.arena());
        }
        Cursor in = new Cursor(file, path);
        try {
            if (in.remaining() < 4 || in.i32() != MAGIC) {
                throw new IOException(path + ": not an embed4j classifier (bad magic at offset 0)");
            }
            int version = in.i32();
            if (version > VERSION) {
                throw new IOException(path + ": written by a newer embed4j (format version " + version
                        + "); this build reads version " + VERSION + " and older");
            }
            if (version < 1) {
                throw new IOException(path + ": bad format version " + version + " at offset 4");
            }
            int dim = in.i32();
            float lr = Float.intBitsToFloat(in.i32());
            int epoch = in.i32();
            int wordNgrams = in.i32();
            int bucket = in.i32();
            int minCount = in.i32();
            boolean lowercase = in.u8() != 0;
            int threads = in.i32();
            long seed = in.i64();
            long lossAt = in.position();
            int loss = in.i32();
            if (loss < 0 || loss >= ClassifierLoss.values().length) {
                throw new IOException(path + ": unknown loss " + loss + " at offset " + lossAt);
            }
            if (version < 2 && loss > ClassifierLoss.OVA.ordinal()) {
                // version 1 knew softmax and ova only, and holds no label counts to rebuild an hs tree from
                throw new IOException(path + ": loss " + ClassifierLoss.values()[loss] + " at offset " + lossAt
                        + " in a version 1 file, which only held softmax and ova models");
            }
            int minn = in.i32();
            int maxn = in.i32();
            int neg = version >= 2 ? in.i32() : ClassifierOptions.DEFAULT_NEG;
            ClassifierOptions o = new ClassifierOptions(
                    dim,
                    lr,
                    epoch,
                    wordNgrams,
                    bucket,
                    minCount,
                    lowercase,
                    threads,
                    seed,
                    ClassifierLoss.values()[loss],
                    minn,
                    maxn,
                    neg);
            List<String> words = in.strings("words");
            List<String> labels = in.strings("labels");
            long[] counts = new long[labels.size()];
            int storage = FLOAT32;
            if (version >= 2) {
                if ((long) labels.size() * Long.BYTES > in.remaining()) {
                    throw new IOException(path + ": " + labels.size() + " label counts at offset " + in.position()
                            + " exceed the file");
                }
                for (int i = 0; i < counts.length; i++) {
                    counts[i] = in.i64();
                }
                long storageAt = in.position();
                storage = in.i32();
                if (storage < FLOAT32 || storage > FP16) {
                    throw new IOException(path + ": unknown matrix storage " + storage + " at offset " + storageAt
                            + " (0 float32, 1 int8, 2 fp16)");
                }
            }
            Dictionary dict =
                    new Dictionary(words, labels, counts, o.wordNgrams(), o.bucket(), o.lowercase(), minn, maxn);
            Precision precision = storage == INT8 ? Precision.INT8 : storage == FP16 ? Precision.FP16 : null;
            long inputBytes = matrixBytes(precision, dict.inputRows(), dim);
            long outputBytes = matrixBytes(precision, labels.size(), dim);
            long left = in.remaining();
            if (inputBytes > left || outputBytes > left - inputBytes) {
                throw new IOException(path + ": truncated: the " + dict.inputRows() + " x " + dim + " input and "
                        + labels.size() + " x " + dim + " output matrices need " + inputBytes + " + " + outputBytes
                        + " bytes at offset " + in.position() + ", the file has " + left);
            }
            if (inputBytes + outputBytes < left) {
                throw new IOException(path + ": " + (left - inputBytes - outputBytes)
                        + " unexpected bytes after offset " + (in.position() + inputBytes + outputBytes));
            }
            ClassifierMatrix input = in.matrix(precision, dict.inputRows(), dim);
            MappedMatrix output = in.matrix(precision, labels.size(), dim);
            for (int r = 0; r < labels.size(); r++) { // K rows, read by every prediction: checked now
                String problem = output.rowProblem(r);
                if (problem != null) {
                    throw new IOException(problem + " (output row of the label '" + labels.get(r) + "')");
                }
            }
            return new TextClassifier(scope, o, dict, input, output);
        } catch (IllegalArgumentException e) {
            throw new IOException(path + ": corrupt model near offset " + in.position() + ": " + e.getMessage(), e);
        }
    }

    /** Bytes of a rows × dim matrix in the file (Long.MAX_VALUE when that overflows: more than any file holds). */
    private static long matrixBytes(Precision precision, int rows, int dim) {
        long elements = (long) rows * dim; // both below 2^31: no overflow
        if (precision == null) {
            return elements * Float.BYTES;
        }
        return precision == Precision.INT8 ? (long) rows * Float.BYTES + elements : elements * Short.BYTES;
    }

    private static void writeStrings(DataOutputStream out, List<String> items) throws IOException {
        out.writeInt(items.size());
        for (String s : items) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            out.writeInt(b.length);
            out.write(b);
        }
    }

    private static int storageCode(ClassifierMatrix m) {
        return m.precision().map(p -> p == Precision.INT8 ? INT8 : FP16).orElse(FLOAT32);
    }

    private static void writeMatrix(DataOutputStream out, ClassifierMatrix m) throws IOException {
        switch (m) {
            case ClassifierMatrix.Floats f -> writeFloats(out, f.data());
            case ClassifierMatrix.Int8 q -> {
                writeFloats(out, q.scales());
                out.write(q.q());
            }
            case ClassifierMatrix.Fp16 h -> writeHalves(out, h.halves());
            case MappedMatrix mapped -> { // already in the file's byte order: copied as it is
                writeBytes(out, mapped.scales());
                writeBytes(out, mapped.elements());
            }
        }
    }

    private static void writeBytes(OutputStream out, MemorySegment bytes) throws IOException {
        byte[] chunk = new byte[CHUNK_FLOATS];
        for (long off = 0; off < bytes.byteSize(); off += chunk.length) {
            int n = (int) Math.min(chunk.length, bytes.byteSize() - off);
            MemorySegment.copy(bytes, ValueLayout.JAVA_BYTE, off, chunk, 0, n);
            out.write(chunk, 0, n);
        }
    }

    private static void writeHalves(OutputStream out, short[] data) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(CHUNK_FLOATS * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (int off = 0; off < data.length; off += CHUNK_FLOATS) {
            int n = Math.min(CHUNK_FLOATS, data.length - off);
            buf.clear();
            buf.asShortBuffer().put(data, off, n);
            out.write(buf.array(), 0, n * 2);
        }
    }

    private static void writeFloats(OutputStream out, float[] data) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(CHUNK_FLOATS * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int off = 0; off < data.length; off += CHUNK_FLOATS) {
            int n = Math.min(CHUNK_FLOATS, data.length - off);
            buf.clear();
            buf.asFloatBuffer().put(data, off, n);
            out.write(buf.array(), 0, n * 4);
        }
    }

    /**
     * Reads the mapped file front to back, big-endian as {@link DataOutputStream} wrote the header; every read is
     * checked against the bytes left, so a truncated header is an IOException naming the file and the offset.
     * The small parts are read through a {@link ByteBuffer} view of the mapping's first 2 GiB: its getters are
     * cheap before the JIT has compiled anything, which is most of a load.
     */
    private static final class Cursor {
        private final MemorySegment file;
        private final ByteBuffer head;
        private final Path path;
        private long at;

        Cursor(MemorySegment file, Path path) {
            this.file = file;
            this.head = file.asSlice(0, Math.min(file.byteSize(), Integer.MAX_VALUE - 8))
                    .asByteBuffer();
            this.path = path;
        }

        long position() {
            return at;
        }

        long remaining() {
            return file.byteSize() - at;
        }

        private long take(long bytes) throws IOException {
            if (bytes > remaining()) {
                throw new IOException(path + ": truncated at offset " + at + " (" + bytes + " more bytes expected, "
                        + remaining() + " left)");
            }
            long start = at;
            at += bytes;
            return start;
        }

        /** Like {@link #take} for a read through {@link #head}, which must end within its 2 GiB. */
        private int takeHead(int bytes) throws IOException {
            long start = take(bytes);
            if (at > head.limit()) {
                throw new IOException(path + ": the vocabulary reaches past 2 GiB (offset " + at + "), which this build"
                        + " does not read");
            }
            return (int) start;
        }

        int u8() throws IOException {
            return head.get(takeHead(1)) & 0xff;
        }

        int i32() throws IOException {
            return head.getInt(takeHead(4));
        }

        long i64() throws IOException {
            return head.getLong(takeHead(8));
        }

        /** A count, then that many (length, UTF-8 bytes) strings. */
        List<String> strings(String what) throws IOException {
            long countAt = at;
            int n = i32();
            if (n < 0 || (long) n * 4 > remaining()) {
                throw new IOException(
                        path + ": " + what + " count " + n + " at offset " + countAt + " exceeds the file");
            }
            List<String> out = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                long lenAt = at;
                int len = i32();
                if (len < 0 || len > remaining()) {
                    throw new IOException(
                            path + ": string length " + len + " at offset " + lenAt + " exceeds the file");
                }
                byte[] utf8 = new byte[len];
                int at = takeHead(len);
                head.get(at, utf8);
                String s = Utf8.decode(utf8, 0, len);
                if (s == null) {
                    throw new IOException(path + ": " + what + " entry " + i + " at offset "
                            + (at + Utf8.firstInvalid(utf8, 0, len)) + " is not valid UTF-8 (bytes "
                            + Utf8.describe(utf8, 0, len) + ")");
                }
                out.add(s);
            }
            return out;
        }

        /** The next matrix, left in place; the caller checked that the file holds it. */
        MappedMatrix matrix(Precision precision, int rows, int dim) throws IOException {
            long scaleBytes = precision == Precision.INT8 ? (long) rows * Float.BYTES : 0;
            long scalesAt = take(scaleBytes);
            MemorySegment scales = file.asSlice(scalesAt, scaleBytes);
            long elementBytes = matrixBytes(precision, rows, dim) - scaleBytes;
            long elementsAt = take(elementBytes);
            return new MappedMatrix(
                    precision, scales, file.asSlice(elementsAt, elementBytes), rows, dim, path, scalesAt, elementsAt);
        }
    }
}
