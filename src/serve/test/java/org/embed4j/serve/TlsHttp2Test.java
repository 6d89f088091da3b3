package org.embed4j.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.embed4j.classify.TextClassifier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * HTTPS with a PKCS12 key store (made here by the JDK's keytool), HTTP/2 chosen by ALPN, cleartext HTTP/2 (h2c),
 * each with real clients: Java's HttpClient, and curl when it is installed.
 */
class TlsHttp2Test {
    private static final String PASSWORD = "changeit-test";
    private static final String CLASSIFY = "{\"texts\": [\"a great movie\", \"an awful plot\"]}";

    @TempDir
    static Path dir;

    private static Path keystore;
    private static TextClassifier classifier;

    @BeforeAll
    static void keystore() throws Exception {
        classifier = ServeFixtures.classifier();
        keystore = dir.resolve("server.p12");
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        Process p = new ProcessBuilder(
                        keytool.toString(),
                        "-genkeypair",
                        "-alias",
                        "embed4j",
                        "-keyalg",
                        "EC",
                        "-groupname",
                        "secp256r1",
                        "-dname",
                        "CN=localhost",
                        "-ext",
                        "SAN=dns:localhost,ip:127.0.0.1",
                        "-validity",
                        "2",
                        "-storetype",
                        "PKCS12",
                        "-keystore",
                        keystore.toString(),
                        "-storepass",
                        PASSWORD)
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, "keytool failed: " + out);
    }

    private static SSLContext trusting() throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            ks.load(in, PASSWORD.toCharArray());
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }

    private static HttpResponse<String> classify(HttpClient http, String url) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create(url + "/v1/classify"))
                        .timeout(Duration.ofSeconds(20))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(CLASSIFY))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void httpsSpeaksHttp2ByAlpnAndHttp11ToOlderClients() throws Exception {
        ServeOptions o = ServeOptions.builder().port(0).tls(keystore, PASSWORD).build();
        try (EmbedServer s = EmbedServer.start(null, classifier, o)) {
            String url = "https://localhost:" + s.port();
            assertTrue(s.url().startsWith("https://"), s.url());
            try (HttpClient h2 = HttpClient.newBuilder()
                    .sslContext(trusting())
                    .version(HttpClient.Version.HTTP_2)
                    .build()) {
                for (int i = 0; i < 3; i++) {
                    HttpResponse<String> r = classify(h2, url);
                    assertEquals(200, r.statusCode(), r.body());
                    assertEquals(HttpClient.Version.HTTP_2, r.version());
                    assertTrue(r.body().startsWith("{\"results\":[{\"labels\":[{\"label\":\"pos\""), r.body());
                }
                HttpResponse<String> health = h2.send(
                        HttpRequest.newBuilder(URI.create(url + "/readyz")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(200, health.statusCode());
                assertEquals(HttpClient.Version.HTTP_2, health.version());
            }
            try (HttpClient h1 = HttpClient.newBuilder()
                    .sslContext(trusting())
                    .version(HttpClient.Version.HTTP_1_1)
                    .build()) {
                HttpResponse<String> r = classify(h1, url);
                assertEquals(200, r.statusCode(), r.body());
                assertEquals(HttpClient.Version.HTTP_1_1, r.version());
            }
            curl(url, "--http2", "-k", "HTTP/2 200");
        }
    }

    @Test
    void h2cServesCleartextHttp2ByUpgradeAndByPriorKnowledge() throws Exception {
        ServeOptions o = ServeOptions.builder().port(0).h2c(true).build();
        try (EmbedServer s = EmbedServer.start(null, classifier, o)) {
            String url = "http://127.0.0.1:" + s.port();
            try (HttpClient h2 =
                    HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build()) {
                // the JDK client upgrades (Upgrade: h2c) on its first request, a GET, then stays on HTTP/2
                HttpResponse<String> first = h2.send(
                        HttpRequest.newBuilder(URI.create(url + "/healthz")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(200, first.statusCode());
                HttpResponse<String> r = classify(h2, url);
                assertEquals(200, r.statusCode(), r.body());
                assertEquals(HttpClient.Version.HTTP_2, r.version());
            }
            try (RawClient c = new RawClient(s.address())) {
                c.send(RawClient.post("/v1/classify", CLASSIFY));
                assertEquals(200, c.read().status(), "HTTP/1.1 still works on an h2c listener");
            }
            curl(url, "--http2-prior-knowledge", null, "HTTP/2 200");
        }
    }

    /** POSTs the classify body with curl (when installed) and checks its status line. */
    private static void curl(String url, String version, String extra, String expected) throws Exception {
        boolean present = Files.isExecutable(Path.of("/usr/bin/curl"));
        assumeTrue(present, "curl is not installed");
        List<String> cmd = new ArrayList<>(List.of("/usr/bin/curl", "-sS", "-i", version));
        if (extra != null) {
            cmd.add(extra);
        }
        cmd.addAll(List.of(
                "-H", "Content-Type: application/json", "--data", CLASSIFY, "--max-time", "20", url + "/v1/classify"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "curl did not finish");
        assertTrue(out.startsWith(expected), "curl " + version + ": " + out);
        assertTrue(out.contains("{\"results\":[{\"labels\":"), out);
    }
}
