package org.embed4j.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import java.io.IOException;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.embed4j.classify.Classifier;
import org.embed4j.testing.RandomVectors;
import org.embed4j.vectors.VectorsFormat;
import org.embed4j.vectors.VectorsIO;
import org.embed4j.vectors.WordVectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Readiness reflects the model: NaN output is a 503 and an unready server, never a "NaN" in the JSON; a model file
 * changed in place (truncated, rewritten) is refused before any code reads the mapped bytes, while a file replaced
 * by rename keeps being served from the loaded version.
 */
class ModelHealthTest {
    @TempDir
    Path dir;

    /** Two labels; NaN probabilities for the text "poison" only (so the start-up probe passes). */
    private static final class PoisonedClassifier implements Classifier {
        @Override
        public List<String> labels() {
            return List.of("pos", "neg");
        }

        @Override
        public int vocabularySize() {
            return 0;
        }

        @Override
        public int dim() {
            return 1;
        }

        @Override
        public float[] probabilities(String text) {
            return text.equals("poison") ? new float[] {Float.NaN, Float.NaN} : new float[] {0.75f, 0.25f};
        }

        @Override
        public void close() {}
    }

    private static RawClient.Reply request(EmbedServer s, String method, String path, String body) throws IOException {
        try (RawClient c = new RawClient(s.address())) {
            c.send(
                    body == null
                            ? method + " " + path + " HTTP/1.1\r\nHost: localhost\r\n\r\n"
                            : RawClient.post(path, body));
            return c.read();
        }
    }

    /** The body parsed strictly (RFC 8259: a bare NaN is an error). */
    private static JsonObject json(RawClient.Reply r) throws IOException {
        JsonReader reader = new JsonReader(new StringReader(r.body()));
        reader.setStrictness(Strictness.STRICT);
        return JsonParser.parseReader(reader).getAsJsonObject();
    }

    @Test
    void nanOutputIsA503AndTheServerBecomesUnready() throws Exception {
        try (EmbedServer s = EmbedServer.start(null, new PoisonedClassifier(), ServeOptions.DEFAULTS.withPort(0))) {
            assertEquals(200, request(s, "GET", "/readyz", null).status());
            assertEquals(
                    200,
                    request(s, "POST", "/v1/classify", "{\"text\": \"fine\"}").status());
            RawClient.Reply nan = request(s, "POST", "/v1/classify", "{\"text\": \"poison\"}");
            assertEquals(503, nan.status(), nan.body());
            assertEquals(
                    "model_unhealthy",
                    json(nan).getAsJsonObject("error").get("code").getAsString());
            // from now on the model is refused, and readiness says so
            assertEquals(
                    503,
                    request(s, "POST", "/v1/classify", "{\"text\": \"fine\"}").status());
            RawClient.Reply ready = request(s, "GET", "/readyz", null);
            assertEquals(503, ready.status());
            assertEquals("not_ready", json(ready).get("status").getAsString());
            assertTrue(json(ready)
                    .getAsJsonObject("classifier")
                    .get("unhealthy")
                    .getAsString()
                    .contains("NaN"));
            RawClient.Reply health = request(s, "GET", "/healthz", null);
            assertEquals(200, health.status(), "liveness: the process still answers");
            assertEquals("degraded", json(health).get("status").getAsString());
            assertTrue(s.metricsText().contains("embed4j_model_ready{kind=\"classifier\"} 0\n"));
        }
    }

    @Test
    void nanWeightsFoundByTheStartUpProbeOrTheFirstAnswerThatMeetsThem() throws Exception {
        int v = 3 * ModelProbe.ROWS;
        // in-memory vectors refuse NaN: the damage is in a mapped file, found when a row is read
        WordVectors probed = nanAt("probed.e4jv", v, 0); // row 0 ("king"): the probe looks at it
        try (EmbedServer s = EmbedServer.start(probed, null, ServeOptions.DEFAULTS.withPort(0))) {
            assertEquals(503, request(s, "GET", "/readyz", null).status(), "unready before any request");
            assertEquals(
                    503,
                    request(s, "POST", "/v1/nearest", "{\"word\": \"w100\"}").status());
        }
        WordVectors hidden = nanAt("hidden.e4jv", v, 7); // row 7 ("w7"): between the probe's rows
        // the int8 copies of the rows for nearest-neighbour search are made at start, from every row
        try (EmbedServer s = EmbedServer.start(hidden, null, ServeOptions.DEFAULTS.withPort(0))) {
            RawClient.Reply ready = request(s, "GET", "/readyz", null);
            assertEquals(503, ready.status(), "unready before any request");
            assertTrue(
                    json(ready)
                            .getAsJsonObject("vectors")
                            .get("unhealthy")
                            .getAsString()
                            .contains("row 7 has a non-finite value NaN"),
                    ready.body());
        }
        // without them, the first answer that meets the NaN
        try (EmbedServer s = EmbedServer.start(
                hidden, null, ServeOptions.DEFAULTS.withPort(0).withInt8(false))) {
            assertEquals(200, request(s, "GET", "/readyz", null).status());
            RawClient.Reply nan = request(s, "POST", "/v1/embed", "{\"text\": \"w7\"}");
            assertEquals(503, nan.status(), nan.body());
            assertEquals(
                    "model_unhealthy",
                    json(nan).getAsJsonObject("error").get("code").getAsString());
            assertEquals(503, request(s, "GET", "/readyz", null).status());
        }
    }

