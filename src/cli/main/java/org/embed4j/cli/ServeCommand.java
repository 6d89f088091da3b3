package org.embed4j.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.embed4j.classify.Classifier;
import org.embed4j.io.TextLines;
import org.embed4j.search.TextIndex;
import org.embed4j.serve.EmbedServer;
import org.embed4j.serve.ServeOptions;
import org.embed4j.vectors.WordVectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code embed4j serve --model <vectors> [--classifier <model>] [--port 8080] [--bind 127.0.0.1] ...}: the
 * HTTP service ({@link EmbedServer}, on Jetty) until SIGTERM or Ctrl-C, when a shutdown hook stops accepting and
 * lets the requests in flight finish (up to --shutdown-timeout). HTTPS (HTTP/2 by ALPN) with --tls-keystore and
 * --tls-password-file, cleartext HTTP/2 with --h2c. /v1/nearest uses the HNSW graph beside the vectors when
 * {@code embed4j index} built one, else exact search micro-batched over --batch-window-us (--exact forces exact
 * search, --no-int8 the float scan); /v1/search answers from --text-index. The model files are watched while served
 * (docs/serving.md: replace them by rename). Prints one line with the address once it listens.
 */
@Command(
        name = "serve",
        mixinStandardHelpOptions = true,
        description = "Serve word vectors and/or a text classifier over HTTP (JSON; /v1/embed, /v1/nearest, "
                + "/v1/analogy, /v1/search, /v1/classify, /healthz, /readyz, /metrics). See docs/serving.md.")
final class ServeCommand implements Callable<Integer> {
    // the defaults live in ServeOptions.DEFAULTS only: picocli shows and keeps a field's initial value
    private static final ServeOptions DEFAULTS = ServeOptions.DEFAULTS;

    @Option(
            names = "--model",
            description = "word vectors (.e4jv is memory-mapped; also .bin, .txt, .vec, .glove.txt, .safetensors)")
    Path model;

    @Option(
            names = "--format",
            description = "vectors format when detection is not wanted: bin, txt, vec, glove, safetensors, e4jv")
    String format;

    @Option(
            names = "--classifier",
            description =
                    "text classifier: a fastText-style .e4jc (float or quantized) or an MLP file from train-classifier --model mlp")
    Path classifier;

    @Option(
            names = "--text-index",
            description = "a text index (.e4ji from embed4j index --texts) for /v1/search; needs --model, the "
                    + "vectors it was built with")
    Path textIndex;

    @Option(
            names = "--exact",
            description = "exact nearest neighbours even when an HNSW graph lies beside the vectors or the text index")
    boolean exact;

    @Option(
            names = "--batch-window-us",
            description = "microseconds an exact search waits for concurrent queries to share one pass over the "
                    + "rows, 0 to 1000000 (default ${DEFAULT-VALUE})")
    long batchWindowMicros = DEFAULTS.batchWindow().toNanos() / 1000;

    @Option(
            names = "--no-int8",
            description = "exact searches scan the float rows instead of int8 copies (same answers; saves V x D bytes)")
    boolean noInt8;

    @Option(names = "--port", description = "TCP port, 0 = any free one (default ${DEFAULT-VALUE})")
    int port = DEFAULTS.port();

    @Option(names = "--bind", description = "address to listen on (default ${DEFAULT-VALUE}; 0.0.0.0 = all interfaces)")
    String bind = DEFAULTS.bind();

    @Option(names = "--token-file", description = "file holding the bearer token that requests must send")
    Path tokenFile;

    @Option(
            names = "--tls-keystore",
            description = "PKCS12 key store with the server's key and certificate: serve HTTPS (HTTP/2 by ALPN)")
    Path tlsKeystore;

    @Option(names = "--tls-password-file", description = "file holding the key store's password (first line)")
    Path tlsPasswordFile;

