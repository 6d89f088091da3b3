package org.embed4j.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.embed4j.search.HnswIndex;
import org.embed4j.search.TextIndex;
import org.embed4j.testing.RandomVectors;
import org.embed4j.vectors.Neighbor;
import org.embed4j.vectors.VectorsFormat;
import org.embed4j.vectors.VectorsIO;
import org.embed4j.vectors.WordVectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The searches behind /v1/nearest and /v1/search: exact answers through the micro-batcher (equal to the library's,
 * and queries of one request sharing a pass), an HNSW graph beside the vectors file (recall against exact search,
 * --exact to bypass it, a graph of other vectors refused), and /v1/search over a text index (equal to
 * {@link TextIndex#search}, with and without its graph) with its client errors as JSON 4xx.
 */
class SearchServeTest {
    private static final ServeOptions OPTIONS =
            ServeOptions.DEFAULTS.withPort(0).withMaxBatch(16).withMaxK(50);

    @TempDir
    static Path dir;

    private static WordVectors vectors;
    private static HttpClient http;

    @BeforeAll
    static void setUp() {
        vectors = ServeFixtures.vectors(300);
        http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    }

    @AfterAll
    static void tearDown() {
        if (http != null) {
            http.close();
        }
    }

    // ------------------------------------------------------------------ /v1/nearest, exact and batched

    @Test
    void nearestThroughTheBatcherEqualsTheLibraryAndSharesPasses() throws Exception {
        // a long window: the eight queries of one request are queued within it and answered by one pass
        ServeOptions o = OPTIONS.withBatchWindow(Duration.ofMillis(50));
        for (boolean int8 : new boolean[] {true, false}) {
            try (EmbedServer s = EmbedServer.start(vectors, null, o.withInt8(int8));
                    ExecutorService pool = Executors.newFixedThreadPool(6)) {
                List<Future<JsonObject>> answers = new ArrayList<>();
                List<List<String>> asked = new ArrayList<>();
                for (int r = 0; r < 24; r++) {
                    List<String> words = new ArrayList<>();
                    for (int i = 0; i < 8; i++) {
                        words.add(vectors.words().get((r * 37 + i * 11) % vectors.size()));
                    }
                    asked.add(words);
                    String body = "{\"words\": " + jsonStrings(words) + ", \"k\": 7}";
                    answers.add(pool.submit(() -> post(s, "/v1/nearest", body, 200)));
                }
                for (int r = 0; r < asked.size(); r++) {
                    JsonArray results = answers.get(r).get().getAsJsonArray("results");
                    List<List<Neighbor>> want = vectors.nearest(asked.get(r), 7);
                    for (int i = 0; i < 8; i++) {
                        JsonArray got = results.get(i).getAsJsonObject().getAsJsonArray("neighbors");
                        assertEquals(7, got.size());
                        for (int j = 0; j < 7; j++) {
                            JsonObject n = got.get(j).getAsJsonObject();
                            String what = "int8 " + int8 + ", request " + r + ", word " + i + ", rank " + j;
                            assertEquals(
                                    want.get(i).get(j).word(), n.get("word").getAsString(), what);
                            assertEquals(
                                    want.get(i).get(j).score(), n.get("score").getAsDouble(), 1e-6, what);
                        }
                    }
                }
                String metrics = get(s, "/metrics");
                String method = int8 ? "exact_int8" : "exact_float";
                long queries =
                        metric(metrics, "embed4j_search_queries_total{index=\"vectors\",method=\"" + method + "\"}");
                long passes = metric(metrics, "embed4j_search_batches_total{index=\"vectors\"}");
                assertEquals(24 * 8, queries, metrics);
                assertTrue(passes <= 24 * 2, "passes " + passes + " for 24 requests of 8 queries");
            }
        }
    }

    @Test
    void nearestRefusesAZeroVectorWordWithA400() throws Exception {
        List<String> words = ServeFixtures.words(20);
        float[] m = RandomVectors.gaussian(5, 20 * ServeFixtures.DIM);
        java.util.Arrays.fill(m, 3 * ServeFixtures.DIM, 4 * ServeFixtures.DIM, 0f); // "woman"
        try (EmbedServer s = EmbedServer.start(WordVectors.of(words, m, ServeFixtures.DIM), null, OPTIONS)) {
            JsonObject e = post(s, "/v1/nearest", "{\"words\": [\"king\", \"woman\"]}", 400);
            assertEquals("bad_input", e.getAsJsonObject("error").get("code").getAsString());
            assertTrue(e.getAsJsonObject("error").get("message").getAsString().contains("woman"), e.toString());
            post(s, "/v1/nearest", "{\"word\": \"king\", \"k\": 3}", 200);
        }
    }

    // ------------------------------------------------------------------ /v1/nearest through an HNSW graph

    @Test
    void nearestUsesTheGraphBesideTheVectorsFileWithExactSearchsAnswersWithinRecall() throws Exception {
        int v = 2000;
        Path file = dir.resolve("graph-vectors.e4jv");
        VectorsIO.write(
                WordVectors.of(
                        ServeFixtures.words(v), RandomVectors.gaussian(17, v * ServeFixtures.DIM), ServeFixtures.DIM),
                file,
                VectorsFormat.NATIVE);
        WordVectors mapped = VectorsIO.read(file);
        HnswIndex.build(
                (r, out) -> mapped.vector(r, out, 0),
                v,
                mapped.dim(),
                HnswIndex.besideModel(file),
                HnswIndex.Options.defaults());
        List<String> words = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            words.add(mapped.words().get(i * 31 % v));
        }
        List<List<Neighbor>> exact = mapped.nearest(words, 10);
        int found = 0;
        try (EmbedServer s = EmbedServer.builder(OPTIONS).vectors(mapped, file).start()) {
            for (int from = 0; from < words.size(); from += 16) {
                List<String> part = words.subList(from, from + 16);
                JsonArray results = post(s, "/v1/nearest", "{\"words\": " + jsonStrings(part) + ", \"k\": 10}", 200)
                        .getAsJsonArray("results");
                for (int i = 0; i < part.size(); i++) {
                    Set<String> want = new HashSet<>();
                    exact.get(from + i).forEach(n -> want.add(n.word()));
                    JsonArray got = results.get(i).getAsJsonObject().getAsJsonArray("neighbors");
                    assertEquals(10, got.size());
                    float last = Float.POSITIVE_INFINITY;
                    for (int j = 0; j < got.size(); j++) {
                        JsonObject n = got.get(j).getAsJsonObject();
                        String w = n.get("word").getAsString();
                        float score = n.get("score").getAsFloat();
                        assertTrue(!w.equals(part.get(i)), "the query word itself is left out: " + w);
                        assertTrue(score <= last + 1e-6f, "best first");
                        assertEquals(cosine(mapped, part.get(i), w), score, 1e-4, "the score is the cosine");
                        last = score;
                        found += want.contains(w) ? 1 : 0;
                    }
                }
            }
            String metrics = get(s, "/metrics");
            assertEquals(64, metric(metrics, "embed4j_search_queries_total{index=\"vectors\",method=\"hnsw\"}"));
        }
        double recall = found / (64.0 * 10);
        assertTrue(recall >= 0.95, "recall@10 through the graph: " + recall);
        // --exact: the graph stays unused and the answers are exact search's
        try (EmbedServer s = EmbedServer.builder(OPTIONS.withExact(true))
                .vectors(mapped, file)
                .start()) {
            JsonArray got = post(s, "/v1/nearest", "{\"word\": \"" + words.get(5) + "\", \"k\": 10}", 200)
                    .getAsJsonArray("results")
                    .get(0)
                    .getAsJsonObject()
                    .getAsJsonArray("neighbors");
            for (int j = 0; j < 10; j++) {
                assertEquals(
                        exact.get(5).get(j).word(),
                        got.get(j).getAsJsonObject().get("word").getAsString());
            }
            assertTrue(get(s, "/metrics").contains("method=\"exact_int8\""));
        }
        // a graph of other vectors (another row count) is refused at start, naming the way out
        WordVectors other = WordVectors.of(
                ServeFixtures.words(100), RandomVectors.gaussian(1, 100 * ServeFixtures.DIM), ServeFixtures.DIM);
        IOException e = assertThrows(
                IOException.class,
                () -> EmbedServer.builder(OPTIONS).vectors(other, file).start());
        assertTrue(e.getMessage().contains("--exact"), e.getMessage());
        mapped.close();
    }

    private static double cosine(WordVectors v, String a, String b) {
        float[] x = v.vector(a);
        float[] y = v.vector(b);
        double dot = 0, nx = 0, ny = 0;
        for (int i = 0; i < x.length; i++) {
            dot += (double) x[i] * y[i];
            nx += (double) x[i] * x[i];
            ny += (double) y[i] * y[i];
        }
        return dot / Math.sqrt(nx * ny);
    }

    // ------------------------------------------------------------------ /v1/search over a text index

    @Test
    void searchAnswersAsTheTextIndexWithAndWithoutItsGraph() throws Exception {
        Path file = dir.resolve("docs.e4ji");
        TextIndex.build(vectors, entries(), TextIndex.Options.defaults()).write(file);
        List<String> questions = questions(12);
        try (TextIndex exact = TextIndex.open(file, vectors, true);
                EmbedServer s = EmbedServer.builder(OPTIONS.withBatchWindow(Duration.ofMillis(20)))
                        .vectors(vectors, null)
                        .textIndex(exact, file)
                        .start()) {
            JsonObject r = post(s, "/v1/search", "{\"texts\": " + jsonStrings(questions) + ", \"k\": 5}", 200);
            assertMatches(exact.search(questions, 5), questions, r);
            JsonObject one = post(s, "/v1/search", "{\"text\": \"" + questions.get(0) + "\"}", 200);
            assertEquals(
                    10,
                    one.getAsJsonArray("results")
                            .get(0)
                            .getAsJsonObject()
                            .getAsJsonArray("matches")
                            .size(),
                    "k defaults to 10");
            String metrics = get(s, "/metrics");
            assertEquals(
                    13, metric(metrics, "embed4j_search_queries_total{index=\"text_index\",method=\"exact_int8\"}"));
            assertTrue(metric(metrics, "embed4j_search_batches_total{index=\"text_index\"}") <= 4, metrics);
            assertTrue(get(s, "/readyz").contains("\"text_index\""), "the index is a served model");
        }
        TextIndex.build(vectors, entries(), TextIndex.Options.defaults())
                .buildGraph(HnswIndex.besideModel(file), HnswIndex.Options.defaults());
        try (TextIndex graph = TextIndex.open(file, vectors, false);
                TextIndex exact = TextIndex.open(file, vectors, true);
                EmbedServer s =
                        EmbedServer.builder(OPTIONS).textIndex(graph, file).start()) {
            assertTrue(graph.usesGraph());
            // 120 entries: ef 100 explores nearly all of them, so the graph's answers are exact search's
            JsonObject r = post(s, "/v1/search", "{\"texts\": " + jsonStrings(questions) + ", \"k\": 5}", 200);
            assertMatches(exact.search(questions, 5), questions, r);
            assertTrue(get(s, "/metrics").contains("index=\"text_index\",method=\"hnsw\""));
        }
    }

    @Test
    void searchMistakesAreJson4xx() throws Exception {
        Path file = dir.resolve("errors.e4ji");
        TextIndex.build(vectors, entries(), TextIndex.Options.defaults()).write(file);
        try (TextIndex index = TextIndex.open(file, vectors, true);
                EmbedServer s = EmbedServer.builder(OPTIONS)
                        .vectors(vectors, null)
                        .textIndex(index, file)
                        .start();
                EmbedServer none = EmbedServer.start(vectors, null, OPTIONS)) {
            assertError(s, "{\"text\": \"zzz qqq\"}", 400, "no_known_words");
            assertError(s, "{\"texts\": [\"king\", \"zzz\"]}", 400, "no_known_words");
            assertError(s, "{\"text\": \"king\", \"k\": 0}", 400, "bad_k");
            assertError(s, "{\"text\": \"king\", \"k\": 51}", 400, "bad_k");
            assertError(s, "{\"text\": \"king\", \"k\": 2.5}", 400, "bad_k");
            assertError(s, "{\"k\": 3}", 400, "missing_field");
            assertError(s, "{\"text\": 7}", 400, null);
            assertError(s, "{\"text\": \"\"}", 400, null);
            assertError(s, "{\"texts\": []}", 400, null);
            assertError(s, "{\"text\": \"king\"", 400, null);
            assertError(s, "{\"texts\": " + jsonStrings(questions(17)) + "}", 413, "batch_too_large");
            assertError(none, "{\"text\": \"king\"}", 404, "model_not_loaded");
        }
        TextIndex other = TextIndex.build(ServeFixtures.vectors(300), entries(), TextIndex.Options.defaults());
        assertThrows(
                IllegalArgumentException.class,
                () -> EmbedServer.builder(OPTIONS)
                        .vectors(vectors, null)
                        .textIndex(other, null)
                        .start());
    }

    private static void assertError(EmbedServer s, String body, int status, String code) throws Exception {
        JsonObject e = post(s, "/v1/search", body, status).getAsJsonObject("error");
        if (code != null) {
            assertEquals(code, e.get("code").getAsString(), body);
        }
        assertTrue(!e.get("message").getAsString().isBlank(), body);
    }

    private static void assertMatches(List<List<TextIndex.Match>> want, List<String> questions, JsonObject got) {
        JsonArray results = got.getAsJsonArray("results");
        assertEquals(questions.size(), results.size());
        for (int i = 0; i < questions.size(); i++) {
            JsonObject r = results.get(i).getAsJsonObject();
            assertEquals(questions.get(i), r.get("text").getAsString());
            JsonArray m = r.getAsJsonArray("matches");
            assertEquals(want.get(i).size(), m.size());
            for (int j = 0; j < m.size(); j++) {
                JsonObject g = m.get(j).getAsJsonObject();
                TextIndex.Match w = want.get(i).get(j);
                String what = "question " + i + ", rank " + j;
                assertEquals(w.id(), g.get("id").getAsString(), what);
                assertEquals(w.text(), g.get("text").getAsString(), what);
                assertEquals(
                        w.label(),
                        g.get("label").isJsonNull() ? null : g.get("label").getAsString(),
                        what);
                assertEquals(w.score(), g.get("score").getAsFloat(), 1e-6f, what);
            }
        }
    }

    /** 120 stored texts of three to five known words (and an unknown one), labels a/b/c or none. */
    private static List<TextIndex.Entry> entries() {
        SplittableRandom r = new SplittableRandom(9);
        List<TextIndex.Entry> out = new ArrayList<>();
        for (int i = 0; i < 120; i++) {
            String label = i % 4 == 3 ? null : String.valueOf((char) ('a' + i % 3));
            out.add(new TextIndex.Entry("e" + i, text(r, 3 + r.nextInt(3)) + (i % 5 == 0 ? " unseen" : ""), label));
        }
        return out;
    }

    private static List<String> questions(int n) {
        SplittableRandom r = new SplittableRandom(10);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(text(r, 2 + r.nextInt(3)));
        }
        return out;
    }

    private static String text(SplittableRandom r, int words) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < words; i++) {
            b.append(i == 0 ? "" : " ").append(vectors.words().get(r.nextInt(vectors.size())));
        }
        return b.toString();
    }

    // ------------------------------------------------------------------ HTTP helpers

    private static String jsonStrings(List<String> words) {
        JsonArray a = new JsonArray();
        words.forEach(a::add);
        return a.toString();
    }

    private static JsonObject post(EmbedServer s, String path, String body, int status) throws Exception {
        HttpResponse<String> r = http.send(
                HttpRequest.newBuilder(URI.create(s.url() + path))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(status, r.statusCode(), path + " " + body + " -> " + r.body());
        return JsonParser.parseString(r.body()).getAsJsonObject();
    }

    private static String get(EmbedServer s, String path) throws Exception {
        HttpResponse<String> r = http.send(
                HttpRequest.newBuilder(URI.create(s.url() + path)).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), path + " -> " + r.body());
        return r.body();
    }

    /** The value of one sample line of the Prometheus text. */
    private static long metric(String text, String sample) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(sample) + " (\\d+)").matcher(text);
        assertTrue(m.find(), "no sample " + sample + " in\n" + text);
        return Long.parseLong(m.group(1));
    }
}
