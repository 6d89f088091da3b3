package org.embed4j.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.embed4j.classify.Classifier;
import org.embed4j.io.TextLines;
import org.embed4j.serve.EmbedServer;
import org.embed4j.serve.ServeOptions;
import org.embed4j.vectors.WordVectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code embed4j serve --model <vectors> [--classifier <model>] [--port 8080] [--bind 127.0.0.1] ...}: the
 * HTTP service ({@link EmbedServer}) until SIGTERM or Ctrl-C, when a shutdown hook stops accepting and lets
 * the requests in flight finish (up to --shutdown-timeout). Prints one line with the address once it listens.
 */
@Command(
        name = "serve",
        mixinStandardHelpOptions = true,
        description = "Serve word vectors and/or a text classifier over HTTP (JSON; /v1/embed, /v1/nearest, "
                + "/v1/analogy, /v1/classify, /healthz, /metrics).")
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

    @Option(names = "--port", description = "TCP port, 0 = any free one (default ${DEFAULT-VALUE})")
    int port = DEFAULTS.port();

    @Option(names = "--bind", description = "address to listen on (default ${DEFAULT-VALUE}; 0.0.0.0 = all interfaces)")
    String bind = DEFAULTS.bind();

    @Option(names = "--token-file", description = "file holding the bearer token that requests must send")
    Path tokenFile;

    @Option(names = "--max-body-bytes", description = "largest request body (default ${DEFAULT-VALUE})")
    int maxBodyBytes = DEFAULTS.maxBodyBytes();

    @Option(names = "--max-batch", description = "most inputs per request (default ${DEFAULT-VALUE})")
    int maxBatch = DEFAULTS.maxBatch();

    @Option(names = "--max-k", description = "largest k (default ${DEFAULT-VALUE})")
    int maxK = DEFAULTS.maxK();

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
            if (model == null && classifier == null) {
                throw new IllegalArgumentException("give --model <vectors>, --classifier <model> or both");
            }
            String token = tokenFile == null ? null : readToken(tokenFile);
            ServeOptions options = new ServeOptions(
                    bind, port, token, maxBodyBytes, maxBatch, maxK, logRequests, Duration.ofSeconds(shutdownSeconds));
            WordVectors vectors = model == null ? null : VectorsCommands.load(model, format);
            Classifier clf = classifier == null ? null : Classifier.load(classifier);
            EmbedServer server = EmbedServer.start(vectors, clf, options);
            if (token == null && !server.address().getAddress().isLoopbackAddress()) {
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
            System.out.println("embed4j serve: listening on http://"
                    + server.address().getAddress().getHostAddress() + ":" + server.port());
            System.out.flush();
            stopped.await();
            return 0;
        });
    }

    /** The first line of the file, stripped; warns when others may read it. */
    private static String readToken(Path file) throws IOException {
        String token;
        try (TextLines lines = TextLines.open(file)) {
            String first = lines.next();
            token = first == null ? "" : first.strip();
        }
        if (token.isEmpty()) {
            throw new IllegalArgumentException("token file " + file + " is empty");
        }
        try {
            Set<PosixFilePermission> p = Files.getPosixFilePermissions(file);
            if (p.contains(PosixFilePermission.OTHERS_READ) || p.contains(PosixFilePermission.GROUP_READ)) {
                System.err.println(
                        "embed4j serve: warning: token file " + file + " is readable by other users (chmod 600 it)");
            }
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: nothing to check
        }
        return token;
    }
}
