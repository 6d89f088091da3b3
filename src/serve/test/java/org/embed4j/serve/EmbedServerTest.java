package org.embed4j.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.embed4j.classify.Explanation;
import org.embed4j.classify.Prediction;
import org.embed4j.classify.TextClassifier;
import org.embed4j.vectors.AnalogyMethod;
import org.embed4j.vectors.Neighbor;
import org.embed4j.vectors.WordVectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The service end to end on an ephemeral loopback port: every endpoint against the library's answers (and
 * nearest against brute-force cosine), auth, each limit, each class of client error (always a JSON 4xx,
 * never a stack trace), metrics, concurrency and graceful shutdown.
 */
class EmbedServerTest {
    private static final String TOKEN = "s3cret-token";
    private static final ServeOptions SMALL = ServeOptions.DEFAULTS
            .withPort(0)
            .withMaxBodyBytes(4096)
            .withMaxBatch(8)
            .withMaxK(50);

    private static WordVectors vectors;
    private static TextClassifier classifier;
    private static EmbedServer open; // both models, no token
    private static EmbedServer secured; // both models, token
    private static EmbedServer vectorsOnly;
    private static HttpClient http;

    @BeforeAll
    static void start() throws IOException {
        vectors = ServeFixtures.vectors(300);
        classifier = ServeFixtures.classifier();
        open = EmbedServer.start(vectors, classifier, SMALL);
        secured = EmbedServer.start(vectors, classifier, SMALL.withToken(TOKEN));
        vectorsOnly = EmbedServer.start(vectors, null, SMALL);
        http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    }

    @AfterAll
    static void stop() {
        for (EmbedServer s : new EmbedServer[] {open, secured, vectorsOnly}) {
            if (s != null) {
                s.close();
            }
        }
        if (http != null) {
            http.close();
        }
    }

    // ------------------------------------------------------------------ endpoints against references

    @Test
    void healthzDescribesModels() throws Exception {
        Reply r = get(open, "/healthz", null);
        assertEquals(200, r.status);
        JsonObject o = r.json();
        assertEquals("ok", o.get("status").getAsString());
        assertEquals(300, o.getAsJsonObject("vectors").get("words").getAsInt());
        assertEquals(2, o.getAsJsonObject("classifier").get("labels").getAsInt());
    }

    @Test
    void embedIsTheMeanOfWordVectors() throws Exception {
        Reply r = post(open, "/v1/embed", "{\"texts\": [\"king queen\", \"Woman zzz\"]}", null);
        assertEquals(200, r.status, r.body);
        JsonObject o = r.json();
        assertEquals(ServeFixtures.DIM, o.get("dim").getAsInt());
        JsonArray rows = o.getAsJsonArray("embeddings");
        float[] k = vectors.vector("king");
        float[] q = vectors.vector("queen");
        float[] w = vectors.vector("woman");
        for (int d = 0; d < ServeFixtures.DIM; d++) {
            assertEquals((k[d] + q[d]) / 2, rows.get(0).getAsJsonArray().get(d).getAsFloat(), 1e-6f);
            assertEquals(w[d], rows.get(1).getAsJsonArray().get(d).getAsFloat(), 1e-6f);
        }
        assertEquals(2, o.getAsJsonArray("words").get(0).getAsInt());
        assertEquals(1, o.getAsJsonArray("words").get(1).getAsInt());

        Reply single = post(open, "/v1/embed", "{\"text\": \"king\"}", null);
        assertEquals(1, single.json().getAsJsonArray("embeddings").size());

        assertError(post(open, "/v1/embed", "{\"texts\": [\"king\", \"qqq rrr\"]}", null), 400, "unknown_word", "qqq");
        assertError(post(open, "/v1/embed", "{\"text\": \"!!! ???\"}", null), 400, "unknown_word", "no words at all");
    }

