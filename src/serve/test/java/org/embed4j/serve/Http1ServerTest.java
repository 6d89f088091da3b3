package org.embed4j.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The HTTP/1.1 transport on raw sockets, with a small echo handler: framing (keep-alive, pipelining, chunked
 * bodies, HTTP/1.0, HEAD, 100-continue), every class of malformed head (a 4xx/5xx and a closed connection),
 * the size limits, the deadlines (idle, slow request), the connection limit and shutdown.
 */
class Http1ServerTest {
    private static final int MAX_BODY = 1000;
    private static final Http1Server.Limits SMALL = new Http1Server.Limits(
            512, 8, Duration.ofSeconds(30), Duration.ofSeconds(30), Duration.ofSeconds(30), 100, 64);

    private final AtomicInteger completed = new AtomicInteger();
    private final CountDownLatch entered = new CountDownLatch(1); // /slow has begun
    private final CountDownLatch hold = new CountDownLatch(1); // /slow waits on it
    private Http1Server server;

    /** /echo answers the body it read, /ignore answers without reading it, /slow waits on {@link #hold}. */
    private final Http1Server.Handler echo = new Http1Server.Handler() {
        @Override
        public Http1Response handle(Http1Request r) {
            try {
                return switch (r.path()) {
                    case "/echo" -> new Http1Response(200, "text/plain", r.body(MAX_BODY), "X-Method", r.method());
                    case "/slow" -> {
                        entered.countDown();
                        hold.await(20, TimeUnit.SECONDS);
                        yield new Http1Response(200, "text/plain", "done".getBytes(StandardCharsets.US_ASCII));
                    }
                    default ->
                        new Http1Response(200, "text/plain", ("path " + r.path()).getBytes(StandardCharsets.US_ASCII));
                };
            } catch (ApiException e) {
                return ServeHandler.errorResponse(e);
            } catch (IOException | InterruptedException e) {
                return ServeHandler.errorResponse(ApiException.badRequest("bad_request", e.toString()));
            }
        }

        @Override
        public void completed(Http1Request request, int status, long nanos) {
            completed.incrementAndGet();
        }
    };

    @AfterEach
    void stop() {
        if (server != null) {
            server.close(Duration.ofSeconds(1));
        }
    }

    private void start(Http1Server.Limits limits) throws IOException {
        server = Http1Server.start(new InetSocketAddress("127.0.0.1", 0), echo, limits);
    }

    // ------------------------------------------------------------------ framing

    @Test
    void keepAliveAndPipelinedRequestsShareOneConnection() throws Exception {
        start(SMALL);
        try (Client c = new Client()) {
            for (int i = 0; i < 3; i++) {
                c.send(post("/echo", "body " + i));
                Reply r = c.read();
                assertEquals(200, r.status);
                assertEquals("body " + i, r.body);
                assertEquals("POST", r.headers.get("x-method"));
                assertEquals(null, r.headers.get("connection"));
                assertTrue(r.headers.get("date").endsWith(" GMT"), r.headers.toString());
            }
            // two requests in one write: answered in order; an unknown query string does not change the path
            c.send(post("/echo", "first") + "GET /other?x=1 HTTP/1.1\r\nHost: h\r\n\r\n");
            assertEquals("first", c.read().body);
            assertEquals("path /other", c.read().body);
        }
        // completed() runs after the response went out, so the client may read it first: wait for it
        for (int i = 0; i < 500 && completed.get() < 5; i++) {
            Thread.sleep(10);
        }
        assertEquals(5, completed.get());
    }

