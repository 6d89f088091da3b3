package org.embed4j.serve;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.embed4j.classify.Classifier;
import org.embed4j.search.TextIndex;
import org.embed4j.vectors.WordVectors;

/**
 * The embed4j HTTP service: word vectors and/or a text classifier behind JSON endpoints, on Jetty
 * ({@code HttpService}: HTTP/1.1, HTTP/2 over TLS or h2c).
 * <pre>
 *   POST /v1/embed     POST /v1/nearest     POST /v1/analogy     (need vectors)
 *   POST /v1/search                                              (needs a text index)
 *   POST /v1/classify                                            (needs a classifier)
 *   GET  /healthz      liveness (never needs the token)          GET /metrics (Prometheus text)
 *   GET  /readyz       readiness: 200 when every model can be served, else 503 (never needs the token)
 * </pre>
 * Endpoints of a model that is not loaded answer 404 with a message saying so. With a token set, every endpoint
 * but /healthz and /readyz needs {@code Authorization: Bearer <token>}. The endpoints are a route table
 * ({@code Route}, one handler per endpoint): a new endpoint is one more entry in {@code routes}.
 *
 * <p>/v1/nearest and /v1/search answer through the searches chosen at start ({@code Searches}): exact search with
 * the queries of concurrent requests batched into one pass over the rows, or an HNSW graph beside the model; the
 * server owns them and closes them after the last request.
 *
 * <p>Models loaded from files ({@link Builder#vectors(WordVectors, Path)}) are watched ({@code ServedModel}): a
 * file changed in place makes its endpoints answer 503, a file replaced by rename keeps the loaded version
 * serving. {@link #close()} stops accepting connections, lets requests in flight finish for up to
 * {@link ServeOptions#shutdownTimeout()}, then closes what is left. Thread-safe; the models are shared read-only
 * by all request threads.
 */