    @Test
    void nearestMatchesBruteForceCosine() throws Exception {
        Reply r = post(open, "/v1/nearest", "{\"words\": [\"king\", \"w17\"], \"k\": 5}", null);
        assertEquals(200, r.status, r.body);
        JsonArray results = r.json().getAsJsonArray("results");
        assertEquals(2, results.size());
        for (int i = 0; i < 2; i++) {
            JsonObject res = results.get(i).getAsJsonObject();
            String word = res.get("word").getAsString();
            List<String> expected = bruteForceNearest(word, 5);
            JsonArray nb = res.getAsJsonArray("neighbors");
            List<String> got = new ArrayList<>();
            for (int j = 0; j < nb.size(); j++) {
                JsonObject n = nb.get(j).getAsJsonObject();
                got.add(n.get("word").getAsString());
                double cos = cosine(
                        vectors.vector(word), vectors.vector(n.get("word").getAsString()));
                assertEquals(cos, n.get("score").getAsDouble(), 1e-5, "score of " + n);
            }
            assertEquals(expected, got, "neighbours of " + word);
        }
        // default k is 10
        Reply d = post(open, "/v1/nearest", "{\"word\": \"queen\"}", null);
        assertEquals(
                10,
                d.json()
                        .getAsJsonArray("results")
                        .get(0)
                        .getAsJsonObject()
                        .getAsJsonArray("neighbors")
                        .size());
    }

    @Test
    void analogyMatchesLibrary() throws Exception {
        Reply r = post(
                open,
                "/v1/analogy",
                "{\"queries\": [{\"a\": \"man\", \"b\": \"king\", \"c\": \"woman\"},"
                        + "{\"a\": \"w10\", \"b\": \"w11\", \"c\": \"w12\"}], \"k\": 3, \"method\": \"3cosmul\"}",
                null);
        assertEquals(200, r.status, r.body);
        JsonObject o = r.json();
        assertEquals("3cosmul", o.get("method").getAsString());
        JsonArray results = o.getAsJsonArray("results");
        assertAnswers(
                vectors.analogy("man", "king", "woman", 3, AnalogyMethod.COS_MUL),
                results.get(0).getAsJsonObject().getAsJsonArray("answers"));
        assertAnswers(
                vectors.analogy("w10", "w11", "w12", 3, AnalogyMethod.COS_MUL),
                results.get(1).getAsJsonObject().getAsJsonArray("answers"));

        Reply single = post(open, "/v1/analogy", "{\"a\": \"man\", \"b\": \"king\", \"c\": \"woman\", \"k\": 4}", null);
        assertEquals(200, single.status, single.body);
        assertAnswers(
                vectors.analogy("man", "king", "woman", 4, AnalogyMethod.COS_ADD),
                single.json().getAsJsonArray("results").get(0).getAsJsonObject().getAsJsonArray("answers"));

        assertError(
                post(
                        open,
                        "/v1/analogy",
                        "{\"a\": \"man\", \"b\": \"king\", \"c\": \"woman\", \"method\": \"x\"}",
                        null),
                400,
                "bad_field",
                "method");
        assertError(
                post(open, "/v1/analogy", "{\"a\": \"man\", \"b\": \"king\"}", null), 400, "missing_field", "\"c\"");
    }

    @Test
    void classifyMatchesPredict() throws Exception {
        String[] texts = {"a great and lovely movie", "an awful boring plot", "nothing known"};
        Reply r = post(open, "/v1/classify", "{\"texts\": [\"" + String.join("\", \"", texts) + "\"], \"k\": 2}", null);
        assertEquals(200, r.status, r.body);
        JsonArray results = r.json().getAsJsonArray("results");
        for (int i = 0; i < texts.length; i++) {
            List<Prediction> ref = classifier.predict(texts[i], 2);
            JsonArray labels = results.get(i).getAsJsonObject().getAsJsonArray("labels");
            assertEquals(ref.size(), labels.size());
            for (int j = 0; j < ref.size(); j++) {
                JsonObject l = labels.get(j).getAsJsonObject();
                assertEquals(ref.get(j).label(), l.get("label").getAsString());
                assertEquals(ref.get(j).probability(), l.get("probability").getAsDouble(), 1e-6);
            }
        }
        assertEquals(
                "pos",
                results.get(0)
                        .getAsJsonObject()
                        .getAsJsonArray("labels")
                        .get(0)
                        .getAsJsonObject()
                        .get("label")
                        .getAsString());
        assertEquals(
                "neg",
                results.get(1)
                        .getAsJsonObject()
                        .getAsJsonArray("labels")
                        .get(0)
                        .getAsJsonObject()
                        .get("label")
                        .getAsString());
        assertError(
                post(vectorsOnly, "/v1/classify", "{\"text\": \"good\"}", null),
                404,
                "model_not_loaded",
                "--classifier");
    }

