package org.embed4j.vectors;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.embed4j.internal.scope.ModelScope;
import org.embed4j.io.AtomicFiles;
import org.embed4j.io.Snippet;

/**
 * The text formats: word2vec text and fastText .vec (header {@code "V D"}, then {@code word v1 ... vD} per
 * line) and GloVe (no header). Reading accepts what word2vec C ({@code "%lf "}, trailing space), gensim
 * and fastText (trailing space) write: values split on spaces or tabs, {@code \r\n} line ends. Writing uses
 * Java's shortest round-trip float text ({@link Float#toString}), so write → read → write is byte-identical
 * and no precision is lost.
 *
 * <p>Errors name the file, the line and its byte offset. A header is checked against the file size before
 * anything is allocated: every row takes at least 2·D+1 bytes. Words must be valid UTF-8 and values finite
 * ({@link RowCheck}): "NaN", "Infinity" or a number beyond float's range is an error naming the line. Stateless and
 * thread-safe.
 */
final class TextFormat {
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED;

    private TextFormat() {}

    static void write(WordVectors v, Path path, boolean header) throws IOException {
        int rows = v.size();
        int dim = v.dim();
        FormatSupport.checkWords(v);
        MemorySegment m = v.matrix();
        AtomicFiles.write(path, out -> {
            if (header) {
                out.write((rows + " " + dim + "\n").getBytes(StandardCharsets.US_ASCII));
            }
            StringBuilder line = new StringBuilder((int) Math.min(1 << 16, dim * 12L + 32));
            for (int i = 0; i < rows; i++) {
                line.setLength(0);
                line.append(v.vocab().word(i));
                long base = (long) i * dim;
                for (int d = 0; d < dim; d++) {
                    line.append(' ').append(m.getAtIndex(F32, base + d));
                }
                line.append('\n');
                writeUtf8(out, line);
            }
        });
    }

    private static void writeUtf8(OutputStream out, CharSequence s) throws IOException {
        out.write(s.toString().getBytes(StandardCharsets.UTF_8));
    }

    static WordVectors read(Path path, boolean header, ModelScope scope) throws IOException {
        long fileSize = Files.size(path);
        long rows;
        int dim;
        long firstRowOffset;
        try (Lines lines = new Lines(path)) {
            if (header) {
                if (!lines.next()) {
                    throw FormatSupport.corrupt(path, 0, "empty file, expected a header line \"V D\"");
                }
                long[] vd = parseHeader(path, lines);
                rows = vd[0];
                dim = (int) vd[1];
                firstRowOffset = lines.offset;
                long minRowBytes = 2L * dim + 1;
                if (rows > (fileSize - firstRowOffset) / minRowBytes) {
                    throw FormatSupport.corrupt(
                            path,
                            0,
                            "header claims " + rows + " words of dim " + dim
                                    + ", which needs at least " + minRowBytes + " bytes a word, but the file has only "
                                    + fileSize + " bytes");
                }
            } else {
                long[] counted = countGloVe(path, lines);
                rows = counted[0];
                dim = (int) counted[1];
                firstRowOffset = 0;
            }
        }
        MemorySegment matrix = FormatSupport.allocateMatrix(scope.arena(), rows, dim);
        List<String> words = new ArrayList<>((int) rows);
        try (Lines lines = new Lines(path)) {
            if (header) {
                lines.next();
            }
            float[] row = new float[rows == 0 ? 0 : dim]; // a header of 0 words may claim any dimension
            for (long i = 0; i < rows; i++) {
                if (!nextNonEmpty(lines)) {
                    throw FormatSupport.corrupt(
                            path, lines.offset, "file ends after " + i + " of " + rows + " words (truncated?)");
                }
                words.add(parseRow(path, lines, i, row, dim));
                MemorySegment.copy(row, 0, matrix, F32, i * dim * Float.BYTES, dim);
            }
            if (nextNonEmpty(lines)) {
                throw FormatSupport.corrupt(
                        path,
                        lines.lineStart,
                        "line " + lines.lineNo + " is past the " + rows + " words the header announces");
            }
        }
        try {
            return new WordVectors(scope, new HeapVocab(words), dim, matrix, null, null, null);
        } catch (IllegalArgumentException e) {
            throw new IOException("vectors file " + path + ": " + e.getMessage(), e);
        }
    }

    private static long[] parseHeader(Path path, Lines lines) throws IOException {
        String[] parts = lines.text().trim().split("[ \t]+");
        long v;
        long d;
        try {
            if (parts.length != 2) {
                throw new NumberFormatException();
            }
            v = Long.parseLong(parts[0]);
            d = Long.parseLong(parts[1]);
        } catch (NumberFormatException e) {
            throw FormatSupport.corrupt(
                    path,
                    0,
                    "expected a header line \"V D\" (two integers), found \"" + abbreviate(lines.text()) + "\"");
        }
        if (v < 0 || v > Integer.MAX_VALUE - 8 || d <= 0 || d > FormatSupport.MAX_DIM) {
            throw FormatSupport.corrupt(
                    path,
                    0,
                    "header \"" + abbreviate(lines.text()) + "\" has an impossible word count or dimension (at most "
                            + (Integer.MAX_VALUE - 8) + " words of dimension 1 to " + FormatSupport.MAX_DIM + ")");
        }
        return new long[] {v, d};
    }

