package org.embed4j.serve;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * The one HTTP handler of the service: routing, method check, bearer auth, body-size limit, strict UTF-8
 * and JSON decoding, the endpoint call, and the mapping of every failure to a JSON error with a 4xx status
 * ({@link ApiException}) or, for a bug, a 500 that says only "internal error" and a request id. Nothing
 * the client sent is logged unless {@link ServeOptions#logRequests()}; a 500 is logged with its stack
 * trace but without the exception message (which may quote the request) in that case. Every request is
 * counted in {@link Metrics}, whatever its outcome. Thread-safe: no mutable state besides the counters.
 */
final class ServeHandler implements Http1Server.Handler {
    private static final System.Logger LOG = System.getLogger(ServeHandler.class.getName());
    private static final Gson GSON = new GsonBuilder().disableHtmlEscaping().create();
    private static final String JSON = "application/json; charset=utf-8";
    private static final String METRICS = "text/plain; version=0.0.4; charset=utf-8";
    private static final String[] NO_STORE = {"Cache-Control", "no-store"};

    /**
     * One endpoint: its method, whether it needs the token, and what it answers to the JSON body (the response's
     * UTF-8 JSON; null for the GET endpoints).
     */
    record Route(String method, boolean authenticated, Function<JsonObject, byte[]> json) {}

    /** An endpoint that builds its answer as a Gson tree (the hot classify endpoint writes its bytes itself). */
    static Function<JsonObject, byte[]> tree(Function<JsonObject, JsonObject> endpoint) {
        return body -> GSON.toJson(endpoint.apply(body)).getBytes(StandardCharsets.UTF_8);
    }

    private final Map<String, Route> routes;
    private final BearerAuth auth;
    private final Metrics metrics;
    private final ServeOptions options;
    private final Function<String, byte[]> getBodies; // GET endpoints: path -> body, or null
    private final AtomicLong requestIds = new AtomicLong();
    /** Test hook, called inside every request before its endpoint runs. */
    volatile Runnable beforeEndpoint = () -> {};

    ServeHandler(
            Map<String, Route> routes,
            BearerAuth auth,
            Metrics metrics,
            ServeOptions options,
            Function<String, byte[]> getBodies) {
        this.routes = Map.copyOf(routes);
        this.auth = auth;
        this.metrics = metrics;
        this.options = options;
        this.getBodies = getBodies;
    }

    @Override
    public Http1Response handle(Http1Request request) {
        metrics.started();
        String path = request.path();
        try {
            return dispatch(request, path);
        } catch (ApiException e) {
            if (LOG.isLoggable(Level.DEBUG)) {
                LOG.log(
                        Level.DEBUG,
                        request.method() + " " + metrics.label(path) + " -> " + e.status() + " " + e.code()
                                + (options.logRequests() ? ": " + e.getMessage() : ""));
            }
            return errorResponse(e);
        } catch (IOException e) {
            // the client's connection failed while it sent the body: not a server bug; the connection closes
            LOG.log(
                    Level.DEBUG,
                    () -> request.method() + " " + metrics.label(path) + ": reading the body failed: " + e);
            return errorResponse(ApiException.badRequest("bad_request", "the request body could not be read"));
        } catch (Throwable t) {
            long id = requestIds.incrementAndGet();
            LOG.log(
                    Level.ERROR,
                    "internal error " + id + " in " + request.method() + " " + metrics.label(path),
                    options.logRequests() ? t : redacted(t));
            return errorResponse(new ApiException(
                    500, "internal_error", "internal error (id " + id + "); the server log has the details"));
        }
    }

    @Override
    public void completed(Http1Request request, int status, long nanos) {
        metrics.finished(metrics.label(request.path()), status, nanos);
    }

    private Http1Response dispatch(Http1Request request, String path) throws IOException {
        Route route = routes.get(path);
        if (route == null) {
            throw new ApiException(
                    404,
                    "not_found",
                    "no endpoint " + abbreviate(path) + "; endpoints: "
                            + String.join(", ", new java.util.TreeSet<>(routes.keySet())));
        }
        if (!route.method().equals(request.method())) {
            throw new ApiException(
                    405,
                    "method_not_allowed",
                    path + " takes " + route.method() + ", not " + abbreviate(request.method()),
                    "Allow",
                    route.method());
        }
        if (route.authenticated() && !auth.allows(request.header("Authorization"))) {
            throw new ApiException(
                    401,
                    "unauthorized",
                    "missing or wrong bearer token (send \"Authorization: Bearer <token>\")",
                    "WWW-Authenticate",
                    "Bearer realm=\"embed4j\"");
        }
        beforeEndpoint.run();
        if (route.json() == null) {
            return new Http1Response(200, path.equals("/metrics") ? METRICS : JSON, getBodies.apply(path), NO_STORE);
        }
        JsonObject body = JsonBodies.parseObject(readBody(request));
        return new Http1Response(200, JSON, route.json().apply(body), NO_STORE);
    }

    /** The body as UTF-8 text, at most maxBodyBytes (413 beyond, whether announced or streamed). */
    private String readBody(Http1Request request) throws IOException {
        byte[] bytes = request.body(options.maxBodyBytes());
        try {
            CharBuffer chars = StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes));
            return chars.toString();
        } catch (CharacterCodingException e) {
            throw ApiException.badRequest("malformed_json", "the body is not valid UTF-8");
        }
    }

    /** {@code {"error": {"code", "message", "status"}}} with the exception's status and headers. */
    static Http1Response errorResponse(ApiException e) {
        JsonObject error = new JsonObject();
        error.addProperty("code", e.code());
        error.addProperty("message", e.getMessage());
        error.addProperty("status", e.status());
        JsonObject body = new JsonObject();
        body.add("error", error);
        String[] headers = new String[NO_STORE.length + e.headers().length];
        System.arraycopy(NO_STORE, 0, headers, 0, NO_STORE.length);
        System.arraycopy(e.headers(), 0, headers, NO_STORE.length, e.headers().length);
        return new Http1Response(e.status(), JSON, GSON.toJson(body).getBytes(StandardCharsets.UTF_8), headers);
    }

    /** A copy of {@code t} with its class and stack but without messages, which may quote the request. */
    @SuppressWarnings("ReferenceEquality") // a cause chain ends where a throwable is its own cause
    private static Throwable redacted(Throwable t) {
        Throwable copy = new RuntimeException(t.getClass().getName() + " (message hidden; --log-requests shows it)");
        copy.setStackTrace(t.getStackTrace());
        if (t.getCause() != null && t.getCause() != t) {
            copy.initCause(redacted(t.getCause()));
        }
        return copy;
    }

    private static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }
}