    @Option(names = "--h2c", description = "also speak cleartext HTTP/2 (prior knowledge or Upgrade: h2c)")
    boolean h2c;

    @Option(
            names = "--allowed-hosts",
            split = ",",
            description = "host names clients may use in Host besides the bind address's own (comma-separated; "
                    + "* = any); needed behind a proxy or DNS name")
    List<String> allowedHosts = DEFAULTS.allowedHosts();

    @Option(names = "--max-body-bytes", description = "largest request body (default ${DEFAULT-VALUE})")
    int maxBodyBytes = DEFAULTS.maxBodyBytes();

    @Option(names = "--max-batch", description = "most inputs per request (default ${DEFAULT-VALUE})")
    int maxBatch = DEFAULTS.maxBatch();

    @Option(names = "--max-k", description = "largest k (default ${DEFAULT-VALUE})")
    int maxK = DEFAULTS.maxK();

    @Option(
            names = "--max-inflight-bytes",
            description = "request memory in flight, 3 per body byte; beyond: 503 (default ${DEFAULT-VALUE})")
    long maxInflightBytes = DEFAULTS.maxInflightBytes();

    @Option(names = "--max-connections", description = "open connections in total (default ${DEFAULT-VALUE})")
    int maxConnections = DEFAULTS.maxConnections();

    @Option(
            names = "--max-connections-per-address",
            description = "open connections from one client address (default ${DEFAULT-VALUE})")
    int maxConnectionsPerAddress = DEFAULTS.maxConnectionsPerAddress();

    @Option(
            names = "--max-body-rate-per-address",
            description = "request-body bytes one client address may send per second; beyond: 429, 0 = no limit"
                    + " (default ${DEFAULT-VALUE})")
    long maxBodyRatePerAddress = DEFAULTS.maxBodyBytesPerSecondPerAddress();

    @Option(
            names = "--head-timeout",
            description = "seconds a client has to send a request head (default ${DEFAULT-VALUE})")
    int headSeconds = (int) DEFAULTS.headTimeout().toSeconds();

    @Option(
            names = "--body-timeout",
            description = "seconds a client has to send a request body (default ${DEFAULT-VALUE})")
    int bodySeconds = (int) DEFAULTS.bodyTimeout().toSeconds();

    @Option(
            names = "--idle-timeout",
            description = "seconds an idle connection is kept open (default ${DEFAULT-VALUE})")
    int idleSeconds = (int) DEFAULTS.idleTimeout().toSeconds();

    @Option(
            names = "--log-requests",
            description = "log the content of failed requests (off by default: it may be private)")
    boolean logRequests;

    @Option(
            names = "--shutdown-timeout",
            description = "seconds to let requests finish at shutdown (default ${DEFAULT-VALUE})")
    int shutdownSeconds = (int) DEFAULTS.shutdownTimeout().toSeconds();

    @Override
    public Integer call() {
        return VectorsCommands.run("serve", () -> {
            if (textIndex != null && model == null) {
                throw new IllegalArgumentException("--text-index needs --model, the word vectors it was built with");
            }
            if (model == null && classifier == null) {
                throw new IllegalArgumentException("give --model <vectors>, --classifier <model> or both");
            }
            ServeOptions options = options();
            WordVectors vectors = model == null ? null : VectorsCommands.load(model, format);
            TextIndex index = textIndex == null ? null : TextIndex.open(textIndex, vectors, exact);
            Classifier clf = classifier == null ? null : Classifier.load(classifier);
            EmbedServer server = EmbedServer.builder(options)
                    .vectors(vectors, model)
                    .classifier(clf, classifier)
                    .textIndex(index, textIndex)
                    .start();
            if (options.token() == null && !server.address().getAddress().isLoopbackAddress()) {
                System.err.println("embed4j serve: warning: listening on " + bind + " without --token-file");
            }
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime()
                    .addShutdownHook(new Thread(
                            () -> {
                                // System.out, not the logger: java.util.logging resets its handlers in a shutdown hook
                                // of its own
                                System.out.println(
                                        "embed4j serve: stopping, " + server.inFlight() + " request(s) in flight");
                                server.close();
                                closeQuietly(index);
                                if (vectors != null) {
                                    vectors.close();
                                }
                                if (clf != null) {
                                    clf.close();
                                }
                                System.out.println("embed4j serve: stopped");
                                System.out.flush();
                                stopped.countDown();
                            },
                            "embed4j-serve-shutdown"));
            System.out.println("embed4j serve: listening on " + server.url());
            System.out.flush();
            stopped.await();
            return 0;
        });
    }