public final class EmbedServer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(EmbedServer.class.getName());
    private static final String METRICS_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final HttpService http;
    private final ServeOptions options;
    private final Metrics metrics;
    private final ApiHandler handler;
    private final List<ServedModel> models;
    private final Searches searches;
    private final BulkLane bulk;
    private final ScheduledExecutorService watcher;
    private volatile boolean closed;

    private EmbedServer(
            HttpService http,
            ServeOptions options,
            Metrics metrics,
            ApiHandler handler,
            List<ServedModel> models,
            Searches searches,
            BulkLane bulk,
            ScheduledExecutorService watcher) {
        this.http = http;
        this.options = options;
        this.metrics = metrics;
        this.handler = handler;
        this.models = models;
        this.searches = searches;
        this.bulk = bulk;
        this.watcher = watcher;
    }

    /**
     * Binds {@link ServeOptions#address()} and starts serving {@code vectors} and/or {@code classifier} (either may
     * be null, not both), built in memory or loaded from files that are not watched; {@link #builder} watches them.
     */
    public static EmbedServer start(WordVectors vectors, Classifier classifier, ServeOptions options)
            throws IOException {
        return builder(options)
                .vectors(vectors, null)
                .classifier(classifier, null)
                .start();
    }

    public static Builder builder(ServeOptions options) {
        return new Builder(Objects.requireNonNull(options, "options"));
    }

    /** What to serve: each model with the file it was loaded from (watched for changes) or null. */
    public static final class Builder {
        private final ServeOptions options;
        private WordVectors vectors;
        private Path vectorsFile;
        private Classifier classifier;
        private Path classifierFile;
        private TextIndex textIndex;
        private Path textIndexFile;

        private Builder(ServeOptions options) {
            this.options = options;
        }

        public Builder vectors(WordVectors v, Path file) {
            vectors = v;
            vectorsFile = v == null ? null : file;
            return this;
        }

        public Builder classifier(Classifier c, Path file) {
            classifier = c;
            classifierFile = c == null ? null : file;
            return this;
        }

        /**
         * A text index for /v1/search, opened with the served word vectors ({@link TextIndex#open}: with its HNSW
         * graph or not); the server does not close it. {@code file} is its .e4ji file, watched, or null.
         */
        public Builder textIndex(TextIndex index, Path file) {
            textIndex = index;
            textIndexFile = index == null ? null : file;
            return this;
        }

        public EmbedServer start() throws IOException {
            if (vectors == null && classifier == null && textIndex == null) {
                throw new IllegalArgumentException(
                        "nothing to serve: give word vectors, a classifier, a text index or several");
            }
            if (textIndex != null && vectors != null && textIndex.vectors() != vectors) {
                throw new IllegalArgumentException(
                        "the text index was opened with other word vectors than the served ones: open it with them");
            }
            return EmbedServer.start(this);
        }
    }

    @SuppressWarnings("FutureReturnValueIgnored") // the model watch runs until close() shuts its executor down
    private static EmbedServer start(Builder b) throws IOException {
        ServeOptions options = b.options;
        List<ServedModel> models = new ArrayList<>();
        // the top-k kernels read the mapped rows of the vectors and of a text index from native code
        ServedModel vm = b.vectors == null ? null : model(models, "vectors", sizes(b.vectors), b.vectorsFile, true);
        if (vm != null) {
            probe(vm, ModelProbe.vectors(b.vectors));
        }
        ServedModel cm =
                b.classifier == null ? null : model(models, "classifier", sizes(b.classifier), b.classifierFile, false);
        if (cm != null) {
            probe(cm, ModelProbe.classifier(b.classifier));
        }
        ServedModel tm =
                b.textIndex == null ? null : model(models, "text_index", sizes(b.textIndex), b.textIndexFile, true);
        Searches searches = null;
        BulkLane bulk = null;
        try {
            searches = Searches.open(b.vectors, b.vectorsFile, b.textIndex, options);
            if (vm != null && searches.vectorsFault() != null) {
                vm.markUnhealthy(searches.vectorsFault());
            }
            Map<String, Route> routes = new LinkedHashMap<>();
            Metrics[] metricsRef = new Metrics[1];
            Served served = new Served(b.vectors, vm, b.classifier, cm, b.textIndex, tm, models, searches);
            routes(routes, served, options, metricsRef);
            Metrics metrics = new Metrics(new ArrayList<>(routes.keySet()), modelInfo(models));
            metricsRef[0] = metrics;

            HeadReadTimeout heads = new HeadReadTimeout(options.headTimeout());
            MemoryBudget budget = new MemoryBudget(options.maxInflightBytes(), options.maxBodyBytes());
            AddressBodyRate rate =
                    new AddressBodyRate(options.maxBodyBytesPerSecondPerAddress(), options.maxBodyBytes());
            bulk = new BulkLane(BulkLane.defaultThreads());
            ApiHandler handler = new ApiHandler(
                    routes,
                    new BearerAuth(options.token()),
                    new HostCheck(options.bind(), options.allowedHosts()),
                    budget,
                    rate,
                    bulk,
                    heads,
                    metrics,
                    options);
            HttpService http = new HttpService(options, handler, heads);
            Searches searched = searches;
            BulkLane lane = bulk;
            metrics.addFamilies(out -> {
                ServiceMetrics.render(out, models, http, heads, budget, rate, lane);
                searched.render(out);
            });
            http.start();

            ScheduledExecutorService watcher = Executors.newSingleThreadScheduledExecutor(
                    Thread.ofPlatform().daemon().name("embed4j-model-watch").factory());
            long every = options.modelCheckInterval().toMillis();
            watcher.scheduleWithFixedDelay(
                    () -> models.forEach(ServedModel::check), every, every, TimeUnit.MILLISECONDS);
            EmbedServer s =
                    new EmbedServer(http, options, metrics, handler, List.copyOf(models), searches, bulk, watcher);
            LOG.log(
                    Level.INFO,
                    "serving " + describe(b.vectors, b.classifier, b.textIndex) + " on " + s.url()
                            + (options.token() == null
                                    ? " (no token: anyone who can reach the address may call it)"
                                    : " (bearer token required)"));
            return s;
        } catch (IOException | RuntimeException e) {
            if (bulk != null) {
                bulk.close();
            }
            if (searches != null) {
                searches.close();
            }
            models.forEach(ServedModel::close);
            throw e;
        }
    }

    /** What the endpoints answer from: each model (or null) and its served state, and the searches. */
    private record Served(
            WordVectors vectors,
            ServedModel vm,
            Classifier classifier,
            ServedModel cm,
            TextIndex textIndex,
            ServedModel tm,
            List<ServedModel> models,
            Searches searches) {}

    private static ServedModel model(
            List<ServedModel> models, String kind, Map<String, Object> sizes, Path file, boolean nativeReads)
            throws IOException {
        ServedModel m = new ServedModel(kind, sizes, file, nativeReads);
        models.add(m);
        return m;
    }

    private static void probe(ServedModel model, String bad) {
        if (bad != null) {
            model.markUnhealthy(bad);
        }
    }

    /** The route table: one entry per endpoint. */
    private static void routes(Map<String, Route> routes, Served s, ServeOptions options, Metrics[] metrics) {
        VectorsApi v = s.vectors() == null
                ? null
                : new VectorsApi(s.vectors(), s.searches().nearest(), options);
        List<ServedModel> vms = s.vm() == null ? List.of() : List.of(s.vm());
        routes.put(
                "/v1/embed",
                Route.post(
                        "/v1/embed",
                        vms,
                        VectorsApi.EMBED_FIELDS,
                        v == null ? missing("word vectors", "--model") : v::embed));
        routes.put(
                "/v1/nearest",
                Route.post(
                        "/v1/nearest",
                        vms,
                        VectorsApi.NEAREST_FIELDS,
                        v == null ? missing("word vectors", "--model") : v::nearest));
        routes.put(
                "/v1/analogy",
                Route.post(
                        "/v1/analogy",
                        vms,
                        VectorsApi.ANALOGY_FIELDS,
                        v == null ? missing("word vectors", "--model") : v::analogy));
        SearchApi t = s.textIndex() == null
                ? null
                : new SearchApi(s.textIndex(), s.searches().text(), options);
        List<ServedModel> tms = new ArrayList<>(vms);
        if (s.tm() != null) {
            tms.add(s.tm());
        }
        routes.put(
                "/v1/search",
                Route.post(
                        "/v1/search",
                        tms,
                        SearchApi.FIELDS,
                        t == null ? missing("text index", "--text-index") : t::search));
        ClassifyApi c = s.classifier() == null ? null : new ClassifyApi(s.classifier(), options);
        routes.put(
                "/v1/classify",
                Route.post(
                        "/v1/classify",
                        s.cm() == null ? List.of() : List.of(s.cm()),
                        ClassifyApi.FIELDS,
                        c == null ? missing("classifier", "--classifier") : c::classify));
        List<ServedModel> models = s.models();
        routes.put("/healthz", Route.get("/healthz", false, () -> health(models, false)));
        routes.put("/readyz", Route.get("/readyz", false, () -> health(models, true)));
        routes.put(
                "/metrics",
                Route.get(
                        "/metrics",
                        true,
                        () -> new Route.Reply(
                                200, METRICS_TYPE, metrics[0].render().getBytes(StandardCharsets.UTF_8))));
    }

    /** The bound address (the real port when {@link ServeOptions#port()} was 0). */
    public InetSocketAddress address() {
        return http.address();
    }

    public int port() {
        return http.address().getPort();
    }

    /** {@code http://host:port} or {@code https://host:port}. */
    public String url() {
        InetSocketAddress a = address();
        String host = a.getAddress().getHostAddress();
        return (http.secure() ? "https://" : "http://") + (host.contains(":") ? "[" + host + "]" : host) + ":"
                + a.getPort();
    }

    public ServeOptions options() {
        return options;
    }

    /** Requests being handled right now. */
    public long inFlight() {
        return metrics.inFlight();
    }

    /** True when every model can be served (what GET /readyz says). */
    public boolean ready() {
        return models.stream().allMatch(ServedModel::ready);
    }

    /** The Prometheus text that {@code GET /metrics} returns. */
    public String metricsText() {
        return metrics.render();
    }

    ApiHandler handler() {
        return handler;
    }

    /** Checks the model files now, as the watcher does every {@link ServeOptions#modelCheckInterval()}. */
    void checkModels() {
        models.forEach(ServedModel::check);
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
        LOG.log(
                Level.INFO,
                "shutting down: " + metrics.inFlight() + " request(s) in flight, waiting up to "
                        + options.shutdownTimeout().toSeconds() + " s");
        http.stop();
        bulk.close();
        searches.close();
        watcher.shutdownNow();
        models.forEach(ServedModel::close);
        LOG.log(Level.INFO, "stopped");
    }

    private static Function<JsonRequest, byte[]> missing(String what, String option) {
        return request -> {
            throw new ApiException(
                    404, "model_not_loaded", "this server has no " + what + " loaded (start it with " + option + ")");
        };
    }

    private static Map<String, Object> sizes(WordVectors vectors) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("words", vectors.size());
        m.put("dim", vectors.dim());
        m.put("subwords", vectors.hasSubwords());
        return m;
    }

    private static Map<String, Object> sizes(TextIndex index) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("entries", index.size());
        m.put("dim", index.vectors().dim());
        m.put("graph", index.usesGraph());
        return m;
    }

    private static Map<String, Object> sizes(Classifier classifier) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("words", classifier.vocabularySize());
        m.put("dim", classifier.dim());
        m.put("labels", classifier.labels().size());
        return m;
    }

    /** One label set per model: kind first, then its sizes. */
    private static List<String> modelInfo(List<ServedModel> models) {
        List<String> info = new ArrayList<>();
        for (ServedModel model : models) {
            Map<String, String> labels = new LinkedHashMap<>();
            labels.put("kind", model.kind());
            model.sizes().forEach((k, v) -> labels.put(k, v.toString()));
            info.add(Metrics.labels(labels));
        }
        return info;
    }

    /**
     * /healthz: always 200 while the process answers, {@code "status": "ok"} or {@code "degraded"}; /readyz: 200
     * {@code "ready"} or 503 {@code "not_ready"}. Both list every model with its sizes, readiness and file state.
     */
    private static Route.Reply health(List<ServedModel> models, boolean readiness) {
        boolean ready = models.stream().allMatch(ServedModel::ready);
        JsonOut out = new JsonOut(256);
        out.raw('{').name("status");
        out.string(readiness ? (ready ? "ready" : "not_ready") : (ready ? "ok" : "degraded"));
        for (ServedModel m : models) {
            out.raw(',').name(m.kind());
            m.describe(out);
        }
        out.raw('}');
        return new Route.Reply(readiness && !ready ? 503 : 200, ApiHandler.JSON, out.toBytes());
    }

    private static String describe(WordVectors vectors, Classifier classifier, TextIndex index) {
        List<String> parts = new ArrayList<>();
        if (vectors != null) {
            parts.add(vectors.toString());
        }
        if (classifier != null) {
            parts.add(classifier.getClass().getSimpleName() + "("
                    + classifier.labels().size() + " labels, dim " + classifier.dim() + ")");
        }
        if (index != null) {
            parts.add(index.toString());
        }
        return String.join(" and ", parts);
    }
}