    @Test
    void classifyExplainsEachLabelWithTermSharesThatAddUpToItsLogit() throws Exception {
        String text = "a great and lovely movie";
        Reply r = post(open, "/v1/classify", "{\"text\": \"" + text + "\", \"k\": 2, \"explain\": true}", null);
        assertEquals(200, r.status, r.body);
        JsonArray labels =
                r.json().getAsJsonArray("results").get(0).getAsJsonObject().getAsJsonArray("labels");
        List<Explanation> ref = classifier.explain(text, 2);
        assertEquals(ref.size(), labels.size());
        for (int j = 0; j < ref.size(); j++) {
            JsonObject l = labels.get(j).getAsJsonObject();
            assertEquals(ref.get(j).label(), l.get("label").getAsString());
            assertEquals(ref.get(j).logit(), l.get("logit").getAsDouble(), 1e-6);
            JsonArray terms = l.getAsJsonArray("contributions");
            assertEquals(ref.get(j).contributions().size(), terms.size(), "a short text keeps every term");
            double sum = l.get("bias").getAsDouble();
            double previous = Double.POSITIVE_INFINITY;
            for (int t = 0; t < terms.size(); t++) {
                double v = terms.get(t).getAsJsonObject().get("value").getAsDouble();
                assertTrue(v <= previous, "largest share first");
                previous = v;
                sum += v;
            }
            assertEquals(l.get("logit").getAsDouble(), sum, 1e-4, "bias + shares = logit");
        }
        assertError(
                post(open, "/v1/classify", "{\"text\": \"good\", \"explain\": \"yes\"}", null),
                400,
                "bad_field",
                "true or false");
    }

    @Test
    void metricsCountRequestsByEndpointAndCode() throws Exception {
        EmbedServer s = EmbedServer.start(vectors, classifier, SMALL);
        try {
            post(s, "/v1/nearest", "{\"word\": \"king\", \"k\": 2}", null);
            post(s, "/v1/nearest", "{\"word\": \"king\", \"k\": 2}", null);
            post(s, "/v1/nearest", "{\"word\": \"nope\"}", null);
            get(s, "/no/such/path", null);
            // a request is counted after its last byte went out, so the client may see the answer first: poll
            Reply m = get(s, "/metrics", null);
            for (int i = 0;
                    i < 100
                            && !(m.body.contains("code=\"404\"} 1")
                                    && m.body.contains("_count{endpoint=\"/v1/nearest\"} 3"));
                    i++) {
                Thread.sleep(20);
                m = get(s, "/metrics", null);
            }
            assertEquals(200, m.status);
            assertTrue(m.contentType.startsWith("text/plain"), m.contentType);
            String t = m.body;
            assertTrue(t.contains("embed4j_http_requests_total{endpoint=\"/v1/nearest\",code=\"200\"} 2\n"), t);
            assertTrue(t.contains("embed4j_http_requests_total{endpoint=\"/v1/nearest\",code=\"400\"} 1\n"), t);
            assertTrue(t.contains("embed4j_http_errors_total{endpoint=\"/v1/nearest\",code=\"400\"} 1\n"), t);
            assertTrue(t.contains("embed4j_http_requests_total{endpoint=\"other\",code=\"404\"} 1\n"), t);
            assertTrue(
                    t.contains(
                            "embed4j_http_request_duration_seconds_bucket{endpoint=\"/v1/nearest\",le=\"+Inf\"} 3\n"),
                    t);
            assertTrue(t.contains("embed4j_http_request_duration_seconds_count{endpoint=\"/v1/nearest\"} 3\n"), t);
            assertTrue(
                    t.contains("embed4j_model_info{kind=\"vectors\",words=\"300\",dim=\"8\",subwords=\"false\"} 1"), t);
            assertTrue(t.contains("embed4j_model_info{kind=\"classifier\""), t);
            assertTrue(t.contains("# TYPE embed4j_http_request_duration_seconds histogram"), t);
        } finally {
            s.close();
        }
    }