    @Test
    void chunkedBodiesAreDecodedWithExtensionsAndTrailers() throws Exception {
        start(SMALL);
        try (Client c = new Client()) {
            c.send("POST /echo HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "5;ext=1\r\nhello\r\n1\r\n \r\n5\r\nworld\r\n0\r\nX-Trailer: t\r\n\r\n");
            assertEquals("hello world", c.read().body);
            c.send(post("/echo", "still open"));
            assertEquals("still open", c.read().body);
        }
    }

    @Test
    void http10ClosesUnlessKeepAliveAndHeadHasNoBody() throws Exception {
        start(SMALL);
        try (Client c = new Client()) {
            c.send("GET /a HTTP/1.0\r\n\r\n");
            Reply r = c.read();
            assertEquals("path /a", r.body);
            assertEquals("close", r.headers.get("connection"));
            c.assertClosed();
        }
        try (Client c = new Client()) {
            c.send("GET /a HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
            assertEquals("keep-alive", c.read().headers.get("connection"));
            c.send("HEAD /abc HTTP/1.1\r\nHost: h\r\n\r\n");
            Reply head = c.readHead();
            assertEquals("9", head.headers.get("content-length"), "the length of the GET body");
            c.send("GET /b HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n");
            assertEquals("path /b", c.read().body, "no HEAD body came before this response");
            c.assertClosed();
        }
    }

    @Test
    void closeAnywhereInTheConnectionHeaderClosesTheConnection() throws Exception {
        start(SMALL);
        try (Client c = new Client()) {
            c.send("GET /a HTTP/1.1\r\nHost: h\r\nConnection: keep-alive, close\r\n\r\n");
            Reply r = c.read();
            assertEquals("path /a", r.body);
            assertEquals("close", r.headers.get("connection"));
            c.assertClosed();
        }
    }

    @Test
    void expectContinueGetsAnInterimResponse() throws Exception {
        start(SMALL);
        try (Client c = new Client()) {
            c.send("POST /echo HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n");
            assertEquals(100, c.readHead().status);
            c.send("data");
            assertEquals("data", c.read().body);
        }
    }

    @Test
    void anUnreadSmallBodyIsSkippedAndALargeOneClosesTheConnection() throws Exception {
        start(SMALL);
        try (Client c = new Client()) {
            c.send(post("/ignore", "x".repeat(64)));
            assertEquals("path /ignore", c.read().body);
            c.send(post("/echo", "next"));
            assertEquals("next", c.read().body);
            c.send(post("/ignore", "x".repeat(65)));
            Reply r = c.read();
            assertEquals(200, r.status);
            assertEquals("close", r.headers.get("connection"));
            c.assertClosed();
        }
    }

    // ------------------------------------------------------------------ malformed requests and limits

    @Test
    void malformedHeadsAreRefusedAndTheConnectionCloses() throws Exception {
        start(SMALL);
        Map<String, Integer> cases = new LinkedHashMap<>();
        cases.put("GARBAGE\r\n\r\n", 400);
        cases.put("GET  /a HTTP/1.1\r\n\r\n", 400);
        cases.put("GET /a HTTP/1.1 extra\r\n\r\n", 400);
        cases.put("G(T /a HTTP/1.1\r\n\r\n", 400);
        cases.put("GET a HTTP/1.1\r\n\r\n", 400);
        cases.put("GET /\u00e9 HTTP/1.1\r\n\r\n", 400);
        cases.put("GET /a HTTP/1.1\r\nNo colon\r\n\r\n", 400);
        cases.put("GET /a HTTP/1.1\r\nName : v\r\n\r\n", 400);
        cases.put("GET /a HTTP/1.1\r\nA: b\r\n folded\r\n\r\n", 400);
        cases.put("GET /a HTTP/1.1\r\nA: b\u0001c\r\n\r\n", 400);
        cases.put("GET /a HTTP/1.1\r\nA: b\rc\r\n\r\n", 400);
        cases.put("POST /echo HTTP/1.1\r\nContent-Length: 12x\r\n\r\n", 400);
        cases.put("POST /echo HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab", 400);
        cases.put("POST /echo HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400);
        cases.put("POST /echo HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400);
        cases.put("POST /echo HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 501);
        // only SP and HTAB surround a value: "chunked" + vertical tab is not chunked, a form feed is no digit
        cases.put("POST /echo HTTP/1.1\r\nTransfer-Encoding: chunked\u000b\r\n\r\n0\r\n\r\n", 400);
        cases.put("POST /echo HTTP/1.1\r\nContent-Length: \u000c1\r\n\r\nx", 400);
        cases.put("GET /a HTTP/2.0\r\n\r\n", 505);
        cases.put("GET /a HTTP/1.1\r\n" + "X: y\r\n".repeat(9) + "\r\n", 431);
        cases.put("GET /a HTTP/1.1\r\nX: " + "y".repeat(600) + "\r\n\r\n", 431);
        cases.put("GET /" + "a".repeat(600) + " HTTP/1.1\r\n\r\n", 414);
        for (Map.Entry<String, Integer> e : cases.entrySet()) {
            try (Client c = new Client()) {
                c.send(e.getKey());
                Reply r = c.read();
                String what = e.getKey().substring(0, Math.min(40, e.getKey().length()));
                assertEquals(e.getValue(), r.status, what + " -> " + r.body);
                assertTrue(r.body.startsWith("{\"error\":{"), r.body);
                assertEquals("close", r.headers.get("connection"), what);
                c.assertClosed();
            }
        }
        assertEquals(0, completed.get(), "malformed heads never reach the handler");
    }

    @Test
    void bodiesOverTheLimitAre413WhetherAnnouncedOrChunked() throws Exception {
        start(SMALL);
        try (Client c = new Client()) {
            c.send(post("/echo", "x".repeat(MAX_BODY + 1)));
            Reply r = c.read();
            assertEquals(413, r.status, r.body);
            assertTrue(r.body.contains("1001 bytes"), r.body);
            c.assertClosed();
        }
        try (Client c = new Client()) {
            StringBuilder chunks = new StringBuilder("POST /echo HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n");
            for (int i = 0; i < 11; i++) {
                chunks.append("64\r\n").append("y".repeat(100)).append("\r\n");
            }
            c.send(chunks.append("0\r\n\r\n").toString());
            Reply r = c.read();
            assertEquals(413, r.status, r.body);
            assertTrue(r.body.contains("more than 1000 bytes"), r.body);
            c.assertClosed();
        }
        try (Client c = new Client()) {
            c.send("POST /echo HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n");
            assertEquals(400, c.read().status);
            c.assertClosed();
        }
    }

    // ------------------------------------------------------------------ deadlines, connection limit, shutdown

    @Test
    void idleAndSlowConnectionsAreClosedAtTheirDeadline() throws Exception {
        start(new Http1Server.Limits(
                512, 8, Duration.ofMillis(300), Duration.ofMillis(300), Duration.ofSeconds(5), 100, 64));
        try (Client idle = new Client();
                Client slow = new Client()) {
            idle.send(post("/echo", "a"));
            assertEquals("a", idle.read().body);
            slow.send("POST /echo HTTP/1.1\r\nContent-Le"); // a slow-loris head that never ends
            idle.assertClosed();
            slow.assertClosed();
        }
    }

    @Test
    void connectionsBeyondTheLimitGet503() throws Exception {
        start(new Http1Server.Limits(
                512, 8, Duration.ofSeconds(30), Duration.ofSeconds(30), Duration.ofSeconds(30), 2, 64));
        try (Client a = new Client();
                Client b = new Client()) {
            a.send(post("/echo", "a"));
            b.send(post("/echo", "b"));
            assertEquals("a", a.read().body);
            assertEquals("b", b.read().body);
            try (Client c = new Client()) {
                Reply r = c.read();
                assertEquals(503, r.status, r.body);
                c.assertClosed();
            }
            a.send(post("/echo", "a again"));
            assertEquals("a again", a.read().body);
        }
    }

    @Test
    void refusalsBeyondTheConnectionLimitHoldABoundedNumberOfThreads() throws Exception {
        start(new Http1Server.Limits(
                512, 8, Duration.ofSeconds(30), Duration.ofSeconds(30), Duration.ofSeconds(30), 1, 64));
        List<Client> over = new ArrayList<>();
        try (Client held = new Client()) {
            held.send(post("/echo", "a"));
            assertEquals("a", held.read().body);
            for (int i = 0; i < 4 * Http1Server.MAX_REFUSING; i++) {
                over.add(new Client());
            }
            int most = 0;
            int answered = 0;
            for (Client c : over) {
                try {
                    assertEquals(503, c.read().status);
                    answered++;
                } catch (IOException e) {
                    // closed unanswered: as many refusals as allowed are lingering already
                }
                most = Math.max(most, connectionThreads());
            }
            assertTrue(answered > 0, "no connection was answered 503");
            assertTrue(
                    most <= 1 + 2 * Http1Server.MAX_REFUSING,
                    most + " connection threads for one connection and " + over.size() + " refused ones");
            held.send(post("/echo", "b"));
            assertEquals("b", held.read().body);
        } finally {
            for (Client c : over) {
                c.close();
            }
        }
    }

    @Test
    @SuppressWarnings("try") // the open connection is the point of the test
    void closeEndsIdleConnectionsAndLetsRequestsInFlightFinish() throws Exception {
        start(SMALL);
        try (Client idle = new Client();
                Client busy = new Client();
                ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            idle.send(post("/echo", "x"));
            idle.read();
            busy.send("GET /slow HTTP/1.1\r\nHost: h\r\n\r\n");
            assertTrue(entered.await(10, TimeUnit.SECONDS));
            Future<?> closing = pool.submit(() -> server.close(Duration.ofSeconds(10)));
            idle.assertClosed();
            assertFalse(closing.isDone(), "close waits for the request in flight");
            hold.countDown();
            Reply r = busy.read();
            assertEquals("done", r.body);
            assertEquals("close", r.headers.get("connection"));
            busy.assertClosed();
            closing.get(10, TimeUnit.SECONDS);
        }
        List<String> refused = new ArrayList<>();
        try (Socket s = new Socket("127.0.0.1", server.address().getPort())) {
            refused.add("connected");
        } catch (IOException e) {
            refused.add("refused");
        }
        assertEquals(List.of("refused"), refused);
    }

    // ------------------------------------------------------------------ client

    /** Live threads of the connection executor (the acceptor and the reaper have names, not numbers). */
    private static int connectionThreads() {
        int n = 0;
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().matches("embed4j-http-\\d+")) {
                n++;
            }
        }
        return n;
    }

    private static String post(String path, String body) {
        return "POST " + path + " HTTP/1.1\r\nHost: h\r\nContent-Length: "
                + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body;
    }

    private record Reply(int status, Map<String, String> headers, String body) {}

    /** A raw HTTP/1.1 client: writes bytes as given, reads Content-Length responses. */
    private final class Client implements AutoCloseable {
        final Socket socket = new Socket();
        final InputStream in;
        final OutputStream out;

        Client() throws IOException {
            socket.connect(server.address(), 5000);
            socket.setSoTimeout(10_000);
            in = socket.getInputStream();
            out = socket.getOutputStream();
        }

        void send(String s) throws IOException {
            out.write(s.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
        }

        Reply readHead() throws IOException {
            String status = line();
            Map<String, String> headers = new LinkedHashMap<>();
            for (String h = line(); !h.isEmpty(); h = line()) {
                int colon = h.indexOf(':');
                headers.put(
                        h.substring(0, colon).toLowerCase(Locale.ROOT),
                        h.substring(colon + 1).strip());
            }
            return new Reply(Integer.parseInt(status.split(" ")[1]), headers, "");
        }

        Reply read() throws IOException {
            Reply head = readHead();
            byte[] body = in.readNBytes(Integer.parseInt(head.headers.get("content-length")));
            return new Reply(head.status, head.headers, new String(body, StandardCharsets.UTF_8));
        }

        /** The server closed its side: end of stream (or a reset) rather than a timeout. */
        void assertClosed() throws IOException {
            try {
                assertEquals(-1, in.read());
            } catch (SocketTimeoutException e) {
                throw new AssertionError("the connection is still open", e);
            } catch (SocketException e) {
                // reset by the server: closed as well
            }
        }

        private String line() throws IOException {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            int c;
            while ((c = in.read()) != '\n') {
                if (c < 0) {
                    throw new IOException("closed in a response head");
                }
                if (c != '\r') {
                    b.write(c);
                }
            }
            return b.toString(StandardCharsets.ISO_8859_1);
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
