package org.embed4j.serve;

import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.PreEncodedHttpField;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.Scheduler;

/**
 * The service's one Jetty handler. Per request, in this order: the Host check (400), the bearer token when one
 * is set (401, before anything about paths or methods is told), the route (404), the method (405), for a POST the
 * Content-Type (415: only {@code application/json}, which a web page cannot send to another origin without the
 * browser asking first) and the announced length (413), the client address's body bytes per second (429 with Retry-After) and a reservation of
 * request memory (503 with Retry-After),
 * the body read without holding a thread ({@link BodyReader}), the limits-aware parse ({@link JsonRequest}), the
 * models' guard (503), and the endpoint; a body bigger than {@link BulkLane#BULK_BODY_BYTES} is parsed and answered
 * on the {@link BulkLane}'s threads (503 when its queue is full), the others on the Jetty thread that read them.
 * Every failure is a JSON error: a 4xx for the client's mistakes, 503 for an unhealthy or changed model or a full
 * server, and for a bug a 500 that says only "internal error" and an id.
 * Nothing the client sent is logged unless {@link ServeOptions#logRequests()}. Every request is counted in
 * {@link Metrics}. Thread-safe: no mutable state besides counters.
 */
final class ApiHandler extends Handler.Abstract {
    private static final System.Logger LOG = System.getLogger(ApiHandler.class.getName());
    static final String JSON = "application/json; charset=utf-8";
    private static final HttpField JSON_TYPE = new PreEncodedHttpField(HttpHeader.CONTENT_TYPE, JSON);
    private static final HttpField NO_STORE = new PreEncodedHttpField(HttpHeader.CACHE_CONTROL, "no-store");

    private final Map<String, Route> routes;
    private final BearerAuth auth;
    private final HostCheck hosts;
    private final MemoryBudget budget;
    private final AddressBodyRate rate;
    private final BulkLane bulk;
    private final HeadReadTimeout heads;
    private final Metrics metrics;
    private final ServeOptions options;
    private final AtomicLong errorIds = new AtomicLong();
    private volatile Scheduler scheduler;
    /** Test hook, called inside every request before its endpoint runs. */
    volatile Runnable beforeEndpoint = () -> {};

    ApiHandler(
            Map<String, Route> routes,
            BearerAuth auth,
            HostCheck hosts,
            MemoryBudget budget,
            AddressBodyRate rate,
            BulkLane bulk,
            HeadReadTimeout heads,
            Metrics metrics,
            ServeOptions options) {
        this.routes = Map.copyOf(routes);
        this.auth = auth;
        this.hosts = hosts;
        this.budget = budget;
        this.rate = rate;
        this.bulk = bulk;
        this.heads = heads;
        this.metrics = metrics;
        this.options = options;
    }

    @Override
    protected void doStart() throws Exception {
        scheduler = getServer().getScheduler();
        super.doStart();
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        new Exchange(request, response, callback).start();
        return true;
    }

    /** One request on its way through the checks, the body read and the endpoint. */
    private final class Exchange implements BodyReader.Done, Callback {
        private final Request request;
        private final Response response;
        private final Callback callback;
        private final long start = System.nanoTime();
        private final String path;
        private Route route;
        private InetAddress client;
        private long reserved;
        private boolean overRate;
        private boolean completed;

        Exchange(Request request, Response response, Callback callback) {
            this.request = request;
            this.response = response;
            this.callback = callback;
            this.path = request.getHttpURI().getPath();
        }

        void start() {
            metrics.started();
            heads.requestStarted(request.getConnectionMetaData().getConnection());
            try {
                admit();
                if (route.get() != null) {
                    Route.Reply r = route.get().get();
                    write(r.status(), r.contentType(), r.body(), null);
                    return;
                }
                long announced = request.getLength();
                if (announced > options.maxBodyBytes()) {
                    throw new ApiException(
                            413,
                            "body_too_large",
                            "the body is " + announced + " bytes; this server accepts at most " + options.maxBodyBytes()
                                    + " bytes per request");
                }
                client = request.getConnectionMetaData().getRemoteSocketAddress() instanceof InetSocketAddress a
                        ? a.getAddress()
                        : InetAddress.getLoopbackAddress();
                if (!reserve(BodyReader.firstReservation(announced))) {
                    throw overRate ? rate.refusal() : MemoryBudget.overloaded();
                }
                BodyReader.read(
                        request,
                        announced,
                        options.maxBodyBytes(),
                        options.bodyTimeout(),
                        scheduler,
                        this::reserve,
                        this);
            } catch (Throwable t) {
                fail(t);
            }
        }

