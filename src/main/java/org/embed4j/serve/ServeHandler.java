package org.embed4j.serve;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.InputStream;
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
final class ServeHandler implements HttpHandler {
    private static final System.Logger LOG = System.getLogger(ServeHandler.class.getName());
    private static final Gson GSON = new GsonBuilder().disableHtmlEscaping().create();
    private static final String JSON = "application/json; charset=utf-8";

    /** One endpoint: its method, whether it needs the token, and what it does with the JSON body. */
    record Route(String method, boolean authenticated, Function<JsonObject, JsonObject> json) {
    }

    private final Map<String, Route> routes;
    private final BearerAuth auth;
    private final Metrics metrics;
    private final ServeOptions options;
    private final Function<String, byte[]> getBodies; // GET endpoints: path -> body, or null
    private final AtomicLong requestIds = new AtomicLong();
    /** Test hook, called inside every request before its endpoint runs. */
    volatile Runnable beforeEndpoint = () -> { };

    ServeHandler(Map<String, Route> routes, BearerAuth auth, Metrics metrics, ServeOptions options,
                 Function<String, byte[]> getBodies) {
        this.routes = Map.copyOf(routes);
        this.auth = auth;
        this.metrics = metrics;
        this.options = options;
        this.getBodies = getBodies;
    }

    @Override
    public void handle(HttpExchange ex) {
        long start = System.nanoTime();
        metrics.started();
        String path = ex.getRequestURI().getPath();
        String endpoint = metrics.label(path);
        int status = 500;
        try {
            status = dispatch(ex, path);
        } catch (ApiException e) {
            status = e.status();
            if (LOG.isLoggable(Level.DEBUG)) {
                LOG.log(Level.DEBUG, ex.getRequestMethod() + " " + endpoint + " -> " + status + " " + e.code()
                        + (options.logRequests() ? ": " + e.getMessage() : ""));
            }
            sendError(ex, e);
        } catch (Throwable t) {
            long id = requestIds.incrementAndGet();
            LOG.log(Level.ERROR, "internal error " + id + " in " + ex.getRequestMethod() + " " + endpoint,
                    options.logRequests() ? t : redacted(t));
            sendError(ex, new ApiException(500, "internal_error",
                    "internal error (id " + id + "); the server log has the details"));
        } finally {
            ex.close();
            metrics.finished(endpoint, status, System.nanoTime() - start);
        }
    }

    private int dispatch(HttpExchange ex, String path) throws IOException {
        Route route = routes.get(path);
        if (route == null) {
            throw new ApiException(404, "not_found", "no endpoint " + abbreviate(path) + "; endpoints: "
                    + String.join(", ", new java.util.TreeSet<>(routes.keySet())));
        }
        if (!route.method().equals(ex.getRequestMethod())) {
            ex.getResponseHeaders().set("Allow", route.method());
            throw new ApiException(405, "method_not_allowed", path + " takes " + route.method() + ", not "
                    + abbreviate(ex.getRequestMethod()));
        }
        if (route.authenticated() && !auth.allows(ex.getRequestHeaders().getFirst("Authorization"))) {
            ex.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"embed4j\"");
            throw new ApiException(401, "unauthorized", "missing or wrong bearer token (send \"Authorization: Bearer <token>\")");
        }
        beforeEndpoint.run();
        if (route.json() == null) {
            byte[] body = getBodies.apply(path);
            String type = path.equals("/metrics") ? "text/plain; version=0.0.4; charset=utf-8" : JSON;
            return send(ex, 200, type, body);
        }
        JsonObject request = JsonBodies.parseObject(readBody(ex));
        return send(ex, 200, JSON, GSON.toJson(route.json().apply(request)).getBytes(StandardCharsets.UTF_8));
    }

    /** The body as UTF-8 text, at most maxBodyBytes (413 beyond, whether announced or streamed). */
    private String readBody(HttpExchange ex) throws IOException {
        int max = options.maxBodyBytes();
        String length = ex.getRequestHeaders().getFirst("Content-Length");
        if (length != null) {
            long declared;
            try {
                declared = Long.parseLong(length.strip());
            } catch (NumberFormatException e) {
                throw ApiException.badRequest("bad_request", "Content-Length is not a number");
            }
            if (declared > max) {
                throw tooLarge(declared + " bytes", max);
            }
        }
        byte[] bytes;
        try (InputStream in = ex.getRequestBody()) {
            bytes = in.readNBytes(max + 1);
        }
        if (bytes.length > max) {
            throw tooLarge("more than " + max + " bytes", max);
        }
        try {
            CharBuffer chars = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes));
            return chars.toString();
        } catch (CharacterCodingException e) {
            throw ApiException.badRequest("malformed_json", "the body is not valid UTF-8");
        }
    }

    private static ApiException tooLarge(String what, int max) {
        return new ApiException(413, "body_too_large", "the request body has " + what
                + "; this server accepts at most " + max + " bytes (--max-body-bytes)");
    }

    private static int send(HttpExchange ex, int status, String type, byte[] body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", type);
        ex.getResponseHeaders().set("Cache-Control", "no-store");
        ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        ex.getResponseBody().write(body);
        return status;
    }

    private static void sendError(HttpExchange ex, ApiException e) {
        JsonObject error = new JsonObject();
        error.addProperty("code", e.code());
        error.addProperty("message", e.getMessage());
        error.addProperty("status", e.status());
        JsonObject body = new JsonObject();
        body.add("error", error);
        try {
            send(ex, e.status(), JSON, GSON.toJson(body).getBytes(StandardCharsets.UTF_8));
        } catch (IOException | RuntimeException ignored) {
            // the client went away or the response was already started: nothing more can be said to it
        }
    }

    /** A copy of {@code t} with its class and stack but without messages, which may quote the request. */
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
