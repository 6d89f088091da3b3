package org.embed4j.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.Socket;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.embed4j.classify.TextClassifier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The HTTP/1.1 transport on raw sockets: what Jetty does and how the service configures it. Framing (keep-alive,
 * pipelining, chunked bodies, HTTP/1.0, HEAD, 100-continue), every class of malformed head and the request
 * smuggling patterns (a JSON 4xx/5xx and a closed connection, never the handler), and the size limits.
 */
class HttpConformanceTest {
    private static final int MAX_BODY = 1000;
    private static final String CLASSIFY = "{\"text\": \"good movie\"}";

    private static TextClassifier classifier;
    private static EmbedServer server;

    @BeforeAll
    static void start() throws IOException {
        classifier = ServeFixtures.classifier();
        server = EmbedServer.start(
                null, classifier, ServeOptions.DEFAULTS.withPort(0).withMaxBodyBytes(MAX_BODY));
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    private static RawClient client() throws IOException {
        return new RawClient(server.address());
    }

    // ------------------------------------------------------------------ framing

    @Test
    void keepAliveAndPipelinedRequestsShareOneConnection() throws Exception {
        try (RawClient c = client()) {
            for (int i = 0; i < 3; i++) {
                c.send(RawClient.post("/v1/classify", CLASSIFY));
                RawClient.Reply r = c.read();
                assertEquals(200, r.status(), r.body());
                assertTrue(r.body().startsWith("{\"results\":"), r.body());
                assertNull(r.headers().get("connection"));
                assertNull(r.headers().get("server"), "no Server header");
                assertTrue(r.headers().get("date").endsWith(" GMT"), r.headers().toString());
            }
            // two requests in one write: answered in order; a query string does not change the path
            c.send(RawClient.post("/v1/classify", CLASSIFY) + "GET /healthz?x=1 HTTP/1.1\r\nHost: localhost\r\n\r\n");
            assertTrue(c.read().body().startsWith("{\"results\":"));
            assertTrue(c.read().body().startsWith("{\"status\":\"ok\""));
        }
    }

    @Test
    void chunkedBodiesAreDecodedWithExtensionsAndTrailers() throws Exception {
        try (RawClient c = client()) {
            c.send("POST /v1/classify HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\n"
                    + "5;ext=1\r\n{\"tex\r\n1\r\nt\r\n10\r\n\": \"good movie\"}\r\n0\r\nX-Trailer: t\r\n\r\n");
            RawClient.Reply r = c.read();
            assertEquals(200, r.status(), r.body());
            c.send(RawClient.post("/v1/classify", CLASSIFY));
            assertEquals(200, c.read().status());
        }
    }

    @Test
    void http10ClosesUnlessKeepAliveAndHeadHasNoBody() throws Exception {
        try (RawClient c = client()) {
            c.send("GET /healthz HTTP/1.0\r\n\r\n");
            RawClient.Reply r = c.read();
            assertEquals(200, r.status());
            c.assertClosed();
        }
        try (RawClient c = client()) {
            c.send("GET /healthz HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
            RawClient.Reply get = c.read();
            assertEquals("keep-alive", get.headers().get("connection"));
            c.send("HEAD /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n");
            RawClient.Reply head = c.readHead();
            assertEquals(200, head.status());
            assertEquals(Integer.toString(get.body().length()), head.headers().get("content-length"));
            c.send("GET /readyz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
            RawClient.Reply next = c.read();
            assertTrue(next.body().startsWith("{\"status\":\"ready\""), "no HEAD body before it: " + next.body());
            c.assertClosed();
        }
    }

    @Test
    void closeAnywhereInTheConnectionHeaderClosesTheConnection() throws Exception {
        try (RawClient c = client()) {
            c.send("GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: keep-alive, close\r\n\r\n");
            RawClient.Reply r = c.read();
            assertEquals(200, r.status());
            assertEquals("close", r.headers().get("connection"));
            c.assertClosed();
        }
    }

    @Test
    void expectContinueGetsAnInterimResponse() throws Exception {
        try (RawClient c = client()) {
            c.send("POST /v1/classify HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                    + "Expect: 100-continue\r\nContent-Length: " + CLASSIFY.length() + "\r\n\r\n");
            assertEquals(100, c.readHead().status());
            c.send(CLASSIFY);
            assertEquals(200, c.read().status());
        }
    }

    // ------------------------------------------------------------------ malformed requests, smuggling, limits

    @Test
    void malformedHeadsAndSmugglingAttemptsAreRefusedAndTheConnectionCloses() throws Exception {
        long okBefore = settledMetricCount("/v1/classify", 200);
        String post = "POST /v1/classify HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n";
        Map<String, Integer> cases = new LinkedHashMap<>();
        cases.put("GARBAGE\r\n\r\n", 400);
        cases.put("GET /healthz HTTP/1.1 extra\r\nHost: localhost\r\n\r\n", 400);
        cases.put("G(T /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n", 400);
        cases.put("GET /healthz HTTP/1.1\r\nHost: localhost\r\nNo colon\r\n\r\n", 400);
        cases.put("GET /healthz HTTP/1.1\r\nHost: localhost\r\nName : v\r\n\r\n", 400);
        cases.put("GET /healthz HTTP/1.1\r\nHost: localhost\r\nA: b\r\n folded\r\n\r\n", 400);
        cases.put("GET /healthz HTTP/1.1\r\nHost: localhost\r\nA: b\u0001c\r\n\r\n", 400);
        cases.put("GET /healthz HTTP/1.1\r\nHost: localhost\r\nA: b\rc\r\n\r\n", 400);
        // RFC 9112: a missing or repeated Host is a 400
        cases.put("GET /healthz HTTP/1.1\r\n\r\n", 400);
        cases.put("GET /healthz HTTP/1.1\r\nHost: localhost\r\nHost: localhost\r\n\r\n", 400);
        cases.put(post + "Content-Length: 12x\r\n\r\n", 400);
        cases.put(post + "Content-Length: 1\r\nContent-Length: 2\r\n\r\nab", 400);
        cases.put(post + "Content-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400);
        cases.put(
                "POST /v1/classify HTTP/1.0\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
                        + "0\r\n\r\n",
                400);
        // a transfer coding Jetty passes through undecoded is refused by the service (RFC 9112: 501)
        cases.put(post + "Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n", 501);
        cases.put(post + "Transfer-Encoding: chunked\u000b\r\n\r\n0\r\n\r\n", 400);
        cases.put(post + "Content-Length: \u000c1\r\n\r\nx", 400);
        cases.put("GET /healthz HTTP/2.0\r\nHost: localhost\r\n\r\n", 426);
        cases.put("GET /healthz HTTP/1.1\r\nHost: localhost\r\nX: " + "y".repeat(17 * 1024) + "\r\n\r\n", 431);
        cases.put("GET /" + "a".repeat(17 * 1024) + " HTTP/1.1\r\nHost: localhost\r\n\r\n", 414);
        List<String> wrong = new ArrayList<>();
        for (Map.Entry<String, Integer> e : cases.entrySet()) {
            try (RawClient c = client()) {
                c.send(e.getKey());
                c.socket.setSoTimeout(3000);
                RawClient.Reply r;
                try {
                    r = c.read();
                } catch (IOException x) {
                    r = new RawClient.Reply(0, Map.of(), x.toString());
                }
                String what = e.getKey()
                        .substring(0, Math.min(140, e.getKey().length()))
                        .replace("\r\n", "|");
                boolean closed = c.closedByServer();
                if (r.status() != e.getValue() || !r.body().startsWith("{\"error\":{") || !closed) {
                    wrong.add(what + " -> " + r.status() + " " + r.headers() + " closed " + closed + " " + r.body());
                }
            }
        }
        assertEquals(List.of(), wrong);
        assertEquals(okBefore, settledMetricCount("/v1/classify", 200), "malformed requests never reach the endpoint");
    }

    @Test
    void extraSpacesInTheRequestLineAreReadAsOneSeparator() throws Exception {
        // RFC 9112 section 3 lets a recipient split the request line on runs of whitespace; the framing is unchanged
        try (RawClient c = client()) {
            c.send("GET  /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n");
            assertEquals(200, c.read().status());
            c.send(RawClient.post("/v1/classify", CLASSIFY));
            assertEquals(200, c.read().status());
        }
    }

    /** The count once the requests of earlier tests have finished (their bookkeeping runs after the response). */
    private static long settledMetricCount(String endpoint, int status) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (server.inFlight() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        return metricCount(endpoint, status);
    }

    private static long metricCount(String endpoint, int status) {
        String line = "embed4j_http_requests_total{endpoint=\"" + endpoint + "\",code=\"" + status + "\"} ";
        for (String l : server.metricsText().split("\n")) {
            if (l.startsWith(line)) {
                return Long.parseLong(l.substring(line.length()));
            }
        }
        return 0;
    }

    @Test
    void bodiesOverTheLimitAre413WhetherAnnouncedOrChunked() throws Exception {
        try (RawClient c = client()) {
            c.send(RawClient.post("/v1/classify", "x".repeat(MAX_BODY + 1)));
            RawClient.Reply r = c.read();
            assertEquals(413, r.status(), r.body());
            assertTrue(r.body().contains("1001 bytes"), r.body());
            // the whole body had arrived, so Jetty skipped it and the connection stays usable
            c.send(RawClient.post("/v1/classify", CLASSIFY));
            assertEquals(200, c.read().status());
        }
        try (RawClient c = client()) {
            StringBuilder chunks = new StringBuilder("POST /v1/classify HTTP/1.1\r\nHost: localhost\r\n"
                    + "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n");
            for (int i = 0; i < 11; i++) {
                chunks.append("64\r\n").append("y".repeat(100)).append("\r\n");
            }
            c.send(chunks.append("0\r\n\r\n").toString());
            RawClient.Reply r = c.read();
            assertEquals(413, r.status(), r.body());
            assertTrue(r.body().contains("more than 1000 bytes"), r.body());
            c.send(RawClient.post("/v1/classify", CLASSIFY));
            assertEquals(200, c.read().status());
        }
        try (RawClient c = client()) {
            c.send("POST /v1/classify HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\nzz\r\n");
            assertEquals(400, c.read().status());
            c.assertClosed();
        }
    }

    @Test
    void closeEndsIdleConnectionsAndRefusesNewOnes() throws Exception {
        EmbedServer s = EmbedServer.start(null, classifier, ServeOptions.DEFAULTS.withPort(0));
        try (RawClient idle = new RawClient(s.address())) {
            idle.send("GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n");
            assertEquals(200, idle.read().status());
            s.close();
            idle.assertClosed();
        }
        boolean refused;
        try {
            new Socket("127.0.0.1", s.port()).close();
            refused = false;
        } catch (IOException e) {
            refused = true;
        }
        assertTrue(refused, "the listener is closed");
    }
}
