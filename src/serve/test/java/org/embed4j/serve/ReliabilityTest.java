package org.embed4j.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.embed4j.classify.TextClassifier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Hostile clients must not keep normal ones out: a client address holding many connections, a head trickled
 * byte by byte, bodies that together would exhaust the heap. Attackers connect from 127.0.0.2 and up, the normal
 * client from 127.0.0.1 (all of 127/8 is loopback on Linux).
 */
class ReliabilityTest {
    private static final String CLASSIFY = "{\"text\": \"good movie\"}";
    private static TextClassifier classifier;
    private EmbedServer server;
    private final List<RawClient> clients = new ArrayList<>();

    @BeforeAll
    static void model() {
        classifier = ServeFixtures.classifier();
    }

    @AfterEach
    void stop() throws IOException {
        for (RawClient c : clients) {
            c.close();
        }
        if (server != null) {
            server.close();
        }
    }

    private void start(ServeOptions.Builder options) throws IOException {
        server = EmbedServer.start(null, classifier, options.port(0).build());
    }

    private RawClient connect(String from) throws IOException {
        RawClient c = new RawClient(server.address(), from);
        clients.add(c);
        return c;
    }

    /** One normal request from 127.0.0.1 on a new connection: its status. */
    private int normalRequest() throws IOException {
        try (RawClient c = new RawClient(server.address(), "127.0.0.1")) {
            c.send(RawClient.post("/v1/classify", CLASSIFY));
            return c.read().status();
        }
    }

