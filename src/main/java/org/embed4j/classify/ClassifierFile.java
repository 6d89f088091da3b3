package org.embed4j.classify;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.embed4j.io.AtomicFiles;

/**
 * The one-file classifier format: magic "E4JC", format version, options (loss, minn, maxn, then neg from version 2),
 * vocabulary, labels, then from version 2 the label counts (int64 each; the hs tree is rebuilt from them) and the
 * storage code of the matrices (0 float32, 1 int8 with a float scale per row, 2 fp16), then the input (rows × dim) and
 * output (labels × dim) matrices, little-endian: float32 and fp16 as elements; int8 as the rows' scales (float32)
 * followed by the signed bytes. Version 1 (float32, no neg, no counts) still loads: neg 5, counts 0.
 * Written to a temporary file and renamed, so a crash never leaves half a model under the real name. Reading checks
 * every count against the bytes the file still holds before allocating, and refuses a newer version by name.
 */
final class ClassifierFile {
    static final int MAGIC = 0x45344A43; // "E4JC"
    static final int VERSION = 2;
    private static final int FLOAT32 = 0;
    private static final int INT8 = 1;
    private static final int FP16 = 2;
    private static final int CHUNK_FLOATS = 1 << 18;

    private ClassifierFile() {
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

    static TextClassifier read(Path path) throws IOException {
        long size = Files.size(path);
        if (size == 0) {
            throw new IOException(path + ": the file is empty, not an embed4j classifier");
        }
        try (InputStream raw = Files.newInputStream(path)) {
            CountingInput counting = new CountingInput(new BufferedInputStream(raw, 1 << 16));
            DataInputStream in = new DataInputStream(counting);
            try {
                int magic = in.readInt();
                if (magic != MAGIC) {
                    throw new IOException(path + ": not an embed4j classifier (bad magic at offset 0)");
                }
                int version = in.readInt();
                if (version > VERSION) {
                    throw new IOException(path + ": written by a newer embed4j (format version " + version
                            + "); this build reads version " + VERSION + " and older");
                }
                if (version < 1) {
                    throw new IOException(path + ": bad format version " + version + " at offset 4");
                }
                int dim = in.readInt();
                float lr = in.readFloat();
                int epoch = in.readInt();
                int wordNgrams = in.readInt();
                int bucket = in.readInt();
                int minCount = in.readInt();
                boolean lowercase = in.readBoolean();
                int threads = in.readInt();
                long seed = in.readLong();
                int lossAt = (int) counting.count;
                int loss = in.readInt();
                if (loss < 0 || loss >= ClassifierLoss.values().length) {
                    throw new IOException(path + ": unknown loss " + loss + " at offset " + lossAt);
                }
                int minn = in.readInt();
                int maxn = in.readInt();
                int neg = version >= 2 ? in.readInt() : ClassifierOptions.DEFAULT_NEG;
                ClassifierOptions o = new ClassifierOptions(dim, lr, epoch, wordNgrams, bucket, minCount, lowercase,
                        threads, seed, ClassifierLoss.values()[loss], minn, maxn, neg);
                List<String> words = readStrings(in, counting, size, path, "words");
                List<String> labels = readStrings(in, counting, size, path, "labels");
                long[] counts = new long[labels.size()];
                int storage = FLOAT32;
                if (version >= 2) {
                    if ((long) labels.size() * Long.BYTES > size - counting.count) {
                        throw new IOException(path + ": " + labels.size() + " label counts at offset " + counting.count
                                + " exceed the file");
                    }
                    for (int i = 0; i < counts.length; i++) {
                        counts[i] = in.readLong();
                    }
                    long storageAt = counting.count;
                    storage = in.readInt();
                    if (storage < FLOAT32 || storage > FP16) {
                        throw new IOException(path + ": unknown matrix storage " + storage + " at offset " + storageAt
                                + " (0 float32, 1 int8, 2 fp16)");
                    }
                }
                Dictionary dict = new Dictionary(words, labels, counts, o.wordNgrams(), o.bucket(), o.lowercase(), minn,
                        maxn);
                ClassifierMatrix input = readMatrix(in, counting, size, path, storage, dict.inputRows(), dim, "input matrix");
                ClassifierMatrix output = readMatrix(in, counting, size, path, storage, labels.size(), dim, "output matrix");
                if (counting.count != size) {
                    throw new IOException(path + ": " + (size - counting.count) + " unexpected bytes after offset " + counting.count);
                }
                return new TextClassifier(o, dict, input, output);
            } catch (EOFException e) {
                throw new IOException(path + ": truncated at offset " + counting.count, e);
            } catch (IllegalArgumentException e) {
                throw new IOException(path + ": corrupt model near offset " + counting.count + ": " + e.getMessage(), e);
            }
        }
    }

    private static void writeStrings(DataOutputStream out, List<String> items) throws IOException {
        out.writeInt(items.size());
        for (String s : items) {
            byte[] b = s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            out.writeInt(b.length);
            out.write(b);
        }
    }

    private static List<String> readStrings(DataInputStream in, CountingInput c, long size, Path path, String what)
            throws IOException {
        long at = c.count;
        int n = in.readInt();
        if (n < 0 || (long) n * 4 > size - c.count) {
            throw new IOException(path + ": " + what + " count " + n + " at offset " + at + " exceeds the file");
        }
        List<String> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            long lenAt = c.count;
            int len = in.readInt();
            if (len < 0 || len > size - c.count) {
                throw new IOException(path + ": string length " + len + " at offset " + lenAt + " exceeds the file");
            }
            out.add(new String(in.readNBytes(len), java.nio.charset.StandardCharsets.UTF_8));
        }
        return out;
    }

