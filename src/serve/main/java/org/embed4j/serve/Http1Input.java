package org.embed4j.serve;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * The buffered input side of one HTTP/1.1 connection: head lines (bounded, so a client cannot make the server
 * buffer without limit) and body bytes. One buffer per connection, reused by every request on it, so that
 * keep-alive requests allocate nothing here but their line strings and body arrays. Not thread-safe: one
 * connection thread owns it.
 */
final class Http1Input {
    /** Buffers grown past this for a large head go back to the initial size after the request. */
    private static final int KEEP_BYTES = 64 * 1024;

    private final InputStream in;
    private final int initialSize;
    private byte[] buf;
    private int pos;
    private int limit;

    Http1Input(InputStream in, int initialSize) {
        this.in = in;
        this.initialSize = initialSize;
        this.buf = new byte[initialSize];
    }

    /** Blocks until a byte is available; false at the end of the stream. */
    boolean await() throws IOException {
        return pos < limit || fill() > 0;
    }

    /**
     * The next line without its LF (and the CR before it), as ISO-8859-1 text. A line with no LF within
     * {@code max} bytes is refused with {@code tooLong}; a CR or NUL inside a line is a 400.
     */
    String readLine(int max, ApiException tooLong) throws IOException {
        int scanned = 0; // bytes after pos already looked at (fill may move pos)
        while (true) {
            for (int i = pos + scanned; i < limit; i++) {
                byte b = buf[i];
                if (b == '\n') {
                    int end = i > pos && buf[i - 1] == '\r' ? i - 1 : i;
                    if (end - pos > max) {
                        throw tooLong;
                    }
                    String line = ascii(pos, end);
                    pos = i + 1;
                    return line;
                }
                if ((b == '\r' && i + 1 < limit && buf[i + 1] != '\n') || b == 0) {
                    throw ApiException.badRequest("bad_request", "the request head has a stray CR or NUL byte");
                }
            }
            scanned = Math.max(0, limit - pos - 1); // a CR last in the buffer is judged once its next byte is in
            if (limit - pos > max + 1) {
                throw tooLong;
            }
            if (fill(max + 2) <= 0) {
                throw new EOFException("the connection closed inside the request head");
            }
        }
    }

    /** Reads exactly {@code len} bytes into {@code dst}. */
    void readFully(byte[] dst, int off, int len) throws IOException {
        int buffered = Math.min(len, limit - pos);
        System.arraycopy(buf, pos, dst, off, buffered);
        pos += buffered;
        int done = buffered;
        while (done < len) {
            int n = in.read(dst, off + done, len - done);
            if (n < 0) {
                throw new EOFException("the connection closed after " + done + " of " + len + " body bytes");
            }
            done += n;
        }
    }

    /** Reads and drops {@code n} bytes. */
    void skip(long n) throws IOException {
        long left = n;
        while (left > 0) {
            if (pos == limit && fill() <= 0) {
                throw new EOFException("the connection closed inside a body being skipped");
            }
            int k = (int) Math.min(left, limit - pos);
            pos += k;
            left -= k;
        }
    }

    /** Drops what is buffered and reads until the end of the stream or {@code max} bytes (lingering close). */
    void drain(long max) throws IOException {
        long total = (long) limit - pos;
        pos = limit = 0;
        byte[] scratch = buf;
        int n;
        while (total < max && (n = in.read(scratch, 0, scratch.length)) > 0) {
            total += n;
        }
    }

    /** Between requests: a buffer grown for one large head is not kept for the life of the connection. */
    void shrink() {
        if (buf.length > KEEP_BYTES && limit - pos <= initialSize) {
            byte[] small = new byte[initialSize];
            System.arraycopy(buf, pos, small, 0, limit - pos);
            limit -= pos;
            pos = 0;
            buf = small;
        }
    }

    private int fill() throws IOException {
        return fill(buf.length);
    }

    /** Reads more bytes after the buffered ones, making room for at least {@code want} buffered bytes. */
    private int fill(int want) throws IOException {
        if (pos == limit) {
            pos = limit = 0;
        } else if (limit == buf.length) {
            int kept = limit - pos;
            byte[] target =
                    kept >= buf.length / 2 && buf.length < want ? new byte[Math.max(want, buf.length * 2)] : buf;
            System.arraycopy(buf, pos, target, 0, kept);
            buf = target;
            pos = 0;
            limit = kept;
        }
        int n = in.read(buf, limit, buf.length - limit);
        if (n > 0) {
            limit += n;
        }
        return n;
    }

    private String ascii(int from, int to) {
        return new String(buf, from, to - from, StandardCharsets.ISO_8859_1);
    }
}
