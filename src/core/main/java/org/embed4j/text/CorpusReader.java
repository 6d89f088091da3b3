package org.embed4j.text;

import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
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
        if (!Files.isRegularFile(path)) {
            throw new NoSuchFileException(path.toString(), null, "corpus file not found or not a regular file");
        }
        InputStream in = new BufferedInputStream(Files.newInputStream(path), 1 << 16);
        in.mark(2);
        int b0 = in.read();
        int b1 = in.read();
        in.reset();
        if (b0 == 0x1f && b1 == 0x8b) {
            in = new GZIPInputStream(in, 1 << 16);
        }
        var decoder = StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPLACE)
                .onUnmappableCharacter(CodingErrorAction.REPLACE);
        return new BufferedReader(new InputStreamReader(in, decoder), 1 << 16);
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

    @Override
    public String toString() {
        return "CorpusReader(" + path + ")";
    }
}