    /** The options the flags say, validated (a bad value is an IllegalArgumentException naming it). */
    ServeOptions options() throws IOException {
        if (tlsPasswordFile != null && tlsKeystore == null) {
            throw new IllegalArgumentException("--tls-password-file needs --tls-keystore");
        }
        if (tlsKeystore != null && tlsPasswordFile == null) {
            throw new IllegalArgumentException("--tls-keystore needs --tls-password-file (the key store's password)");
        }
        if (tlsKeystore != null && !Files.isReadable(tlsKeystore)) {
            throw new IllegalArgumentException("cannot read the key store " + tlsKeystore);
        }
        return ServeOptions.builder()
                .bind(bind)
                .port(port)
                .token(tokenFile == null ? null : readSecret(tokenFile, "token"))
                .allowedHosts(allowedHosts)
                .tls(tlsKeystore, tlsKeystore == null ? null : readSecret(tlsPasswordFile, "password"))
                .h2c(h2c)
                .maxBodyBytes(maxBodyBytes)
                .maxBatch(maxBatch)
                .maxK(maxK)
                .maxInflightBytes(maxInflightBytes)
                .maxConnections(maxConnections)
                .maxConnectionsPerAddress(maxConnectionsPerAddress)
                .maxBodyBytesPerSecondPerAddress(maxBodyRatePerAddress)
                .headTimeout(Duration.ofSeconds(headSeconds))
                .bodyTimeout(Duration.ofSeconds(bodySeconds))
                .idleTimeout(Duration.ofSeconds(idleSeconds))
                .logRequests(logRequests)
                .shutdownTimeout(Duration.ofSeconds(shutdownSeconds))
                .batchWindow(batchWindow())
                .int8(!noInt8)
                .exact(exact)
                .build();
    }

    private Duration batchWindow() {
        if (batchWindowMicros < 0 || batchWindowMicros > ServeOptions.MAX_BATCH_WINDOW.toNanos() / 1000) {
            throw new IllegalArgumentException("--batch-window-us must be in [0, 1000000], got " + batchWindowMicros);
        }
        return Duration.ofNanos(batchWindowMicros * 1000);
    }

    private static void closeQuietly(TextIndex index) {
        if (index == null) {
            return;
        }
        try {
            index.close();
        } catch (IOException e) {
            System.err.println("embed4j serve: closing the text index: " + e.getMessage());
        }
    }

    /** The first non-blank line of the file, stripped; warns when others may read it. */
    private static String readSecret(Path file, String what) throws IOException {
        String token = "";
        try (TextLines lines = TextLines.open(file)) {
            String line;
            while (token.isEmpty() && (line = lines.next()) != null) {
                token = line.strip();
            }
        }
        if (token.isEmpty()) {
            throw new IllegalArgumentException(what + " file " + file + " is empty");
        }
        try {
            Set<PosixFilePermission> p = Files.getPosixFilePermissions(file);
            if (p.contains(PosixFilePermission.OTHERS_READ) || p.contains(PosixFilePermission.GROUP_READ)) {
                System.err.println("embed4j serve: warning: " + what + " file " + file
                        + " is readable by other users (chmod 600 it)");
            }
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: nothing to check
        }
        return token;
    }
}
