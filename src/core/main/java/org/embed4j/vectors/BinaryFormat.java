package org.embed4j.vectors;

import java.io.IOException;
import java.lang.foreign.Arena;
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
import org.embed4j.internal.scope.ModelScope;
import org.embed4j.io.AtomicFiles;
import org.embed4j.io.Snippet;

/**
 * word2vec's binary format, byte-compatible with word2vec C ({@code -binary 1}) and gensim
 * ({@code binary=True}):
 * <pre>
 *   "V D\n"  then, per word:  UTF-8 word bytes, ' ', D float32 little-endian, '\n'
 * </pre>
 * We write the trailing {@code '\n'} as word2vec C does; reading skips any whitespace before a word, so files
 * without it (gensim 4) read too. Reading maps the file and copies each row's floats straight into the
 * off-heap matrix.
 *
 * <p>A header is checked against the file size before allocating (a row takes at least 4·D+1 bytes), and a
 * truncated or corrupt file is an {@link IOException} naming the file and the byte offset; so is a word that is not
 * valid UTF-8 and a row that {@link RowCheck} refuses (a NaN or infinite value). Stateless and
 * thread-safe.
 */
final class BinaryFormat {
    private static final ValueLayout.OfFloat LE_F32 =
            ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED;
    /** Longer "words" mean the offsets are off (a corrupt file), not a real vocabulary. */
    private static final int MAX_WORD_BYTES = 1 << 16;

    private BinaryFormat() {}

    static void write(WordVectors v, Path path) throws IOException {
        int rows = v.size();
        int dim = v.dim();
        FormatSupport.checkWords(v);
        MemorySegment m = v.matrix();
        AtomicFiles.write(path, out -> {
            out.write((rows + " " + dim + "\n").getBytes(StandardCharsets.US_ASCII));
            if (rows == 0) {
                return; // a header of 0 words may claim any dimension: no row buffer
            }
            ByteBuffer floats = ByteBuffer.allocate(Math.toIntExact(dim * (long) Float.BYTES + 1))
                    .order(ByteOrder.LITTLE_ENDIAN);
            MemorySegment floatSeg = MemorySegment.ofBuffer(floats);
            for (int i = 0; i < rows; i++) {
                out.write(v.vocab().word(i).getBytes(StandardCharsets.UTF_8));
                out.write(' ');
                MemorySegment.copy(m, F32, (long) i * dim * Float.BYTES, floatSeg, LE_F32, 0, dim);
                floats.put(dim * Float.BYTES, (byte) '\n');
                out.write(floats.array(), 0, dim * Float.BYTES + 1);
            }
        });
    }

    static WordVectors read(Path path, ModelScope scope) throws IOException {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ);
                Arena arena = Arena.ofConfined()) {
            long size = ch.size();
            MemorySegment file = ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
            long headerEnd = -1;
            for (long i = 0; i < Math.min(size, 64); i++) {
                if (file.get(ValueLayout.JAVA_BYTE, i) == '\n') {
                    headerEnd = i;
                    break;
                }
            }
            if (headerEnd < 0) {
                throw FormatSupport.corrupt(path, 0, "no header line \"V D\" in the first 64 bytes");
            }
            String header = new String(
                            file.asSlice(0, headerEnd).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.US_ASCII)
                    .trim();
            long[] vd = parseHeader(path, header);
            long rows = vd[0];
            int dim = (int) vd[1];
            long pos = headerEnd + 1;
            long rowBytes = (long) dim * Float.BYTES;
            if (rows > (size - pos) / (rowBytes + 1)) {
                throw FormatSupport.corrupt(
                        path,
                        0,
                        "header claims " + rows + " words of dim " + dim
                                + ", which needs at least " + (rowBytes + 1) + " bytes a word, but the file has only "
                                + size + " bytes");
            }
            MemorySegment matrix = FormatSupport.allocateMatrix(scope.arena(), rows, dim);
            List<String> words = new ArrayList<>((int) rows);
            for (long i = 0; i < rows; i++) {
                pos = skipWhitespace(file, pos, size);
                long start = pos;
                while (pos < size && file.get(ValueLayout.JAVA_BYTE, pos) != ' ') {
                    if (pos - start >= MAX_WORD_BYTES) {
                        throw FormatSupport.corrupt(
                                path,
                                start,
                                "word " + i + " is longer than " + MAX_WORD_BYTES
                                        + " bytes (corrupt file or wrong dimension in the header)");
                    }
                    pos++;
                }
                if (pos + 1 + rowBytes > size) {
                    throw FormatSupport.corrupt(
                            path, start, "file ends inside word " + i + " of " + rows + " (truncated?)");
                }
                if (pos == start) {
                    throw FormatSupport.corrupt(path, start, "word " + i + " is empty");
                }
                byte[] utf8 = file.asSlice(start, pos - start).toArray(ValueLayout.JAVA_BYTE);
                String word = FormatSupport.word(path, start, i, utf8, 0, utf8.length);
                words.add(word);
                pos++; // the space
                MemorySegment.copy(file, LE_F32, pos, matrix, F32, i * rowBytes, dim);
                int bad = RowCheck.firstBad(matrix, i * dim, dim);
                if (bad >= 0) {
                    throw FormatSupport.corrupt(
                            path,
                            pos + (long) Math.min(bad, dim - 1) * Float.BYTES,
                            "word " + i + " ('" + Snippet.of(word) + "'): "
                                    + RowCheck.problem(matrix, i * dim, bad, dim));
                }
                pos += rowBytes;
            }
            long end = skipWhitespace(file, pos, size);
            if (end != size) {
                throw FormatSupport.corrupt(
                        path,
                        end,
                        (size - end) + " bytes after the last of " + rows + " words (wrong word count in the header?)");
            }
            try {
                return new WordVectors(scope, new HeapVocab(words), dim, matrix, null, null, null);
            } catch (IllegalArgumentException e) {
                throw new IOException("vectors file " + path + ": " + e.getMessage(), e);
            }
        }
    }

    private static long skipWhitespace(MemorySegment file, long pos, long size) {
        while (pos < size) {
            byte b = file.get(ValueLayout.JAVA_BYTE, pos);
            if (b != '\n' && b != '\r' && b != ' ' && b != '\t') {
                break;
            }
            pos++;
        }
        return pos;
    }

    private static long[] parseHeader(Path path, String header) throws IOException {
        String[] parts = header.split("[ \t]+");
        try {
            if (parts.length != 2) {
                throw new NumberFormatException();
            }
            long v = Long.parseLong(parts[0]);
            long d = Long.parseLong(parts[1]);
            if (v < 0 || v > Integer.MAX_VALUE - 8 || d <= 0 || d > FormatSupport.MAX_DIM) {
                throw FormatSupport.corrupt(
                        path,
                        0,
                        "header \"" + Snippet.of(header) + "\" has an impossible word count or dimension (at most "
                                + (Integer.MAX_VALUE - 8) + " words of dimension 1 to " + FormatSupport.MAX_DIM + ")");
            }
            return new long[] {v, d};
        } catch (NumberFormatException e) {
            throw FormatSupport.corrupt(
                    path, 0, "expected a header line \"V D\" (two integers), found \"" + Snippet.of(header) + "\"");
        }
    }
}
