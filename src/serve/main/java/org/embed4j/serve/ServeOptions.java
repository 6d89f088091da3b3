package org.embed4j.serve;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Settings of the HTTP service. Defaults are the safe ones: loopback only, no token (so only local callers),
 * only the bind address's own names accepted in {@code Host}, plain HTTP/1.1, 1 MiB request bodies, 256 inputs
 * per batch, k at most 1000, 64 MiB of request memory in flight, 128 connections and 32 MiB of request bodies a
 * second per client address, 10 s to
 * send a request head, request text never logged, 10 seconds for requests in flight at shutdown; nearest-neighbour
 * and text searches micro-batched over 1 ms with the int8 scan, or through an HNSW graph when one was built. Immutable;
 * {@link #builder()} and the {@code with…} methods make changed copies.
 *
 * @param bind                     address to listen on ("127.0.0.1"; "0.0.0.0" exposes the service to the network)
 * @param port                     TCP port, 0 = an ephemeral port (see {@link EmbedServer#port()})
 * @param token                    bearer token every /v1 and /metrics request must carry, or null for none
 * @param allowedHosts             host names a request's {@code Host} (or {@code :authority}) may carry besides the
 *                                 bind address's own; "*" accepts any (see {@code HostCheck})
 * @param tlsKeystore              PKCS12 key store with the server's key and certificate: HTTPS (HTTP/2 by ALPN,
 *                                 else HTTP/1.1); null for plain HTTP
 * @param tlsPassword              the key store's password (null when {@code tlsKeystore} is)
 * @param h2c                      also speak cleartext HTTP/2 on a plain listener (prior knowledge or Upgrade: h2c)
 * @param maxBodyBytes             larger request bodies get 413
 * @param maxBatch                 more inputs in one request get 413
 * @param maxK                     a larger k gets 400
 * @param maxInflightBytes         request memory all requests together may hold (each counts 3 bytes per
 *                                 body byte: the bytes and the strings decoded from them); beyond it 503 with
 *                                 Retry-After. One client address may hold at most a quarter of it
 * @param maxConnections           open connections in total; the listener stops accepting at the limit
 * @param maxConnectionsPerAddress open connections from one client address; more are closed at once
 * @param maxBodyBytesPerSecondPerAddress request-body bytes one client address may send per second (a token bucket
 *                                 holding a second's worth, at least one largest body); beyond it 429 with
 *                                 Retry-After before the body is read. 0 = no limit
 * @param headTimeout              time from a connection's first byte of a request (or from its opening) to the
 *                                 end of the request head; a slower client is disconnected
 * @param bodyTimeout              time to receive a request body once its head arrived (408 beyond)
 * @param idleTimeout              how long a connection may sit idle between requests
 * @param logRequests              log the text of failed requests (off: only endpoint, status and error class)
 * @param shutdownTimeout          how long {@link EmbedServer#close()} waits for requests in flight
 * @param modelCheckInterval       how often the model files are checked for changes
 * @param batchWindow              how long exact searches (/v1/nearest, /v1/search) wait for concurrent queries to
 *                                 share one pass over the rows, in [0, 1 s]; 0 = only those already queued
 * @param int8                     exact searches scan int8 copies of the rows (V·D bytes more, a quarter of the
 *                                 bytes read per pass) and rescore in float: the same answers as the float scan
 * @param exact                    answer /v1/nearest by exact search even when an HNSW graph ({@code <vectors>.hnsw},
 *                                 built by {@code embed4j index}) lies beside the vectors file; a text index's graph is
 *                                 chosen when the index is opened ({@code TextIndex.open(file, vectors, exact)})
 */
public record ServeOptions(
        String bind,
        int port,
        String token,
        List<String> allowedHosts,
        Path tlsKeystore,
        String tlsPassword,
        boolean h2c,
        int maxBodyBytes,
        int maxBatch,
        int maxK,
        long maxInflightBytes,
        int maxConnections,
        int maxConnectionsPerAddress,
        long maxBodyBytesPerSecondPerAddress,
        Duration headTimeout,
        Duration bodyTimeout,
        Duration idleTimeout,
        boolean logRequests,
        Duration shutdownTimeout,
        Duration modelCheckInterval,
        Duration batchWindow,
        boolean int8,
        boolean exact) {

    /** The largest body limit that may be set: 1 GiB (a JSON batch beyond that belongs in a batch job). */
    public static final int MAX_BODY_BYTES = 1 << 30;

    /** The longest {@link #batchWindow()}. */
    public static final Duration MAX_BATCH_WINDOW = Duration.ofSeconds(1);

    public static final ServeOptions DEFAULTS = new ServeOptions(
            "127.0.0.1",
            8080,
            null,
            List.of(),
            null,
            null,
            false,
            1 << 20,
            256,
            1000,
            64L << 20,
            10_000,
            128,
            32L << 20,
            Duration.ofSeconds(10),
            Duration.ofSeconds(30),
            Duration.ofSeconds(30),
            false,
            Duration.ofSeconds(10),
            Duration.ofSeconds(1),
            Duration.ofMillis(1),
            true,
            false);

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
        allowedHosts = List.copyOf(Objects.requireNonNull(allowedHosts, "allowedHosts"));
        for (String h : allowedHosts) {
            if (h.isBlank() || h.chars().anyMatch(c -> c <= ' ' || c > '~' || c == '/' || c == '@')) {
                throw new IllegalArgumentException("allowed host '" + h + "' is not a host name");
            }
        }
        if ((tlsKeystore == null) != (tlsPassword == null)) {
            throw new IllegalArgumentException("TLS needs both a key store and its password"
                    + (tlsKeystore == null ? " (no key store given)" : " (no password given)"));
        }
        // the upper bound keeps maxBodyBytes + 1 (one byte read past the limit to detect a longer body) an int
        require(
                maxBodyBytes >= 64 && maxBodyBytes <= MAX_BODY_BYTES,
                "maxBodyBytes",
                maxBodyBytes,
                "in [64, " + MAX_BODY_BYTES + "]");
        require(maxBatch >= 1, "maxBatch", maxBatch, ">= 1");
        require(maxK >= 1, "maxK", maxK, ">= 1");
        long oneBody = MemoryBudget.cost(maxBodyBytes);
        if (maxInflightBytes < oneBody) {
            throw new IllegalArgumentException("maxInflightBytes must be >= " + oneBody + " (room for one body of "
                    + maxBodyBytes + " bytes), got " + maxInflightBytes);
        }
        require(maxConnections >= 1, "maxConnections", maxConnections, ">= 1");
        require(maxConnectionsPerAddress >= 1, "maxConnectionsPerAddress", maxConnectionsPerAddress, ">= 1");
        require(
                maxBodyBytesPerSecondPerAddress >= 0,
                "maxBodyBytesPerSecondPerAddress",
                maxBodyBytesPerSecondPerAddress,
                ">= 0 (0 = no limit)");
        positive("headTimeout", headTimeout);
        positive("bodyTimeout", bodyTimeout);
        positive("idleTimeout", idleTimeout);
        positive("modelCheckInterval", modelCheckInterval);
        if (shutdownTimeout == null || shutdownTimeout.isNegative()) {
            throw new IllegalArgumentException("shutdownTimeout must be >= 0, got " + shutdownTimeout);
        }
        if (batchWindow == null || batchWindow.isNegative() || batchWindow.compareTo(MAX_BATCH_WINDOW) > 0) {
            throw new IllegalArgumentException("batchWindow must be in [0, 1 s], got " + batchWindow);
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

    public static Builder builder() {
        return DEFAULTS.toBuilder();
    }

    public Builder toBuilder() {
        return new Builder(this);
    }

    public ServeOptions withBind(String v) {
        return toBuilder().bind(v).build();
    }

    public ServeOptions withPort(int v) {
        return toBuilder().port(v).build();
    }

    public ServeOptions withToken(String v) {
        return toBuilder().token(v).build();
    }

    public ServeOptions withMaxBodyBytes(int v) {
        return toBuilder().maxBodyBytes(v).build();
    }

    public ServeOptions withMaxBatch(int v) {
        return toBuilder().maxBatch(v).build();
    }

    public ServeOptions withMaxK(int v) {
        return toBuilder().maxK(v).build();
    }

    public ServeOptions withLogRequests(boolean v) {
        return toBuilder().logRequests(v).build();
    }

    public ServeOptions withShutdownTimeout(Duration v) {
        return toBuilder().shutdownTimeout(v).build();
    }

    public ServeOptions withBatchWindow(Duration v) {
        return toBuilder().batchWindow(v).build();
    }

    public ServeOptions withInt8(boolean v) {
        return toBuilder().int8(v).build();
    }

    public ServeOptions withExact(boolean v) {
        return toBuilder().exact(v).build();
    }

    @Override
    public String toString() {
        // never print the token or the key store password
        return "ServeOptions[bind=" + bind + ", port=" + port + ", token=" + (token == null ? "none" : "set")
                + ", allowedHosts=" + allowedHosts + ", tls=" + (tlsKeystore == null ? "off" : tlsKeystore)
                + ", h2c=" + h2c + ", maxBodyBytes=" + maxBodyBytes + ", maxBatch=" + maxBatch + ", maxK=" + maxK
                + ", maxInflightBytes=" + maxInflightBytes + ", maxConnections=" + maxConnections
                + ", maxConnectionsPerAddress=" + maxConnectionsPerAddress + ", maxBodyBytesPerSecondPerAddress="
                + maxBodyBytesPerSecondPerAddress + ", headTimeout=" + headTimeout
                + ", bodyTimeout=" + bodyTimeout + ", idleTimeout=" + idleTimeout + ", logRequests=" + logRequests
                + ", shutdownTimeout=" + shutdownTimeout + ", modelCheckInterval=" + modelCheckInterval
                + ", batchWindow="
                + batchWindow + ", int8=" + int8 + ", exact=" + exact + "]";
    }

    private static void require(boolean ok, String name, long value, String what) {
        if (!ok) {
            throw new IllegalArgumentException(name + " must be " + what + ", got " + value);
        }
    }

    private static void positive(String name, Duration d) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be > 0, got " + d);
        }
    }

    /** Changed copies of a {@link ServeOptions}; {@link #build()} validates. */
    public static final class Builder {
        private String bind;
        private int port;
        private String token;
        private List<String> allowedHosts;
        private Path tlsKeystore;
        private String tlsPassword;
        private boolean h2c;
        private int maxBodyBytes;
        private int maxBatch;
        private int maxK;
        private long maxInflightBytes;
        private int maxConnections;
        private int maxConnectionsPerAddress;
        private long maxBodyBytesPerSecondPerAddress;
        private Duration headTimeout;
        private Duration bodyTimeout;
        private Duration idleTimeout;
        private boolean logRequests;
        private Duration shutdownTimeout;
        private Duration modelCheckInterval;
        private Duration batchWindow;
        private boolean int8;
        private boolean exact;

        private Builder(ServeOptions o) {
            bind = o.bind;
            port = o.port;
            token = o.token;
            allowedHosts = o.allowedHosts;
            tlsKeystore = o.tlsKeystore;
            tlsPassword = o.tlsPassword;
            h2c = o.h2c;
            maxBodyBytes = o.maxBodyBytes;
            maxBatch = o.maxBatch;
            maxK = o.maxK;
            maxInflightBytes = o.maxInflightBytes;
            maxConnections = o.maxConnections;
            maxConnectionsPerAddress = o.maxConnectionsPerAddress;
            maxBodyBytesPerSecondPerAddress = o.maxBodyBytesPerSecondPerAddress;
            headTimeout = o.headTimeout;
            bodyTimeout = o.bodyTimeout;
            idleTimeout = o.idleTimeout;
            logRequests = o.logRequests;
            shutdownTimeout = o.shutdownTimeout;
            modelCheckInterval = o.modelCheckInterval;
            batchWindow = o.batchWindow;
            int8 = o.int8;
            exact = o.exact;
        }

        public Builder bind(String v) {
            bind = v;
            return this;
        }

        public Builder port(int v) {
            port = v;
            return this;
        }

        public Builder token(String v) {
            token = v;
            return this;
        }

        public Builder allowedHosts(List<String> v) {
            allowedHosts = v;
            return this;
        }

        /** HTTPS with the key and certificate of a PKCS12 key store. */
        public Builder tls(Path keystore, String password) {
            tlsKeystore = keystore;
            tlsPassword = password;
            return this;
        }

        public Builder h2c(boolean v) {
            h2c = v;
            return this;
        }

        public Builder maxBodyBytes(int v) {
            maxBodyBytes = v;
            return this;
        }

        public Builder maxBatch(int v) {
            maxBatch = v;
            return this;
        }

        public Builder maxK(int v) {
            maxK = v;
            return this;
        }

        public Builder maxInflightBytes(long v) {
            maxInflightBytes = v;
            return this;
        }

        public Builder maxConnections(int v) {
            maxConnections = v;
            return this;
        }

        public Builder maxConnectionsPerAddress(int v) {
            maxConnectionsPerAddress = v;
            return this;
        }

        public Builder maxBodyBytesPerSecondPerAddress(long v) {
            maxBodyBytesPerSecondPerAddress = v;
            return this;
        }

        public Builder headTimeout(Duration v) {
            headTimeout = v;
            return this;
        }

        public Builder bodyTimeout(Duration v) {
            bodyTimeout = v;
            return this;
        }

        public Builder idleTimeout(Duration v) {
            idleTimeout = v;
            return this;
        }

        public Builder logRequests(boolean v) {
            logRequests = v;
            return this;
        }

        public Builder shutdownTimeout(Duration v) {
            shutdownTimeout = v;
            return this;
        }

        public Builder modelCheckInterval(Duration v) {
            modelCheckInterval = v;
            return this;
        }

        public Builder batchWindow(Duration v) {
            batchWindow = v;
            return this;
        }

        public Builder int8(boolean v) {
            int8 = v;
            return this;
        }

        public Builder exact(boolean v) {
            exact = v;
            return this;
        }

        public ServeOptions build() {
            return new ServeOptions(
                    bind,
                    port,
                    token,
                    allowedHosts,
                    tlsKeystore,
                    tlsPassword,
                    h2c,
                    maxBodyBytes,
                    maxBatch,
                    maxK,
                    maxInflightBytes,
                    maxConnections,
                    maxConnectionsPerAddress,
                    maxBodyBytesPerSecondPerAddress,
                    headTimeout,
                    bodyTimeout,
                    idleTimeout,
                    logRequests,
                    shutdownTimeout,
                    modelCheckInterval,
                    batchWindow,
                    int8,
                    exact);
        }
    }
}
