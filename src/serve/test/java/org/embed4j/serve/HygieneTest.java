package org.embed4j.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;
import org.embed4j.classify.TextClassifier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Browser and network hygiene: only our own names in Host (a page that points its name at 127.0.0.1 cannot read
 * the API), only application/json bodies (a page cannot send one to another origin without a CORS preflight),
 * 401 before anything about paths or methods when a token is set, and HEAD on the GET endpoints.
 */
class HygieneTest {
    private static final String TOKEN = "t0ken";
    private static final String CLASSIFY = "{\"text\": \"good movie\"}";
    private static TextClassifier classifier;
    private static EmbedServer open;
    private static EmbedServer secured;

    @BeforeAll
    static void start() throws IOException {
        classifier = ServeFixtures.classifier();
        ServeOptions o = ServeOptions.builder()
                .port(0)
                .allowedHosts(List.of("api.example.org"))
                .build();
        open = EmbedServer.start(null, classifier, o);
        secured = EmbedServer.start(null, classifier, o.withToken(TOKEN));
    }

    @AfterAll
    static void stop() {
        open.close();
        secured.close();
    }

    private static RawClient.Reply send(EmbedServer s, String request) throws IOException {
        try (RawClient c = new RawClient(s.address())) {
            c.send(request);
            return c.read();
        }
    }

    private static String post(String host, String contentType, String auth) {
        return "POST /v1/classify HTTP/1.1\r\nHost: " + host + "\r\n"
                + (contentType == null ? "" : "Content-Type: " + contentType + "\r\n")
                + (auth == null ? "" : "Authorization: Bearer " + auth + "\r\n")
                + "Content-Length: " + CLASSIFY.length() + "\r\n\r\n" + CLASSIFY;
    }

    @Test
    void onlyOurOwnHostNamesAreAnswered() throws Exception {
        for (String host : new String[] {
            "localhost",
            "127.0.0.1",
            "127.0.0.1:8080",
            "LOCALHOST:1",
            "[::1]:9",
            "api.example.org",
            "api.example.org:443"
        }) {
            assertEquals(200, send(open, post(host, "application/json", null)).status(), host);
        }
        for (String host : new String[] {"evil.example", "rebind.attacker.test:8080", "127.0.0.2", "example.org"}) {
            RawClient.Reply r = send(open, post(host, "application/json", null));
            assertEquals(400, r.status(), host);
            assertTrue(r.body().contains("\"host_not_allowed\""), r.body());
        }
        // the GET endpoints too: a page must not read /healthz or /metrics through a rebound name either
        assertEquals(
                400,
                send(open, "GET /metrics HTTP/1.1\r\nHost: evil.example\r\n\r\n")
                        .status());
    }

    @Test
    void postBodiesMustBeJson() throws Exception {
        for (String type : new String[] {
            "application/json", "application/json; charset=utf-8", "Application/JSON;charset=\"UTF-8\""
        }) {
            assertEquals(200, send(open, post("localhost", type, null)).status(), type);
        }
        for (String type : new String[] {
            null,
            "text/plain",
            "application/x-www-form-urlencoded",
            "multipart/form-data; boundary=x",
            "application/json; charset=latin1",
            "application/jsonp"
        }) {
            RawClient.Reply r = send(open, post("localhost", type, null));
            assertEquals(415, r.status(), type + " -> " + r.body());
            assertTrue(r.body().contains("\"unsupported_media_type\""), r.body());
        }
    }

    @Test
    void withATokenEveryOtherAnswerComesAfterTheToken() throws Exception {
        RawClient.Reply unknownPath = send(secured, "GET /admin HTTP/1.1\r\nHost: localhost\r\n\r\n");
        assertEquals(401, unknownPath.status(), unknownPath.body());
        assertFalse(unknownPath.body().contains("/v1/"), "no endpoint list before the token: " + unknownPath.body());
        assertEquals(
                401,
                send(secured, "GET /v1/classify HTTP/1.1\r\nHost: localhost\r\n\r\n")
                        .status());
        assertEquals(401, send(secured, post("localhost", "text/plain", null)).status());
        assertEquals(
                401,
                send(secured, post("localhost", "application/json", "wrong")).status());
        assertEquals(
                200, send(secured, post("localhost", "application/json", TOKEN)).status());
        String authed = "Authorization: Bearer " + TOKEN + "\r\n";
        assertEquals(
                404,
                send(secured, "GET /admin HTTP/1.1\r\nHost: localhost\r\n" + authed + "\r\n")
                        .status());
        assertEquals(
                405,
                send(secured, "GET /v1/classify HTTP/1.1\r\nHost: localhost\r\n" + authed + "\r\n")
                        .status());
        // liveness and readiness never need the token; their wrong methods are a 405
        assertEquals(
                200,
                send(secured, "GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n")
                        .status());
        assertEquals(
                200,
                send(secured, "GET /readyz HTTP/1.1\r\nHost: localhost\r\n\r\n").status());
        RawClient.Reply postHealth = send(
                secured,
                "POST /healthz HTTP/1.1\r\nHost: localhost\r\n"
                        + "Content-Type: application/json\r\nContent-Length: 2\r\n\r\n{}");
        assertEquals(405, postHealth.status());
        assertEquals("GET, HEAD", postHealth.headers().get("allow"));
    }

    @Test
    void headAnswersTheGetHeadersWithoutABody() throws Exception {
        for (String path : new String[] {"/healthz", "/readyz"}) {
            try (RawClient c = new RawClient(open.address())) {
                c.send("GET " + path + " HTTP/1.1\r\nHost: localhost\r\n\r\n");
                RawClient.Reply get = c.read();
                c.send("HEAD " + path + " HTTP/1.1\r\nHost: localhost\r\n\r\n");
                RawClient.Reply head = c.readHead();
                assertEquals(200, head.status());
                assertEquals(get.headers().get("content-length"), head.headers().get("content-length"));
                assertEquals(get.headers().get("content-type"), head.headers().get("content-type"));
                c.send("GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n");
                assertTrue(c.read().body().startsWith("{\"status\""), "nothing came between");
            }
        }
        String authed = "Authorization: Bearer " + TOKEN + "\r\n";
        try (RawClient c = new RawClient(secured.address())) {
            c.send("HEAD /metrics HTTP/1.1\r\nHost: localhost\r\n\r\n");
            assertEquals(401, c.readHead().status());
        }
        try (RawClient c = new RawClient(secured.address())) {
            c.send("HEAD /metrics HTTP/1.1\r\nHost: localhost\r\n" + authed + "\r\n");
            RawClient.Reply head = c.readHead();
            assertEquals(200, head.status());
            assertTrue(head.headers().get("content-type").startsWith("text/plain"));
        }
    }
}