    /** GloVe has no header: D from the first line, V by counting the non-empty lines. */
    private static long[] countGloVe(Path path, Lines lines) throws IOException {
        long rows = 0;
        int dim = -1;
        while (nextNonEmpty(lines)) {
            if (dim < 0) {
                int tokens = lines.tokens().size();
                if (tokens < 2) {
                    throw FormatSupport.corrupt(
                            path, lines.lineStart, "line " + lines.lineNo + " has no vector values");
                }
                dim = tokens - 1;
                if (dim > FormatSupport.MAX_DIM) {
                    throw FormatSupport.corrupt(
                            path,
                            lines.lineStart,
                            "line " + lines.lineNo + " has " + dim + " values, more than the " + FormatSupport.MAX_DIM
                                    + " dimensions a vectors file may have");
                }
            }
            rows++;
        }
        if (rows > Integer.MAX_VALUE - 8) {
            throw FormatSupport.corrupt(path, lines.offset, "more than " + (Integer.MAX_VALUE - 8) + " words");
        }
        if (dim < 0) {
            throw FormatSupport.corrupt(path, 0, "no vectors in a GloVe file (empty)");
        }
        return new long[] {rows, dim};
    }

    private static String parseRow(Path path, Lines lines, long row, float[] values, int dim) throws IOException {
        List<int[]> tokens = lines.tokens();
        if (tokens.size() != dim + 1) {
            throw FormatSupport.corrupt(
                    path,
                    lines.lineStart,
                    "line " + lines.lineNo + " has " + (tokens.size() - 1) + " values after the word, expected " + dim);
        }
        int[] w = tokens.get(0);
        String word = FormatSupport.word(path, lines.lineStart + w[0], row, lines.buf, w[0], w[1] - w[0]);
        for (int d = 0; d < dim; d++) {
            int[] t = tokens.get(d + 1);
            String s = new String(lines.buf, t[0], t[1] - t[0], StandardCharsets.ISO_8859_1);
            try {
                values[d] = Float.parseFloat(s);
            } catch (NumberFormatException e) {
                throw FormatSupport.corrupt(
                        path,
                        lines.lineStart + t[0],
                        "line " + lines.lineNo + ": value " + (d + 1) + " of word '" + Snippet.of(word)
                                + "' is not a number: \"" + abbreviate(s) + "\"");
            }
        }
        int bad = RowCheck.firstBad(values, 0, dim);
        if (bad >= 0) {
            throw FormatSupport.corrupt(
                    path,
                    lines.lineStart + tokens.get(Math.min(bad, dim - 1) + 1)[0],
                    "line " + lines.lineNo + ", word '" + Snippet.of(word) + "': "
                            + RowCheck.problem(values, 0, bad, dim));
        }
        return word;
    }

    private static boolean nextNonEmpty(Lines lines) throws IOException {
        while (lines.next()) {
            if (!lines.tokens().isEmpty()) {
                return true;
            }
        }
        return false;
    }

    private static String abbreviate(String s) {
        return Snippet.of(s);
    }

    /** Reads a file line by line as bytes, tracking each line's byte offset and number. */
    private static final class Lines implements AutoCloseable {
        private final InputStream in;
        private final byte[] chunk = new byte[1 << 16];
        private int chunkPos;
        private int chunkLen;
        byte[] buf = new byte[256];
        int len;
        long offset; // offset of the next unread byte
        long lineStart; // offset of the current line
        long lineNo; // 1-based number of the current line
        private final List<int[]> tokens = new ArrayList<>();
        private boolean tokenized;

        Lines(Path path) throws IOException {
            this.in = Files.newInputStream(path);
        }

        /** Reads the next line (without its \n and a trailing \r); false at end of file. */
        boolean next() throws IOException {
            len = 0;
            tokenized = false;
            lineStart = offset;
            boolean any = false;
            while (true) {
                if (chunkPos == chunkLen) {
                    chunkLen = in.read(chunk);
                    chunkPos = 0;
                    if (chunkLen <= 0) {
                        chunkLen = 0;
                        if (any) {
                            lineNo++;
                        }
                        return any;
                    }
                }
                byte b = chunk[chunkPos++];
                offset++;
                any = true;
                if (b == '\n') {
                    break;
                }
                if (len == buf.length) {
                    buf = java.util.Arrays.copyOf(buf, buf.length * 2);
                }
                buf[len++] = b;
            }
            if (len > 0 && buf[len - 1] == '\r') {
                len--;
            }
            lineNo++;
            return true;
        }

        String text() {
            return new String(buf, 0, len, StandardCharsets.UTF_8);
        }

        /** [start, end) byte ranges of the space- or tab-separated tokens of the current line. */
        List<int[]> tokens() {
            if (!tokenized) {
                tokens.clear();
                int i = 0;
                while (i < len) {
                    while (i < len && (buf[i] == ' ' || buf[i] == '\t')) {
                        i++;
                    }
                    int start = i;
                    while (i < len && buf[i] != ' ' && buf[i] != '\t') {
                        i++;
                    }
                    if (i > start) {
                        tokens.add(new int[] {start, i});
                    }
                }
                tokenized = true;
            }
            return tokens;
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }
}
