package org.embed4j.io;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;

/**
 * Reads UTF-8 text line by line for the data files users bring (labeled texts, word pairs, analogy questions,
 * vocabularies): lines end at {@code \n} (a {@code \r} before it is dropped), a byte order mark at the start is
 * skipped, and each line is decoded strictly ({@link Utf8}). Invalid UTF-8 is an {@link IOException} that names the
 * file, the line and the byte offset of the first bad byte and shows the bytes, never a bare "Input length = 1" or a
 * silent U+FFFD. A line longer than {@link #MAX_LINE_BYTES} is an error too, so that a binary file given by mistake
 * cannot make the reader hold the whole file. Tracks the current line's number and byte offset for the callers' own
 * messages ({@link #where}). One instance per stream; not thread-safe.
 */
public final class TextLines implements Closeable {
    /** Longest line accepted (64 MiB). */
    public static final int MAX_LINE_BYTES = 1 << 26;

    private final InputStream in;
    private final String name;
    private final byte[] chunk = new byte[1 << 16];
    private int chunkPos;
    private int chunkLen;
    private byte[] line = new byte[256];
    private long offset; // of the next unread byte
    private long lineStart;
    private long lineNo;

    private TextLines(InputStream in, String name) {
        this.in = Objects.requireNonNull(in, "in");
        this.name = Objects.requireNonNull(name, "name");
    }

    /** Opens {@code path}; messages name it. */
    public static TextLines open(Path path) throws IOException {
        return new TextLines(Files.newInputStream(path), path.toString());
    }

    /** Reads {@code in} (closed with this reader); messages call it {@code name} ("standard input", a file). */
    public static TextLines of(InputStream in, String name) {
        return new TextLines(in, name);
    }

    /** The next line without its line break, or null at the end. */
    public String next() throws IOException {
        int len = 0;
        lineStart = offset;
        boolean any = false;
        while (true) {
            if (chunkPos == chunkLen) {
                chunkLen = Math.max(0, in.read(chunk));
                chunkPos = 0;
                if (chunkLen == 0) {
                    if (!any) {
                        return null;
                    }
                    break;
                }
            }
            byte b = chunk[chunkPos++];
            offset++;
            any = true;
            if (b == '\n') {
                break;
            }
            if (len == line.length) {
                if (len >= MAX_LINE_BYTES) {
                    throw new IOException(where(lineNo + 1) + " is longer than " + MAX_LINE_BYTES
                            + " bytes: not a text file of lines?");
                }
                line = Arrays.copyOf(line, Math.min(MAX_LINE_BYTES, len * 2));
            }
            line[len++] = b;
        }
        lineNo++;
        if (len > 0 && line[len - 1] == '\r') {
            len--;
        }
        int from = 0;
        if (lineNo == 1
                && len >= 3
                && (line[0] & 0xff) == 0xef
                && (line[1] & 0xff) == 0xbb
                && (line[2] & 0xff) == 0xbf) {
            from = 3; // byte order mark
        }
        String s = Utf8.decode(line, from, len - from);
        if (s == null) {
            int bad = from + Utf8.firstInvalid(line, from, len - from);
            throw new IOException(where() + " is not valid UTF-8 at byte offset " + (lineStart + bad) + " (bytes "
                    + Utf8.describe(line, from, len - from) + ")");
        }
        return s;
    }

    /** Whether a line can be read without blocking (some bytes are buffered or available), as a reader's ready(). */
    public boolean ready() throws IOException {
        return chunkPos < chunkLen || in.available() > 0;
    }

    /** 1-based number of the line {@link #next} returned last (0 before the first). */
    public long lineNumber() {
        return lineNo;
    }

    /** Byte offset of the start of that line. */
    public long lineOffset() {
        return lineStart;
    }

    /** "NAME line N" for the current line, the prefix of the callers' messages. */
    public String where() {
        return where(lineNo);
    }

    private String where(long n) {
        return name + " line " + n;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