        /** Host, token, route, method and content type, in that order. */
        private void admit() {
            String te = request.getHeaders().get(HttpHeader.TRANSFER_ENCODING);
            if (te != null && !te.strip().equalsIgnoreCase("chunked")) {
                // Jetty frames any coding list that ends in chunked, and would hand the rest to us undecoded
                throw new ApiException(
                        501, "not_implemented", "only the chunked transfer coding is supported", "Connection", "close");
            }
            hosts.check(request);
            Route r = routes.get(path);
            if ((r == null || r.authenticated())
                    && !auth.allows(request.getHeaders().get(HttpHeader.AUTHORIZATION))) {
                throw new ApiException(
                        401,
                        "unauthorized",
                        "missing or wrong bearer token (send \"Authorization: Bearer <token>\")",
                        "WWW-Authenticate",
                        "Bearer realm=\"embed4j\"");
            }
            if (r == null) {
                throw new ApiException(
                        404,
                        "not_found",
                        "no endpoint " + abbreviate(path) + "; endpoints: "
                                + String.join(", ", new TreeSet<>(routes.keySet())));
            }
            String method = request.getMethod();
            if (!r.allows(method)) {
                throw new ApiException(
                        405,
                        "method_not_allowed",
                        path + " takes " + r.allow() + ", not " + abbreviate(method),
                        "Allow",
                        r.allow());
            }
            if (r.post() != null && !isJson(request.getHeaders().get(HttpHeader.CONTENT_TYPE))) {
                throw new ApiException(
                        415,
                        "unsupported_media_type",
                        "send the body as \"Content-Type: application/json\"",
                        "Accept-Post",
                        "application/json");
            }
            route = r;
        }

        /** Takes the body's bytes from the address's rate, then reserves their memory; false when either refuses. */
        private boolean reserve(long bytes) {
            if (!rate.tryTake(client, bytes / MemoryBudget.COST_PER_BODY_BYTE)) {
                overRate = true;
                return false;
            }
            if (!budget.tryReserve(client, bytes)) {
                return false;
            }
            reserved += bytes;
            return true;
        }

        @Override
        public void bodyRead(BodyBytes body) {
            if (BulkLane.isBulk(body.length())) {
                if (!bulk.offer(() -> answer(body))) {
                    fail(MemoryBudget.overloaded());
                }
                return;
            }
            answer(body);
        }

        /** Parses the body, checks the models and runs the endpoint. */
        private void answer(BodyBytes body) {
            try {
                JsonRequest json = JsonRequest.parse(body, route.fields(), options.maxBatch());
                route.guard();
                beforeEndpoint.run();
                byte[] answer = route.post().apply(json);
                write(200, JSON, answer, null);
            } catch (Throwable t) {
                fail(t);
            }
        }

        @Override
        public void bodyRefused(ApiException e) {
            fail(overRate ? rate.refusal() : e);
        }

        @Override
        public void bodyAborted(Throwable cause) {
            LOG.log(Level.DEBUG, () -> request.getMethod() + " " + metrics.label(path) + ": body not read: " + cause);
            failed(cause);
        }

        /** The response went out: the request's bookkeeping, then Jetty's callback. */
        @Override
        public void succeeded() {
            completed();
            callback.succeeded();
        }

        @Override
        public void failed(Throwable x) {
            completed();
            callback.failed(x);
        }

        @Override
        public InvocationType getInvocationType() {
            return callback.getInvocationType();
        }