    /** {@code v} mapped vectors whose row {@code row} starts with NaN (the .e4jv matrix offset is at byte 48). */
    private WordVectors nanAt(String name, int v, int row) throws IOException {
        Path p = dir.resolve(name);
        VectorsIO.write(
                WordVectors.of(
                        ServeFixtures.words(v), RandomVectors.gaussian(3, v * ServeFixtures.DIM), ServeFixtures.DIM),
                p,
                VectorsFormat.NATIVE);
        byte[] b = Files.readAllBytes(p);
        ByteBuffer h = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        h.putFloat((int) h.getLong(48) + row * ServeFixtures.DIM * Float.BYTES, Float.NaN);
        Files.write(p, b);
        return VectorsIO.read(p);
    }

    private Path writeVectors(String name, int seed) throws IOException {
        int v = 500;
        Path p = dir.resolve(name);
        VectorsIO.write(
                WordVectors.of(
                        ServeFixtures.words(v), RandomVectors.gaussian(seed, v * ServeFixtures.DIM), ServeFixtures.DIM),
                p,
                VectorsFormat.NATIVE);
        return p;
    }

    private EmbedServer serveFile(Path file) throws IOException {
        WordVectors mapped = VectorsIO.read(file);
        return EmbedServer.builder(ServeOptions.DEFAULTS.withPort(0))
                .vectors(mapped, file)
                .start();
    }

    @Test
    void aFileTruncatedInPlaceIsRefusedBeforeTheMappedBytesAreRead() throws Exception {
        Path file = writeVectors("v.e4jv", 1);
        try (EmbedServer s = serveFile(file)) {
            assertEquals(
                    200,
                    request(s, "POST", "/v1/nearest", "{\"word\": \"king\", \"k\": 3}")
                            .status());
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
                ch.truncate(ch.size() / 3);
            }
            // no watcher pass yet: the per-request size check refuses it (and were it missed, the word lookup's read of
            // the cut pages is Java code: an InternalError, turned into the same 503; the JVM lives either way)
            RawClient.Reply r = request(s, "POST", "/v1/nearest", "{\"word\": \"king\", \"k\": 3}");
            assertEquals(503, r.status(), r.body());
            assertEquals(
                    "model_file_changed",
                    json(r).getAsJsonObject("error").get("code").getAsString());
            assertEquals(
                    503, request(s, "POST", "/v1/embed", "{\"text\": \"king\"}").status());
            RawClient.Reply ready = request(s, "GET", "/readyz", null);
            assertEquals(503, ready.status());
            assertEquals(
                    "truncated",
                    json(ready).getAsJsonObject("vectors").get("file").getAsString());
            assertTrue(s.metricsText().contains("embed4j_model_file_state{kind=\"vectors\",state=\"truncated\"} 1"));
        }
    }

    @Test
    void theSizeCheckRefusesACutFileBeforeAnyReadOfIt() throws Exception {
        Path file = writeVectors("v.e4jv", 5);
        try (ServedModel nativeRead = new ServedModel("vectors", Map.of(), file, true);
                ServedModel javaRead = new ServedModel("classifier", Map.of(), file, false)) {
            nativeRead.guard();
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
                ch.truncate(ch.size() - 1);
            }
            ApiException e = assertThrows(ApiException.class, nativeRead::guard);
            assertEquals(503, e.status());
            assertEquals("model_file_changed", e.code());
            assertEquals(ServedModel.FileState.TRUNCATED, nativeRead.fileState());
            // a model read by Java code only is left to the watcher (and to the InternalError of a faulting read)
            javaRead.guard();
            javaRead.check();
            assertEquals(ServedModel.FileState.TRUNCATED, javaRead.fileState());
        }
    }

    @Test
    void aFileRewrittenInPlaceWithTheSameSizeIsRefusedOnceTheWatcherSeesIt() throws Exception {
        Path file = writeVectors("v.e4jv", 2);
        try (EmbedServer s = serveFile(file)) {
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
                ch.write(ByteBuffer.wrap(new byte[64]), ch.size() - 64);
            }
            Files.setLastModifiedTime(file, FileTime.from(Instant.now().plusSeconds(5)));
            s.checkModels();
            RawClient.Reply r = request(s, "POST", "/v1/nearest", "{\"word\": \"king\"}");
            assertEquals(503, r.status(), r.body());
            assertEquals(
                    "modified",
                    json(request(s, "GET", "/readyz", null))
                            .getAsJsonObject("vectors")
                            .get("file")
                            .getAsString());
        }
    }

    @Test
    void aFileReplacedByRenameKeepsServingTheLoadedModel() throws Exception {
        Path file = writeVectors("v.e4jv", 3);
        try (EmbedServer s = serveFile(file)) {
            String before = request(s, "POST", "/v1/nearest", "{\"word\": \"king\", \"k\": 3}")
                    .body();
            Path next = writeVectors("v.e4jv.tmp", 4);
            Files.move(next, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            s.checkModels();
            RawClient.Reply r = request(s, "POST", "/v1/nearest", "{\"word\": \"king\", \"k\": 3}");
            assertEquals(200, r.status(), r.body());
            assertEquals(before, r.body(), "the loaded version answers");
            RawClient.Reply ready = request(s, "GET", "/readyz", null);
            assertEquals(200, ready.status());
            assertEquals(
                    "replaced",
                    json(ready).getAsJsonObject("vectors").get("file").getAsString());
            Files.delete(file);
            s.checkModels();
            assertEquals(
                    200,
                    request(s, "POST", "/v1/nearest", "{\"word\": \"king\", \"k\": 3}")
                            .status());
        }
    }
}