    @Test
    void oneAddressHoldsAtMostItsConnectionLimit() throws Exception {
        start(ServeOptions.builder().maxConnectionsPerAddress(3));
        List<RawClient> held = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            RawClient c = connect("127.0.0.2");
            c.send("GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n");
            assertEquals(200, c.read().status());
            held.add(c);
        }
        RawClient extra = connect("127.0.0.2");
        extra.socket.setSoTimeout(5000);
        assertTrue(extra.closedByServer(), "the fourth connection from one address is closed at once");
        assertEquals(200, normalRequest(), "another address is still served");
        held.get(0).send("GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n");
        assertEquals(200, held.get(0).read().status(), "the connections within the limit keep working");
        held.get(1).close();
        // the freed slot is given back (Jetty reports the close asynchronously: retry briefly)
        boolean served = false;
        for (int i = 0; i < 50 && !served; i++) {
            RawClient again = connect("127.0.0.2");
            again.socket.setSoTimeout(2000);
            try {
                again.send("GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n");
                served = again.read().status() == 200;
            } catch (IOException e) {
                Thread.sleep(20);
            }
        }
        assertTrue(served, "a closed connection frees its slot");
        assertTrue(
                server.metricsText().contains("embed4j_http_connections_refused_total{reason=\"per_address_limit\"} "));
    }

    @Test
    void aHeadTrickledByteByByteIsCutAtTheHeadTimeoutWhileIdleConnectionsStay() throws Exception {
        start(ServeOptions.builder().headTimeout(Duration.ofMillis(400)));
        RawClient idle = connect("127.0.0.2");
        idle.send("GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n");
        assertEquals(200, idle.read().status());
        RawClient slow = connect("127.0.0.3");
        String head = "GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Pad: " + "p".repeat(60) + "\r\n\r\n";
        long t0 = System.nanoTime();
        boolean cut = false;
        for (int i = 0; i < head.length() && !cut; i++) {
            try {
                slow.send(head.substring(i, i + 1));
                Thread.sleep(50); // one byte every 50 ms: the idle timeout (30 s) never fires
            } catch (IOException e) {
                cut = true;
            }
            if (System.nanoTime() - t0 > 3_000_000_000L) {
                break;
            }
        }
        slow.socket.setSoTimeout(3000);
        assertTrue(cut || slow.closedByServer(), "the trickled head was cut");
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertTrue(seconds < 3, "cut after " + seconds + " s");
        // a connection that opened and sent nothing is cut as well
        RawClient silent = connect("127.0.0.4");
        silent.socket.setSoTimeout(3000);
        assertTrue(silent.closedByServer(), "a silent new connection is cut at the head timeout");
        // the idle keep-alive connection outlived the head timeout and still works
        idle.send("GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n");
        assertEquals(200, idle.read().status());
        assertEquals(200, normalRequest());
    }

    @Test
    void bodiesBeyondTheMemoryBudgetAre503WithRetryAfterAndOneAddressGetsAQuarter() throws Exception {
        int maxBody = 4096;
        long budget = 4 * MemoryBudget.cost(maxBody);
        start(ServeOptions.builder().maxBodyBytes(maxBody).maxInflightBytes(budget));
        String slowHead = "POST /v1/classify HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                + "Content-Length: " + maxBody + "\r\n\r\n{\"text\": \"";
        // one address: its first slow body holds its quarter; its second is refused
        RawClient first = connect("127.0.0.2");
        first.send(slowHead);
        long one = MemoryBudget.cost(maxBody);
        waitFor(() -> server.metricsText().contains("embed4j_request_memory_bytes " + one + "\n"));
        RawClient second = connect("127.0.0.2");
        second.send(slowHead);
        RawClient.Reply refused = second.read();
        assertEquals(503, refused.status(), refused.body());
        assertEquals("1", refused.headers().get("retry-after"));
        assertTrue(refused.body().contains("\"overloaded\""), refused.body());
        assertEquals(200, normalRequest(), "the budget is not spent by one address");
        // the normal request's reservation is released once its response is out, which the client may see first
        waitFor(() -> server.metricsText().contains("embed4j_request_memory_bytes " + one + "\n"));
        // three more addresses fill the budget: now a normal request is refused too, without waiting
        for (String from : new String[] {"127.0.0.3", "127.0.0.4", "127.0.0.5"}) {
            connect(from).send(slowHead);
        }
        waitFor(() -> server.metricsText().contains("embed4j_request_memory_bytes " + budget + "\n"));
        assertEquals(503, normalRequest());
        // the bodies end (their clients go away): the memory comes back
        for (RawClient c : clients) {
            c.close();
        }
        waitFor(() -> server.metricsText().contains("embed4j_request_memory_bytes 0\n"));
        assertEquals(200, normalRequest());
    }

    @Test
    void anAddressOverItsBodyRateGets429BeforeItsBodyIsReadAndOthersAreServed() throws Exception {
        // 1 byte a second: a full bucket holds one largest body (1024 bytes) and refills in 17 minutes
        start(ServeOptions.builder().maxBodyBytes(1024).maxBodyBytesPerSecondPerAddress(1));
        String body = "{\"text\": \"" + "good ".repeat(180) + "\"}";
        RawClient c = connect("127.0.0.2");
        c.send(RawClient.post("/v1/classify", body));
        assertEquals(200, c.read().status());
        RawClient again = connect("127.0.0.2");
        again.send(RawClient.post("/v1/classify", body));
        RawClient.Reply refused = again.read();
        assertEquals(429, refused.status(), refused.body());
        assertEquals("1", refused.headers().get("retry-after"));
        assertTrue(refused.body().contains("\"too_many_bytes\""), refused.body());
        assertEquals(200, normalRequest(), "another address has a bucket of its own");
        assertTrue(server.metricsText().contains("embed4j_request_rate_refused_total 1\n"), server.metricsText());
    }

    @Test
    void aBodyThatNeverEndsGets408AtTheBodyTimeout() throws Exception {
        start(ServeOptions.builder().bodyTimeout(Duration.ofMillis(300)));
        RawClient c = connect("127.0.0.2");
        c.send("POST /v1/classify HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                + "Content-Length: 100\r\n\r\n{\"text\"");
        RawClient.Reply r = c.read();
        assertEquals(408, r.status(), r.body());
        assertTrue(r.body().contains("body_timeout"), r.body());
        c.socket.setSoTimeout(3000);
        assertTrue(c.closedByServer(), "the half-sent body closes the connection");
        waitFor(() -> server.metricsText().contains("embed4j_request_memory_bytes 0\n"));
        assertFalse(server.metricsText().contains("embed4j_http_requests_in_flight 1"));
    }

    @Test
    void aSmallRequestIsAnsweredWhileEveryBulkThreadIsBusyWithABigBody() throws Exception {
        start(ServeOptions.builder());
        int bulkThreads = BulkLane.defaultThreads();
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.atomic.AtomicInteger blocked = new java.util.concurrent.atomic.AtomicInteger();
        List<String> smallOn = java.util.Collections.synchronizedList(new ArrayList<>());
        server.handler().beforeEndpoint = () -> {
            String name = Thread.currentThread().getName();
            if (!name.startsWith("embed4j-bulk-")) {
                smallOn.add(name);
                return;
            }
            blocked.incrementAndGet();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
        String big = "{\"text\": \"" + "good ".repeat(BulkLane.BULK_BODY_BYTES / 5 + 1) + "\"}";
        List<RawClient> bigClients = new ArrayList<>();
        for (int i = 0; i <= bulkThreads; i++) { // one more than the lane has threads: it waits in the queue
            RawClient c = connect("127.0.0.2");
            c.send(RawClient.post("/v1/classify", big));
            bigClients.add(c);
        }
        waitFor(() -> blocked.get() == bulkThreads && server.metricsText().contains("embed4j_bulk_queued 1\n"));
        assertEquals(200, normalRequest(), "a small body is answered while the bulk lane is full");
        assertEquals(1, smallOn.size(), smallOn.toString());
        assertTrue(smallOn.get(0).startsWith("embed4j-http"), smallOn.toString());
        release.countDown();
        for (RawClient c : bigClients) {
            RawClient.Reply r = c.read();
            assertEquals(200, r.status(), r.body());
        }
        assertEquals(bulkThreads + 1, blocked.get(), "every big body went through the bulk lane");
    }

    private static void waitFor(java.util.function.BooleanSupplier condition) throws InterruptedException {
        for (int i = 0; i < 250 && !condition.getAsBoolean(); i++) {
            Thread.sleep(20);
        }
        assertTrue(condition.getAsBoolean(), "condition not met within 5 s");
    }
}
