package org.embed4j.serve;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;

/**
 * Settings of the HTTP service. Defaults are the safe ones: loopback only, no token (so only local
 * callers), 1 MiB request bodies, 256 inputs per batch, k at most 1000, request text never logged,
 * 10 seconds for requests in flight at shutdown. Immutable.
 *
 * @param bind            address to listen on ("127.0.0.1"; "0.0.0.0" exposes the service to the network)
 * @param port            TCP port, 0 = an ephemeral port (see {@link EmbedServer#port()})
 * @param token           bearer token every /v1 and /metrics request must carry, or null for none
 * @param maxBodyBytes    larger request bodies get 413
 * @param maxBatch        more inputs in one request get 413
 * @param maxK            a larger k gets 400
 * @param logRequests     log the text of failed requests (off: only endpoint, status and error class)
 * @param shutdownTimeout how long {@link EmbedServer#close()} waits for requests in flight
 */
public record ServeOptions(
        String bind,
        int port,
        String token,
        int maxBodyBytes,
        int maxBatch,
        int maxK,
        boolean logRequests,
        Duration shutdownTimeout) {

    /** The largest body limit that may be set: 1 GiB (a JSON batch beyond that belongs in a batch job). */
    public static final int MAX_BODY_BYTES = 1 << 30;

    public static final ServeOptions DEFAULTS =
            new ServeOptions("127.0.0.1", 8080, null, 1 << 20, 256, 1000, false, Duration.ofSeconds(10));

    public ServeOptions {
        if (bind == null || bind.isBlank()) {
            throw new IllegalArgumentException("bind address must not be empty, got '" + bind + "'");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be in [0, 65535], got " + port);
        }
        if (token != null && (token.isBlank() || token.chars().anyMatch(c -> c <= ' ' || c > '~'))) {
            throw new IllegalArgumentException("the token must be non-empty printable ASCII without spaces ("
                    + token.length() + " characters given)");
        }
        // the upper bound keeps maxBodyBytes + 1 (one byte read past the limit to detect a longer body) an int
        require(
                maxBodyBytes >= 64 && maxBodyBytes <= MAX_BODY_BYTES,
                "maxBodyBytes",
                maxBodyBytes,
                "in [64, " + MAX_BODY_BYTES + "]");
        require(maxBatch >= 1, "maxBatch", maxBatch, ">= 1");
        require(maxK >= 1, "maxK", maxK, ">= 1");
        if (shutdownTimeout == null || shutdownTimeout.isNegative()) {
            throw new IllegalArgumentException("shutdownTimeout must be >= 0, got " + shutdownTimeout);
        }
    }

    /** The socket address to bind; the host must be a literal or resolvable name. */
    InetSocketAddress address() {
        try {
            return new InetSocketAddress(InetAddress.getByName(bind), port);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("cannot resolve bind address '" + bind + "'", e);
        }
    }

    public ServeOptions withBind(String v) {
        return new ServeOptions(v, port, token, maxBodyBytes, maxBatch, maxK, logRequests, shutdownTimeout);
    }

    public ServeOptions withPort(int v) {
        return new ServeOptions(bind, v, token, maxBodyBytes, maxBatch, maxK, logRequests, shutdownTimeout);
    }

    public ServeOptions withToken(String v) {
        return new ServeOptions(bind, port, v, maxBodyBytes, maxBatch, maxK, logRequests, shutdownTimeout);
    }

    public ServeOptions withMaxBodyBytes(int v) {
        return new ServeOptions(bind, port, token, v, maxBatch, maxK, logRequests, shutdownTimeout);
    }

    public ServeOptions withMaxBatch(int v) {
        return new ServeOptions(bind, port, token, maxBodyBytes, v, maxK, logRequests, shutdownTimeout);
    }

    public ServeOptions withMaxK(int v) {
        return new ServeOptions(bind, port, token, maxBodyBytes, maxBatch, v, logRequests, shutdownTimeout);
    }

    public ServeOptions withLogRequests(boolean v) {
        return new ServeOptions(bind, port, token, maxBodyBytes, maxBatch, maxK, v, shutdownTimeout);
    }

    public ServeOptions withShutdownTimeout(Duration v) {
        return new ServeOptions(bind, port, token, maxBodyBytes, maxBatch, maxK, logRequests, v);
    }

    @Override
    public String toString() {
        // never print the token itself
        return "ServeOptions[bind=" + bind + ", port=" + port + ", token=" + (token == null ? "none" : "set")
                + ", maxBodyBytes=" + maxBodyBytes + ", maxBatch=" + maxBatch + ", maxK=" + maxK
                + ", logRequests=" + logRequests + ", shutdownTimeout=" + shutdownTimeout + "]";
    }

    private static void require(boolean ok, String name, int value, String what) {
        if (!ok) {
            throw new IllegalArgumentException(name + " must be " + what + ", got " + value);
        }
    }
}
