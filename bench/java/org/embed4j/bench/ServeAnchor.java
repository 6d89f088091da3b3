package org.embed4j.bench;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.embed4j.classify.TextClassifier;
import org.embed4j.vectors.Neighbor;
import org.embed4j.vectors.VectorsIO;
import org.embed4j.vectors.WordVectors;

/**
 * The anchor of bench/suites/serve.sh: the same two endpoints as {@code embed4j serve} ({@code POST /v1/classify}
 * and {@code POST /v1/nearest}) over the same library calls, on a bare Jetty 12 handler with nothing else: no
 * limits, no auth, no Host or Content-Type check, no metrics, no model guard, a Gson tree parse, a blocking body
 * read. What it costs is the cost of HTTP and the model; what {@code embed4j serve} costs beyond it is the
 * service's own. {@code ServeAnchor <dir> <port>} serves {@code dir/vectors.e4jv} and {@code dir/classifier.e4jc},
 * prints the line {@code embed4j serve: listening on http://127.0.0.1:<port>} that the suite waits for, and stops
 * on SIGTERM printing {@code embed4j serve: stopped}.
 */
public final class ServeAnchor extends Handler.Abstract {
    private final TextClassifier classifier;
    private final WordVectors vectors;

    private ServeAnchor(TextClassifier classifier, WordVectors vectors) {
        this.classifier = classifier;
        this.vectors = vectors;
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        ServeAnchor handler = new ServeAnchor(
                TextClassifier.load(dir.resolve("classifier.e4jc")), VectorsIO.read(dir.resolve("vectors.e4jv")));
        QueuedThreadPool threads = new QueuedThreadPool(200, 8);
        threads.setDaemon(true);
        Server server = new Server(threads);
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(Integer.parseInt(args[1]));
        server.addConnector(connector);
        server.setHandler(handler);
        server.start();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                server.stop();
            } catch (Exception e) {
                System.err.println("embed4j serve: stop failed: " + e);
            }
            System.out.println("embed4j serve: stopped");
            System.out.flush();
            stopped.countDown();
        }));
        System.out.println("embed4j serve: listening on http://127.0.0.1:" + connector.getLocalPort());
        System.out.flush();
        stopped.await();
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        JsonObject body = JsonParser.parseString(Content.Source.asString(request, StandardCharsets.UTF_8))
                .getAsJsonObject();
        int k = body.has("k") ? body.get("k").getAsInt() : 0;
        StringBuilder out = new StringBuilder(256).append("{\"results\":[");
        switch (request.getHttpURI().getPath()) {
            case "/v1/classify" -> {
                List<String> texts = strings(body, "texts", "text");
                float[] p = new float[classifier.labels().size()];
                for (int i = 0; i < texts.size(); i++) {
                    classifier.probabilities(texts.get(i), p, 0);
                    int best = 0;
                    for (int c = 1; c < p.length; c++) {
                        best = p[c] > p[best] ? c : best;
                    }
                    out.append(i == 0 ? "" : ",").append("{\"labels\":[{\"label\":\"");
                    out.append(classifier.labels().get(best))
                            .append("\",\"probability\":")
                            .append(p[best]);
                    out.append("}]}");
                }
            }
            case "/v1/nearest" -> {
                List<String> words = strings(body, "words", "word");
                List<List<Neighbor>> all = vectors.nearest(words, k == 0 ? 10 : k);
                for (int i = 0; i < words.size(); i++) {
                    out.append(i == 0 ? "{" : ",{")
                            .append("\"word\":\"")
                            .append(words.get(i))
                            .append("\",\"neighbors\":[");
                    List<Neighbor> n = all.get(i);
                    for (int j = 0; j < n.size(); j++) {
                        out.append(j == 0 ? "{" : ",{")
                                .append("\"word\":\"")
                                .append(n.get(j).word());
                        out.append("\",\"score\":").append(n.get(j).score()).append('}');
                    }
                    out.append("]}");
                }
            }
            default -> {
                Response.writeError(request, response, callback, 404);
                return true;
            }
        }
        response.getHeaders().put("Content-Type", "application/json");
        response.write(true, ByteBuffer.wrap(out.append("]}").toString().getBytes(StandardCharsets.UTF_8)), callback);
        return true;
    }

    private static List<String> strings(JsonObject body, String plural, String singular) {
        List<String> out = new ArrayList<>();
        JsonElement one = body.get(singular);
        if (one != null) {
            out.add(one.getAsString());
        } else {
            JsonArray a = body.getAsJsonArray(plural);
            a.forEach(e -> out.add(e.getAsString()));
        }
        return out;
    }
}