    private static int storageCode(ClassifierMatrix m) {
        return switch (m) {
            case ClassifierMatrix.Floats f -> FLOAT32;
            case ClassifierMatrix.Int8 q -> INT8;
            case ClassifierMatrix.Fp16 h -> FP16;
        };
    }

    private static void writeMatrix(DataOutputStream out, ClassifierMatrix m) throws IOException {
        switch (m) {
            case ClassifierMatrix.Floats f -> writeFloats(out, f.data());
            case ClassifierMatrix.Int8 q -> {
                writeFloats(out, q.scales());
                out.write(q.q());
            }
            case ClassifierMatrix.Fp16 h -> writeHalves(out, h.halves());
        }
    }

    private static ClassifierMatrix readMatrix(DataInputStream in, CountingInput c, long size, Path path, int storage,
                                               int rows, int dim, String what) throws IOException {
        long count = (long) rows * dim;
        return switch (storage) {
            case FLOAT32 -> new ClassifierMatrix.Floats(readFloats(in, c, size, path, count, what), rows, dim);
            case INT8 -> {
                float[] scales = readFloats(in, c, size, path, rows, what + " scales");
                requireRoom(c, size, path, count, 1, what);
                byte[] q = new byte[(int) count];
                in.readFully(q);
                yield new ClassifierMatrix.Int8(q, scales, rows, dim);
            }
            case FP16 -> new ClassifierMatrix.Fp16(readHalves(in, c, size, path, count, what), rows, dim);
            default -> throw new IllegalStateException("storage " + storage);
        };
    }

    /** Refuses {@code count} elements of {@code bytes} each that the file cannot hold, before anything is allocated. */
    private static void requireRoom(CountingInput c, long size, Path path, long count, int bytes, String what)
            throws IOException {
        if (count < 0 || count * bytes > size - c.count || count > Integer.MAX_VALUE - 8) {
            throw new IOException(path + ": " + what + " of " + count + " elements at offset " + c.count
                    + " exceeds the file");
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

    private static short[] readHalves(DataInputStream in, CountingInput c, long size, Path path, long count, String what)
            throws IOException {
        requireRoom(c, size, path, count, 2, what);
        short[] out = new short[(int) count];
        byte[] bytes = new byte[CHUNK_FLOATS * 2];
        for (int off = 0; off < out.length; off += CHUNK_FLOATS) {
            int n = Math.min(CHUNK_FLOATS, out.length - off);
            in.readFully(bytes, 0, n * 2);
            ByteBuffer.wrap(bytes, 0, n * 2).order(ByteOrder.LITTLE_ENDIAN).asShortBuffer().get(out, off, n);
        }
        return out;
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

    private static float[] readFloats(DataInputStream in, CountingInput c, long size, Path path, long count, String what)
            throws IOException {
        requireRoom(c, size, path, count, Float.BYTES, what);
        float[] out = new float[(int) count];
        byte[] bytes = new byte[CHUNK_FLOATS * 4];
        for (int off = 0; off < out.length; off += CHUNK_FLOATS) {
            int n = Math.min(CHUNK_FLOATS, out.length - off);
            in.readFully(bytes, 0, n * 4);
            ByteBuffer.wrap(bytes, 0, n * 4).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out, off, n);
        }
        return out;
    }

    /** Counts bytes read, so errors can name the offset. */
    private static final class CountingInput extends java.io.FilterInputStream {
        long count;

        CountingInput(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count++;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                count += n;
            }
            return n;
        }
    }
}
