package org.embed4j.serve;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One HTTP/1.1 request as {@link Http1Connection} parsed it: method, path (the request target up to '?',
 * matched as sent: every route is plain ASCII, so no percent-decoding), headers, and a body read on demand
 * with a size limit ({@link #body}), from a Content-Length or chunked framing. Reading the body on demand
 * lets a request refused early (404, 401) be answered without taking its body. Not thread-safe: it lives on
 * its connection's thread for one exchange.
 */
final class Http1Request {
    private static final byte[] CONTINUE = "HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    /** Chunk-size lines and trailer lines: far more than any real client sends. */
    private static final int MAX_CHUNK_LINE = 1024;

    private static final int MAX_TRAILERS = 64;
    /** A Content-Length body's array starts at most this long and doubles as its bytes arrive. */
    private static final int FIRST_BODY_ARRAY = 64 * 1024;

    private enum Body {
        NONE,
        UNREAD,
        READ,
        BROKEN
    }

    private final String method;
    private final String path;
    private final String[] headers; // name, value, name, value, ...
    private final int headerCount;
    private final boolean http10;
    private final long startNanos;
    private final long contentLength; // -1: chunked
    private final boolean expectContinue;
    private final Http1Input in;
    private final OutputStream out;
    private Body body;
    private boolean continueSent;

    Http1Request(
            String method,
            String path,
            String[] headers,
            int headerCount,
            boolean http10,
            long startNanos,
            long contentLength,
            boolean expectContinue,
            Http1Input in,
            OutputStream out) {
        this.method = method;
        this.path = path;
        this.headers = headers;
        this.headerCount = headerCount;
        this.http10 = http10;
        this.startNanos = startNanos;
        this.contentLength = contentLength;
        this.expectContinue = expectContinue && !http10;
        this.in = in;
        this.out = out;
        this.body = contentLength == 0 ? Body.NONE : Body.UNREAD;
    }

    String method() {
        return method;
    }

    String path() {
        return path;
    }

    boolean http10() {
        return http10;
    }

    /** When the head had been read ({@link System#nanoTime()}). */
    long startNanos() {
        return startNanos;
    }

    /** The first value of the header {@code name} (any case), or null. */
    String header(String name) {
        for (int i = 0; i < headerCount; i++) {
            if (headers[2 * i].equalsIgnoreCase(name)) {
                return headers[2 * i + 1];
            }
        }
        return null;
    }

    /**
     * The whole body, at most {@code max} bytes: a larger one is a 413 (announced by Content-Length, or found
     * while reading chunks), a malformed chunked framing a 400. Call once.
     */
    byte[] body(int max) throws IOException {
        if (body == Body.NONE) {
            return new byte[0];
        }
        if (body != Body.UNREAD) {
            throw new IllegalStateException("the body was already read");
        }
        if (contentLength > max) {
            throw tooLarge(contentLength + " bytes", max);
        }
        if (expectContinue) {
            out.write(CONTINUE);
            out.flush();
            continueSent = true;
        }
        body = Body.BROKEN; // until read whole: a failure part-way leaves the connection out of step
        byte[] bytes;
        if (contentLength >= 0) {
            bytes = fixedLength((int) contentLength);
        } else {
            bytes = chunked(max);
        }
        body = Body.READ;
        return bytes;
    }

    /**
     * After the response: true when the connection can carry another request, the body having been read,
     * or skipped because it is small ({@code maxSkip}); false when the connection must close instead.
     */
    boolean finish(long maxSkip) throws IOException {
        if (body == Body.NONE || body == Body.READ) {
            return true;
        }
        if (body == Body.BROKEN || contentLength < 0 || contentLength > maxSkip || (expectContinue && !continueSent)) {
            // a client waiting for 100 Continue may never send the body: closing is the only safe step
            return false;
        }
        in.skip(contentLength);
        body = Body.READ;
        return true;
    }

    /**
     * A Content-Length body, its array grown as the bytes arrive: a client that announces the largest body
     * allowed and sends nothing costs {@link #FIRST_BODY_ARRAY} bytes per connection, not the announced size.
     */
    private byte[] fixedLength(int length) throws IOException {
        byte[] data = new byte[Math.min(length, FIRST_BODY_ARRAY)];
        in.readFully(data, 0, data.length);
        while (data.length < length) {
            int done = data.length;
            data = Arrays.copyOf(data, (int) Math.min(length, 2L * done));
            in.readFully(data, done, data.length - done);
        }
        return data;
    }

    /** RFC 9112 §7.1: hex chunk sizes, extensions ignored, trailers read and dropped. */
    private byte[] chunked(int max) throws IOException {
        ApiException badLine = ApiException.badRequest("bad_request", "a chunk-size line of the body is too long");
        byte[] data = new byte[Math.min(max, 8192)];
        int total = 0;
        while (true) {
            String line = in.readLine(MAX_CHUNK_LINE, badLine);
            int semi = line.indexOf(';');
            String hex =
                    Http1Head.withoutOws(semi >= 0 ? line.substring(0, semi) : line, 0); // SP/HTAB only, as for fields
            if (hex.isEmpty() || hex.length() > 8 || !hex.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
                throw ApiException.badRequest("bad_request", "malformed chunked body: bad chunk size");
            }
            long size = Long.parseLong(hex, 16);
            if (size == 0) {
                break;
            }
            if (total + size > max) {
                throw tooLarge("more than " + max + " bytes", max);
            }
            if (total + size > data.length) {
                data = Arrays.copyOf(data, (int) Math.min(max, Math.max(total + size, 2L * data.length)));
            }
            in.readFully(data, total, (int) size);
            total += (int) size;
            if (!in.readLine(MAX_CHUNK_LINE, badLine).isEmpty()) {
                throw ApiException.badRequest("bad_request", "malformed chunked body: no CRLF after chunk data");
            }
        }
        for (int t = 0; !in.readLine(MAX_CHUNK_LINE, badLine).isEmpty(); t++) {
            if (t == MAX_TRAILERS) {
                throw ApiException.badRequest("bad_request", "malformed chunked body: too many trailer lines");
            }
        }
        return total == data.length ? data : Arrays.copyOf(data, total);
    }

    private static ApiException tooLarge(String what, int max) {
        return new ApiException(
                413,
                "body_too_large",
                "the request body has " + what + "; this server accepts at most " + max + " bytes (--max-body-bytes)");
    }
}