        private void fail(Throwable t) {
            ApiException e = switch (t) {
                case ApiException a -> a;
                case JsonOut.NonFiniteException n -> {
                    String why = "it produced a non-finite number (" + n.getMessage() + ")";
                    route.models().forEach(m -> m.markUnhealthy(why));
                    yield new ApiException(503, "model_unhealthy", "the model is unhealthy: " + why);
                }
                case UncheckedIOException u
                when route != null && !route.models().isEmpty() -> {
                    // a damaged row of a mapped model file, found when a request used it
                    String why = u.getMessage();
                    route.models().forEach(m -> m.markUnhealthy(why));
                    yield new ApiException(503, "model_unhealthy", "the model is unhealthy: " + why);
                }
                case InternalError ie
                when route != null && !route.models().isEmpty() -> {
                    // the JDK's report of a fault reading a mapped file: the file was cut under us
                    route.models().forEach(ServedModel::faulted);
                    LOG.log(Level.ERROR, "reading a model's mapped file faulted: " + ie.getMessage());
                    yield new ApiException(
                            503,
                            "model_file_changed",
                            "the model's file changed while being served; "
                                    + "restart the server (replace model files by rename, never in place)");
                }
                case OutOfMemoryError oom -> {
                    LOG.log(Level.WARNING, "out of memory in " + request.getMethod() + " " + metrics.label(path));
                    yield MemoryBudget.overloaded();
                }
                default -> internal(t);
            };
            if (LOG.isLoggable(Level.DEBUG)) {
                LOG.log(
                        Level.DEBUG,
                        request.getMethod() + " " + metrics.label(path) + " -> " + e.status() + " " + e.code()
                                + (options.logRequests() ? ": " + e.getMessage() : ""));
            }
            write(e.status(), JSON, errorBody(e), e.headers());
        }

        private ApiException internal(Throwable t) {
            long id = errorIds.incrementAndGet();
            LOG.log(
                    Level.ERROR,
                    "internal error " + id + " in " + request.getMethod() + " " + metrics.label(path),
                    options.logRequests() ? t : redacted(t));
            return new ApiException(
                    500, "internal_error", "internal error (id " + id + "); the server log has the details");
        }

        private void write(int status, String contentType, byte[] body, String[] headers) {
            response.setStatus(status);
            HttpFields.Mutable h = response.getHeaders();
            h.put(JSON.equals(contentType) ? JSON_TYPE : new HttpField(HttpHeader.CONTENT_TYPE, contentType));
            h.put(NO_STORE);
            if (headers != null) {
                for (int i = 0; i + 1 < headers.length; i += 2) {
                    h.put(headers[i], headers[i + 1]);
                }
            }
            h.put(HttpHeader.CONTENT_LENGTH, body.length);
            response.write(true, ByteBuffer.wrap(body), this);
        }

        private void completed() {
            if (completed) {
                return;
            }
            completed = true;
            if (reserved > 0) {
                budget.release(client, reserved);
            }
            heads.requestEnded(request.getConnectionMetaData().getConnection());
            metrics.finished(metrics.label(path), response.getStatus(), System.nanoTime() - start);
        }
    }

    /** {@code application/json}, with no charset or UTF-8. */
    static boolean isJson(String contentType) {
        if (contentType == null) {
            return false;
        }
        String[] parts = contentType.split(";");
        if (!parts[0].strip().equalsIgnoreCase("application/json")) {
            return false;
        }
        for (int i = 1; i < parts.length; i++) {
            String p = parts[i].strip().toLowerCase(Locale.ROOT);
            if (p.startsWith("charset=") && !p.equals("charset=utf-8") && !p.equals("charset=\"utf-8\"")) {
                return false;
            }
        }
        return true;
    }

    /** {@code {"error": {"code", "message", "status"}}}. */
    static byte[] errorBody(ApiException e) {
        return errorBody(e.status(), e.code(), e.getMessage());
    }

    static byte[] errorBody(int status, String code, String message) {
        return new JsonOut(64 + message.length())
                .raw("{\"error\":{")
                .name("code")
                .string(code)
                .raw(',')
                .name("message")
                .string(message)
                .raw(',')
                .name("status")
                .number(status)
                .raw("}}")
                .toBytes();
    }

    /** A copy of {@code t} with its class and stack but without messages, which may quote the request. */
    private static Throwable redacted(Throwable t) {
        Throwable copy = new RuntimeException(t.getClass().getName() + " (message hidden; --log-requests shows it)");
        copy.setStackTrace(t.getStackTrace());
        if (t.getCause() != null) { // getCause() is never t itself
            copy.initCause(redacted(t.getCause()));
        }
        return copy;
    }

    static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }
}
