package org.embed4j.search;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.embed4j.io.AtomicFiles;
import org.embed4j.io.SectionReader;
import org.embed4j.io.SectionWriter;

/**
 * The .e4ji text-index file, version 1, little-endian: a 64-byte header ({@code "E4JI"}, version i32 @4, D i32 @8,
 * header size i32 @12, N i64 @16, file size i64 @24, rows offset i64 @32, meta offset i64 @40, meta bytes i64 @48),
 * the (N,D) f32 sentence vectors at a 64-byte aligned offset (memory-mapped when opened), then the meta section:
 * the SIF constant a, the word counts behind p(w), the removed principal component, and the N entries (id, text,
 * label) as length-prefixed UTF-8. The entries are read onto the heap when the file is opened. Written through
 * {@link AtomicFiles} (temp file, then rename). Stateless; thread-safe.
 */
final class TextIndexFile {
    static final byte[] MAGIC = {'E', '4', 'J', 'I'};
    static final int VERSION = 1;
    static final int HEADER = 64;
    private static final String KIND = "text index";

    private TextIndexFile() {}

    /** What the file holds apart from the rows. */
    record Meta(double sifA, long total, Map<String, Long> counts, float[] pc, List<TextIndex.Entry> entries) {}

    static void write(Path target, MemorySegment rows, int n, int dim, Meta meta) throws IOException {
        byte[] metaBytes = encode(meta, dim);
        long rowsAt = SectionWriter.align(HEADER);
        long rowBytes = (long) n * dim * Float.BYTES;
        long metaAt = rowsAt + rowBytes;
        long size = metaAt + metaBytes.length;
        AtomicFiles.write(target, out -> {
            SectionWriter w = new SectionWriter(out);
            ByteBuffer h = ByteBuffer.allocate(HEADER).order(ByteOrder.LITTLE_ENDIAN);
            h.put(MAGIC).putInt(VERSION).putInt(dim).putInt(HEADER).putLong(n).putLong(size);
            h.putLong(rowsAt).putLong(metaAt).putLong(metaBytes.length);
            w.write(h.array());
            w.padTo(rowsAt);
            w.floatsLittleEndian(rows, (long) n * dim);
            w.write(metaBytes);
            w.checkSize(size, KIND);
        });
    }

    /** The mapped rows (N,D) f32 and the meta section of {@code path}. */
    record Opened(MemorySegment rows, int n, int dim, Meta meta) {}

    static Opened read(Path path) throws IOException {
        SectionReader r =
                SectionReader.map(path, KIND, HEADER, Arena.ofAuto()); // unmapped when the index is unreachable
        r.checkHeader(MAGIC, VERSION, HEADER, 24);
        int dim = r.i32(8);
        long n = r.i64(16);
        if (dim <= 0 || n < 0 || n > Integer.MAX_VALUE) {
            throw r.corrupt(8, "dimension " + dim + " and row count " + n + " are not valid");
        }
        MemorySegment rows = r.next(32, n * dim * Float.BYTES, true);
        long metaBytes = r.i64(48);
        if (metaBytes < 0 || metaBytes > Integer.MAX_VALUE) {
            throw r.corrupt(48, "meta section of " + metaBytes + " bytes");
        }
        MemorySegment meta = r.next(40, metaBytes, false);
        Meta m;
        try {
            m = decode(meta.toArray(ValueLayout.JAVA_BYTE), (int) n, dim);
        } catch (IOException | RuntimeException e) {
            throw r.corrupt(r.i64(40), "unreadable meta section: " + e.getMessage());
        }
        if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
            throw new IOException("text index files are little-endian; this machine is not");
        }
        return new Opened(rows, (int) n, dim, m);
    }

    private static byte[] encode(Meta m, int dim) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeDouble(m.sifA());
        out.writeLong(m.total());
        out.writeInt(m.counts().size());
        for (Map.Entry<String, Long> e : m.counts().entrySet()) {
            string(out, e.getKey());
            out.writeLong(e.getValue());
        }
        out.writeBoolean(m.pc() != null);
        if (m.pc() != null) {
            for (int d = 0; d < dim; d++) {
                out.writeFloat(m.pc()[d]);
            }
        }
        for (TextIndex.Entry e : m.entries()) {
            string(out, e.id());
            string(out, e.text());
            out.writeBoolean(e.label() != null);
            if (e.label() != null) {
                string(out, e.label());
            }
        }
        out.flush();
        return bytes.toByteArray();
    }

    private static Meta decode(byte[] b, int n, int dim) throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(b));
        double a = in.readDouble();
        long total = in.readLong();
        int words = in.readInt();
        if (words < 0) {
            throw new IOException("negative word count " + words);
        }
        Map<String, Long> counts = new HashMap<>();
        for (int i = 0; i < words; i++) {
            counts.put(string(in), in.readLong());
        }
        float[] pc = null;
        if (in.readBoolean()) {
            pc = new float[dim];
            for (int d = 0; d < dim; d++) {
                pc[d] = in.readFloat();
            }
        }
        List<TextIndex.Entry> entries = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            String id = string(in);
            String text = string(in);
            entries.add(new TextIndex.Entry(id, text, in.readBoolean() ? string(in) : null));
        }
        if (in.available() != 0) {
            throw new IOException(in.available() + " bytes left after the entries");
        }
        return new Meta(a, total, counts, pc, entries);
    }

    private static void string(DataOutputStream out, String s) throws IOException {
        byte[] u = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(u.length);
        out.write(u);
    }

    private static String string(DataInputStream in) throws IOException {
        int len = in.readInt();
        if (len < 0 || len > in.available()) {
            throw new IOException("string of " + len + " bytes with " + in.available() + " left");
        }
        return new String(in.readNBytes(len), StandardCharsets.UTF_8);
    }
}