    // ------------------------------------------------------------------ auth

    @Test
    void bearerTokenIsRequiredExceptForHealthz() throws Exception {
        String body = "{\"word\": \"king\", \"k\": 2}";
        Reply none = post(secured, "/v1/nearest", body, null);
        assertError(none, 401, "unauthorized", "bearer");
        assertEquals("Bearer realm=\"embed4j\"", none.wwwAuthenticate);
        assertError(post(secured, "/v1/nearest", body, "Bearer wrong-token"), 401, "unauthorized", "token");
        assertError(post(secured, "/v1/nearest", body, "Bearer " + TOKEN + "x"), 401, "unauthorized", "token");
        assertError(post(secured, "/v1/nearest", body, "Basic " + TOKEN), 401, "unauthorized", "token");
        assertEquals(200, post(secured, "/v1/nearest", body, "Bearer " + TOKEN).status);
        assertEquals(200, post(secured, "/v1/classify", "{\"text\": \"good\"}", "bearer " + TOKEN).status);
        assertEquals(200, get(secured, "/healthz", null).status);
        assertEquals(401, get(secured, "/metrics", null).status);
        assertEquals(200, get(secured, "/metrics", "Bearer " + TOKEN).status);
    }

    // ------------------------------------------------------------------ limits

    @Test
    void limitsAreEnforced() throws Exception {
        String big = "{\"text\": \"" + "king ".repeat(1000) + "\"}"; // > 4096 bytes
        assertError(post(open, "/v1/embed", big, null), 413, "body_too_large", "4096");
        // the same without Content-Length (chunked): caught while reading
        HttpRequest chunked = HttpRequest.newBuilder(uri(open, "/v1/embed"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofInputStream(
                        () -> new ByteArrayInputStream(big.getBytes(StandardCharsets.UTF_8))))
                .build();
        assertError(send(chunked), 413, "body_too_large", "4096");

        List<String> nine = new ArrayList<>();
        for (int i = 0; i < 9; i++) {
            nine.add("\"w" + (i + 20) + "\"");
        }
        assertError(
                post(open, "/v1/nearest", "{\"words\": [" + String.join(",", nine) + "]}", null),
                413,
                "batch_too_large",
                "at most 8");
        assertError(
                post(open, "/v1/classify", "{\"texts\": [" + String.join(",", nine) + "]}", null),
                413,
                "batch_too_large",
                "at most 8");
        assertError(post(open, "/v1/nearest", "{\"word\": \"king\", \"k\": 51}", null), 400, "bad_k", "[1, 50]");
        assertError(post(open, "/v1/nearest", "{\"word\": \"king\", \"k\": 1e300}", null), 400, "bad_k", "[1, 50]");
        assertError(post(open, "/v1/nearest", "{\"word\": \"king\", \"k\": 0}", null), 400, "bad_k", "[1, 50]");
        assertError(post(open, "/v1/nearest", "{\"word\": \"king\", \"k\": -3}", null), 400, "bad_k", "[1, 50]");
        assertError(post(open, "/v1/nearest", "{\"word\": \"king\", \"k\": 2.5}", null), 400, "bad_k", "integer");
        assertError(post(open, "/v1/nearest", "{\"word\": \"king\", \"k\": \"10\"}", null), 400, "bad_k", "integer");
        assertError(post(open, "/v1/classify", "{\"text\": \"good\", \"k\": 1000}", null), 400, "bad_k", "[1, 50]");
    }

    // ------------------------------------------------------------------ client errors

    @Test
    void clientErrorsAreJson4xxWithoutStackTraces() throws Exception {
        assertError(post(open, "/v1/nearest", "{\"word\": \"king\"", null), 400, "malformed_json", "not valid JSON");
        assertError(post(open, "/v1/nearest", "{word: 'king'}", null), 400, "malformed_json", "not valid JSON");
        assertError(post(open, "/v1/nearest", "{\"word\": \"king\"} trailing", null), 400, "malformed_json", "");
        assertError(post(open, "/v1/nearest", "[\"king\"]", null), 400, "malformed_json", "an array");
        assertError(post(open, "/v1/nearest", "", null), 400, "empty_body", "empty");
        assertError(post(open, "/v1/nearest", "{}", null), 400, "missing_field", "\"words\"");
        assertError(post(open, "/v1/nearest", "{\"words\": []}", null), 400, "empty_input", "empty");
        assertError(post(open, "/v1/nearest", "{\"words\": \"king\"}", null), 400, "bad_field", "array");
        assertError(post(open, "/v1/nearest", "{\"words\": [\"king\", 3]}", null), 400, "bad_field", "[1]");
        assertError(
                post(open, "/v1/nearest", "{\"word\": \"king\", \"words\": [\"queen\"]}", null),
                400,
                "bad_field",
                "not both");
        assertError(post(open, "/v1/nearest", "{\"word\": \"   \"}", null), 400, "empty_input", "empty");
        assertError(post(open, "/v1/classify", "{\"text\": \"\"}", null), 400, "empty_input", "empty");
        assertError(
                post(open, "/v1/nearest", "{\"words\": [\"king\", \"xyzzy\", \"plugh\"]}", null),
                400,
                "unknown_word",
                "\"xyzzy\", \"plugh\"");
        assertError(post(open, "/v1/nearest", "[".repeat(3000), null), 400, "malformed_json", "");
        assertError(
                post(open, "/v1/nearest", "{\"a\": " + "[".repeat(1500) + "]".repeat(1500) + "}", null),
                400,
                "malformed_json",
                "");
        HttpRequest badUtf8 = HttpRequest.newBuilder(uri(open, "/v1/classify"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(
                        new byte[] {'{', '"', 't', 'e', 'x', 't', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'}))
                .build();
        assertError(send(badUtf8), 400, "malformed_json", "UTF-8");
        Reply wrongMethod = get(open, "/v1/nearest", null);
        assertError(wrongMethod, 405, "method_not_allowed", "POST");
        assertError(get(open, "/v2/nothing", null), 404, "not_found", "/v1/nearest");
        assertError(post(open, "/healthz", "{}", null), 405, "method_not_allowed", "GET");
    }

    // ------------------------------------------------------------------ concurrency and shutdown

    @Test
    void concurrentRequestsGetTheirOwnAnswers() throws Exception {
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> futures = new ArrayList<>();
            for (int i = 0; i < 64; i++) {
                String word = "w" + (10 + i);
                futures.add(pool.submit(() -> {
                    Reply r = post(open, "/v1/nearest", "{\"word\": \"" + word + "\", \"k\": 3}", null);
                    assertEquals(200, r.status, r.body);
                    JsonArray nb = r.json()
                            .getAsJsonArray("results")
                            .get(0)
                            .getAsJsonObject()
                            .getAsJsonArray("neighbors");
                    List<String> got = new ArrayList<>();
                    nb.forEach(e -> got.add(e.getAsJsonObject().get("word").getAsString()));
                    assertEquals(bruteForceNearest(word, 3), got);
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get(30, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    @SuppressWarnings("try") // the open connection is the point of the test
    void closeFinishesRequestsInFlightAndStopsAccepting() throws Exception {
        EmbedServer s = EmbedServer.start(vectors, classifier, SMALL.withShutdownTimeout(Duration.ofSeconds(20)));
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        s.handler().beforeEndpoint = () -> {
            inside.countDown();
            try {
                release.await(20, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
        int port = s.port();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<Reply> slow = pool.submit(() -> post(s, "/v1/classify", "{\"text\": \"good movie\"}", null));
            assertTrue(inside.await(10, TimeUnit.SECONDS), "the request reached the endpoint");
            Future<?> closing = pool.submit(s::close);
            // the listener goes away while the request is still held inside the endpoint
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            boolean refused = false;
            while (!refused && System.nanoTime() < deadline) {
                try (Socket ignored = new Socket("127.0.0.1", port)) {
                    Thread.sleep(20);
                } catch (ConnectException e) {
                    refused = true;
                }
            }
            assertTrue(refused, "new connections are refused after close()");
            assertFalse(slow.isDone(), "the request in flight is still running");
            release.countDown();
            Reply r = slow.get(20, TimeUnit.SECONDS);
            assertEquals(200, r.status, r.body);
            closing.get(20, TimeUnit.SECONDS);
        }
        assertThrows(IOException.class, () -> post(s, "/healthz", "{}", null));
    }

    // ------------------------------------------------------------------ helpers

    private record Reply(int status, String body, String contentType, String wwwAuthenticate) {
        JsonObject json() {
            return JsonParser.parseString(body).getAsJsonObject();
        }
    }

    private static URI uri(EmbedServer s, String path) {
        return URI.create("http://127.0.0.1:" + s.port() + path);
    }

    private static Reply post(EmbedServer s, String path, String body, String auth)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(s, path))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (auth != null) {
            b.header("Authorization", auth);
        }
        return send(b.build());
    }

    private static Reply get(EmbedServer s, String path, String auth) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(s, path))
                .timeout(Duration.ofSeconds(30))
                .GET();
        if (auth != null) {
            b.header("Authorization", auth);
        }
        return send(b.build());
    }

    private static Reply send(HttpRequest request) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
        return new Reply(
                r.statusCode(),
                r.body(),
                r.headers().firstValue("Content-Type").orElse(""),
                r.headers().firstValue("WWW-Authenticate").orElse(null));
    }

    private static void assertError(Reply r, int status, String code, String messagePart) {
        assertEquals(status, r.status, r.body);
        assertTrue(r.contentType.startsWith("application/json"), r.contentType);
        JsonObject error = r.json().getAsJsonObject("error");
        assertEquals(code, error.get("code").getAsString(), r.body);
        String message = error.get("message").getAsString();
        assertTrue(
                message.toLowerCase(Locale.ROOT).contains(messagePart.toLowerCase(Locale.ROOT)),
                "message '" + message + "' lacks '" + messagePart + "'");
        assertFalse(r.body.contains("at org.") || r.body.contains("Exception"), "no stack trace: " + r.body);
    }

    private static void assertAnswers(List<Neighbor> expected, JsonArray got) {
        assertEquals(expected.size(), got.size());
        for (int i = 0; i < expected.size(); i++) {
            JsonObject o = got.get(i).getAsJsonObject();
            assertEquals(expected.get(i).word(), o.get("word").getAsString());
            assertEquals(expected.get(i).score(), o.get("score").getAsDouble(), 1e-9);
        }
    }

    private static List<String> bruteForceNearest(String word, int k) {
        float[] q = vectors.vector(word);
        List<String> others = new ArrayList<>(vectors.words());
        others.remove(word);
        others.sort(Comparator.comparingDouble((String w) -> -cosine(q, vectors.vector(w))));
        return others.subList(0, k);
    }

    private static double cosine(float[] x, float[] y) {
        double dot = 0;
        double nx = 0;
        double ny = 0;
        for (int d = 0; d < x.length; d++) {
            dot += (double) x[d] * y[d];
            nx += (double) x[d] * x[d];
            ny += (double) y[d] * y[d];
        }
        return dot / Math.sqrt(nx * ny);
    }
}
