package org.embed4j.text;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Splits UTF-8 bytes into lines and decodes each into a reused char buffer for {@link CorpusReader}'s
 * allocation-free path. A line ends at \n, \r or \r\n (BufferedReader.readLine's rule); a last line without a
 * terminator counts. Position p of the file starts a line when p == 0, byte p-1 is \n, or byte p-1 is \r and
 * byte p is not \n: byte ranges split anywhere therefore give every line to exactly one range (the one holding
 * its first byte), which lets a plain file be read by several threads. ASCII lines are widened byte by byte;
 * others go through a UTF-8 decoder that replaces malformed input with U+FFFD (as the String path does).
 *
 * <p>Not thread-safe: one scanner per reading thread.
 */
final class LineScanner {
    private final CorpusReader.LineChars sink;
    private final CharsetDecoder decoder = StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPLACE)
            .onUnmappableCharacter(CodingErrorAction.REPLACE);
    private byte[] buf = new byte[1 << 16];
    private char[] chars = new char[1 << 12];

    LineScanner(CorpusReader.LineChars sink) {
        this.sink = sink;
    }

    /**
     * The lines that start in [{@code from}, {@code stop}) of the file whose bytes {@code in} delivers from file
     * offset {@code base} on ({@code base} is {@code from - 1} when {@code from > 0}: the byte before a range
     * decides whether a line starts at its first byte; {@code base == from == 0} for a whole file). Lines that
     * started before {@code from} are read over, not emitted; reading stops at the first line starting at or past
     * {@code stop} ({@code Long.MAX_VALUE}: the end of the stream).
     */
    void scan(InputStream in, long base, long from, long stop) throws IOException {
        int end = 0, start = 0, scan = 0;
        boolean skipLf = false; // a \r ended the last line: a \n right after it belongs to it
        for (; ; ) {
            int n = in.read(buf, end, buf.length - end);
            if (n < 0) {
                if (start < end && base + start >= from && base + start < stop) {
                    emit(start, end);
                }
                return;
            }
            end += n;
            if (skipLf && scan < end) {
                if (buf[scan] == '\n') {
                    start = ++scan;
                }
                skipLf = false;
            }
            for (; scan < end; scan++) {
                byte b = buf[scan];
                if (b != '\n' && b != '\r') {
                    continue;
                }
                if (base + start >= stop) {
                    return;
                }
                if (base + start >= from) {
                    emit(start, scan);
                }
                if (b == '\r') {
                    if (scan + 1 < end) {
                        if (buf[scan + 1] == '\n') {
                            scan++;
                        }
                    } else {
                        skipLf = true;
                    }
                }
                start = scan + 1;
            }
            if (start > 0) { // keep the unfinished line at the front
                System.arraycopy(buf, start, buf, 0, end - start);
                base += start;
                end -= start;
                scan -= start;
                start = 0;
            } else if (end == buf.length) { // a line longer than the buffer
                buf = Arrays.copyOf(buf, buf.length * 2);
            }
        }
    }

    private void emit(int from, int to) {
        int n = to - from;
        if (chars.length < n) {
            chars = new char[Math.max(n, chars.length * 2)];
        }
        int k = 0;
        while (k < n && buf[from + k] >= 0) { // ASCII: widen
            chars[k] = (char) buf[from + k];
            k++;
        }
        if (k == n) {
            sink.accept(chars, 0, n);
            return;
        }
        decoder.reset();
        CharBuffer out = CharBuffer.wrap(chars);
        decoder.decode(ByteBuffer.wrap(buf, from, n), out, true);
        decoder.flush(out);
        sink.accept(chars, 0, out.position());
    }
}
