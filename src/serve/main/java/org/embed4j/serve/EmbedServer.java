package org.embed4j.serve;

import com.google.gson.Gson;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.embed4j.classify.Classifier;
import org.embed4j.vectors.WordVectors;

/**
 * The embed4j HTTP service: word vectors and/or a text classifier behind JSON endpoints on a small
 * HTTP/1.1 server ({@link Http1Server}, one thread per connection).
 * <pre>
 *   POST /v1/embed     POST /v1/nearest     POST /v1/analogy     (need vectors)
 *   POST /v1/classify                                            (needs a classifier)
 *   GET  /healthz      (never needs the token)      GET /metrics (Prometheus text)
 * </pre>
 * Endpoints of a model that is not loaded answer 404 with a message saying so. With a token set, every
 * endpoint but /healthz needs {@code Authorization: Bearer <token>}.
 *
 * <p>{@link #close()} stops accepting connections, lets requests in flight finish for up to
 * {@link ServeOptions#shutdownTimeout()}, then closes what is left. Thread-safe; the models are shared
 * read-only by all request threads.
 */
public final class EmbedServer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(EmbedServer.class.getName());
    static final List<String> ENDPOINTS =
            List.of("/v1/embed", "/v1/nearest", "/v1/analogy", "/v1/classify", "/healthz", "/metrics");

    private final Http1Server server;
    private final ServeOptions options;
    private final Metrics metrics;
    private final ServeHandler handler;
    private volatile boolean closed;

    private EmbedServer(Http1Server server, ServeOptions options, Metrics metrics, ServeHandler handler) {
        this.server = server;
        this.options = options;
        this.metrics = metrics;
        this.handler = handler;
    }

    /**
     * Binds {@link ServeOptions#address()} and starts serving {@code vectors} and/or {@code classifier}
     * (either may be null, not both).
     */
    public static EmbedServer start(WordVectors vectors, Classifier classifier, ServeOptions options)
            throws IOException {
        if (vectors == null && classifier == null) {
            throw new IllegalArgumentException("nothing to serve: give word vectors, a classifier or both");
        }
        java.util.Objects.requireNonNull(options, "options");
        Map<String, Map<String, Object>> models = models(vectors, classifier);
        Metrics metrics = new Metrics(ENDPOINTS, modelInfo(models));
        Map<String, ServeHandler.Route> routes = new LinkedHashMap<>();
        VectorsApi v = vectors == null ? null : new VectorsApi(vectors, options);
        routes.put(
                "/v1/embed",
                new ServeHandler.Route(
                        "POST", true, ServeHandler.tree(v == null ? missing("word vectors", "--model") : v::embed)));
        routes.put(
                "/v1/nearest",
                new ServeHandler.Route(
                        "POST", true, ServeHandler.tree(v == null ? missing("word vectors", "--model") : v::nearest)));
        routes.put(
                "/v1/analogy",
                new ServeHandler.Route(
                        "POST", true, ServeHandler.tree(v == null ? missing("word vectors", "--model") : v::analogy)));
        ClassifyApi c = classifier == null ? null : new ClassifyApi(classifier, options);
        routes.put(
                "/v1/classify",
                new ServeHandler.Route(
                        "POST",
                        true,
                        c == null ? ServeHandler.tree(missing("classifier", "--classifier")) : c::classify));
        routes.put("/healthz", new ServeHandler.Route("GET", false, null));
        routes.put("/metrics", new ServeHandler.Route("GET", true, null));
        byte[] health = health(models);
        Function<String, byte[]> gets =
                path -> path.equals("/metrics") ? metrics.render().getBytes(StandardCharsets.UTF_8) : health;
        ServeHandler handler = new ServeHandler(routes, new BearerAuth(options.token()), metrics, options, gets);

        Http1Server server = Http1Server.start(options.address(), handler, Http1Server.Limits.DEFAULTS);
        EmbedServer s = new EmbedServer(server, options, metrics, handler);
        LOG.log(
                Level.INFO,
                "serving " + describe(vectors, classifier) + " on http://" + hostPort(s.address())
                        + (options.token() == null
                                ? " (no token: anyone who can reach the address may call it)"
                                : " (bearer token required)"));
        return s;
    }

    /** The bound address (the real port when {@link ServeOptions#port()} was 0). */
    public InetSocketAddress address() {
        return server.address();
    }

    public int port() {
        return server.address().getPort();
    }

    public ServeOptions options() {
        return options;
    }

    /** Requests being handled right now. */
    public long inFlight() {
        return metrics.inFlight();
    }

    /** The Prometheus text that {@code GET /metrics} returns. */
    public String metricsText() {
        return metrics.render();
    }

    ServeHandler handler() {
        return handler;
    }

    /**
     * Stops accepting, waits up to the shutdown timeout for requests in flight, then closes the remaining
     * connections. Idempotent.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        long inFlight = metrics.inFlight();
        LOG.log(
                Level.INFO,
                "shutting down: " + inFlight + " request(s) in flight, waiting up to "
                        + options.shutdownTimeout().toSeconds() + " s");
        server.close(options.shutdownTimeout());
        LOG.log(Level.INFO, "stopped");
    }

    private static Function<JsonObject, JsonObject> missing(String what, String option) {
        return request -> {
            throw new ApiException(
                    404, "model_not_loaded", "this server has no " + what + " loaded (start it with " + option + ")");
        };
    }

    /** What /healthz and the embed4j_model_info lines say about each loaded model: kind -> its sizes. */
    private static Map<String, Map<String, Object>> models(WordVectors vectors, Classifier classifier) {
        Map<String, Map<String, Object>> models = new LinkedHashMap<>();
        if (vectors != null) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("words", vectors.size());
            m.put("dim", vectors.dim());
            m.put("subwords", vectors.hasSubwords());
            models.put("vectors", m);
        }
        if (classifier != null) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("words", classifier.vocabularySize());
            m.put("dim", classifier.dim());
            m.put("labels", classifier.labels().size());
            models.put("classifier", m);
        }
        return models;
    }

    /** One label set per model: kind first, then its sizes. */
    private static List<String> modelInfo(Map<String, Map<String, Object>> models) {
        List<String> info = new ArrayList<>();
        models.forEach((kind, sizes) -> {
            Map<String, String> labels = new LinkedHashMap<>();
            labels.put("kind", kind);
            sizes.forEach((k, v) -> labels.put(k, v.toString()));
            info.add(Metrics.labels(labels));
        });
        return info;
    }

    /** The /healthz body: {"status": "ok", "<kind>": {sizes}, ...}. */
    private static byte[] health(Map<String, Map<String, Object>> models) {
        JsonObject o = new JsonObject();
        o.addProperty("status", "ok");
        models.forEach((kind, sizes) -> {
            JsonObject m = new JsonObject();
            sizes.forEach((k, v) -> {
                if (v instanceof Boolean b) {
                    m.addProperty(k, b);
                } else {
                    m.addProperty(k, (Number) v);
                }
            });
            o.add(kind, m);
        });
        return new Gson().toJson(o).getBytes(StandardCharsets.UTF_8);
    }

    private static String describe(WordVectors vectors, Classifier classifier) {
        String v = vectors == null ? null : vectors.toString();
        String c = classifier == null
                ? null
                : classifier.getClass().getSimpleName() + "("
                        + classifier.labels().size() + " labels, dim " + classifier.dim() + ")";
        return v == null ? c : c == null ? v : v + " and " + c;
    }

    private static String hostPort(InetSocketAddress a) {
        String host = a.getAddress().getHostAddress();
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort();
    }
}
