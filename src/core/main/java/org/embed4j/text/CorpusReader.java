package org.embed4j.text;

import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.function.Consumer;
import java.util.zip.GZIPInputStream;

/**
 * Streams a text corpus line by line: plain UTF-8 or gzip (recognised by its magic bytes 1f 8b, not by
 * the file name). A line is one sentence or paragraph, as in word2vec and fastText. Nothing but the
 * current line is held in memory, so a corpus of any size can be read any number of times.
 * Malformed UTF-8 is replaced with U+FFFD rather than failing half-way through a long run.
 *
 * <p>Stateless: each call opens its own stream; safe to use from several threads.
 */
public final class CorpusReader {
    private final Path path;

    public CorpusReader(Path path) {
        if (path == null) {
            throw new IllegalArgumentException("corpus path must not be null");
        }
        this.path = path;
    }

    public Path path() {
        return path;
    }

    /** Opens the corpus for reading (decompressing .gz); the caller closes the reader. */
    public BufferedReader open() throws IOException {
        return new BufferedReader(openUnbuffered(), 1 << 16);
    }

    /** The decoded characters of the corpus. */
    private Reader openUnbuffered() throws IOException {
        var decoder = StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPLACE)
                .onUnmappableCharacter(CodingErrorAction.REPLACE);
        return new InputStreamReader(openBytes(), decoder);
    }

    /** Calls {@code action} for every line, in order. I/O errors are rethrown unchecked, naming the file. */
    public void forEachLine(Consumer<String> action) {
        try (BufferedReader r = open()) {
            String line;
            while ((line = r.readLine()) != null) {
                action.accept(line);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not read corpus " + path + ": " + e.getMessage(), e);
        }
    }

    /** Receives one line as {@code buf[from, to)} (terminator excluded); the buffer is reused for the next line. */
    @FunctionalInterface
    public interface LineChars {
        void accept(char[] buf, int from, int to);
    }

    /**
     * Calls {@code action} for every line, in order, as a range of a reused character buffer: the same lines as
     * {@link #forEachLine} (ended by \n, \r or \r\n; a last line without terminator included) without a String
     * per line. {@code action} may change the characters of its range (the tokenizer lowercases in place) but must
     * not keep the buffer. I/O errors are rethrown unchecked, naming the file.
     */
    public void forEachLineChars(LineChars action) {
        try (InputStream in = openBytes()) {
            new LineScanner(action).scan(in, 0, 0, Long.MAX_VALUE);
        } catch (IOException e) {
            throw new UncheckedIOException("could not read corpus " + path + ": " + e.getMessage(), e);
        }
    }

    /** Whether {@link #forEachLineChars(long, long, LineChars)} can read parts of the file (plain, not gzip). */
    public boolean splittable() {
        try (InputStream in = openBytes()) {
            return !(in instanceof GZIPInputStream);
        } catch (IOException e) {
            throw new UncheckedIOException("could not read corpus " + path + ": " + e.getMessage(), e);
        }
    }

    /** The file's size in bytes. */
    public long byteSize() {
        try {
            return Files.size(path);
        } catch (IOException e) {
            throw new UncheckedIOException("could not read corpus " + path + ": " + e.getMessage(), e);
        }
    }

    /**
     * {@link #forEachLineChars(LineChars)} for the lines whose first byte lies in [{@code from}, {@code to}) of a
     * plain (not gzip) file: byte ranges that cover the file give each line to exactly one of them, in order, so
     * several threads can read one corpus.
     */
    public void forEachLineChars(long from, long to, LineChars action) {
        if (from < 0 || to < from) {
            throw new IllegalArgumentException("byte range [" + from + ", " + to + ") is not a range of offsets");
        }
        if (!splittable()) {
            throw new IllegalStateException("corpus " + path + " is gzip-compressed: it can only be read whole");
        }
        long base = from > 0 ? from - 1 : 0; // the byte before the range decides whether a line starts at from
        try (InputStream in = new BufferedInputStream(Files.newInputStream(path), 1 << 16)) {
            in.skipNBytes(Math.min(base, Files.size(path)));
            new LineScanner(action).scan(in, base, from, to);
        } catch (IOException e) {
            throw new UncheckedIOException("could not read corpus " + path + ": " + e.getMessage(), e);
        }
    }

    /** The corpus's bytes, decompressed when it is gzip; the caller closes the stream. */
    private InputStream openBytes() throws IOException {
        if (!Files.isRegularFile(path)) {
            throw new NoSuchFileException(path.toString(), null, "corpus file not found or not a regular file");
        }
        InputStream in = new BufferedInputStream(Files.newInputStream(path), 1 << 16);
        in.mark(2);
        int b0 = in.read();
        int b1 = in.read();
        in.reset();
        return b0 == 0x1f && b1 == 0x8b ? new GZIPInputStream(in, 1 << 16) : in;
    }

    @Override
    public String toString() {
        return "CorpusReader(" + path + ")";
    }
}
