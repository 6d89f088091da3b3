package org.embed4j.serve;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.net.Socket;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One client connection of {@link Http1Server}, on its own thread: reads a request head (RFC 9112:
 * request line, header fields, Content-Length or chunked framing, each malformation a 400 and a closed
 * connection), lets the handler answer, writes the response in one write, and goes on while the connection
 * is kept alive. Its deadline (idle, request, response) is watched by the server's reaper, which closes the
 * socket when it passes. Its state (idle / busy / closed) lets shutdown close idle connections at once and
 * let busy ones finish. Only the reaper and shutdown touch it from other threads, through the socket's close.
 */
final class Http1Connection implements Runnable {
    private static final System.Logger LOG = System.getLogger(Http1Connection.class.getName());
    private static final int IDLE = 0;
    private static final int BUSY = 1;
    private static final int CLOSED = 2;
    private static final long NO_DEADLINE = Long.MIN_VALUE;
    /** Bodies up to this size are copied behind the head so that the response leaves in one write. */
    private static final int INLINE_BODY = 32 * 1024;

    private static final int KEEP_BYTES = 64 * 1024;
    private static final long LINGER_BYTES = 1 << 20;
    private static final long LINGER_NANOS = 2_000_000_000L;
    private static final DateTimeFormatter IMF_FIXDATE = DateTimeFormatter.ofPattern(
                    "EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US)
            .withZone(ZoneOffset.UTC);
    private static volatile CachedDate cachedDate = new CachedDate(0, "");

    private record CachedDate(long second, String text) {}

    private final Socket socket;
    private final Http1Server server;
    private final Http1Server.Limits limits;
    private final AtomicInteger state = new AtomicInteger(IDLE);
    private volatile long deadline = NO_DEADLINE;
    private Http1Input in;
    private OutputStream out;
    private byte[] buf = new byte[4096];
    private int n;

    Http1Connection(Socket socket, Http1Server server) {
        this.socket = socket;
        this.server = server;
        this.limits = server.limits();
    }

    @Override
    public void run() {
        try {
            socket.setTcpNoDelay(true);
            in = new Http1Input(socket.getInputStream(), 8192);
            out = socket.getOutputStream();
            serve();
        } catch (IOException e) {
            // the client went away, or the reaper or shutdown closed the socket: nobody is left to answer
        } catch (RuntimeException e) {
            LOG.log(Level.ERROR, "HTTP connection failed", e);
        } finally {
            state.set(CLOSED);
            closeSocket();
            server.removed(this);
        }
    }

    /**
     * The server is full: a 503 to this connection, then close. The reaper does not watch it, so the one read
     * that lets the client see the answer rather than a reset is bounded by a socket timeout instead.
     */
    void refuse() {
        try {
            out = socket.getOutputStream();
            write(
                    ServeHandler.errorResponse(new ApiException(
                            503,
                            "too_many_connections",
                            "the server has " + limits.maxConnections() + " open connections; retry later")),
                    false,
                    false,
                    false);
            socket.shutdownOutput();
            socket.setSoTimeout((int) (LINGER_NANOS / 1_000_000));
            socket.getInputStream().read(buf);
        } catch (IOException e) {
            // gone already, or silent: closing anyway
        } finally {
            closeSocket();
        }
    }

    /** Shutdown: closes the connection if it waits for a request (a busy one finishes its request first). */
    void closeIfIdle() {
        if (state.compareAndSet(IDLE, CLOSED)) {
            closeSocket();
        }
    }

    /** Reaper: closes the connection once its deadline passed; the blocked read or write then fails. */
    void closeIfExpired(long now) {
        long d = deadline;
        if (d != NO_DEADLINE && now - d > 0) {
            abort();
        }
    }

    void abort() {
        state.set(CLOSED);
        closeSocket();
    }

    private void serve() throws IOException {
        while (true) {
            in.shrink();
            deadline = System.nanoTime() + limits.idleTimeout().toNanos();
            if (server.draining() || !in.await() || !state.compareAndSet(IDLE, BUSY)) {
                return;
            }
            deadline = System.nanoTime() + limits.requestTimeout().toNanos();
            Http1Request request;
            try {
                request = server.head().read(in, out);
            } catch (ApiException e) {
                write(ServeHandler.errorResponse(e), false, false, false);
                linger();
                return;
            }
            if (!exchange(request)) {
                linger();
                return;
            }
            if (!state.compareAndSet(BUSY, IDLE)) {
                return;
            }
        }
    }

    /** Handles one request and writes its response; true when the connection stays open. */
    private boolean exchange(Http1Request request) throws IOException {
        int status = 500;
        try {
            Http1Response response = server.handler().handle(request);
            status = response.status();
            boolean keepAlive = request.finish(limits.maxSkippedBody()) && keepAlive(request) && !server.draining();
            deadline = System.nanoTime() + limits.responseTimeout().toNanos();
            write(response, keepAlive, request.method().equals("HEAD"), request.http10());
            return keepAlive;
        } finally {
            server.handler().completed(request, status, System.nanoTime() - request.startNanos());
        }
    }

    /**
     * HTTP/1.1 keeps the connection unless told "close"; HTTP/1.0 only when told "keep-alive". A "close"
     * anywhere in the list wins (RFC 9112 §9.6): the client will close after this response.
     */
    private static boolean keepAlive(Http1Request request) {
        String connection = request.header("Connection");
        if (connection == null) {
            return !request.http10();
        }
        boolean keep = !request.http10();
        for (String option : connection.split(",")) {
            String o = option.strip();
            if (o.equalsIgnoreCase("close")) {
                return false;
            }
            if (o.equalsIgnoreCase("keep-alive")) {
                keep = true;
            }
        }
        return keep;
    }

    private void write(Http1Response r, boolean keepAlive, boolean headOnly, boolean http10) throws IOException {
        byte[] body = r.body();
        n = 0;
        ascii("HTTP/1.1 ")
                .number(r.status())
                .ascii(" ")
                .ascii(reason(r.status()))
                .ascii("\r\nDate: ")
                .ascii(date());
        if (r.contentType() != null) {
            ascii("\r\nContent-Type: ").ascii(r.contentType());
        }
        ascii("\r\nContent-Length: ").number(body.length).ascii("\r\n");
        String[] h = r.headers();
        for (int i = 0; i < h.length; i += 2) {
            ascii(h[i]).ascii(": ").ascii(h[i + 1]).ascii("\r\n");
        }
        ascii(!keepAlive ? "Connection: close\r\n" : http10 ? "Connection: keep-alive\r\n" : "")
                .ascii("\r\n");
        if (headOnly) {
            out.write(buf, 0, n);
        } else if (body.length <= INLINE_BODY) {
            ensure(body.length);
            System.arraycopy(body, 0, buf, n, body.length);
            n += body.length;
            out.write(buf, 0, n);
        } else {
            out.write(buf, 0, n);
            out.write(body);
        }
        if (buf.length > KEEP_BYTES) {
            buf = new byte[4096];
        }
    }

    /** Half-closes, then reads what the client still sends for a moment, so that it gets the response rather than a reset. */
    private void linger() {
        try {
            deadline = System.nanoTime() + LINGER_NANOS;
            socket.shutdownOutput();
            in.drain(LINGER_BYTES);
        } catch (IOException e) {
            // closing anyway
        }
    }

    private void closeSocket() {
        try {
            socket.close();
        } catch (IOException e) {
            // nothing left to do with it
        }
    }

    private Http1Connection ascii(String s) {
        int len = s.length();
        ensure(len);
        for (int i = 0; i < len; i++) {
            char c = s.charAt(i);
            // header text is ours or a constant; anything outside printable ASCII would corrupt the framing
            buf[n++] = (c >= ' ' && c < 0x7f) || c == '\r' || c == '\n' ? (byte) c : (byte) '?';
        }
        return this;
    }

    private Http1Connection number(long v) {
        return ascii(Long.toString(v));
    }

    private void ensure(int more) {
        if (n + more > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(n + more, 2 * buf.length));
        }
    }

    /** The Date header (RFC 9110 §6.6.1), formatted once a second. */
    private static String date() {
        long second = System.currentTimeMillis() / 1000;
        CachedDate d = cachedDate;
        if (d.second() != second) {
            d = new CachedDate(second, IMF_FIXDATE.format(Instant.ofEpochSecond(second)));
            cachedDate = d;
        }
        return d.text();
    }

    private static String reason(int status) {
        return switch (status) {
            case 200 -> "OK";
            case 400 -> "Bad Request";
            case 401 -> "Unauthorized";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 408 -> "Request Timeout";
            case 413 -> "Content Too Large";
            case 414 -> "URI Too Long";
            case 431 -> "Request Header Fields Too Large";
            case 500 -> "Internal Server Error";
            case 501 -> "Not Implemented";
            case 503 -> "Service Unavailable";
            case 505 -> "HTTP Version Not Supported";
            default -> "Status " + status;
        };
    }
}
